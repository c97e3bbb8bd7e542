"""Excel import and export of the organisation: templates, row errors in Chinese and English with sheet,
row and column, all or nothing, re-import unchanged, export -> import round trip, formula injection."""
import io

from openpyxl import Workbook, load_workbook

from api.domain import workbooks
from api.domain.orgrows import SCHEMAS
from api.examples import rows as example_rows
from api.models import AuditLog, Building, Checkpoint, Site, Unit, User, Zone, ZoneResponsible
from tests.factories import manager_of
from tests.helpers import assert_error_shape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(c, kind, data, query=""):
    return c.client.post(f"/api/v1/imports/{kind}{query}", data={"file": (io.BytesIO(data), f"{kind}.xlsx")},
                         headers=c._headers(None), content_type="multipart/form-data")


def _sheet(kind, rows):
    """A workbook as a person would type it: the template's header and plain cell values."""
    cols = SCHEMAS[kind].COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.title = workbooks.sheet_title(kind)
    ws.append([workbooks.header(c) for c in cols])
    for r in rows:
        ws.append([r.get(c[0]) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import_examples(c, upto="schedules"):
    for kind in ("sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules"):
        data = workbooks.write_workbook(kind, example_rows(kind))
        r = _upload(c, kind, data, "?password=first-pass-1" if kind == "staff" else "")
        assert r.status_code == 200, (kind, r.get_json())
        if kind == upto:
            break


def test_the_template_names_every_column_in_chinese_and_english(login, org):
    r = login("manager1").get("/imports/staff/template")
    assert r.status_code == 200 and r.mimetype == XLSX
    wb = load_workbook(io.BytesIO(r.data))
    head = [c.value for c in wb.worksheets[0][1]]
    assert head[0] == "工号 Employee no." and "初始密码 Initial password" in head
    notes = wb["说明 Notes"]
    assert notes.cell(row=3, column=3).value == "是 yes"  # the username is required
    assert_error_shape(login("guard1").get("/imports/staff/template"), 403)
    assert_error_shape(login("manager1").get("/imports/nonsense/template"), 404)


def test_the_example_estate_imports_in_order_and_a_second_import_changes_nothing(login, org):
    admin = login("admin")
    _import_examples(admin)
    site = Site.get(Site.code == "YJY")
    assert Zone.select().where(Zone.site == site).count() == 3
    assert Building.select().where(Building.site == site).count() == 2
    assert Checkpoint.select().where(Checkpoint.site == site).count() == 20
    assert User.select().where(User.employee_no.startswith("YJ")).count() == 12
    liming = User.get(User.employee_no == "YJ011")
    north = Zone.get((Zone.site == site) & (Zone.code == "N"))
    assert north.responsible_for("security").id == liming.id
    assert liming.supervisor.employee_no == "YJ002"
    audit_rows = AuditLog.select().count()
    for kind in ("sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules"):
        r = _upload(admin, kind, workbooks.write_workbook(kind, example_rows(kind)))
        body = r.get_json()
        assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, len(example_rows(kind))), kind
    assert AuditLog.select().count() == audit_rows


def test_bad_rows_are_reported_with_sheet_row_and_column_in_chinese_and_english_and_nothing_is_written(login, org):
    mgr = login("manager1")
    data = _sheet("buildings", [
        {"site_code": "LHY", "code": "7", "name": "7栋", "zone_code": "A"},
        {"site_code": "LHY", "code": "8", "name": None, "zone_code": "A"},       # no name
        {"site_code": "LHY", "code": "9", "name": "9栋", "zone_code": "NOPE"},  # unknown zone
        {"site_code": "ZZZ", "code": "1", "name": "1栋"},                        # unknown site
    ])
    r = _upload(mgr, "buildings", data)
    assert_error_shape(r, 422)
    rows = r.get_json()["errors"]["rows"]
    assert [(e["row"], e["column"], e["field"]) for e in rows] == [
        (3, "C", "name"), (4, "E", "zone_code"), (5, "A", "site_code")]
    assert rows[0]["sheet"] == "楼栋 buildings"
    assert rows[0]["reason_zh"] == "必填项为空" and rows[0]["reason"] == "Missing data for required field."
    assert rows[1]["reason_zh"] == "场所 LHY 没有片区 NOPE" and "No zone NOPE" in rows[1]["reason"]
    assert Building.select().count() == 0  # the good first row was not written either


def test_a_dry_run_counts_but_writes_nothing(login, org):
    mgr = login("manager1")
    data = _sheet("zones", [{"site_code": "LHY", "code": "Q", "name": "Q区"}, {"site_code": "LHY", "code": "A",
                                                                             "name": org["zones"][("LHY", "A")].name,
                                                                             "name_en": "changed"}])
    r = _upload(mgr, "zones", data, "?dry_run=1")
    body = r.get_json()
    assert r.status_code == 200 and (body["created"], body["updated"], body["written"]) == (1, 1, False)
    assert Zone.get_or_none(Zone.code == "Q") is None
    assert Zone.get_by_id(org["zones"][("LHY", "A")].id).name_en != "changed"


def test_every_list_exports_and_imports_back_unchanged(login, org):
    admin = login("admin")
    _import_examples(admin)
    site = Site.get(Site.code == "YJY")
    for kind in ("sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules"):
        r = admin.get(f"/exports/{kind}?site_id={site.id}")
        assert r.status_code == 200 and r.mimetype == XLSX
        back = _upload(admin, kind, r.data).get_json()
        assert back["created"] == back["updated"] == 0 and back["unchanged"] == back["rows"] > 0, (kind, back)


def test_exports_never_contain_passwords_and_text_that_looks_like_a_formula_is_neutralised(login, org):
    mgr = login("manager1")
    r = mgr.patch(f"/users/{org['users']['guard1'].id}", json={"employee_no": "G1", "department": "=HYPERLINK(\"x\")",
                                                                "phone": "+8613800000000"})
    assert r.status_code == 200, r.get_json()
    data = mgr.get(f"/exports/staff?site_id={org['sites']['LHY'].id}").data
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "G1")
    cell = {h: c for h, c in zip(head, row)}
    assert cell["部门 Department"].value == "'=HYPERLINK(\"x\")" and cell["部门 Department"].data_type == "s"
    assert cell["电话 Phone"].value == "'+8613800000000"
    assert cell["初始密码 Initial password"].value is None
    assert b"argon2" not in data
    back = _upload(mgr, "staff", data).get_json()
    assert back["updated"] == 0 and back["created"] == 0
    assert User.get(User.employee_no == "G1").department == "=HYPERLINK(\"x\")"


def test_a_manager_imports_only_into_their_own_sites(login, org):
    manager_of("HQT")
    mgr = login("mgr_only")
    r = _upload(mgr, "zones", _sheet("zones", [{"site_code": "LHY", "code": "Q", "name": "Q"}]))
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]["rows"][0]["reason_zh"] == "没有这个场所"
    assert_error_shape(mgr.get(f"/exports/zones?site_id={org['sites']['LHY'].id}"), 404)
    ws = load_workbook(io.BytesIO(mgr.get("/exports/zones").data)).worksheets[0]
    assert {r[0].value for r in ws.iter_rows(min_row=2)} == {"HQT"}


def test_staff_rows_give_existing_accounts_their_employee_number_and_new_ones_a_login(login, client, org):
    mgr = login("manager1")
    data = _sheet("staff", [
        {"employee_no": "L0007", "username": "guard1", "name": "张伟", "role": "guard", "trade": "security",
         "site_codes": "LHY", "supervisor": "super1", "responsible_zones": "A"},
        {"employee_no": "L0100", "username": "newguard", "name": "新保安", "role": "guard", "trade": "security",
         "site_codes": "LHY", "supervisor": "L0007", "password": "hello-pass-1"},
    ])
    r = _upload(mgr, "staff", data)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["created"], r.get_json()["updated"]) == (1, 1)
    assert User.get(User.username == "guard1").employee_no == "L0007"
    assert User.get(User.username == "newguard").supervisor.username == "guard1"
    assert client.post("/api/v1/auth/login", json={"username": "newguard", "password": "hello-pass-1"}
                       ).status_code == 200


def test_a_file_that_is_not_a_workbook_is_refused_plainly(login, org):
    mgr = login("manager1")
    r = _upload(mgr, "units", b"PK\x03\x04 not really a zip")
    assert_error_shape(r, 422, field="file")
    wrong = _sheet("units", [])
    wb = load_workbook(io.BytesIO(wrong))
    wb.worksheets[0]["F1"] = "Colour"
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(mgr, "units", buf.getvalue())
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]["rows"][0]["column"] == "F"
    assert r.get_json()["errors"]["rows"][0]["reason_zh"] == "无法识别的列“Colour”"


def test_the_shipped_example_workbooks_are_the_description(tmp_path):
    from api import examples

    for path in examples.copy_to(tmp_path):
        kind = path.rsplit("/", 1)[1][:-5]
        title, rows, errors = workbooks.read_rows(kind, open(path, "rb").read())
        assert not errors, (kind, errors)
        expected = [SCHEMAS[kind]().load({k: v for k, v in r.items() if v is not None})
                    for r in examples.rows(kind)]
        assert [d for _, d in rows] == expected, kind
    assert len(examples.rows("checkpoints")) == 20 and len(examples.rows("staff")) == 12
    assert len(examples.rows("zones")) == 3 and len(examples.rows("buildings")) == 2


def test_a_guard_imported_from_the_example_sheet_gets_tasks_and_walks_a_round(login, client, org):
    """The day-one path: the example estate imported, then its guard logs in and inspects a lobby."""
    import uuid
    from datetime import datetime, timedelta, timezone

    from api.domain.schedules import local_today

    _import_examples(login("admin"))
    from api.domain import scheduler
    scheduler.make_tasks()  # the worker's pass makes the coming days' tasks of the imported schedules
    r = client.post("/api/v1/auth/login", json={"username": "liming", "password": "first-pass-1"})
    assert r.status_code == 200, r.get_json()
    headers = {"Authorization": f"Bearer {r.get_json()['token']}"}
    day = local_today("Asia/Shanghai") + timedelta(days=1)
    tasks = client.get(f"/api/v1/tasks?date={day}", headers=headers).get_json()["items"]
    assert tasks and {t["checkpoint"]["code"][:3] for t in tasks} == {"YJY"}
    mine = [t for t in tasks if (t.get("assignee") or {}).get("id") == User.get(User.username == "liming").id]
    assert mine  # he answers for the north zone's security (责任片区 N in staff.xlsx)
    cp = client.get("/api/v1/checkpoints/by-code/YJY-1-LOBBY", headers=headers).get_json()
    lobby = next(c for c in cp["checklists"] if c["key"] == "lobby")
    items = client.get("/api/v1/checklists/lobby", headers=headers).get_json()["items"]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    body = {"id": str(uuid.uuid4()), "checkpoint_code": "YJY-1-LOBBY", "checklist_key": "lobby",
            "checklist_version": lobby["version"], "started_at": (now - timedelta(minutes=4)).isoformat(),
            "finished_at": now.isoformat(), "results": [{"item_key": i["key"], "status": "pass"} for i in items]}
    r = client.post("/api/v1/inspections", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()


def test_a_row_error_names_the_column_where_the_file_has_it(login, org):
    """Columns may come in any order and some may be left out: the error points at this file's column."""
    wb = Workbook()
    ws = wb.active
    ws.append(["所属片区 Zone code", "楼栋名称 Name", "场所编号 Site code", "楼栋编号 Building code"])
    ws.append(["NOPE", "9栋", "LHY", "9"])
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(login("manager1"), "buildings", buf.getvalue())
    assert [(e["row"], e["column"], e["field"]) for e in r.get_json()["errors"]["rows"]] == [(2, "A", "zone_code")]
