"""The console in the office's words: months a manager works on, empty cells, system notes."""
from datetime import date

import pytest

from console import ui


@pytest.mark.parametrize("today,index", [(date(2026, 4, 1), 1), (date(2026, 4, 5), 1), (date(2026, 4, 6), 0),
                                         (date(2026, 1, 3), 1), (date(2026, 4, 30), 0)])
def test_month_pickers_open_on_last_month_until_the_fifth(today, index):
    """Seed 004 4.1.5: 「管理處每月1-5日匯總上月員工處罰情況報送公司財務部」 — until the 5th, last month is in hand."""
    options = ui.month_options(12, today)
    expected = f"{today.year - 1}-12" if today.month == 1 and index else (
        f"{today.year}-{today.month - index:02d}")
    assert options[ui.working_month_index(today)] == expected


def test_an_empty_cell_is_a_dash_not_none():
    df = ui.frame([{"a": None, "b": 1}, {"a": "x", "b": None}])
    assert df.to_string().count("None") == 0 and df.to_string().count("nan") == 0
    assert list(df["a"]) == ["—", "x"]


def test_a_system_note_shows_in_the_sessions_language():
    assert ui.note_text("上报主管 / escalated to the supervisor", system=True) == "上报主管"
    assert ui.note_text("客户说 A / B 都不行", system=False) == "客户说 A / B 都不行"
