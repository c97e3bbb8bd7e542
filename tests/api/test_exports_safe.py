"""Every file the product writes opens in Excel and WPS with user text as text: no cell is a
formula unless the product wrote one (it writes none), and a CSV field starting with = + - @, a tab
or a carriage return is shown, not evaluated.

The findings: a building or room became a live formula in the service-desk workbook; staff names
starting with = + - @ stayed formulas in both payroll files; a masked name like ``=**`` made Excel
call the file damaged."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from api.domain.cells import csv_cell
from tests.factories import gen_user

HOSTILE = ["=HYPERLINK(\"http://evil.example/\",\"点我\")", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0", "＝1+1"]


def all_cells(body):
    wb = load_workbook(io.BytesIO(body))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_no_formula(body):
    formulas = [(c.parent.title, c.coordinate, c.value) for c in all_cells(body) if c.data_type == "f"]
    assert formulas == []


def gen_staff(org, name, username):
    return gen_user("guard", ["LHY"], username=username, name=name, password="a-long-pass-phrase", trade="security",
                    supervisor=org["users"]["super1"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_payroll_files_keep_hostile_staff_names_as_text(login, org, fmt):
    sup, site = login("super1"), org["sites"]["LHY"].id
    staff = [gen_staff(org, name, f"evil{i}") for i, name in enumerate(HOSTILE)]
    for u in staff:
        r = sup.post("/deductions", json={"site_id": site, "staff_id": u.id, "points": 2, "reason": "=1+1",
                                          "problem_key": "=A1", "occurred_at": "2026-03-10T09:00:00+08:00"})
        assert r.status_code == 201, r.get_json()
    r = login("manager1").get(f"/ledger/2026-03/payroll.{fmt}?site_id={site}")
    assert r.status_code == 200
    if fmt == "xlsx":
        assert_no_formula(r.data)
        texts = {str(c.value).strip() for c in all_cells(r.data)}
        assert {h.strip() for h in HOSTILE} <= texts  # shown as written
        amounts = [c.value for c in all_cells(r.data) if c.data_type == "n"]
        assert amounts, "the money stays numbers"
    else:
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        fields = [f for row in rows for f in row]
        dangerous = [f for f in fields if f and f[0] in "=+-@\t\r＝" and not f.lstrip("+-").replace(".", "").isdigit()]
        assert dangerous == []
        for name in HOSTILE:
            assert "'" + name in fields


def test_the_service_desk_workbook_keeps_buildings_rooms_and_masked_names_as_text(login, org):
    desk, site = login("service1"), org["sites"]["LHY"].id
    now = datetime.now(timezone.utc)
    for i, text in enumerate(HOSTILE):
        r = desk.post("/requests", json={"site_id": site, "kind": "complaint", "channel": "phone", "category": "noise",
                                         "owner_name": "=张三", "owner_phone": "13800135678", "building": text,
                                         "unit": "+2", "room": "@1201", "description": "噪音"})
        assert r.status_code == 201, r.get_json()
    month = (now + timedelta(hours=8)).strftime("%Y-%m")
    r = login("manager1").get(f"/requests/stats.xlsx?site_id={site}&month={month}")
    assert r.status_code == 200
    assert_no_formula(r.data)
    texts = {c.value for c in all_cells(r.data)}
    assert "=**" in texts  # the masked owner, as text


@pytest.mark.parametrize("value,out", [
    ("=1+1", "'=1+1"), ("+86 139", "'+86 139"), ("-x", "'-x"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("＝1", "'＝1"), ("张伟", "张伟"), ("-15.00", "-15.00"), ("+3", "+3"), (12, 12), ("", ""),
])
def test_a_csv_cell_is_neutralised_only_when_it_would_be_a_formula(value, out):
    assert csv_cell(value) == out
