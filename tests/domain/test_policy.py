"""Policy as data: a policy file is read and validated, every problem is reported with its line.
Run on the suite's own policy (tests/fixtures/policy.yaml); tests/test_shipped_policy.py pins the
shipped figures."""
import os
from decimal import Decimal

import pytest

from api.domain import policy as pol
from tests.factories import FIXTURE_POLICY, fixture_policy_text


def write(tmp_path, text, name="policy.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


POLICY_FILE = FIXTURE_POLICY  # the policy these tests read: the suite's own
policy_text = fixture_policy_text


def test_time_limit_table_item_overrides_trade_overrides_priority():
    p = pol.load_policy(POLICY_FILE)
    assert p.resolve_hours("normal", "landscaping") == 72
    assert p.resolve_hours("emergency", "engineering") == 4
    assert p.resolve_hours("planned", "engineering") == p["work_orders"]["resolve_hours"]["planned"]
    assert p.resolve_hours("normal", "engineering", item_hours=6) == 6


@pytest.mark.parametrize("old,new,expect,at", [
    ('yuan_per_point: "5.00"', 'yuan_per_point: "-5"', "yuan_per_point", 'yuan_per_point: "-5"'),
    ("timezone: Asia/Shanghai", "timezone: Mars/Olympus", "Unknown time zone", "timezone: Mars"),
    ("    supervisor_percent: 30", "    supervisor_percent: 40", "add up to 100", "supervisor_percent: 40"),
    ("      min_points: 11", "      min_points: 3", "strictly increasing", "  tiers:"),
    ("  transfer_days_kind: calendar", "  transfer_days_kind: lunar", "transfer_days_kind", "kind: lunar"),
    ("  ledger_due_day: 5", "  ledger_due_day: 5\n  ledger_due_hour: 9", "Unknown field", "ledger_due_hour"),
])
def test_each_problem_is_reported_with_file_and_line(tmp_path, old, new, expect, at):
    text = policy_text()
    assert old in text
    bad = text.replace(old, new, 1)
    problems = pol.validate_policy_file(write(tmp_path, bad))
    line = next(n for n, ln in enumerate(bad.splitlines(), 1) if at in ln)
    assert any(p.startswith(f"policy.yaml:{line}:") and expect in p for p in problems), (problems, line)


def test_duplicate_keys_and_broken_yaml_are_reported(tmp_path):
    text = policy_text().replace("timezone: Asia/Shanghai", "timezone: Asia/Shanghai\ntimezone: Asia/Tokyo", 1)
    problems = pol.validate_policy_file(write(tmp_path, text))
    assert any("duplicate key 'timezone'" in p for p in problems)
    problems = pol.validate_policy_file(write(tmp_path, "deductions: [unclosed\n"))
    assert problems and "not valid YAML" in problems[0]
    assert pol.validate_policy_file(tmp_path / "missing.yaml")[0].startswith("missing.yaml:1:")


def test_without_a_database_the_policy_is_the_file_and_follows_it(tmp_path, monkeypatch):
    monkeypatch.setitem(pol._settings, "checklists_dir", str(tmp_path))  # as configure() does
    monkeypatch.setattr(pol, "_bound", lambda: False)  # a plain script: no database bound
    pol.invalidate()
    path = write(tmp_path, policy_text())
    assert pol.current_policy().yuan_per_point == Decimal("5.00")
    path.write_text(policy_text().replace('yuan_per_point: "5.00"', 'yuan_per_point: "10.00"'), encoding="utf-8")
    os.utime(path, ns=(1, 10**18))
    assert pol.current_policy().yuan_per_point == Decimal("10.00")


def test_the_file_becomes_the_first_version_and_later_edits_of_it_change_nothing(app, tmp_path, monkeypatch):
    """With a database, policy.yaml is read once, into the first version; after that the policy
    changes only by a new version (with its date, author and audit), never by editing the file."""
    path = write(tmp_path, policy_text())
    monkeypatch.setattr(pol, "policy_path", lambda: str(path))
    assert pol.current_policy().yuan_per_point == Decimal("5.00")
    path.write_text(policy_text().replace('yuan_per_point: "5.00"', 'yuan_per_point: "10.00"'), encoding="utf-8")
    pol.invalidate()
    assert pol.current_policy().yuan_per_point == Decimal("5.00")
    assert [v[0].isoformat() for v in pol.versions()] == ["2000-01-01"]
