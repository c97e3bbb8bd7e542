"""Who may do what, where: every API route x every role x own site / another site / nothing.

Who may is not written here: every route declares its action (``api.auth.requires``/``declares``)
and the permission table (``api/domain/permissions.py``) says which roles may take it, so a route
without a declared action fails ``test_every_route_declares_an_action``. The table below has one
row per route saying how to call it and what it answers; it is checked against the app's url_map,
so a route added without a row fails ``test_every_route_has_a_row`` (and a row for a route that went
away fails too). For each row and role the test asserts:

* a role ``can()`` allows gets one of the row's success statuses on its own site's objects (or 404
  where the row says the object is not theirs to see: ``hidden``);
* a role ``can()`` does not allow is refused (403, or 404 where the object is not theirs to see);
* another site's object (or another site named in the query/body) answers exactly what a
  nonexistent one answers — same status, same body — so nobody can probe another site;
* a refusal changes nothing (every table's row count and the audit log are as before), and
  every accepted write leaves an audit entry.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from api.models import ALL_MODELS, AuditLog, Deduction, LedgerMonth
from tests.hardening.helpers import api_routes, collected_spec, jpeg_bytes
from tests.helpers import assert_error_shape

ROLE_USERS = {"guard": "guard1", "cleaner": "cleaner1", "technician": "tech1", "service": "service1",
              "supervisor": "super1", "manager": "manager1", "admin": "admin"}
ROLES = list(ROLE_USERS)
SINGLE_SITE = ["guard", "cleaner", "technician", "service", "supervisor"]  # all at LHY only
TZ8 = timezone(timedelta(hours=8))
NOW = datetime.now(TZ8).replace(microsecond=0)
MONTH = NOW.strftime("%Y-%m")
MISSING = {"site": 999999, "zone": 999999, "finding": 999999, "deduction": 999999, "work_order": 999999, "request": 999999,
           "photo": "0" * 64, "inspection": "00000000-0000-4000-8000-000000000000", "code": "NOPE-NOPE",
           "staff": 999999, "channel": 999999, "notification": 999999, "upload": "0" * 32,
           "site_code": "NOPE", "zone_code": "NOPE", "building": 999999, "unit": 999999,
           "schedule": 999999, "checkpoint": 999999, "spare_zone": 999999, "spare_user": 999999}


def _policy_change():
    """A change of the fine per point from tomorrow, based on the newest version."""
    from datetime import date

    from api.domain.policy import as_raw, current_policy, versions

    newest = max(v[1] for v in versions())
    raw = as_raw(current_policy())
    raw["deductions"]["yuan_per_point"] = "6.00"
    return {"effective_from": (date.today() + timedelta(days=1)).isoformat(), "based_on": newest, "policy": raw}


class Row:
    """One route: what the roles its action allows get (``ok``), what the others get (``denied``),
    which allowed roles do not see this object (``hidden``: 404), and how to build its path, query
    and body for a site (``own``/``other``/``missing``)."""

    def __init__(self, ok=(200,), denied=(403,), query=None, body=None, path=None, files=None,
                 fresh_token=False, writes=True, sited=None, form=False, hidden=()):
        self.form = form  # the body goes as an HTML form post (a browser's login)
        self.hidden = set(hidden)
        self.ok = set(ok)
        self.denied = set(denied)
        self.query = query
        self.body = body
        self.path = path or {}
        self.files = files
        self.fresh_token = fresh_token
        self.writes = writes
        self.sited = sited  # does the site matter? (default: the path, query or body names one)


def q_site(w):
    return {"site_id": w["site"]}


def adhoc(w):
    return {"client_id": str(uuid.uuid4()), "site_id": w["site"], "zone_id": w["zone"], "note": "栏杆松动 / loose railing",
            "trade": "engineering", "place": "3 号楼东侧"}


def inspection(w):
    return {"id": str(uuid.uuid4()), "checkpoint_code": w["code"], "checklist_key": "lobby",
            "checklist_version": w["lobby_version"], "started_at": (NOW - timedelta(minutes=5)).isoformat(),
            "finished_at": NOW.isoformat(),
            "results": [{"item_key": k, "status": "pass"} for k in w["lobby_items"]]}


def deduction(w):
    return {"site_id": w["site"], "staff_id": w["staff"], "points": 1, "reason": "大堂地面有垃圾",
            "problem_key": "lobby.floor", "occurred_at": NOW.isoformat()}


def work_order(w):
    return {"site_id": w["site"], "trade": "engineering", "title": "路灯不亮", "priority": "normal"}


def service_request(w):
    return {"site_id": w["site"], "kind": "repair", "channel": "phone", "description": "3 号楼电梯异响",
            "owner_name": "王先生", "owner_phone": "13800135678", "building": "3"}


def fault(w):
    return {"staff_id": w["staff"], "fault": w["fault"], "points": 1, "note": "登记不及时"}


MATRIX = {
    "POST /auth/login": Row(ok=(200,), sited=False,
                            body=lambda w: {"username": w["username"], "password": w["password"]}),
    "POST /auth/logout": Row(ok=(204,), fresh_token=True),
    "POST /auth/session": Row(ok=(303,), sited=False, form=True,
                              body=lambda w: {"username": w["username"], "password": w["password"],
                                              "next": "http://localhost/"}),
    "GET /me": Row(),
    # a form's unsent input, the caller's own (never another user's): nothing to audit, nothing sited
    "GET /drafts/{form}": Row(ok=(200, 404), path={"form": "matrix_form"}, sited=False),
    "PUT /drafts/{form}": Row(path={"form": "matrix_form"}, sited=False,
                              body=lambda w: {"values": {"note": "草稿"}}),
    "DELETE /drafts/{form}": Row(ok=(204,), path={"form": "matrix_form"}, sited=False),
    "GET /sites": Row(),
    "GET /sites/{site_id}": Row(path={"site_id": "site"}),
    "GET /sites/{site_id}/checkpoints": Row(path={"site_id": "site"}),
    "GET /checkpoints": Row(query=q_site),
    "GET /checkpoints/by-code/{code}": Row(path={"code": "code"}),
    "GET /checklists": Row(),
    "GET /checklists/{key}": Row(path={"key": "lobby"}),
    "GET /checklists/{key}/versions/{number}": Row(path={"key": "lobby", "number": 1}),
    # the service desk walks no rounds: 403 "no rounds or tasks"
    "GET /tasks": Row(query=lambda w: {"site_id": w["site"], "date": NOW.date().isoformat()}),
    "GET /tasks/summary": Row(query=lambda w: {"site_id": w["site"], "date": NOW.date().isoformat()}),
    "GET /rounds": Row(query=lambda w: {"site_id": w["site"], "date": NOW.date().isoformat()}),
    "POST /photos": Row(ok=(200, 201), files=True, query=None),
    "GET /photos/{photo_id}": Row(path={"photo_id": "photo"}, denied=(404,)),
    # the phone's sync bundle: only the caller's own sites, whatever their role
    "GET /sync": Row(writes=False),
    # the whole photo under its hash: a photo the caller's site already sees answers at once; an empty
    # body for another site's photo is refused exactly like one for a photo nobody has
    "PUT /photos/{photo_id}": Row(ok=(200,), path={"photo_id": "photo"}, denied=(422,), writes=False),
    # the camera's full original, later on Wi-Fi: only its sender attaches one (an empty body is refused)
    "PUT /photos/{photo_id}/full": Row(ok=(422,), path={"photo_id": "photo"}, denied=(403, 404), writes=False),
    # voice notes: started like a photo upload; a photo's upload is no voice note's (404 for all)
    "POST /voice-notes/uploads": Row(ok=(200, 201), writes=False, sited=False, body=lambda w: {
        "sha256": uuid.uuid4().hex * 2, "size_bytes": 1000}),
    "PATCH /voice-notes/uploads/{upload_id}": Row(path={"upload_id": "upload"}, denied=(404,), hidden=set(ROLES)),
    "GET /voice-notes/{note_id}": Row(path={"note_id": "0" * 64}, denied=(404,), hidden=set(ROLES), sited=False),
    # starting a chunked upload is plumbing (the photo's upload is audited when its last chunk is in)
    "POST /photos/uploads": Row(ok=(200, 201), writes=False, body=lambda w: {
        "sha256": uuid.uuid4().hex * 2, "size_bytes": 1000, "site_id": w["site"]}),
    # an upload is its uploader's alone: anyone else's is "not found"
    "GET /photos/uploads/{upload_id}": Row(path={"upload_id": "upload"}, denied=(404,), hidden=set(ROLES) - {"guard"}),
    # without an Upload-Offset header the chunk is refused (422) after the upload was found
    "PATCH /photos/uploads/{upload_id}": Row(ok=(422,), path={"upload_id": "upload"}, denied=(404,),
                                             hidden=set(ROLES) - {"guard"}),
    "POST /inspections": Row(ok=(201,), body=inspection),
    # everyone may list; field staff and the desk see only their own inspections
    "GET /inspections": Row(query=q_site),
    # field staff see their own inspections only: someone else's is "not found"
    "GET /inspections/{inspection_id}": Row(path={"inspection_id": "inspection"},
                                            denied=(403, 404), hidden={"cleaner", "technician", "service"}),
    "GET /findings": Row(query=q_site),
    "POST /findings": Row(ok=(201,), body=adhoc),
    # guards and cleaners see the findings they reported (the one here is guard1's)
    "GET /findings/{finding_id}": Row(path={"finding_id": "finding"}, denied=(403, 404), hidden={"cleaner"}),
    "POST /findings/{finding_id}/dismiss": Row(ok=(200, 409), path={"finding_id": "finding"},
                                               body=lambda w: {"reason": "重复上报 / reported twice"}),
    "GET /work-orders": Row(query=q_site),
    "POST /work-orders": Row(ok=(201,), body=work_order),
    # field staff open only the orders assigned to them: the lobby order is cleaner1's
    "GET /work-orders/{order_id}": Row(path={"order_id": "work_order"},
                                       denied=(403, 404), hidden={"guard", "technician"}),
    # the order made from guard1's lobby (cleaning) finding goes to the zone's cleaner, cleaner1
    # (片区责任制): only the assignee and supervisors move it; the technician is refused
    "POST /work-orders/{order_id}/transitions": Row(ok=(200, 409, 422), path={"order_id": "work_order"}, denied=(403, 404),
        body=lambda w: {"action": "accept", "note": "收到"}),
    "POST /work-orders/escalate": Row(writes=False),  # nothing overdue: nothing to audit
    "GET /work-orders/export.xlsx": Row(query=q_site),
    "GET /work-orders/{order_id}/print.html": Row(path={"order_id": "work_order"}, denied=(403, 404)),
    "GET /deductions": Row(query=q_site),
    "POST /deductions": Row(ok=(201,), body=deduction),
    "GET /deductions/{deduction_id}": Row(path={"deduction_id": "deduction"},
                                          denied=(403, 404), hidden={"cleaner", "technician", "service"}),
    # the penalised person, or a supervisor for them; one appeal per notice (then 409)
    "POST /deductions/{deduction_id}/appeal": Row(ok=(201, 200, 409), path={"deduction_id": "deduction"},
                                                  denied=(403, 404), body=lambda w: {"reason": "当时不在岗"}),
    # the appeal chain (004 4.3): the department head (a supervisor) decides first; later levels managers
    "POST /deductions/{deduction_id}/appeal/decision": Row(ok=(200, 403, 409), path={"deduction_id": "deduction"}, denied=(403, 404),
        body=lambda w: {"upheld": False, "reason": "证据充分"}),
    "GET /appeals": Row(query=q_site),
    # the penalised person takes a rejected appeal up a level; others see no such notice or are refused
    "POST /deductions/{deduction_id}/appeal/escalate": Row(ok=(200, 409), path={"deduction_id": "deduction"}, denied=(403, 404),
        body=lambda w: {"reason": "主管处理不公"}),
    "GET /ledger/{month}": Row(path={"month": MONTH}, query=q_site),
    "POST /ledger/{month}/close": Row(ok=(200, 201, 409), path={"month": "2020-01"}, query=q_site),
    "GET /ledger/{month}/payroll.csv": Row(path={"month": MONTH}, query=q_site),
    "GET /ledger/{month}/payroll.xlsx": Row(path={"month": MONTH}, query=q_site),
    "GET /ledger/{month}/posting.html": Row(path={"month": MONTH}, query=q_site),
    # sanctions (004 4.2.3–4.2.4, 003 第十九条): the world's person has 1 point, so a tier sanction is a 409
    "GET /sanctions": Row(query=q_site),
    "POST /sanctions": Row(ok=(201, 409), body=lambda w: {
        "site_id": w["site"], "month": MONTH, "staff_id": w["staff"], "kind": "warning", "reason": "研究决定"}),
    "POST /sanctions/{sanction_id}/carry-out": Row(ok=(404,), path={"sanction_id": 999999}, sited=False,
                                                   body=lambda w: {"note": "已办理"}, denied=(403,)),
    # 经查实 (004 4.2.6): a manager verifies the supervisor's share, once
    "POST /deductions/{deduction_id}/supervisor-verification": Row(ok=(201, 409), path={"deduction_id": "deduction"}, denied=(403, 404),
        body=lambda w: {"verified": False, "finding": "主管已安排替岗"}),
    # the performance scheme of 004 (绩效考核): supervisors check and publish; a check of today may be any day
    "POST /performance/entries": Row(ok=(201,), body=lambda w: {
        "site_id": w["site"], "staff_id": w["staff"], "period": "daily", "day": NOW.date().isoformat(),
        "category": "dedication", "points": 1, "note": "主动协助业主"}),
    "GET /performance/{month}": Row(path={"month": MONTH}, query=q_site),
    "POST /performance/{month}/publish": Row(ok=(200, 409), path={"month": "2020-03"}, query=q_site),
    # complaints (003): validity, reply in kind, the incoming-mail register, the general property manager.
    # The world's request is a phone repair, open: judging/replying/referring a non-complaint is a 409.
    "POST /requests/{request_id}/validity": Row(ok=(200, 409), path={"request_id": "request"},
                                                body=lambda w: {"valid": True, "reason": "合同范围内"}),
    "POST /requests/{request_id}/reply": Row(ok=(200, 409, 422), path={"request_id": "request"},
                                             body=lambda w: {"method": "call", "text": "已致电"}),
    "POST /requests/{request_id}/incoming-mail": Row(ok=(201, 409), path={"request_id": "request"},
                                                     body=lambda w: {"sender": "业主", "subject": "来函",
                                                                     "reported_to": "总经理"}),
    "POST /requests/{request_id}/general-manager": Row(ok=(200, 403, 409), path={"request_id": "request"},
                                                       body=lambda w: {"reason": "超出权限"}),
    "GET /incoming-mail": Row(query=q_site),
    "GET /complaints/stats": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /reports/repair-revisits": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /reports/repair-revisits.xlsx": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /repair-revisits/referrals": Row(query=q_site),
    # root causes and corrective/preventive actions (004 4.1.6); the world has no action with this id
    "GET /corrective-actions/analysis": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /corrective-actions": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "POST /corrective-actions": Row(ok=(201,), body=lambda w: {
        "site_id": w["site"], "month": MONTH, "source_kind": "fault_notices", "source_ref": "lobby.floor",
        "root_cause": "保洁频次不足", "action": "高峰前加扫一次", "kind": "preventive", "owner_id": w["staff"],
        "due_date": (NOW + timedelta(days=7)).date().isoformat()}),
    "POST /corrective-actions/{action_id}/done": Row(ok=(404,), path={"action_id": 999999}, sited=False,
                                                     denied=(404,), body=lambda w: {"note": "已完成"}),
    "POST /corrective-actions/{action_id}/verify": Row(ok=(404,), path={"action_id": 999999}, sited=False,
                                                       body=lambda w: {"effective": True, "note": "抽查有效"}),
    "GET /corrective-actions/report.xlsx": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    # the ledger sent to finance (004 4.1.5): a month long past, closed by the hand-over, once
    "GET /ledger/{month}/handover": Row(ok=(200, 404), path={"month": "2020-02"}, query=q_site,
                                        denied=(403,)),
    "POST /ledger/{month}/handover": Row(ok=(201, 409), path={"month": "2020-02"}, query=q_site,
                                         body=lambda w: {"sent_to": "财务部 张会计"}),
    "GET /reports/summary": Row(query=q_site),
    "GET /reports/pass-rate": Row(query=q_site),
    "GET /reports/work-orders": Row(query=q_site),
    "GET /reports/zone-ranking": Row(query=q_site),
    "GET /reports/rounds.html": Row(query=q_site),
    "GET /requests": Row(query=q_site),
    "POST /requests": Row(ok=(201,), body=service_request),
    "GET /requests/{request_id}": Row(path={"request_id": "request"}),
    "POST /requests/{request_id}/transitions": Row(ok=(200, 409, 422), path={"request_id": "request"},
                                                   body=lambda w: {"action": "handle", "note": "已联系业主"}),
    "POST /requests/{request_id}/revisit": Row(ok=(200, 409, 422), path={"request_id": "request"},
                                               body=lambda w: {"satisfied": True, "note": "业主满意"}),
    "POST /requests/{request_id}/faults": Row(ok=(201,), path={"request_id": "request"}, body=fault),
    "POST /requests/escalate": Row(writes=False),
    "GET /requests/escalated": Row(query=q_site),
    "GET /requests/revisit-due": Row(query=q_site),
    "GET /requests/stats": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /requests/stats.xlsx": Row(query=lambda w: {"site_id": w["site"], "month": MONTH}),
    "GET /policy": Row(),  # the rules everyone is held to are no secret
    "GET /policy/versions": Row(),
    "POST /policy/versions": Row(ok=(201,), body=lambda w: _policy_change(), sited=False),
    "GET /vocabulary": Row(),  # labels and state machines: no secret either
    "GET /users": Row(query=q_site),
    "GET /audit": Row(query=q_site),
    # the official holiday schedule is national: no site; everyone reads it, managers enter it
    "GET /holiday-calendar/status": Row(sited=False),
    "GET /holiday-calendar/{year}": Row(path={"year": 2026}, sited=False),
    "PUT /holiday-calendar/{year}": Row(path={"year": 2031}, sited=False, body=lambda w: {
        "days": [{"date": "2031-01-01", "kind": "holiday", "name": "元旦"}]}),
    # the matrix uploads a JPEG: a manager passes the role check and is told it is not .csv/.xlsx
    "POST /holiday-calendar/{year}/import": Row(ok=(200, 422), path={"year": 2031}, files=True, sited=False),
    # notifications: managers configure their sites' channels; everyone subscribes their own phone
    "GET /notification-channels": Row(query=q_site),
    "POST /notification-channels": Row(ok=(201,), body=lambda w: {
        "site_id": w["site"], "kind": "wecom", "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix"}),
    "PATCH /notification-channels/{channel_id}": Row(path={"channel_id": "channel"},
                                                     body=lambda w: {"name": "值班群"}),
    "DELETE /notification-channels/{channel_id}": Row(path={"channel_id": "channel"}),
    "POST /notification-channels/{channel_id}/test": Row(path={"channel_id": "channel"}),
    "GET /notifications": Row(query=q_site),
    # the world's message went out (or failed) by the channel test: a resend of a sent one is a 409
    "POST /notifications/{notification_id}/resend": Row(ok=(200, 409), path={"notification_id": "notification"}),
    "GET /push/key": Row(sited=False),
    "POST /push/subscriptions": Row(ok=(200, 201), sited=False, body=lambda w: {
        "endpoint": f"https://push.example.com/v1/{uuid.uuid4()}", "keys": {"p256dh": "B" + "a" * 86, "auth": "c" * 22}}),
    "GET /notification-prefs": Row(sited=False),
    "PUT /notification-prefs": Row(sited=False, body=lambda w: {"quiet_start": "22:00", "quiet_end": "07:00"}),
    # the organisation as data: reads for everyone at the site, changes for its manager (sites: admin creates)
    "POST /sites": Row(ok=(201,), sited=False, body=lambda w: {"code": _uid("S"), "name": "新场所"}),
    "PATCH /sites/{site_id}": Row(path={"site_id": "site"}, body=lambda w: {"address": _uid("路")}),
    "POST /sites/{site_id}/deactivate": Row(path={"site_id": "site"}, writes=False),
    "GET /zones": Row(query=q_site),
    "POST /zones": Row(ok=(201,), body=lambda w: {"site_code": w["site_code"], "code": _uid("Z"), "name": "区"}),
    "GET /zones/{item_id}": Row(path={"item_id": "zone"}),
    "PATCH /zones/{item_id}": Row(path={"item_id": "zone"}, body=lambda w: {"name_en": _uid("Zone ")}),
    "POST /zones/{item_id}/deactivate": Row(path={"item_id": "spare_zone"}, writes=False),
    "GET /buildings": Row(query=q_site),
    "POST /buildings": Row(ok=(201,), body=lambda w: {"site_code": w["site_code"], "code": _uid("B"),
                                                              "name": "楼", "zone_code": w["zone_code"]}),
    "GET /buildings/{item_id}": Row(path={"item_id": "building"}),
    "PATCH /buildings/{item_id}": Row(path={"item_id": "building"}, body=lambda w: {"name_en": _uid("B ")}),
    "POST /buildings/{item_id}/deactivate": Row(path={"item_id": "building"}, writes=False),
    "GET /units": Row(query=q_site),
    "POST /units": Row(ok=(201,), body=lambda w: {"site_code": w["site_code"], "building_code": "AUTHZ",
                                                          "code": _uid("1-")}),
    "GET /units/{item_id}": Row(path={"item_id": "unit"}),
    "PATCH /units/{item_id}": Row(path={"item_id": "unit"}, body=lambda w: {"floor": uuid.uuid4().int % 90}),
    "POST /units/{item_id}/deactivate": Row(path={"item_id": "unit"}, writes=False),
    "GET /schedules": Row(query=q_site),
    "POST /schedules": Row(ok=(201,), body=lambda w: {"site_code": w["site_code"], "key": _uid("k").lower(),
                                                              "name": "巡查", "checklist": "lobby", "at": ["09:00"]}),
    "GET /schedules/{item_id}": Row(path={"item_id": "schedule"}),
    "PATCH /schedules/{item_id}": Row(path={"item_id": "schedule"}, body=lambda w: {"name_en": _uid("R ")}),
    "POST /schedules/{item_id}/deactivate": Row(path={"item_id": "schedule"}, writes=False),
    "POST /checkpoints": Row(ok=(201,), body=lambda w: {
        "site_code": w["site_code"], "code": _uid("CP-"), "name": "点", "kind": "lobby", "zone_code": w["zone_code"],
        "checklists": ["lobby"]}),
    "GET /checkpoints/{checkpoint_id}": Row(path={"checkpoint_id": "checkpoint"}),
    "PATCH /checkpoints/{checkpoint_id}": Row(path={"checkpoint_id": "checkpoint"},
                                              body=lambda w: {"note": _uid("n")}),
    "POST /checkpoints/{checkpoint_id}/deactivate": Row(path={"checkpoint_id": "checkpoint"}, writes=False),
    "GET /checkpoints/labels": Row(query=q_site),
    "POST /users": Row(ok=(201,), body=lambda w: {
        "employee_no": _uid("E"), "username": _uid("u"), "name": "新人", "role": "guard", "trade": "security",
        "site_codes": [w["site_code"]], "password": "start-pass-1"}),
    "GET /users/{user_id}": Row(path={"user_id": "staff"}),
    "PATCH /users/{user_id}": Row(path={"user_id": "staff"}, body=lambda w: {"post": _uid("岗")}),
    "POST /users/{user_id}/deactivate": Row(path={"user_id": "spare_user"}, writes=False),
    "GET /imports/{kind}/template": Row(path={"kind": "zones"}, sited=False),
    # the file here is a photo, not a workbook: allowed roles get 422 and nothing is written
    "POST /imports/{kind}": Row(ok=(422,), path={"kind": "zones"}, files=True, sited=False, writes=False),
    "GET /exports/{kind}": Row(path={"kind": "zones"}, query=q_site),
}


def _uid(prefix):
    return prefix + uuid.uuid4().hex[:10]


def org_objects(site_code, zone_code):
    """A building, unit, schedule, checkpoint, spare zone and spare account per site for the organisation
    routes (the spares are the ones deactivated)."""
    from api.models import Building, Schedule, Site, Unit, Zone
    from tests.factories import gen_checkpoint, gen_user, gen_zone

    site = Site.get(Site.code == site_code)
    zone = Zone.get((Zone.site == site) & (Zone.code == zone_code))
    b = Building.create(site=site, zone=zone, code="AUTHZ", name="测试楼")
    user = gen_user("guard", [site], username=f"spare-{site_code}", name="备用", password="x" * 12)
    return {"site_code": site_code, "zone_code": zone_code, "building": b.id,
            "unit": Unit.create(building=b, code="1-101").id,
            "schedule": Schedule.create(site=site, key="authz", name="测试", checklist_key="lobby",
                                        rule={"at": ["09:00"]}).id,
            "checkpoint": gen_checkpoint(zone, code=f"AUTHZ-{site_code}", name="测试点").id,
            "spare_zone": gen_zone(site, code="SPARE", name="备用").id, "spare_user": user.id}


ROUTES = collected_spec()["__routes__"]


def _spec_key(method, rule):
    import re

    return f"{method} " + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule[len("/api/v1"):])


def test_every_route_has_a_row():
    routes = {_spec_key(m, r) for m, r in ROUTES}
    assert sorted(routes - set(MATRIX)) == [], "undocumented route: add a row to MATRIX"
    assert sorted(set(MATRIX) - routes) == [], "a row for a route that no longer exists"


def _declared(app, method, rule):
    """The action a route declares (``@requires``/``@declares``), or None."""
    view = app.view_functions[next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule)]
    return getattr(getattr(getattr(view, "view_class", None), method.lower(), view), "permission", None)


def test_every_route_declares_an_action(shared):
    from api.domain.permissions import TABLE

    missing = [f"{m} {r}" for m, r in ROUTES if _declared(shared.app, m, r) is None]
    assert missing == [], "a route without a declared action: add @requires(...) or @declares(...)"
    unknown = {a for m, r in ROUTES for a in [_declared(shared.app, m, r)]
               if a not in TABLE and not (a.endswith(".*") and any(t.startswith(a[:-1]) for t in TABLE))}
    assert unknown == set(), "an action that is not in the permission table"


def _action(shared, key, row, w):
    """The route's declared action; ``work_order.*``: the one its body names."""
    method, path = key.split(" ", 1)
    rule = next(r for m, r in ROUTES if m == method and _spec_key(m, r) == key)
    action = _declared(shared.app, method, rule)
    if action and action.endswith(".*"):
        action = action[:-1] + row.body(dict(w, username="")).get("action")
    return action


def _object(action, w):
    """The row an object rule is judged on: the world's order, notice or appeal."""
    from api.models import Appeal, Photo, WorkOrder

    if action.startswith("work_order."):
        return WorkOrder.get_by_id(w["work_order"])
    if action == "photo.attach_original":
        return Photo.get_by_id(w["photo"])
    d = Deduction.get_by_id(w["deduction"])
    if action == "deduction.appeal":
        return d
    if action == "appeal.escalate":
        appeal = Appeal.get_or_none(Appeal.deduction == d.id) or Appeal(deduction=d, filed_by=d.staff_id)
        appeal.deduction = d
        return appeal
    return None


def allowed_roles(shared, key, row, w):
    """The roles the permission table lets take this route's action (on this world's object)."""
    from api.domain.permissions import can, rule
    from api.models import User

    action = _action(shared, key, row, w)
    r = rule(action)
    obj = _object(action, w) if (r.also or r.unless) else None
    return {role for role in ROLES
            if can(User.get(User.username == ROLE_USERS[role]), action, obj)}


# --- the world: one of everything on each site -------------------------------------------------

def _ok(r, *codes):
    assert r.status_code in codes, (r.status_code, r.get_json())
    return r.get_json()


@pytest.fixture(scope="module")
def world(shared):
    from tests.factories import PASSWORD

    org = shared.org
    lobby = _ok(shared.login("guard1").get("/checklists/lobby"), 200)
    out = {}
    for key, site, zone, code, guard, boss, desk in (
            ("own", "LHY", "A", "LHY-T1-LOBBY", "guard1", "super1", "service1"),
            ("other", "HQT", "L", "HQT-LOBBY", "guard2", "super3", "manager1")):
        w = {"site": org["sites"][site].id, "code": code, "zone": org["zones"][(site, zone)].id, "staff": org["users"][guard].id, "fault": "late_registration",
             "lobby_version": lobby["version"], "lobby_items": [i["key"] for i in lobby["items"]],
             "password": PASSWORD}
        w.update(org_objects(site, zone))
        g, s = shared.login(guard), shared.login(boss)
        w["photo"] = _ok(g.post("/photos", data={"file": (__import__("io").BytesIO(jpeg_bytes(hash(site) % 1000)),
                                                           "p.jpg")}, content_type="multipart/form-data"), 201)["id"]
        w["upload"] = _ok(g.post("/photos/uploads", json={"sha256": "ab" * 32, "size_bytes": 1000}), 201)["id"]
        body = inspection(w)
        body["results"][0] = {"item_key": body["results"][0]["item_key"], "status": "fail", "note": "地面脏",
                              "photo_ids": [w["photo"]]}
        ins = _ok(g.post("/inspections", json=body), 201)
        w["inspection"] = ins["id"]
        w["finding"] = ins["findings"][0]["id"]
        w["work_order"] = _ok(s.post("/work-orders", json={"finding_ids": [w["finding"]]}), 201)["id"]
        w["deduction"] = _ok(s.post("/deductions", json=deduction(w)), 201)["id"]
        w["request"] = _ok(shared.login(desk).post("/requests", json=service_request(w)), 201)["id"]
        mgr = shared.login("manager1")
        w["channel"] = _ok(mgr.post("/notification-channels", json={
            "site_id": w["site"], "kind": "wecom", "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=w"}), 201)["id"]
        w["notification"] = _ok(mgr.post(f"/notification-channels/{w['channel']}/test"), 200)["notification_id"]
        out[key] = w
    out["missing"] = dict(out["own"], **MISSING)
    return out


def _counts():
    skip = {"LoginFailure", "ApiToken", "IdempotencyRecord"}
    return {m.__name__: m.select().count() for m in ALL_MODELS if m.__name__ not in skip}


def _sites_in(body):
    """Every site_id anywhere in a JSON answer."""
    if isinstance(body, dict):
        for k, v in body.items():
            if k == "site_id" and isinstance(v, int):
                yield v
            else:
                yield from _sites_in(v)
    elif isinstance(body, list):
        for v in body:
            yield from _sites_in(v)


def _call(shared, role, key, row, w):
    from tests.conftest import ApiClient

    method, path = key.split(" ", 1)
    for name, kind in row.path.items():
        value = w[kind] if isinstance(kind, str) and kind in w else kind
        path = path.replace("{" + name + "}", str(value))
    api = shared.login(ROLE_USERS[role])
    if row.fresh_token:
        r = shared.client.post("/api/v1/auth/login", json={"username": ROLE_USERS[role], "password": w["password"]})
        api = ApiClient(shared.client, r.get_json()["token"])
    kw = {}
    if row.query:
        kw["query_string"] = row.query(w)
    if row.body and row.form:
        kw["data"] = row.body(dict(w, username=ROLE_USERS[role]))
    elif row.body:
        kw["json"] = row.body(dict(w, username=ROLE_USERS[role]))
    if row.files:
        import io

        kw["data"] = {"file": (io.BytesIO(jpeg_bytes(uuid.uuid4().int % 10**9)), "p.jpg"), "site_id": str(w["site"])}
        kw["content_type"] = "multipart/form-data"
    headers = {"Authorization": f"Bearer {api.token}"}
    if key in ("POST /auth/login", "POST /auth/session"):
        headers = {}
    return shared.client.open("/api/v1" + path, method=method, headers=headers, **kw)


def _site_dependent(row):
    if row.sited is not None:
        return row.sited
    return bool(row.path and any(k in MISSING or k == "site" for k in row.path.values())) \
        or row.query is not None or row.body is not None or row.files


CASES = [(key, role) for key in MATRIX for role in ROLES]


@pytest.mark.parametrize("key, role", CASES, ids=[f"{k} as {r}" for k, r in CASES])
def test_route_by_role_and_site(shared, world, key, role):
    row = MATRIX[key]
    if not any(_spec_key(m, r) == key for m, r in ROUTES):
        pytest.fail(f"{key} is in the table but not served")
    results = {}
    shared.login(ROLE_USERS[role])  # a first login is itself audited: not part of what is measured
    for variant in ("own", "other", "missing"):
        if variant != "own" and (role not in SINGLE_SITE or not _site_dependent(row)):
            continue
        counts, audits = _counts(), AuditLog.select().count()
        r = _call(shared, role, key, row, world[variant])
        body = r.get_json(silent=True)
        results[variant] = (r.status_code, body)
        assert r.status_code < 500, (variant, r.status_code, body)
        if r.status_code >= 400:
            assert body and body["code"] == r.status_code
            assert _counts() == counts, f"{variant}: refused with {r.status_code} but something changed"
        elif key.startswith("POST") and row.writes:
            assert AuditLog.select().count() > audits, f"{variant}: a write without an audit entry"
        if r.status_code < 300 and role in SINGLE_SITE and body is not None:
            leaked = set(_sites_in(body)) - {world["own"]["site"]}
            assert not leaked, f"{variant}: another site's data in the answer"

    status, body = results["own"]
    if role in allowed_roles(shared, key, row, world["own"]) and role in row.hidden:
        assert status == 404, f"{role} does not see this object of {key}: got {status} {body}"
    elif role in allowed_roles(shared, key, row, world["own"]):
        assert status in row.ok, f"{role} may {key} on their own site: got {status} {body}"
    else:
        assert status in row.denied, f"{role} may not {key}: got {status} {body}"
    if "other" in results:
        if row.path and any(kind in MISSING for kind in row.path.values()):
            assert results["other"][0] not in (200, 201, 204), f"another site's object reached: {results['other']}"
        assert results["other"] == results["missing"], "another site's object must look like a missing one"


# --- writes cannot set what the server or a higher role decides --------------------------------

def _inspection_body(login, org, **extra):
    guard = login("guard1")
    lobby = guard.get("/checklists/lobby").get_json()
    w = {"code": "LHY-T1-LOBBY", "lobby_version": lobby["version"], "lobby_items": [i["key"] for i in lobby["items"]]}
    return guard, dict(inspection(w), **extra)


@pytest.mark.parametrize("field, value", [("inspector_id", "guard3"), ("site_id", "HQT"), ("received_at", None),
                                          ("clock_suspect", None), ("failed_count", None)])
def test_an_inspection_cannot_name_its_inspector_site_or_server_fields(login, org, field, value):
    value = {"guard3": org["users"]["guard3"].id, "HQT": org["sites"]["HQT"].id,
             None: False if field == "clock_suspect" else 0}[value]
    if field == "received_at":
        value = "2020-01-01T00:00:00+08:00"
    guard, body = _inspection_body(login, org, **{field: value})
    before = _counts()
    r = guard.post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]["json"]
    assert _counts() == before


def test_an_inspection_is_recorded_as_the_callers_whatever_the_body(login, org):
    from api.models import Inspection

    guard, body = _inspection_body(login, org)
    assert guard.post("/inspections", json=body).status_code == 201
    stored = Inspection.get_by_id(body["id"])
    assert stored.inspector_id == org["users"]["guard1"].id
    assert stored.site_id == org["sites"]["LHY"].id


def test_a_guard_cannot_give_or_change_points(login, org):
    boss, guard = login("super1"), login("guard1")
    w = {"site": org["sites"]["LHY"].id, "staff": org["users"]["guard1"].id}
    d = boss.post("/deductions", json=deduction(w)).get_json()
    before = _counts()
    assert_error_shape(guard.post("/deductions", json=dict(deduction(w), staff_id=org["users"]["guard3"].id)), 403)
    r = guard.post(f"/deductions/{d['id']}/appeal", json={"reason": "不是我", "points": 0})
    assert_error_shape(r, 422, field="points")
    r = guard.post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": True, "reason": "我说了算"})
    assert_error_shape(r, 403)
    assert _counts() == before
    assert Deduction.get_by_id(d["id"]).points == 1 and Deduction.get_by_id(d["id"]).status == "active"


def test_a_supervisor_cannot_penalise_staff_of_another_site(login, org):
    boss = login("super1")
    w = {"site": org["sites"]["LHY"].id, "staff": org["users"]["guard2"].id}
    before = _counts()
    r = boss.post("/deductions", json=deduction(w))
    assert r.status_code in (404, 422)
    assert _counts() == before
    r = boss.post("/deductions", json=deduction({"site": org["sites"]["HQT"].id, "staff": org["users"]["guard2"].id}))
    assert r.status_code in (404, 422)
    assert _counts() == before


def test_a_deduction_cannot_record_who_created_it(login, org):
    boss = login("super1")
    w = {"site": org["sites"]["LHY"].id, "staff": org["users"]["guard1"].id}
    before = _counts()
    r = boss.post("/deductions", json=dict(deduction(w), created_by_id=org["users"]["manager1"].id))
    assert_error_shape(r, 422, field="created_by_id")
    assert _counts() == before


def test_a_closed_month_is_frozen(login, org):
    manager, boss = login("manager1"), login("super1")
    site = org["sites"]["LHY"].id
    last = (NOW.replace(day=1) - timedelta(days=1))
    month = last.strftime("%Y-%m")
    w = {"site": site, "staff": org["users"]["guard1"].id}
    d = boss.post("/deductions", json=dict(deduction(w), occurred_at=last.isoformat())).get_json()
    assert d["month"] == month
    r = manager.post(f"/ledger/{month}/close", query_string={"site_id": site})
    assert r.status_code in (200, 201), r.get_json()
    snapshot = LedgerMonth.get((LedgerMonth.site == site) & (LedgerMonth.month == month)).snapshot
    before = _counts()

    late = boss.post("/deductions", json=dict(deduction(w), occurred_at=last.isoformat()))
    assert_error_shape(late, 409)
    assert_error_shape(manager.post(f"/ledger/{month}/close", query_string={"site_id": site}), 409)
    assert_error_shape(boss.post(f"/ledger/{month}/close", query_string={"site_id": site}), 403)
    assert _counts() == before
    assert LedgerMonth.get((LedgerMonth.site == site) & (LedgerMonth.month == month)).snapshot == snapshot
    assert Deduction.get_by_id(d["id"]).status == "active"
