"""The ledger as a pure function: tiers, posting, repeats, 70/30 to the fen, reversals."""
from decimal import Decimal

import pytest

from api.domain.ledger import ZERO, Correction, Row, compute_ledger, correction_amounts, split, tier_for
from tests.factories import fixture_policy

P = fixture_policy()
STAFF, SUP, OTHER = 1, 9, 2


def rows(*specs):
    out = []
    for n, spec in enumerate(specs, 1):
        base = dict(id=n, staff_id=STAFF, points=1, yuan_per_point=Decimal("5.00"), problem_key=f"p{n}",
                    supervisor_id=SUP)
        base.update(spec)
        out.append(Row(**base))
    return out


def line(ledger, uid=STAFF):
    return next(ln for ln in ledger["lines"] if ln["staff_id"] == uid)


@pytest.mark.parametrize("points,tier,fine,posted", [
    (4, "none", "0.00", False),
    (5, "extra_fine", "20.00", True),
    (10, "extra_fine", "20.00", True),
    (11, "sanction", "0.00", True),
    (15, "sanction", "0.00", True),
    (19, "sanction", "0.00", True),
    (20, "dismissal", "0.00", True),
])
def test_monthly_tiers_at_the_edges(points, tier, fine, posted):
    led = compute_ledger(rows({"points": points}), P)
    ln = line(led)
    assert (ln["tier"], ln["extra_fine"], ln["posting"]) == (tier, Decimal(fine), posted)
    assert ln["amount"] == Decimal(points * 5) and ln["total"] == Decimal(points * 5) + Decimal(fine)
    assert tier_for(points, P)[0] == tier


def test_the_third_repeat_brings_in_the_supervisor_and_the_posting():
    two = compute_ledger(rows({"problem_key": "lamp"}, {"problem_key": "lamp"}), P)
    assert line(two)["supervisor_covers"] == Decimal("0.00") and not line(two)["posting"]
    assert [ln["staff_id"] for ln in two["lines"]] == [STAFF]
    three = compute_ledger(rows({"problem_key": "lamp"}, {"problem_key": "lamp"}, {"problem_key": "lamp"}), P)
    ln = line(three)
    assert ln["posting"] and "同一问题发生 3 次" in ln["posting_reasons"][0]
    assert ln["supervisor_covers"] == Decimal("4.50") and ln["own_amount"] == Decimal("10.50")
    assert line(three, SUP)["supervisor_share"] == Decimal("4.50") and line(three, SUP)["points"] == 0
    assert three["totals"]["total"] == Decimal("15.00")


@pytest.mark.parametrize("points,rate,sup,staff", [
    (1, "5.00", "1.50", "3.50"),
    (7, "5.00", "10.50", "24.50"),
    (1, "3.33", "1.00", "2.33"),    # 0.999 rounds up to 1.00
    (1, "0.05", "0.02", "0.03"),    # 0.015 rounds half up
    (3, "1.11", "1.00", "2.33"),    # 3.33 -> 0.999
    (1, "0.01", "0.00", "0.01"),
])
def test_seventy_thirty_split_rounds_the_supervisor_share_to_the_fen_and_adds_up(points, rate, sup, staff):
    led = compute_ledger(rows({"points": points, "yuan_per_point": Decimal(rate), "supervisor_shares": True}), P)
    assert line(led)["supervisor_covers"] == Decimal(sup) and line(led)["own_amount"] == Decimal(staff)
    assert line(led, SUP)["supervisor_share"] == Decimal(sup)
    assert line(led)["own_amount"] + line(led, SUP)["supervisor_share"] == Decimal(points) * Decimal(rate)
    assert split(Decimal(points) * Decimal(rate), 30) == (Decimal(staff), Decimal(sup))


def test_shares_are_rounded_once_per_person_so_totals_match_to_the_fen():
    led = compute_ledger(rows(*[{"points": 1, "yuan_per_point": Decimal("3.33"), "supervisor_shares": True}] * 3), P)
    # 9.99 × 30% = 2.997 -> 3.00 (not three times 1.00 rounded separately, which would also be 3.00 but 2.997 is the rule)
    assert line(led)["supervisor_covers"] == Decimal("3.00") and line(led)["own_amount"] == Decimal("6.99")
    assert led["totals"]["total"] == Decimal("9.99")


def test_supervisor_line_carries_their_own_faults_and_shares():
    led = compute_ledger(rows({"points": 6, "supervisor_shares": True},
                              {"staff_id": SUP, "points": 2, "supervisor_id": None}), P)
    sup = line(led, SUP)
    assert sup["points"] == 2 and sup["supervisor_share"] == Decimal("9.00") and sup["total"] == Decimal("19.00")
    staff = line(led)
    assert staff["tier"] == "extra_fine" and staff["total"] == Decimal("21.00") + Decimal("20.00")
    assert led["totals"]["total"] == Decimal("60.00") and led["posting"][0]["staff_id"] == STAFF


def test_voided_notices_do_not_count_and_reversals_give_money_back_without_lowering_the_tier():
    led = compute_ledger(rows({"points": 5}, {"points": 3, "status": "voided"},
                              {"points": -4, "reverses_id": 77, "problem_key": "old"}), P)
    ln = line(led)
    assert ln["points"] == 5 and ln["reversed_points"] == -4 and ln["tier"] == "extra_fine"
    assert ln["amount"] == Decimal("5.00") and ln["total"] == Decimal("25.00")


def test_no_supervisor_on_record_means_no_split():
    led = compute_ledger(rows({"points": 2, "supervisor_shares": True, "supervisor_id": None}), P)
    assert line(led)["own_amount"] == Decimal("10.00") and len(led["lines"]) == 1


def test_lines_are_ordered_by_total_and_named_from_people():
    led = compute_ledger(rows({"points": 1}, {"staff_id": OTHER, "points": 3}), P,
                         people={STAFF: {"name": "张伟", "username": "guard1"}, OTHER: {"name": "赵强", "username": "guard3"}})
    assert [ln["name"] for ln in led["lines"]] == ["赵强", "张伟"]
    assert led["totals"] == {"people": 2, "points": 4, "reversed_points": 0, "amount": Decimal("20.00"),
                             "own_amount": Decimal("20.00"), "supervisor_share": Decimal("0.00"),
                             "extra_fine": Decimal("0.00"), "total": Decimal("20.00")}


def _l(uid, total, fine="0.00"):
    return {"staff_id": uid, "total": Decimal(total), "extra_fine": Decimal(fine)}


@pytest.mark.parametrize("at_close,recomputed,booked,expected", [
    # 5 points (¥25 + ¥20) down to 4: the reversing entry gave ¥5 back, the ¥20 fine is left
    ([_l(STAFF, "45.00", "20.00")], [_l(STAFF, "20.00")], {STAFF: (Decimal("-5.00"), ZERO)},
     {STAFF: (Decimal("-20.00"), Decimal("-20.00"))}),
    # 3 points, no tier: the reversing entry gives it all back, nothing to correct
    ([_l(STAFF, "15.00")], [], {STAFF: (Decimal("-15.00"), ZERO)}, {}),
    # 11 points (sanction, no fine) down to 10: the ¥20 extra fine becomes due
    ([_l(STAFF, "55.00")], [_l(STAFF, "70.00", "20.00")], {STAFF: (Decimal("-5.00"), ZERO)},
     {STAFF: (Decimal("20.00"), Decimal("20.00"))}),
    # a repeat undone: the supervisor's share of the other two comes back, the staff pays it
    ([_l(STAFF, "10.50"), _l(SUP, "4.50")], [_l(STAFF, "10.00")],
     {STAFF: (Decimal("-3.50"), ZERO), SUP: (Decimal("-1.50"), ZERO)},
     {STAFF: (Decimal("3.00"), ZERO), SUP: (Decimal("-3.00"), ZERO)}),
    # an earlier correction already gave the fine back
    ([_l(STAFF, "45.00", "20.00")], [_l(STAFF, "0.00")], {STAFF: (Decimal("-45.00"), Decimal("-20.00"))}, {}),
])
def test_corrections_carry_what_the_reversing_entries_do_not(at_close, recomputed, booked, expected):
    assert correction_amounts(at_close, recomputed, booked) == expected


def test_a_correction_is_added_to_the_persons_total_with_its_reason_but_not_to_points_or_tier():
    c = Correction(STAFF, "2026-03", Decimal("-20.00"), "更正 2026-03 / correction of 2026-03", Decimal("-20.00"))
    led = compute_ledger(rows({"points": -1, "reverses_id": 5}), P, corrections=[c])
    ln = line(led)
    assert ln["correction"] == Decimal("-20.00") and ln["total"] == Decimal("-25.00") and ln["tier"] == "none"
    assert ln["corrections"] == [{"month": "2026-03", "amount": Decimal("-20.00"), "reason": c.reason}]
    assert led["totals"]["total"] == Decimal("-25.00") and led["totals"]["points"] == 0


def test_a_reversing_entry_is_split_as_in_its_own_month_not_by_this_months_repeats():
    led = compute_ledger(rows({"problem_key": "lamp"}, {"problem_key": "lamp"}, {"problem_key": "lamp"},
                              {"problem_key": "lamp", "points": -1, "reverses_id": 77}), P)
    # this month's three lamps bring the supervisor in for 30% of 15.00; the old notice's reversal was
    # not shared in its month (supervisor_shares False), so its 5.00 comes back to the staff member whole
    assert line(led)["supervisor_covers"] == Decimal("4.50") and line(led)["own_amount"] == Decimal("5.50")
