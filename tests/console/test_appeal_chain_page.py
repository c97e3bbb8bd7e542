"""The appeals tab walks an appeal up the chain (seed 004 4.3): the department head decides first and
sees the level; a rejected appeal the supervisor filed for their staff is taken up a level."""
from tests.console.pages import submit_round
from tests.console.pages import api, submit, texts


def test_the_department_head_rejects_and_the_supervisor_takes_it_up_to_the_office_director(console, console_api):
    """004 4.3.2 若部門主管做出不公正處理，可向管理主任提出申訴."""
    finding = submit_round(console_api, "guard1", "LHY-T3-LOBBY", "lobby", {"desk_tidy": "桌面杂乱"})[0]
    ded = api(console_api, "super1", "POST", "/deductions", json={
        "finding_id": finding["id"], "client_id": f"console-chain-{finding['id']}"})
    api(console_api, "super1", "POST", f"/deductions/{ded['id']}/appeal", json={"reason": "代员工申诉：当班不是他"})
    # the department head's decision comes from another supervisor-level person: the manager sitting as one
    at = console("manager1", "app_pages/deductions.py")
    assert "当前层级：部门主管" in texts(at)
    at.radio(key=f"ded_upheld_{ded['id']}").set_value(False)
    at.text_input(key=f"ded_why_{ded['id']}").input("监控显示无人")
    submit(at, f"ded_decide_{ded['id']}")
    assert not at.exception
    at = console("super1", "app_pages/deductions.py")
    assert "已驳回的申诉" in texts(at)
    at.text_input(key=f"ded_up_why_{ded['id']}").input("监控时间不对")
    submit(at, f"ded_escalate_{ded['id']}")
    assert not at.exception
    got = api(console_api, "super1", "GET", f"/deductions/{ded['id']}")["appeal"]
    assert got["status"] == "pending" and got["level_key"] == "office_director"
    at = console("admin", "app_pages/deductions.py")
    assert "当前层级：管理处主任" in texts(at)
