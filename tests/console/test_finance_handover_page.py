"""The ledger tab records the hand-over to finance (seed 004 4.1.5 每月1-5日……報送公司財務部)."""
from console.ui import month_options
from tests.console.pages import api, submit, texts


def test_a_manager_records_the_ledger_sent_to_finance_and_the_month_closes(console, console_api):
    at = console("manager1", "app_pages/deductions.py")
    month = month_options()[5]  # a quiet month long past
    at.selectbox(key="ded_month").set_value(month).run()
    at.text_input(key="ded_handover_to").input("财务部 张会计")
    submit(at, "ded_handover")
    assert not at.exception
    assert "财务部 张会计" in texts(at) and "王经理" in texts(at)
    site_id = at.selectbox(key="ded_site").value
    assert api(console_api, "manager1", "GET", f"/ledger/{month}", params={"site_id": site_id})["closed"]
    got = api(console_api, "manager1", "GET", f"/ledger/{month}/handover", params={"site_id": site_id})
    assert got["sent_to"] == "财务部 张会计"
    assert not [f for f in at.get("form") if f.key == "ded_handover"]  # once


def test_a_supervisor_sees_no_hand_over_form(console):
    at = console("super1", "app_pages/deductions.py")
    at.selectbox(key="ded_month").set_value(month_options()[6]).run()
    assert not [f for f in at.get("form") if f.key == "ded_handover"]
