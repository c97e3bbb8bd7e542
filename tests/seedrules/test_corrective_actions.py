"""Seed 004 4.1.6 管理處對《客服部員工過失通知單》進行分析，從中找出問題根源所在，制定糾正預防措施 (and seed 002:
未完成的投訴要找出根源): the month's notices analysed, each action with an owner, a due date and a check."""
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from api.models import AuditLog

SH = ZoneInfo("Asia/Shanghai")
MONTH = datetime.now(SH).strftime("%Y-%m")


def test_a_repeated_problem_gets_a_root_cause_an_owner_a_due_date_and_a_check(login, org):
    """004 4.1.6 從中找出問題根源所在，制定糾正預防措施."""
    sup, mgr, site = login("super1"), login("manager1"), org["sites"]["LHY"].id
    for staff in ("guard1", "guard3", "guard1"):
        assert sup.post("/deductions", json={"site_id": site, "staff_id": org["users"][staff].id, "points": 2,
                                             "reason": "夜班岗亭无人", "problem_key": "post.unattended",
                                             "occurred_at": datetime.now(SH).isoformat()}).status_code == 201
    got = sup.get(f"/corrective-actions/analysis?site_id={site}&month={MONTH}").get_json()
    top = got["problems"][0]
    assert (top["problem_key"], top["notices"], top["points"], top["people"], top["action_ids"]) == \
        ("post.unattended", 3, 6, 2, [])
    due = (datetime.now(SH).date() + timedelta(days=7)).isoformat()
    body = {"site_id": site, "month": MONTH, "source_kind": "fault_notices", "source_ref": "post.unattended",
            "root_cause": "夜班只排一人，如厕时岗亭无人", "action": "夜班增设替岗，排班表上墙",
            "kind": "preventive", "owner_id": org["users"]["super1"].id, "due_date": due}
    assert sup.post("/corrective-actions", json=dict(body, due_date="2020-01-01")).status_code == 422
    assert sup.post("/corrective-actions", json=dict(body, root_cause="")).status_code == 422
    r = sup.post("/corrective-actions", json=body)
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    assert sup.get(f"/corrective-actions/analysis?site_id={site}&month={MONTH}").get_json()["problems"][0][
        "action_ids"] == [aid]
    assert mgr.post(f"/corrective-actions/{aid}/verify", json={"effective": True, "note": "x"}).status_code == 409
    assert sup.post(f"/corrective-actions/{aid}/done", json={"note": "替岗已排，排班表已张贴"}).status_code == 200
    # the owner does not check their own action
    assert sup.post(f"/corrective-actions/{aid}/verify", json={"effective": True, "note": "自查"}).status_code == 403
    r = mgr.post(f"/corrective-actions/{aid}/verify", json={"effective": False, "note": "抽查发现仍有空岗"})
    assert r.get_json()["status"] == "open"  # not effective: open again
    sup.post(f"/corrective-actions/{aid}/done", json={"note": "增加巡查抽查"})
    r = mgr.post(f"/corrective-actions/{aid}/verify", json={"effective": True, "note": "连续两周抽查无空岗"})
    assert r.get_json()["status"] == "verified" and r.get_json()["verified_by_id"] == org["users"]["manager1"].id
    xlsx = sup.get(f"/corrective-actions/report.xlsx?site_id={site}&month={MONTH}")
    ws = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert ws["D3"].value == "夜班只排一人，如厕时岗亭无人" and ws["I3"].value == "已验证" and ws["K3"].value == "王经理"
    assert AuditLog.select().where(AuditLog.object_type == "corrective_action").count() == 5


def test_an_overdue_order_is_analysed_and_an_action_past_its_date_is_flagged(login, org):
    """Seed 002 (投訴日盤點……未完成的投訴要找出根源) and 001: overdue items get their root cause found."""
    sup, site = login("super1"), org["sites"]["LHY"].id
    from api.models import WorkOrder

    order = sup.post("/work-orders", json={"site_id": site, "trade": "engineering", "title": "地库照明不亮",
                                           "priority": "normal"}).get_json()
    WorkOrder.update(resolve_by=datetime.utcnow() - timedelta(hours=1)).where(WorkOrder.id == order["id"]).execute()
    got = sup.get(f"/corrective-actions/analysis?site_id={site}&month={MONTH}").get_json()
    assert [o["id"] for o in got["overdue_orders"]] == [order["id"]]
    r = sup.post("/corrective-actions", json={
        "site_id": site, "month": MONTH, "source_kind": "overdue_order", "source_ref": str(order["id"]),
        "root_cause": "备件库无灯管", "action": "建立常用备件最低库存", "kind": "corrective",
        "owner_id": org["users"]["tech1"].id, "due_date": datetime.now(SH).date().isoformat()})
    assert r.status_code == 201
    from api.models import CorrectiveAction

    CorrectiveAction.update(due_date=datetime.now(SH).date() - timedelta(days=1)).execute()  # the date passes
    listed = sup.get(f"/corrective-actions?site_id={site}&month={MONTH}").get_json()["items"]
    assert [(a["status"], a["overdue"]) for a in listed] == [("open", True)]
    # the owner marks it done from the phone's account
    assert login("tech1").post(f"/corrective-actions/{r.get_json()['id']}/done",
                               json={"note": "已备灯管 20 支"}).status_code == 200
