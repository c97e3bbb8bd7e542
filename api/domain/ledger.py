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
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
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


def repeated_problems(rows, times):
    """{staff_id: {problem_key: count}} for problems met ``times`` or more times (reversals not counted)."""
    counts = Counter()
    for r in rows:
        if r.status == "active" and r.points > 0 and r.reverses_id is None:
            counts[(r.staff_id, r.problem_key)] += r.count
    out = defaultdict(dict)
    for (staff, key), n in counts.items():
        if n >= times:
            out[staff][key] = n
    return out


def compute_ledger(rows, policy, people=None):
    """``{"lines": [...], "totals": {...}, "posting": [...]}`` for one site and month.

    ``people`` maps a user id to ``{"name", "username"}`` for display (ids are enough otherwise).
    """
    people = people or {}
    dp = policy["deductions"]
    sup_pct = dp["supervisor_split"]["supervisor_percent"]
    rows = [r for r in rows if r.status == "active"]
    repeats_sup = repeated_problems(rows, dp["same_problem_brings_in_supervisor"])
    repeats_post = repeated_problems(rows, dp["posting"]["same_problem_times"])
    problem_counts = Counter()
    for r in rows:
        if r.points > 0 and r.reverses_id is None:
            problem_counts[(r.staff_id, r.problem_key)] += r.count
    problems_per_staff = Counter()  # summed once: per person it was quadratic at 500 staff
    for (staff_id, _key), n in problem_counts.items():
        problems_per_staff[staff_id] += n

    lines = {}

    def line(uid):
        if uid not in lines:
            who = people.get(uid, {})
            lines[uid] = {"staff_id": uid, "name": who.get("name", ""), "username": who.get("username", ""),
                          "points": 0, "reversed_points": 0, "deduction_count": 0, "amount": ZERO, "supervisor_covers": ZERO,
                          "own_amount": ZERO, "extra_fine": ZERO, "supervisor_share": ZERO,
                          "supervisor_share_for": [], "tier": "none", "posting": False, "posting_reasons": [],
                          "repeated_problems": [], "supervisor_liable_problems": []}
        return lines[uid]

    shared = defaultdict(Decimal)  # (staff, supervisor) -> amount the supervisor shares in
    for r in rows:
        ln = line(r.staff_id)
        amount = Decimal(r.points) * Decimal(r.yuan_per_point) * r.count
        if r.reverses_id is None:
            ln["points"] += r.points * r.count
            ln["deduction_count"] += r.count
        else:  # a correction of a closed month: money back, but this month's tier is about this month
            ln["reversed_points"] += r.points * r.count
        ln["amount"] += amount
        brought_in = r.problem_key in repeats_sup.get(r.staff_id, {})
        if (r.supervisor_shares or brought_in) and r.supervisor_id and r.supervisor_id != r.staff_id:
            shared[(r.staff_id, r.supervisor_id)] += amount

    for (staff_id, sup_id), amount in sorted(shared.items()):
        _staff_part, sup_part = split(amount, sup_pct)
        line(staff_id)["supervisor_covers"] += sup_part
        sup_line = line(sup_id)
        sup_line["supervisor_share"] += sup_part
        sup_line["supervisor_share_for"].append({"staff_id": staff_id, "name": people.get(staff_id, {}).get("name", ""),
                                                 "amount": sup_part})

    for uid, ln in lines.items():
        ln["amount"] = fen(ln["amount"])
        ln["own_amount"] = ln["amount"] - ln["supervisor_covers"]
        ln["tier"], ln["extra_fine"] = tier_for(ln["points"], policy)
        ln["tier_name"], ln["tier_name_en"] = TIER_NAMES[ln["tier"]]
        ln["repeated_problems"] = [{"problem_key": k, "count": n} for k, n in sorted(repeats_post.get(uid, {}).items())]
        ln["supervisor_liable_problems"] = sorted(repeats_sup.get(uid, {}))
        if ln["points"] >= dp["posting"]["min_points"]:
            ln["posting_reasons"].append(f"本月累计扣分 {ln['points']} 分 / {ln['points']} points this month")
        for rp in ln["repeated_problems"]:
            ln["posting_reasons"].append(
                f"同一问题发生 {rp['count']} 次（{rp['problem_key']}）/ same problem {rp['count']} times")
        ln["posting"] = bool(ln["posting_reasons"])
        ln["total"] = ln["own_amount"] + ln["extra_fine"] + ln["supervisor_share"]
        ln["problem_count"] = problems_per_staff[uid]

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
