"""The corrective-actions page: the month's problems and a root cause registered with an owner (004 4.1.6)."""
from tests.console.pages import submit, texts


def test_a_supervisor_registers_a_root_cause_and_its_action(console):
    """004 4.1.6 從中找出問題根源所在，制定糾正預防措施."""
    at = console("super1", "app_pages/corrective_actions.py")
    assert "问题根源分析与纠正预防措施" in texts(at)
    at.text_area(key="ca_cause").input("交接班时段无人值守")
    at.text_area(key="ca_action").input("交接班改为当面交接并签字")
    submit(at, "ca_new")
    assert not at.exception
    assert "交接班改为当面交接并签字" in texts(at)
