"""The performance-scoring scheme of seed 004 (客戶服務中心員工績效考核作業指導書).

- 4.2 績效考評內容: six categories with their maxima (policy ``performance.categories``: 敬业 15, 协作 15,
  创新 15, 纪律 15, 团队/服务 15, 事故与投诉 25 = 100);
- 4.3 考評方法: 日檢 (daily, any day), 周檢 (每周一對上周工作進行綜合評定: a weekly entry is dated on a
  Monday), 月檢 (於月末最後一天向本部員工公佈績效考核結果: a monthly entry is dated on the month's last
  day, and the month is published from that day on, then frozen);
- 4.5.1 如員工當月發生違規行為，按1分10元計扣；如員工當月工作業績突出，則按1分10元獎勵: negative points are
  violations, positive points outstanding work, both at ``performance.yuan_per_point``; a category's score
  is its maximum less its violations, never below zero;
- the published month goes into the ledger and payroll beside the penalties (``attach``): penalty,
  reward and the net to the fen. A company runs this scheme, the deduction ledger, or both (``schemes``).

Entries and publication take one per-(site, month) lock (PostgreSQL advisory; SQLite's BEGIN IMMEDIATE),
so an entry lands before publication or is refused; publication also takes the ledger's month lock, so the
results are in the closed ledger's snapshot or refused (a closed month's payroll does not change). Callers own the transaction and the audit.
"""
import calendar
from datetime import date, timezone
from decimal import Decimal

from peewee import IntegrityError

from api.db import db, is_postgres
from api.domain.errors import Conflict, Invalid
from api.domain.ledger import ZERO, _blank_line, fen, jsonable
from api.domain.permissions import require
from api.domain.policy import current_policy
from api.domain.workorders import member_of_site, site_tz
from api.models import PERFORMANCE_PERIODS, PerformanceEntry, PerformanceMonth, User, utcnow

CATEGORY_NAMES = {"dedication": "敬业精神与责任心", "coordination": "组织指挥与协调能力",
                  "innovation": "创新能力与工作业绩", "discipline": "工作态度与劳动纪律",
                  "teamwork_service": "团队意识与服务意识", "incidents_complaints": "事故责任与投诉情况"}


def enabled(policy):
    return "performance" in policy.get("schemes", ("deductions", "performance"))


def last_day(month):
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, calendar.monthrange(y, m)[1])


def _lock(site_id, month):
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (73100000 + int(site_id), int(month[:4]) * 100
                                                                + int(month[5:7])))


def _today(site, now):
    return now.replace(tzinfo=timezone.utc).astimezone(site_tz(site)).date()


def is_published(site_id, month):
    return PerformanceMonth.select().where((PerformanceMonth.site == site_id)
                                           & (PerformanceMonth.month == month)).exists()


def add_entry(site, staff_id, period, day, category, points, note, by, now=None, policy=None):
    """One check's result (日检/周检/月检). Returns the entry."""
    policy = policy or current_policy()
    now = now or utcnow()
    if not enabled(policy):
        raise Conflict("This company does not run the performance-scoring scheme (policy schemes).")
    require(by, "performance.record")
    cats = policy["performance"]["categories"]
    errors = {}
    if period not in PERFORMANCE_PERIODS:
        errors["period"] = "daily, weekly or monthly."
    elif period == "weekly" and day.weekday() != 0:
        errors["day"] = "The weekly check is made on a Monday, for the week before."
    elif period == "monthly" and day != last_day(day.strftime("%Y-%m")):
        errors["day"] = "The monthly check is made on the month's last day."
    if day > _today(site, now):
        errors["day"] = "A check cannot be dated in the future."
    if category not in cats:
        errors["category"] = f"One of {', '.join(cats)}."
    elif not isinstance(points, int) or points == 0 or abs(points) > cats[category]:
        most = cats[category]
        errors["points"] = f"A whole number from -{most} to {most}, not 0."
    if not (note or "").strip():
        errors["note"] = "Say what was checked and found."
    if staff_id == by.id:
        errors["staff_id"] = "Nobody scores themselves."
    elif User.get_or_none(User.id == staff_id) is None or not member_of_site(staff_id, site.id):
        errors["staff_id"] = "No such staff member at this site."
    if errors:
        raise Invalid(errors)
    month = day.strftime("%Y-%m")
    _lock(site.id, month)
    if is_published(site.id, month):
        raise Conflict(f"The {month} results were published: they no longer change.")
    return PerformanceEntry.create(site=site.id, staff=staff_id, month=month, period=period, day=day,
                                   category=category, points=points, note=note.strip(), entered_by=by.id,
                                   entered_at=now)


def compute_results(entries, policy):
    """Pure: per person, the category scores, penalty and reward points and money, and the net."""
    perf = policy["performance"]
    cats, rate = perf["categories"], Decimal(str(perf["yuan_per_point"]))
    people = {}
    for e in entries:
        p = people.setdefault(e["staff_id"], {"staff_id": e["staff_id"], "entries": 0,
                                               "categories": {c: {"max": m, "deducted": 0, "rewarded": 0}
                                                              for c, m in cats.items()}})
        p["entries"] += 1
        c = p["categories"][e["category"]]
        if e["points"] < 0:
            c["deducted"] += -e["points"]
        else:
            c["rewarded"] += e["points"]
    out = []
    for uid, p in sorted(people.items()):
        for c in p["categories"].values():
            c["score"] = max(0, c["max"] - c["deducted"])
        penalty = sum(c["deducted"] for c in p["categories"].values())
        reward = sum(c["rewarded"] for c in p["categories"].values())
        out.append(dict(p, score=sum(c["score"] for c in p["categories"].values()), penalty_points=penalty,
                        reward_points=reward, penalty_yuan=fen(penalty * rate), reward_yuan=fen(reward * rate),
                        net_yuan=fen(reward * rate) - fen(penalty * rate)))
    return out


def month_entries(site, month):
    return [{"id": e.id, "staff_id": e.staff_id, "period": e.period, "day": e.day, "category": e.category,
             "points": e.points, "note": e.note, "entered_by_id": e.entered_by_id}
            for e in PerformanceEntry.select().where((PerformanceEntry.site == site.id)
                                                     & (PerformanceEntry.month == month)).order_by(PerformanceEntry.id)]


def _names(ids):
    return {u.id: u.name for u in User.select(User.id, User.name).where(User.id.in_(list(ids)))} if ids else {}


def month_results(site, month, policy=None):
    """The month's results: published (frozen) or live."""
    policy = policy or current_policy()
    pm = PerformanceMonth.get_or_none((PerformanceMonth.site == site.id) & (PerformanceMonth.month == month))
    entries = month_entries(site, month)
    people = pm.results if pm and pm.results is not None else jsonable(compute_results(entries, policy))
    names = _names({p["staff_id"] for p in people})
    for p in people:
        p["name"] = names.get(p["staff_id"], "")
    return {"site_id": site.id, "month": month, "published": pm is not None,
            "published_at": pm.published_at if pm else None, "published_by_id": pm.published_by_id if pm else None,
            "publish_from": last_day(month), "people": people, "entries": entries}


def publish(site, month, by, now=None, policy=None):
    """Publish the month's results (月末最后一天公布), once; they are frozen from then on."""
    policy = policy or current_policy()
    now = now or utcnow()
    if not enabled(policy):
        raise Conflict("This company does not run the performance-scoring scheme (policy schemes).")
    require(by, "performance.publish")
    if _today(site, now) < last_day(month):
        day = last_day(month).isoformat()
        raise Conflict(f"The results are published on the month's last day ({day}).")
    from api.domain import deductions as dd  # the ledger imports this module

    dd.lock_month(site.id, month)  # the ledger's lock first (as closing takes it): in its snapshot, or refused
    if dd.is_closed(site.id, month):
        raise Conflict(f"The {month} ledger of this site is closed: its payroll went out without these results.")
    _lock(site.id, month)
    if is_published(site.id, month):
        raise Conflict(f"The {month} results were already published.")
    results = jsonable(compute_results(month_entries(site, month), policy))
    try:
        with db.atomic():
            return PerformanceMonth.create(site=site.id, month=month, published_by=by.id, published_at=now,
                                           results=results)
    except IntegrityError:
        raise Conflict(f"The {month} results were already published.")


def attach(body, site, month, policy):
    """Put the published month's penalties and rewards on the ledger lines (a line for anyone scored
    without deductions), and the net: deductions + penalty - reward (negative: a net reward)."""
    lines = {ln["staff_id"]: ln for ln in body["lines"]}
    pm = PerformanceMonth.get_or_none((PerformanceMonth.site == site.id) & (PerformanceMonth.month == month)) \
        if enabled(policy) else None
    people = pm.results if pm and pm.results else []
    names = _names({p["staff_id"] for p in people if p["staff_id"] not in lines})
    for p in people:
        if p["staff_id"] not in lines:
            ln = _blank_line(p["staff_id"], {})
            ln.update(name=names.get(p["staff_id"], ""), total=ZERO, tier="none", tier_name="—", tier_name_en="none",
                      company_points=0, extra_fine_elsewhere=False, posting=False, sanctions=[], sanction_fine=ZERO,
                      basic_wage_only=False, problem_count=0)
            body["lines"].append(ln)
            lines[p["staff_id"]] = ln
        ln = lines[p["staff_id"]]
        ln["perf_score"] = p["score"]
        ln["perf_penalty"] = Decimal(p["penalty_yuan"])
        ln["perf_reward"] = Decimal(p["reward_yuan"])
    for ln in body["lines"]:
        ln.setdefault("perf_score", None)
        ln.setdefault("perf_penalty", ZERO)
        ln.setdefault("perf_reward", ZERO)
        ln["net"] = ln["total"] + ln["perf_penalty"] - ln["perf_reward"]
    t = body["totals"]
    t["perf_penalty"] = sum((ln["perf_penalty"] for ln in body["lines"]), ZERO)
    t["perf_reward"] = sum((ln["perf_reward"] for ln in body["lines"]), ZERO)
    t["net"] = t["total"] + t["perf_penalty"] - t["perf_reward"]
    return body
