"""The complaints page: the desk judges a complaint (seed 003 有效/无效投诉) and a supervisor sees the month's
figures and the repair-revisit report (seed 002)."""
from tests.console.pages import api, submit, texts


def test_the_desk_judges_a_complaint_invalid_with_the_reason(console, console_api):
    """003: 凡是不屬於該範圍的任何投訴均屬於無效投訴."""
    site = next(s for s in api(console_api, "service1", "GET", "/sites") if s["code"] == "LHY")
    made = api(console_api, "service1", "POST", "/requests", json={
        "site_id": site["id"], "kind": "complaint", "channel": "phone", "owner_name": "周九",
        "owner_phone": "13400001111", "building": "7", "description": "要求物业赔偿户内家电"})
    at = console("service1", "app_pages/complaints.py")
    at.selectbox(key="cp_pick").set_value(made["id"]).run()
    at.radio(key="cp_valid").set_value(False)
    at.text_input(key="cp_reason").input("户内家电不在物业服务合同范围")
    submit(at, "cp_validity")
    assert not at.exception
    at = console("super1", "app_pages/complaints.py")
    assert "户内家电不在物业服务合同范围" in texts(at)
    assert "维修回访月报" in texts(at)
