"""``patrol examples``, ``patrol import`` and ``patrol export`` on an empty database, as the day-one smoke
test runs them: the example estate imports in order, a guard gets tasks, a second import changes nothing,
an export imports back unchanged, a bad file writes nothing."""
import os

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from api.cli import cli
from tests.conftest import CHECKLISTS_DIR, USE_PG

ORDER = ("sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules")


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    if USE_PG:
        pytest.skip("the command line is the same on PostgreSQL; the API tests cover it there")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PATROL_CHECKLISTS_DIR", CHECKLISTS_DIR)
    monkeypatch.setenv("PATROL_MEDIA_DIR", str(tmp_path / "media"))
    runner = CliRunner()
    for args in (["migrate"], ["checklists", "sync"]):
        r = runner.invoke(cli, args, catch_exceptions=False)
        assert r.exit_code == 0, r.output
    yield runner, tmp_path
    from api.db import db

    if not db.is_closed():
        db.close()


def test_the_example_estate_imports_on_an_empty_database_and_a_guard_gets_tasks(empty_db):
    runner, tmp = empty_db
    r = runner.invoke(cli, ["examples", str(tmp / "ex")])
    assert r.exit_code == 0 and sorted(os.listdir(tmp / "ex")) == sorted(f"{k}.xlsx" for k in ORDER)
    r = runner.invoke(cli, ["import", "staff", str(tmp / "ex" / "staff.xlsx")])
    assert r.exit_code == 1  # no site yet: nothing imported, each row says why
    assert "第2行" in r.output and "没有这个场所" in r.output and "No such site" in r.output
    made = {}
    for kind in ORDER:
        r = runner.invoke(cli, ["import", kind, str(tmp / "ex" / f"{kind}.xlsx"), "--password", "first-pass-1"])
        assert r.exit_code == 0, (kind, r.output)
        made[kind] = r.output.strip().splitlines()[-1]
    assert made["checkpoints"] == "checkpoints: 20 row(s) — created 20, updated 0, unchanged 0"
    assert made["staff"] == "staff: 12 row(s) — created 12, updated 0, unchanged 0"
    again = runner.invoke(cli, ["import", "units", str(tmp / "ex" / "units.xlsx")])
    assert "created 0, updated 0, unchanged 96" in again.output
    r = runner.invoke(cli, ["checklists", "tasks", "--date", "2026-03-02"])
    assert r.exit_code == 0
    from api.models import Task, User

    liming = User.get(User.username == "liming")
    assert Task.select().where((Task.assignee == liming) & (Task.role == "guard")).count() > 0


def test_an_export_imports_back_unchanged_and_never_holds_passwords(empty_db):
    runner, tmp = empty_db
    runner.invoke(cli, ["examples", str(tmp / "ex")])
    for kind in ORDER:
        assert runner.invoke(cli, ["import", kind, str(tmp / "ex" / f"{kind}.xlsx"), "--password",
                                   "first-pass-1"]).exit_code == 0
    for kind in ORDER:
        out = tmp / f"out-{kind}.xlsx"
        r = runner.invoke(cli, ["export", kind, str(out), "--site", "YJY"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["import", kind, str(out)])
        assert r.exit_code == 0 and "created 0, updated 0" in r.output, (kind, r.output)
    ws = load_workbook(tmp / "out-staff.xlsx").worksheets[0]
    assert all(row[-1].value is None for row in ws.iter_rows(min_row=2))  # 初始密码 column empty


def test_a_dry_run_and_a_bad_file_write_nothing(empty_db):
    runner, tmp = empty_db
    runner.invoke(cli, ["examples", str(tmp / "ex")])
    r = runner.invoke(cli, ["import", "sites", str(tmp / "ex" / "sites.xlsx"), "--dry-run"])
    assert r.exit_code == 0 and "dry run" in r.output
    bad = tmp / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    r = runner.invoke(cli, ["import", "sites", str(bad)])
    assert r.exit_code == 1 and "不是 Excel .xlsx 文件" in r.output
    from api.models import Site

    assert Site.select().count() == 0
    assert runner.invoke(cli, ["import", "staff", str(tmp / "ex" / "staff.xlsx"), "--password", "short"]
                         ).exit_code == 2
