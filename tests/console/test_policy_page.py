"""The policy page: a manager changes the fine per point from a date, sees the history, and a wrong
figure comes back under its field; a supervisor reads the figures but cannot change them."""
from tests.console.pages import api, submit, texts


def test_a_manager_changes_the_fine_per_point_from_tomorrow_and_sees_the_history(console, console_api):
    at = console("manager1", "app_pages/checklists.py")
    before = api(console_api, "manager1", "GET", "/policy/versions")
    at.number_input(key="policy_yuan_per_point").set_value(10.0)
    at.number_input(key="policy_tier_fine_0").set_value(30.0)
    at.number_input(key="policy_resolve_normal").set_value(36.0)
    at.text_input(key="policy_note").input("每分十元 / ten yuan a point")
    at = submit(at, "policy_form")
    assert not at.exception, [e.value for e in at.exception]
    assert any("已保存" in s.value for s in at.success), texts(at)

    after = api(console_api, "manager1", "GET", "/policy/versions")
    assert len(after) == len(before) + 1
    new = max(after, key=lambda v: v["id"])
    assert new["policy"]["deductions"]["yuan_per_point"] == "10.00" and not new["in_force"]
    assert new["policy"]["deductions"]["tiers"][0]["extra_fine"] == "30.00"
    assert new["policy"]["work_orders"]["resolve_hours"]["normal"] == 36
    assert new["note"] == "每分十元 / ten yuan a point" and new["created_by_name"]
    history = at.dataframe[-1].value
    assert len(history) == len(after) and "10.00" in history.to_string()
    # in force from tomorrow: today's figures are still five yuan a point
    assert api(console_api, "manager1", "GET", "/policy")["deductions"]["yuan_per_point"] == "5.00"


def test_tiers_out_of_order_are_refused_under_their_field(console, console_api):
    at = console("manager1", "app_pages/checklists.py")
    count = len(api(console_api, "manager1", "GET", "/policy/versions"))
    at.number_input(key="policy_tier_min_1").set_value(2)  # sanction from 2 points, below extra fine's 5
    at = submit(at, "policy_form")
    assert not at.exception
    assert any("min_points" in e.value or "increasing" in e.value for e in at.error), [e.value for e in at.error]
    assert len(api(console_api, "manager1", "GET", "/policy/versions")) == count


def test_a_supervisor_reads_the_figures_but_has_no_form(console):
    at = console("super1", "app_pages/checklists.py")
    assert "每分 5.00 元" in texts(at)
    assert not [f for f in at.get("form") if f.key == "policy_form"]
