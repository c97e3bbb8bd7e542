"""巡检记录 printed: the day's rounds as GET /rounds walks them, in a page ready to print.

Seed 002: 「夜間值班、維修、巡邏人員檢查夜間照明是否完好」 — the night lighting round must be seen as walked,
so a missed lamp row is found the next morning."""

from tests.helpers import assert_error_shape


def test_the_days_round_report_is_printable_and_for_supervisors(login, org):
    sup = login("super1")
    site = org["sites"]["LHY"].id
    page = sup.get(f"/reports/rounds.html?site_id={site}&date=2026-03-09")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "巡 检 记 录" in html and "http://" not in html
    assert "迟巡：时限过后才扫码" in html
    assert_error_shape(login("guard1").get(f"/reports/rounds.html?site_id={site}"), 403)
