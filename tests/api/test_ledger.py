"""The monthly ledger through the API: tiers, posting, 70/30, closing, payroll files and the notice."""
import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from api.models import AuditLog, Deduction
from tests.factories import notice
from tests.helpers import assert_error_shape


def col(header, zh):
    """The index of the column whose header starts with ``zh`` (工号, 姓名, 合计（元）...)."""
    return next(i for i, h in enumerate(header) if h and h.startswith(zh))


def _fill_month(sup, org):
    notice(sup, org, staff="guard1", points=6)                       # extra fine tier
    notice(sup, org, staff="guard3", points=3, supervisor_shares=True)  # 70/30 with super1
    for day in (3, 9, 17):                                            # the same problem three times
        notice(sup, org, staff="cleaner1", points=1, problem_key="lobby:floor_clean",
               occurred_at=f"2026-03-{day:02d}T09:00:00+08:00")


def test_ledger_lines_tiers_posting_and_supervisor_share(login, org):
    sup = login("super1")
    _fill_month(sup, org)
    led = sup.get(f"/ledger/2026-03?site_id={org['sites']['LHY'].id}").get_json()
    lines = {ln["username"]: ln for ln in led["lines"]}
    g1 = lines["guard1"]
    assert g1["points"] == 6 and g1["tier"] == "extra_fine" and g1["extra_fine"] == "20.00"
    assert g1["total"] == "50.00" and g1["posting"]
    g3 = lines["guard3"]
    assert g3["amount"] == "15.00" and g3["supervisor_covers"] == "4.50" and g3["own_amount"] == "10.50"
    c1 = lines["cleaner1"]
    assert c1["posting"] and c1["repeated_problems"] == [{"problem_key": "lobby:floor_clean", "count": 3}]
    assert c1["supervisor_liable_problems"] == ["lobby:floor_clean"] and c1["supervisor_covers"] == "4.50"
    assert lines["super1"]["supervisor_share"] == "4.50" and lines["super2"]["supervisor_share"] == "4.50"
    assert led["totals"]["total"] == "80.00" and not led["closed"]
    assert [p["username"] for p in led["posting"]] == ["guard1", "cleaner1"]
    assert led["due_to_finance"] == "2026-04-05"


def test_payroll_csv_totals_match_the_ledger_to_the_fen(login, org):
    sup = login("super1")
    _fill_month(sup, org)
    site = org["sites"]["LHY"].id
    led = sup.get(f"/ledger/2026-03?site_id={site}").get_json()
    r = sup.get(f"/ledger/2026-03/payroll.csv?site_id={site}")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    no, name, tot, problems = col(header, "工号"), col(header, "姓名"), col(header, "合计"), col(header, "问题")
    assert sum(Decimal(row[tot]) for row in body) == Decimal(led["totals"]["total"]) == Decimal(total[tot])
    assert {row[name]: row[tot] for row in body} == {ln["name"]: ln["total"] for ln in led["lines"]}
    # the problem in words, not lobby:floor_clean
    cleaner = next(row for row in body if row[no] in ("cleaner1", org["users"]["cleaner1"].employee_no))
    assert "lobby:floor_clean" not in cleaner[problems] and "×3" in cleaner[problems]


def test_payroll_xlsx_matches_the_ledger(login, org):
    sup = login("super1")
    _fill_month(sup, org)
    site = org["sites"]["LHY"].id
    r = sup.get(f"/ledger/2026-03/payroll.xlsx?site_id={site}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in ws[2]]
    no, tot = col(header, "工号"), col(header, "合计")
    values = [row for row in ws.iter_rows(min_row=3, values_only=True) if row[no] and row[tot] is not None]
    led = sup.get(f"/ledger/2026-03?site_id={site}").get_json()
    assert sum(Decimal(str(v[tot])) for v in values) == Decimal(led["totals"]["total"])


def test_posting_notice_is_printable_chinese_without_external_assets(login, org):
    sup = login("super1")
    _fill_month(sup, org)
    r = sup.get(f"/ledger/2026-03/posting.html?site_id={org['sites']['LHY'].id}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "员工违规情况公布" in page and "Notice of staff faults" in page and "张伟" in page
    assert "http://" not in page and "https://" not in page and "@media print" in page


def test_closing_freezes_the_month_and_is_audited(login, org):
    sup, mgr = login("super1"), login("manager1")
    _fill_month(sup, org)
    site = org["sites"]["LHY"].id
    assert_error_shape(sup.post(f"/ledger/2026-03/close?site_id={site}"), 403)
    r = mgr.post(f"/ledger/2026-03/close?site_id={site}")
    assert r.status_code == 200 and r.get_json()["closed"] and r.get_json()["totals"]["total"] == "80.00"
    assert_error_shape(mgr.post(f"/ledger/2026-03/close?site_id={site}"), 409)
    # even a voided row behind its back would not change the closed ledger
    Deduction.update(status="voided").execute()
    assert mgr.get(f"/ledger/2026-03?site_id={site}").get_json()["totals"]["total"] == "80.00"
    entry = AuditLog.get(AuditLog.action == "ledger.close")
    assert entry.after["totals"]["total"] == "80.00" and entry.site_id == site


def test_a_month_that_has_not_ended_cannot_be_closed(login, org):
    r = login("manager1").post(f"/ledger/2099-01/close?site_id={org['sites']['LHY'].id}")
    assert_error_shape(r, 409)


def test_ledger_of_another_site_is_404_and_bad_month_422(login, org):
    assert_error_shape(login("super3").get(f"/ledger/2026-03?site_id={org['sites']['LHY'].id}"), 404)
    assert_error_shape(login("super1").get(f"/ledger/2026-3?site_id={org['sites']['LHY'].id}"), 422)
    assert_error_shape(login("guard1").get(f"/ledger/2026-03?site_id={org['sites']['LHY'].id}"), 403)
    assert_error_shape(login("manager1").get("/ledger/2026-03"), 422)  # two sites: say which


def test_payroll_shows_the_correction_of_a_closed_month_with_its_reason(login, org):
    site = org["sites"]["LHY"].id
    sup, mgr = login("super1"), login("manager1")
    notice(sup, org, points=4, problem_key="round:late")
    d = notice(sup, org, points=1, problem_key="round:missed").get_json()  # exactly 5 points: ¥25 + ¥20
    login("guard1").post(f"/deductions/{d['id']}/appeal", json={"reason": "那天调休"})
    assert mgr.post(f"/ledger/2026-03/close?site_id={site}").status_code == 200
    assert mgr.post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": True, "reason": "排班表证实"}).status_code == 200
    correction = AuditLog.get(AuditLog.action == "ledger.correction")
    assert correction.after["amount"] == "-20.00" and correction.after["corrects_month"] == "2026-03"
    month = Deduction.get(Deduction.reverses == d["id"]).month
    led = mgr.get(f"/ledger/{month}?site_id={site}").get_json()
    g1 = {ln["username"]: ln for ln in led["lines"]}["guard1"]
    assert g1["amount"] == "-5.00" and g1["correction"] == "-20.00" and g1["total"] == "-25.00"
    rows = list(csv.reader(io.StringIO(mgr.get(f"/ledger/{month}/payroll.csv?site_id={site}").data.decode("utf-8-sig"))))
    h = rows[0]
    guard = next(row for row in rows if row[col(h, "姓名")] == org["users"]["guard1"].name)
    # the ¥5 given back for March's notice is a correction with its reason, not a bare -5.00 deduction
    assert guard[col(h, "扣款")] == "0.00" and guard[col(h, "合计")] == "-25.00"
    assert guard[col(h, "更正（元）")] == "-25.00"
    reason = guard[col(h, "更正说明")]
    assert "correction of 2026-03" in reason and f"撤销 2026-03 过失单 #{d['id']}（申诉成立）" in reason
    march = mgr.get(f"/ledger/2026-03?site_id={site}").get_json()
    assert march["totals"]["total"] == "45.00" and march["posting"] == []
    assert march["corrections"][0]["booked_in"] == month and march["corrections"][0]["extra_fine"] == "-20.00"
    page = mgr.get(f"/ledger/2026-03/posting.html?site_id={site}").get_data(as_text=True)
    assert "张伟" not in page


def test_posting_notice_names_people_and_problems_in_words(login, org):
    """Seed 004: 「凡扣分達5分(含5分)以上或同一問題發生三次(含三次)以上,對其違規情況實施公布張貼」 — a notice for the board, so real
    names and the problem in words, never a login name or a problem key."""
    sup = login("super1")
    _fill_month(sup, org)
    page = sup.get(f"/ledger/2026-03/posting.html?site_id={org['sites']['LHY'].id}").get_data(as_text=True)
    assert org["users"]["cleaner1"].name in page and org["users"]["guard1"].name in page
    assert "cleaner1" not in page and "guard1" not in page and "lobby:floor_clean" not in page
    assert "同一问题发生 3 次" in page
