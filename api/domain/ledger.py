"""The monthly deduction ledger (扣分台账): a pure function from deduction rows to one line per person.

Rules (policy in checklists/policy.yaml):
- points × yuan_per_point (each deduction keeps the rate it was made with);
- the month's total points give the tier: extra fine (5–10), sanction (11–19), dismissal (≥20);
- public posting at ≥5 points, or the same problem ≥3 times;
- where the supervisor shares responsibility, 70% staff / 30% supervisor; the same problem ≥3 times
  in a month brings the supervisor in for every occurrence of that problem. The supervisor's share
  is rounded to the fen (ROUND_HALF_UP) per staff member and supervisor, the staff member pays the
  rest, so the two always add up to the amount exactly; the share shows on the supervisor's own line.
- a reversing entry (an appeal upheld after its month closed) gives the money back in the month it is
  booked in, but does not lower that month's points, tier or posting: those are about this month's faults.
  It is split 70/30 as it was in its own month (its ``supervisor_shares``), one notice at a time, never
  by this month's repeats;
- a correction of a closed month (``Correction``) carries what the reversing entries cannot: the
  difference the recomputed closed month makes to the extra fine and to the supervisor's share
  (see ``correction_amounts``). It is added to the person's total with its reason.

The ledger works from per-person, per-problem tallies (``Tally``), which the database aggregates
(``api.domain.deductions.compute_month``); ``compute_ledger`` takes one ``Row`` per notice (or per
group of identical notices) for tests and small callers, and tallies them first.
"""
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

TIER_NAMES = {"none": ("—", "none"), "extra_fine": ("加罚", "extra fine"),
              "sanction": ("行政处分", "administrative sanction"), "dismissal": ("开除", "dismissal")}


@dataclass
class Row:
    """What the ledger needs of one Deduction."""

    id: int
    staff_id: int
    points: int
    yuan_per_point: Decimal
    problem_key: str
    supervisor_id: int = None
    supervisor_shares: bool = False
    status: str = "active"
    reverses_id: int = None
    count: int = 1  # how many identical deductions this row stands for (the database groups them)


class Tally(NamedTuple):
    """Active notices (not reversing entries) of one person and problem, by supervisor and rate: a plain
    tuple, so the database's aggregate rows can be handed over as they come."""

    staff_id: int
    problem_key: str
    supervisor_id: int
    yuan_per_point: Decimal  # or the driver's raw number (int, float, Decimal): read with Decimal(str(...))
    notices: int  # how many
    points: int  # their points
    shared_points: int = 0  # the points of those on which the supervisor shares by choice


@dataclass
class Correction:
    """Money booked into this month for a closed month: ``amount`` yuan (negative = given back)."""

    staff_id: int
    corrects_month: str
    amount: Decimal
    reason: str
    extra_fine: Decimal = ZERO


def fen(amount):
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def tier_for(points, policy):
    """(tier, extra_fine) for a month's total points."""
    tier, fine = "none", ZERO
    for t in policy["deductions"]["tiers"]:
        if points >= t["min_points"]:
            tier, fine = t["tier"], fen(t["extra_fine"])
    return tier, fine


def split(amount, supervisor_percent):
    """(staff share, supervisor share) of an amount: the supervisor's rounded to the fen, the staff's the rest."""
    sup = fen(Decimal(amount) * Decimal(supervisor_percent) / Decimal(100))
    return fen(amount) - sup, sup


def tally_rows(rows):
    """(tallies, reversing entries) of active rows: notices summed by person, problem, supervisor and rate."""
    tallies = {}
    reversals = []
    for r in rows:
        if r.status != "active":
            continue
        if r.reverses_id is not None:
            reversals.append(r)
            continue
        key = (r.staff_id, r.problem_key, r.supervisor_id, r.yuan_per_point)
        t = tallies.setdefault(key, [0, 0, 0])
        t[0] += r.count
        t[1] += r.points * r.count
        if r.supervisor_shares:
            t[2] += r.points * r.count
    return [Tally(*key, *t) for key, t in tallies.items()], reversals


def problem_counts(tallies):
    """{(staff_id, problem_key): notices} over the month's tallies."""
    counts = defaultdict(int)
    for staff, key, _sup, _rate, n, _points, _shared in tallies:
        counts[(staff, key)] += n
    return counts


def repeated_problems(rows, times):
    """{staff_id: {problem_key: count}} for problems met ``times`` or more times (reversals not counted)."""
    out = defaultdict(dict)
    for (staff, key), n in problem_counts(tally_rows(rows)[0]).items():
        if n >= times:
            out[staff][key] = n
    return out


def reversal_split(r, supervisor_percent):
    """{person: yuan} a reversing entry books: split as in its own month, one notice at a time."""
    amount = Decimal(r.points) * Decimal(r.yuan_per_point)
    if r.supervisor_shares and r.supervisor_id and r.supervisor_id != r.staff_id:
        staff_part, sup_part = split(amount, supervisor_percent)
        return {r.staff_id: staff_part * r.count, r.supervisor_id: sup_part * r.count}
    return {r.staff_id: fen(amount) * r.count}


def compute_ledger(rows, policy, people=None, corrections=()):
    """``{"lines": [...], "totals": {...}, "posting": [...]}`` for one site and month, from notice rows.

    ``people`` maps a user id to ``{"name", "username"}`` for display (ids are enough otherwise).
    """
    tallies, reversals = tally_rows(rows)
    return ledger_from_tallies(tallies, reversals, policy, people, corrections)


def _blank_line(uid, people):
    who = people.get(uid, {})
    return {"staff_id": uid, "name": who.get("name", ""), "username": who.get("username", ""),
            "points": 0, "reversed_points": 0, "deduction_count": 0, "amount": ZERO, "supervisor_covers": ZERO,
            "own_amount": ZERO, "extra_fine": ZERO, "supervisor_share": ZERO,
            "supervisor_share_for": [], "correction": ZERO, "corrections": [], "tier": "none", "posting": False,
            "posting_reasons": [], "repeated_problems": [], "supervisor_liable_problems": []}


def ledger_from_tallies(tallies, reversals, policy, people=None, corrections=(), company=None):
    """The ledger from per-person, per-problem tallies, the month's reversing entries (``Row``) and the
    corrections of closed months booked into it.

    ``company`` (seed 004 4.2.2 違規責任人每月累計扣分: the person's monthly total): ``{staff_id:
    (points at every site this month, whether this site books the tier's extra fine)}``. Given, a
    person's tier and posting go by their company-wide points, and the extra fine is booked once,
    at the site that ``books`` it (``company_books_fine``); without it, by this site's points alone."""
    people = people or {}
    company = company or {}
    dp = policy["deductions"]
    sup_pct = dp["supervisor_split"]["supervisor_percent"]
    sup_times = dp["same_problem_brings_in_supervisor"]
    post_times = dp["posting"]["same_problem_times"]
    post_points = dp["posting"]["min_points"]
    counts = problem_counts(tallies)

    lines = {}

    def line(uid):
        ln = lines.get(uid)
        if ln is None:
            ln = lines[uid] = _blank_line(uid, people)
        return ln

    # whole points summed per person and rate first (integers are cheap), made money once per rate
    points = defaultdict(int)  # staff -> points
    notices = defaultdict(int)  # staff -> notices
    by_rate = defaultdict(int)  # (staff, rate) -> points
    shared_by_rate = defaultdict(int)  # (staff, supervisor, rate) -> points the supervisor shares in
    for staff, key, sup, rate, n, pts, shared_pts in tallies:
        points[staff] += pts
        notices[staff] += n
        by_rate[(staff, rate)] += pts
        if sup and sup != staff:
            if counts[(staff, key)] >= sup_times:
                shared_pts = pts
            if shared_pts:
                shared_by_rate[(staff, sup, rate)] += shared_pts
    rates = {}

    def money(pts, rate):
        r = rates.get(rate)
        if r is None:
            r = rates[rate] = Decimal(str(rate))
        return pts * r

    for staff, pts in points.items():
        ln = line(staff)
        ln["points"] = pts
        ln["deduction_count"] = notices[staff]
    for (staff, rate), pts in by_rate.items():
        lines[staff]["amount"] += money(pts, rate)
    shared = defaultdict(Decimal)  # (staff, supervisor) -> amount the supervisor shares in, rounded once
    for (staff, sup, rate), pts in shared_by_rate.items():
        shared[(staff, sup)] += money(pts, rate)
    reversed_share = defaultdict(Decimal)  # (staff, supervisor) -> supervisor's part of reversing entries
    for r in reversals:
        ln = line(r.staff_id)
        ln["reversed_points"] += r.points * r.count
        ln["amount"] += Decimal(r.points) * Decimal(r.yuan_per_point) * r.count
        if r.supervisor_shares and r.supervisor_id and r.supervisor_id != r.staff_id:
            reversed_share[(r.staff_id, r.supervisor_id)] += reversal_split(r, sup_pct)[r.supervisor_id]

    for staff_id, sup_id in sorted(set(shared) | set(reversed_share)):
        sup_part = split(shared[(staff_id, sup_id)], sup_pct)[1] + reversed_share[(staff_id, sup_id)]
        line(staff_id)["supervisor_covers"] += sup_part
        sup_line = line(sup_id)
        sup_line["supervisor_share"] += sup_part
        sup_line["supervisor_share_for"].append({"staff_id": staff_id, "name": people.get(staff_id, {}).get("name", ""),
                                                 "amount": sup_part})

    for c in corrections:
        ln = line(c.staff_id)
        ln["correction"] += fen(c.amount)
        ln["corrections"].append({"month": c.corrects_month, "amount": fen(c.amount), "reason": c.reason})

    repeats = defaultdict(list)  # staff -> [(problem_key, count)] met at least the lower of the two thresholds
    low = min(sup_times, post_times)
    for (staff_id, key), n in counts.items():
        if n >= low:
            repeats[staff_id].append((key, n))

    for uid, ln in lines.items():
        ln["amount"] = fen(ln["amount"])
        ln["own_amount"] = ln["amount"] - ln["supervisor_covers"]
        counted, books_fine = company.get(uid, (ln["points"], True))
        counted = max(counted, ln["points"])
        ln["company_points"] = counted
        ln["tier"], ln["extra_fine"] = tier_for(counted, policy)
        if not books_fine:
            ln["extra_fine"] = ZERO  # booked at the person's other site (once)
        ln["extra_fine_elsewhere"] = not books_fine and tier_for(counted, policy)[1] > ZERO
        ln["tier_name"], ln["tier_name_en"] = TIER_NAMES[ln["tier"]]
        mine = sorted(repeats.get(uid, ()))
        ln["repeated_problems"] = [{"problem_key": k, "count": n} for k, n in mine if n >= post_times]
        ln["supervisor_liable_problems"] = [k for k, n in mine if n >= sup_times]
        if counted >= post_points:
            ln["posting_reasons"].append(f"本月累计扣分 {counted} 分 / {counted} points this month")
        for rp in ln["repeated_problems"]:
            ln["posting_reasons"].append(
                f"同一问题发生 {rp['count']} 次（{rp['problem_key']}）/ same problem {rp['count']} times")
        ln["posting"] = bool(ln["posting_reasons"])
        ln["total"] = ln["own_amount"] + ln["extra_fine"] + ln["supervisor_share"] + ln["correction"]
        ln["problem_count"] = ln["deduction_count"]

    ordered = sorted(lines.values(), key=lambda ln: (-ln["total"], -ln["points"], ln["name"], ln["staff_id"]))
    totals = {
        "people": len(ordered),
        "points": sum(ln["points"] for ln in ordered),
        "reversed_points": sum(ln["reversed_points"] for ln in ordered),
        "amount": sum((ln["amount"] for ln in ordered), ZERO),
        "own_amount": sum((ln["own_amount"] for ln in ordered), ZERO),
        "supervisor_share": sum((ln["supervisor_share"] for ln in ordered), ZERO),
        "extra_fine": sum((ln["extra_fine"] for ln in ordered), ZERO),
        "total": sum((ln["total"] for ln in ordered), ZERO),
    }
    posting = [{"staff_id": ln["staff_id"], "name": ln["name"], "username": ln["username"], "points": ln["points"],
                "tier": ln["tier"], "reasons": ln["posting_reasons"]} for ln in ordered if ln["posting"]]
    return {"lines": ordered, "totals": totals, "posting": posting}


def company_books_fine(by_site, site_id):
    """Whether ``site_id`` books a person's extra fine: the site where they have the most points this
    month (the lowest site id on a tie), so the fine is paid once across the company."""
    home = min(by_site.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return home == site_id


def correction_amounts(at_close, recomputed, booked):
    """{person: (amount, extra_fine)} still owed for a closed month after an appeal upheld late.

    ``at_close`` and ``recomputed`` are the closed month's lines (its snapshot, and the month computed
    again without the notices whose appeals were upheld); ``booked`` maps a person to what has already
    been booked for that month elsewhere, ``(yuan, extra_fine yuan)``: the reversing entries' money and
    earlier corrections. What is left of the difference in each person's total is the correction.
    """
    before = {ln["staff_id"]: ln for ln in at_close}
    after = {ln["staff_id"]: ln for ln in recomputed}
    out = {}
    for uid in sorted(set(before) | set(after) | set(booked)):
        b, a = before.get(uid, {}), after.get(uid, {})
        paid, paid_fine = booked.get(uid, (ZERO, ZERO))
        amount = fen(Decimal(a.get("total", ZERO)) - Decimal(b.get("total", ZERO)) - paid)
        fine = fen(Decimal(a.get("extra_fine", ZERO)) - Decimal(b.get("extra_fine", ZERO)) - paid_fine)
        if amount or fine:
            out[uid] = (amount, fine)
    return out


def jsonable(value):
    """A ledger (Decimals inside dicts and lists) as JSON-ready values: money as exact strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
