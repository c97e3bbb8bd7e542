"""Complaint rules of seed 003 beyond the time limits, and repair revisits of seed 002.

- 有效投訴和無效投訴的鑒別: 凡是在物業管理公司與業主簽定的合同條款以內納入物業管理行規的投訴均屬於有效投訴,
  凡是不屬於該範圍的任何投訴均屬於無效投訴 — the desk judges a complaint valid or invalid with the reason;
  the month's statistics count them apart (``stats``).
- 暫行規定 7: 根據業主/租戶的投訴方式分別予以不同的回復，或走訪投訴人，或回函投訴人，或致電給投訴人 — the
  reply goes the way the complaint came (a visit is visited, a call called, a letter answered by letter);
  對於業主的書面投訴，要在公司的收文登記本上登記後報呈公司領導，按照投訴性質一般以書面回復業主 — a letter is
  logged in the incoming-mail register (numbered per site and year) and answered in writing.
- 暫行規定 5B: 若在部門經理權屬範圍之外，則由部門經理向總物業經理匯報 — a special complaint beyond the duty
  manager's authority goes on to the general property manager: a fourth level (escalation level 3).
- Seed 002: 維修效果不理想、客戶有異議的，及時將信息傳遞給維修部門負責人 — an unsatisfied repair revisit is
  passed to the head of the department that did the work; 維修回訪情況每月形成報告 — the month's report.

State changes load their row under a row lock first. Callers own the transaction and the audit.
"""
from datetime import timedelta, timezone

from peewee import IntegrityError, fn

from api.db import db, is_postgres, locked
from api.domain.deadlines import month_bounds
from api.domain.errors import Conflict, Invalid
from api.domain.permissions import require
from api.domain.service_requests.desk import add_event, linked_orders
from api.domain.service_requests.limits import site_tz
from api.models import (ComplaintRecord, IncomingMail, RequestEvent, RevisitReferral, ServiceRequest, User,
                        UserSite, utcnow)

# the way a complaint came -> the way it is answered (暂行规定 7)
REPLY_FOR_CHANNEL = {"phone": "call", "visit": "visit", "letter": "letter", "wechat": "letter"}
REPLY_NAMES = {"visit": "走访", "letter": "回函", "call": "致电"}


def _record(req):
    rec = locked(ComplaintRecord, ComplaintRecord.request == req.id)
    if rec is None:
        try:
            with db.atomic():
                ComplaintRecord.create(request=req.id)
        except IntegrityError:
            pass
        rec = locked(ComplaintRecord, ComplaintRecord.request == req.id)
    return rec


def _complaint(req):
    if req.kind != "complaint":
        raise Conflict("Only a complaint is judged, replied to or referred (a suggestion or repair is not one).")


def judge(req, by, valid, reason, now=None):
    """Valid or invalid, with the reason (a supervisor may judge again; each judgement is an event)."""
    now = now or utcnow()
    require(by, "complaint.judge", req)
    _complaint(req)
    if not (reason or "").strip():
        raise Invalid({"reason": "Say why (which clause of the service contract it falls under, or not)."})
    rec = _record(req)
    rec.valid, rec.validity_reason, rec.judged_by, rec.judged_at = bool(valid), reason.strip(), by.id, now
    rec.save()
    add_event(req, "judge", by, reason.strip(), {"valid": bool(valid)}, at=now)
    return rec


def reply(req, by, method, text, now=None):
    """The reply once the matter is solved, the way the owner complained; a letter in writing, once."""
    now = now or utcnow()
    require(by, "complaint.reply", req)
    _complaint(req)
    if req.status not in ("done", "closed"):
        raise Conflict("The reply follows the solution: complete the complaint first.")
    expected = REPLY_FOR_CHANNEL.get(req.channel)
    if expected and method != expected:
        raise Invalid({"method": f"This complaint came by {req.channel}: reply by {expected}."})
    if method == "letter" and not (text or "").strip():
        raise Invalid({"text": "A written complaint is answered in writing: give the letter's text."})
    rec = _record(req)
    if rec.replied_at is not None:
        raise Conflict("This complaint was already replied to.")
    mail = None
    if req.channel == "letter":
        mail = locked(IncomingMail, IncomingMail.request == req.id)
        if mail is None:
            raise Conflict("Log the letter in the incoming-mail register before answering it.")
    rec.reply_method, rec.reply_text, rec.replied_by, rec.replied_at = method, (text or "").strip(), by.id, now
    rec.save()
    if mail is not None:
        mail.answered_at = now
        mail.save()
    add_event(req, "reply", by, (text or "").strip()[:500], {"method": method}, at=now)
    return rec


def register_mail(req, by, sender, subject, reported_to, received_at=None, now=None):
    """A written complaint in the incoming-mail register (收文登记本), numbered per site and year."""
    now = now or utcnow()
    require(by, "complaint.register_mail", req)
    if req.channel != "letter":
        raise Conflict("Only a written complaint (channel letter) goes into the incoming-mail register.")
    errors = {k: "Required." for k, v in (("sender", sender), ("subject", subject), ("reported_to", reported_to))
              if not (v or "").strip()}
    if errors:
        raise Invalid(errors)
    received_at = received_at or req.received_at
    year = received_at.replace(tzinfo=timezone.utc).astimezone(site_tz(req.site)).year
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (73110000 + req.site_id, year))
    if IncomingMail.select().where(IncomingMail.request == req.id).exists():
        raise Conflict("This letter is already in the incoming-mail register.")
    number = (IncomingMail.select(fn.MAX(IncomingMail.number)).where((IncomingMail.site == req.site_id)
                                                                      & (IncomingMail.year == year)).scalar() or 0) + 1
    mail = IncomingMail.create(site=req.site_id, year=year, number=number, request=req.id, sender=sender.strip(),
                               subject=subject.strip(), received_at=received_at, reported_to=reported_to.strip(),
                               registered_by=by.id, registered_at=now)
    add_event(req, "mail_register", by, f"收文 {year}-{number:04d}，报呈 {reported_to.strip()}",
           {"mail_no": f"{year}-{number:04d}"}, at=now)
    return mail


def refer_to_general_manager(req, by, reason, now=None):
    """A special complaint beyond the duty manager's authority: on to the general property manager
    (level 3, once, by a conditional update)."""
    now = now or utcnow()
    require(by, "complaint.refer_general_manager", req)
    _complaint(req)
    if not (reason or "").strip():
        raise Invalid({"reason": "Say why it is beyond the duty manager's authority."})
    if not req.urgent or req.status not in ("open", "handling", "transferred"):
        raise Conflict("Only an open special/urgent complaint goes to the general property manager.")
    n = (ServiceRequest.update(escalation_level=3, escalated_at=now)
         .where((ServiceRequest.id == req.id) & (ServiceRequest.escalation_level == 2)).execute())
    if not n:
        raise Conflict("It is not with the duty manager (level 2), or it was referred already.")
    rec = _record(req)
    rec.gm_reason, rec.gm_referred_by, rec.gm_referred_at = reason.strip(), by.id, now
    rec.save()
    add_event(req, "escalate", by, f"超出部门经理权限，报总物业经理：{reason.strip()}",
           {"level": 3, "reason": "beyond_authority"}, at=now)
    return rec


def department_heads(req):
    """Who heads the departments that did the work: each linked order's assignee's supervisor, else the
    site's supervisors of the order's trade."""
    heads = []
    for order in linked_orders(req):
        if order.status == "cancelled":
            continue
        head = None
        if order.assignee_id:
            head = User.get_by_id(order.assignee_id).supervisor_id
        if head is None:
            row = (User.select(User.id).join(UserSite, on=(UserSite.user == User.id))
                   .where((UserSite.site == req.site_id) & (User.role == "supervisor") & (User.trade == order.trade)
                          & (User.active == True)).order_by(User.id).first())  # noqa: E712
            head = row.id if row else None
        if head and head not in heads:
            heads.append(head)
    return heads


def pass_to_department_heads(req, actor, note, now=None):
    """After an unsatisfied revisit: the information goes to the maintenance department head(s)."""
    now = now or utcnow()
    out = []
    for head in department_heads(req):
        out.append(RevisitReferral.create(request=req.id, head=head, referred_at=now, note=(note or "").strip()))
    if out:
        add_event(req, "to_department_head", actor, (note or "").strip()[:500],
               {"head_ids": [r.head_id for r in out]}, at=now)
    return out


# --- the month's figures ------------------------------------------------------------------------

def stats(site, month):
    """Complaints of the month counted apart by validity, replies by method, letters; suggestions apart."""
    start, end = month_bounds(month, site_tz(site))
    reqs = list(ServiceRequest.select().where((ServiceRequest.site == site.id) & (ServiceRequest.received_at >= start)
                                              & (ServiceRequest.received_at < end)
                                              & (ServiceRequest.status != "cancelled")))
    recs = {r.request_id: r for r in ComplaintRecord.select().where(
        ComplaintRecord.request.in_([q.id for q in reqs] or [0]))}
    complaints = [q for q in reqs if q.kind == "complaint"]
    valid = [q for q in complaints if recs.get(q.id) and recs[q.id].valid is True]
    invalid = [q for q in complaints if recs.get(q.id) and recs[q.id].valid is False]
    replies = {}
    in_kind = 0
    for q in complaints:
        rec = recs.get(q.id)
        if rec and rec.replied_at:
            replies[rec.reply_method] = replies.get(rec.reply_method, 0) + 1
            in_kind += REPLY_FOR_CHANNEL.get(q.channel, rec.reply_method) == rec.reply_method
    letters = [q for q in complaints if q.channel == "letter"]
    mail = {m.request_id: m for m in IncomingMail.select().where(IncomingMail.request.in_([q.id for q in letters] or [0]))}
    return {"site_id": site.id, "month": month, "complaints": len(complaints), "valid": len(valid),
            "invalid": len(invalid), "unjudged": len(complaints) - len(valid) - len(invalid),
            "invalid_reasons": [{"request_id": q.id, "reason": recs[q.id].validity_reason} for q in invalid],
            "suggestions": sum(q.kind == "suggestion" for q in reqs), "replies": replies, "replied_in_kind": in_kind,
            "letters": len(letters), "letters_registered": len(mail),
            "letters_answered": sum(1 for m in mail.values() if m.answered_at),
            "to_general_manager": sum(1 for q in complaints if recs.get(q.id) and recs[q.id].gm_referred_at)}


def revisit_report(site, month, now=None):
    """维修回访月报 (seed 002): repair requests revisited in the month, satisfied or not, late, still due,
    reworked, by department, and the unsatisfied ones with who they were passed to."""
    now = now or utcnow()
    start, end = month_bounds(month, site_tz(site))
    repairs = ServiceRequest.select().where((ServiceRequest.site == site.id) & (ServiceRequest.kind == "repair"))
    revisits = list(RequestEvent.select(RequestEvent, ServiceRequest).join(ServiceRequest)
                    .where((ServiceRequest.site == site.id) & (ServiceRequest.kind == "repair")
                           & (RequestEvent.action == "revisit") & (RequestEvent.at >= start) & (RequestEvent.at < end))
                    .order_by(RequestEvent.id))
    satisfied = [e for e in revisits if (e.data or {}).get("satisfied")]
    unsatisfied = [e for e in revisits if not (e.data or {}).get("satisfied")]
    late = [e for e in revisits if (e.data or {}).get("late")]
    still_due = list(repairs.where((ServiceRequest.status == "done") & (ServiceRequest.revisit_due < min(end, now))))
    done_in_month = repairs.where((ServiceRequest.done_at >= start) & (ServiceRequest.done_at < end)).count()
    by_trade = {}
    for e in revisits:
        trade = e.request.trade or "unassigned"
        t = by_trade.setdefault(trade, {"revisited": 0, "satisfied": 0, "unsatisfied": 0})
        t["revisited"] += 1
        t["satisfied" if (e.data or {}).get("satisfied") else "unsatisfied"] += 1
    heads = {}
    for r in RevisitReferral.select().where(RevisitReferral.request.in_([e.request_id for e in unsatisfied] or [0])):
        heads.setdefault(r.request_id, []).append(r.head_id)
    names = {u.id: u.name for u in User.select(User.id, User.name)
             .where(User.id.in_([h for hs in heads.values() for h in hs] or [0]))}
    return {"site_id": site.id, "month": month, "revisited": len(revisits), "satisfied": len(satisfied),
            "unsatisfied": len(unsatisfied), "late_revisits": len(late), "still_due": len(still_due),
            "satisfaction_rate": round(len(satisfied) / len(revisits), 4) if revisits else None,
            "rework_rate": round(len(unsatisfied) / done_in_month, 4) if done_in_month else None,
            "by_trade": by_trade,
            "unsatisfied_list": [{"request_id": e.request_id, "at": e.at, "note": e.note,
                                  "trade": e.request.trade or "", "heads": [names.get(h, "") for h in
                                                                            heads.get(e.request_id, [])]}
                                 for e in unsatisfied]}


def revisit_workbook(site, report):
    """The month's repair-revisit report as .xlsx (bytes)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    tz = site_tz(site)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    ws.append([f"{site.name} 维修回访月报 {report['month']}"])
    ws["A1"].font = Font(bold=True)
    for label, key in (("回访数 Revisited", "revisited"), ("满意 Satisfied", "satisfied"),
                       ("不满意 Unsatisfied", "unsatisfied"), ("逾期回访 Late revisits", "late_revisits"),
                       ("待回访已逾期 Still due", "still_due"), ("满意率 Satisfaction rate", "satisfaction_rate"),
                       ("返修率 Rework rate", "rework_rate")):
        ws.append([label, report[key]])
    tr = wb.create_sheet("部门 Departments")
    tr.append(["部门 Department", "回访 Revisited", "满意 Satisfied", "不满意 Unsatisfied"])
    for trade, t in sorted(report["by_trade"].items()):
        tr.append([trade, t["revisited"], t["satisfied"], t["unsatisfied"]])
    un = wb.create_sheet("不满意 Unsatisfied")
    un.append(["客服单 #", "回访时间", "部门", "业主意见", "已转维修部门负责人"])
    for u in report["unsatisfied_list"]:
        un.append([u["request_id"], (u["at"] + timedelta(0)).replace(tzinfo=timezone.utc).astimezone(tz)
                   .strftime("%Y-%m-%d %H:%M"), u["trade"], u["note"], "、".join(u["heads"])])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
