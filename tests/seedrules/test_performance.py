"""The second scheme of seed 004 (客戶服務中心員工績效考核作業指導書): six categories, daily/weekly/monthly
checks, results published on the month's last day, penalties and rewards at 1 point = ¥10 in payroll
beside the deduction ledger."""
import copy
import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from api.domain import performance as pf
from api.domain.errors import Conflict
from api.domain.policy import current_policy
from api.models import AuditLog, Site, User
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
END_OF_NOVEMBER = datetime(2026, 11, 30, 18, 0, tzinfo=SH)  # a Monday, the month's last day


def entry(api, org, staff, period, day, category, points, note="检查记录"):
    return api.post("/performance/entries", json={"site_id": org["sites"]["LHY"].id, "staff_id": org["users"][staff].id,
                                                  "period": period, "day": day, "category": category,
                                                  "points": points, "note": note})


def test_rewards_and_penalties_net_in_payroll_to_the_fen(login, org):
    """004 績效考核作業指導書 4.5.1 如員工當月發生違規行為，按1分10元計扣；如員工當月工作業績突出，則按1分10元獎勵;
    4.3.6 於月末最後一天向本部員工公佈績效考核結果."""
    site = org["sites"]["LHY"].id
    with time_machine.travel(END_OF_NOVEMBER, tick=False):
        sup, mgr = login("super1"), login("manager1")
        r = sup.post("/deductions", json={"site_id": site, "staff_id": org["users"]["guard1"].id, "points": 3,
                                          "reason": "交接班记录缺失", "problem_key": "handover.log",
                                          "occurred_at": datetime(2026, 11, 20, 8, tzinfo=SH).isoformat()})
        assert r.status_code == 201
        for args in (("guard1", "daily", "2026-11-10", "discipline", -3, "迟到 3 次"),
                     ("guard1", "weekly", "2026-11-16", "teamwork_service", 7, "协助业主搬运、获表扬信"),
                     ("guard1", "monthly", "2026-11-30", "incidents_complaints", -2, "一起有效投诉"),
                     ("cleaner1", "weekly", "2026-11-23", "innovation", 4, "提出垃圾分类改进办法")):
            r = entry(sup, org, *args[:5], note=args[5])
            assert r.status_code == 201, r.get_json()
        # not published yet: the ledger carries no performance money
        draft = mgr.get(f"/ledger/2026-11?site_id={site}").get_json()
        assert draft["totals"]["perf_reward"] == "0.00"
        r = sup.post(f"/performance/2026-11/publish?site_id={site}")
        assert r.status_code == 200, r.get_json()
        guard = next(p for p in r.get_json()["people"] if p["staff_id"] == org["users"]["guard1"].id)
        assert guard["categories"]["discipline"]["score"] == 12 and guard["score"] == 95
        assert (guard["penalty_yuan"], guard["reward_yuan"], guard["net_yuan"]) == ("50.00", "70.00", "20.00")
        ledger = mgr.get(f"/ledger/2026-11?site_id={site}").get_json()
        g = next(ln for ln in ledger["lines"] if ln["staff_id"] == org["users"]["guard1"].id)
        c = next(ln for ln in ledger["lines"] if ln["staff_id"] == org["users"]["cleaner1"].id)
        assert (g["total"], g["perf_penalty"], g["perf_reward"], g["net"]) == ("15.00", "50.00", "70.00", "-5.00")
        assert (c["total"], c["perf_reward"], c["net"], c["perf_score"]) == ("0.00", "40.00", "-40.00", 100)
        body = mgr.get(f"/ledger/2026-11/payroll.csv?site_id={site}").get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        head = rows[0]
        col = {k: head.index(next(h for h in head if h.startswith(k))) for k in ("绩效扣款", "绩效奖励", "净扣款")}
        row = next(r for r in rows if r and r[0] == "guard1")
        assert (row[col["绩效扣款"]], row[col["绩效奖励"]], row[col["净扣款"]]) == ("50.00", "70.00", "-5.00")
        total = rows[-1]
        assert total[col["净扣款"]] == ledger["totals"]["net"] == "-45.00"


def test_checks_follow_the_days_of_the_scheme_and_stop_at_publication(login, org):
    """004 4.3.2 周檢：客戶服務中心主管每週一對上週工作進行綜合評定; 4.3.6 月檢……於月末最後一天……公佈."""
    site = org["sites"]["LHY"].id
    with time_machine.travel(datetime(2026, 11, 27, 10, tzinfo=SH), tick=False):
        sup = login("super1")
        assert_error_shape(entry(sup, org, "guard1", "weekly", "2026-11-17", "coordination", -1), 422)  # Tuesday
        assert_error_shape(entry(sup, org, "guard1", "monthly", "2026-11-27", "coordination", -1), 422)
        assert_error_shape(entry(sup, org, "guard1", "daily", "2026-11-27", "coordination", -16), 422)  # max 15
        assert entry(sup, org, "guard1", "daily", "2026-11-27", "incidents_complaints", -25).status_code == 201
        assert_error_shape(entry(sup, org, "super1", "daily", "2026-11-27", "dedication", 2), 422)  # self
        assert_error_shape(entry(sup, org, "guard1", "daily", "2026-11-28", "dedication", 2), 422)  # future
        assert_error_shape(sup.post(f"/performance/2026-11/publish?site_id={site}"), 409)  # not the last day
        assert_error_shape(login("guard1").post(f"/performance/2026-11/publish?site_id={site}"), 403)
    with time_machine.travel(END_OF_NOVEMBER, tick=False):
        sup = login("super1")
        assert sup.post(f"/performance/2026-11/publish?site_id={site}").status_code == 200
        assert_error_shape(sup.post(f"/performance/2026-11/publish?site_id={site}"), 409)
        assert_error_shape(entry(sup, org, "guard1", "monthly", "2026-11-30", "dedication", 1), 409)
        got = sup.get(f"/performance/2026-11?site_id={site}").get_json()
        assert got["published"] and got["people"][0]["categories"]["incidents_complaints"]["score"] == 0
    assert AuditLog.select().where(AuditLog.action == "performance.publish").count() == 1


def test_a_company_may_run_the_deduction_ledger_alone(org):
    """Seed 004 has two schemes; a company chooses either or both (policy ``schemes``)."""
    policy = copy.deepcopy(current_policy())
    policy["schemes"] = ["deductions"]
    with pytest.raises(Conflict):
        pf.add_entry(Site.get(Site.code == "LHY"), org["users"]["guard1"].id, "daily", date(2026, 11, 2),
                     "dedication", -1, "x", User.get(User.username == "super1"), policy=policy)
