"""Seed 004 4.2.2 違規責任人每月累計扣分達5~10分，加罰人民幣貳拾圓: the responsible person's monthly total,
whatever site the points were earned on (policy: per person by default, or per management office)."""
import copy
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from api.domain import deductions as dd
from api.domain.policy import current_policy
from api.models import Site, UserSite

SH = ZoneInfo("Asia/Shanghai")
MONTH = datetime.now(SH).strftime("%Y-%m")


def give(api, site, staff, points, key):
    r = api.post("/deductions", json={"site_id": site.id, "staff_id": staff.id, "points": points,
                                      "reason": "岗位脱岗", "problem_key": key,
                                      "occurred_at": datetime.now(SH).isoformat()})
    assert r.status_code == 201, r.get_json()


def line(ledger, staff):
    return next(ln for ln in ledger["lines"] if ln["staff_id"] == staff.id)


def test_three_and_three_points_on_two_sites_make_six_and_the_extra_fine_once(login, org):
    """004 4.2.2 違規責任人每月累計扣分達5~10分，加罰人民幣貳拾圓; 4.2.5 凡扣分達5分（含5分）以上……實施公佈張貼."""
    lhy, hqt = org["sites"]["LHY"], org["sites"]["HQT"]
    guard = org["users"]["guard1"]
    UserSite.create(user=guard, site=hqt)  # guard1 also works shifts at 海泉台
    give(login("super1"), lhy, guard, 3, "post.absent")
    give(login("super3"), hqt, guard, 3, "post.sleeping")
    mgr = login("manager1")
    a = mgr.get(f"/ledger/{MONTH}?site_id={lhy.id}").get_json()
    b = mgr.get(f"/ledger/{MONTH}?site_id={hqt.id}").get_json()
    la, lb = line(a, guard), line(b, guard)
    assert (la["points"], la["company_points"], la["tier"]) == (3, 6, "extra_fine")
    assert (lb["points"], lb["company_points"], lb["tier"]) == (3, 6, "extra_fine")
    # the ¥20 is booked once: at the site with most points, the lower site id on a tie
    home, other = (la, lb) if lhy.id < hqt.id else (lb, la)
    assert home["extra_fine"] == "20.00" and home["total"] == "35.00"
    assert other["extra_fine"] == "0.00" and other["extra_fine_elsewhere"] is True and other["total"] == "15.00"
    # posted on both sites' notices
    assert guard.id in {p["staff_id"] for p in a["posting"]} and guard.id in {p["staff_id"] for p in b["posting"]}
    # the payroll file says what the ledger says, to the fen
    home_site = lhy if lhy.id < hqt.id else hqt
    body = mgr.get(f"/ledger/{MONTH}/payroll.csv?site_id={home_site.id}").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(body)) if r and r[0] == guard.username)
    assert "20.00" in row and "35.00" in row


def test_per_management_office_counts_each_site_apart(login, org):
    """004 4.2.2 counted per management office when the company's policy says so: 3 + 3 stays 3 and 3."""
    lhy, hqt = org["sites"]["LHY"], org["sites"]["HQT"]
    guard = org["users"]["guard1"]
    UserSite.create(user=guard, site=hqt)
    give(login("super1"), lhy, guard, 3, "post.absent")
    give(login("super3"), hqt, guard, 3, "post.sleeping")
    policy = copy.deepcopy(current_policy())
    policy["deductions"]["count_points_per"] = "site"
    for site in (lhy, hqt):
        ln = line(dd.compute_month(Site.get_by_id(site.id), MONTH, policy), guard)
        assert (ln["company_points"], ln["tier"], str(ln["extra_fine"]), ln["posting"]) == (3, "none", "0.00", False)


def test_one_site_alone_is_unchanged(login, org):
    """004 4.2.2: six points at one site are six points, the extra fine there."""
    lhy = org["sites"]["LHY"]
    guard = org["users"]["guard1"]
    give(login("super1"), lhy, guard, 6, "post.absent")
    ln = line(login("manager1").get(f"/ledger/{MONTH}?site_id={lhy.id}").get_json(), guard)
    assert (ln["company_points"], ln["extra_fine"], ln["extra_fine_elsewhere"]) == (6, "20.00", False)
