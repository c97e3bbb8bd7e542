"""The month ledger reads deductions grouped by the database (identical notices as one counted
row); the money, points, tiers, repeats and postings must be exactly those of one row per notice."""
import random
from collections import Counter
from decimal import Decimal

from api.domain.ledger import Row, compute_ledger
from api.domain.policy import current_policy


def _notices(seed, n=3000, staff=40):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        who = rng.randrange(1, staff + 1)
        reverses = rng.randrange(1, 50) if rng.random() < 0.03 else None
        points = rng.choice([1, 2, 3]) * (-1 if reverses else 1)
        rows.append(Row(i + 1, who, points, Decimal(rng.choice(["5.00", "10.00"])), f"lamps:item_{rng.randrange(6)}",
                        1000 + who % 3 if rng.random() < 0.9 else None, rng.random() < 0.2,
                        "voided" if rng.random() < 0.05 else "active", reverses))
    return rows


def _grouped(rows):
    """What the database hands the ledger: identical notices as one row with a count."""
    key = Counter((r.staff_id, r.points, r.yuan_per_point, r.problem_key, r.supervisor_id, r.supervisor_shares,
                   r.status, r.reverses_id is not None) for r in rows)
    first = {}
    for r in rows:
        k = (r.staff_id, r.points, r.yuan_per_point, r.problem_key, r.supervisor_id, r.supervisor_shares, r.status,
             r.reverses_id is not None)
        first.setdefault(k, r)
    return [Row(first[k].id, *k[:7], first[k].reverses_id, n) for k, n in key.items()]


def test_grouped_notices_give_the_same_ledger_as_one_row_each():
    policy = current_policy()
    for seed in range(5):
        rows = _notices(seed)
        grouped = _grouped(rows)
        assert len(grouped) < len(rows)
        assert compute_ledger(grouped, policy) == compute_ledger(rows, policy)


def test_the_live_ledger_of_a_month_counts_every_notice(org):
    """Through the database: 300 notices, many identical, against the per-notice computation."""
    from api.domain import deductions as dd
    from api.models import Deduction, Site, User

    site = Site.get(Site.code == "LHY")
    staff = [u.id for u in User.select().where(User.username.in_(["guard1", "guard3", "cleaner1", "tech1"]))]
    sup = User.get(User.username == "super1")
    rng = random.Random(3)
    Deduction.insert_many([
        {"site": site.id, "staff": rng.choice(staff), "supervisor": sup.id, "supervisor_shares": rng.random() < 0.3,
         "points": rng.choice([1, 2]), "yuan_per_point": Decimal("5.00"), "reason": "路灯不亮",
         "problem_key": f"road_lamps:{rng.choice(['lamp_lit', 'no_cobwebs'])}", "month": "2026-03",
         "occurred_at": "2026-03-10 12:00:00", "status": "voided" if i % 17 == 0 else "active",
         "created_by": sup.id} for i in range(300)]).execute()
    live = dd.compute_month(site, "2026-03")
    one_each = [dd.ledger_row(d) for d in Deduction.select().where(Deduction.month == "2026-03")]
    expected = compute_ledger(one_each, current_policy(), dd._people({r.staff_id for r in one_each} | {sup.id}))
    # the live ledger also carries what other rules attach (sanctions, the performance scheme's rewards):
    # every figure of the per-notice computation must be in it, unchanged
    assert set(live) >= set(expected)
    for key, value in expected.items():
        if key == "lines":
            assert [{k: line[k] for k in want} for line, want in zip(live["lines"], value)] == value
            assert len(live["lines"]) == len(value)
        elif isinstance(value, dict):
            assert {k: live[key][k] for k in value} == value
        else:
            assert live[key] == value
    assert live["totals"]["points"] == sum(r.points for r in one_each if r.status == "active")
