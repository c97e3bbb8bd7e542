"""The holiday calendar a manager enters or imports (官方放假安排, 调休 included).

A year's schedule is a list of days, each a ``holiday`` (off, weekend days inside the break too) or a
``workday`` (a weekend day worked to make up for the break, 调休上班); every other day follows the
ordinary week. Entered rows replace the shipped schedule for their whole year
(``api.domain.workdays`` reads them first). ``chinese_calendar`` supplies the years it ships as the
defaults. From November the console warns when next year is neither entered nor shipped.
"""
import csv
import io
from datetime import date, datetime, timezone

import chinese_calendar

from api.db import db, is_postgres
from api.domain.workdays import entered_schedule, forget_entered
from api.domain.errors import Invalid
from api.models import HolidayDay, HOLIDAY_KINDS

_LOCK_NAMESPACE = 7309  # pg_advisory_xact_lock(namespace, year): one writer of a year at a time
WARN_FROM_MONTH = 11
SHIPPED_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}
KIND_WORDS = {"holiday": "holiday", "假": "holiday", "休": "holiday", "放假": "holiday", "休息": "holiday",
              "节假日": "holiday", "workday": "workday", "班": "workday", "上班": "workday", "调休上班": "workday",
              "补班": "workday", "工作日": "workday"}


def _name(value):
    text = str(getattr(value, "value", value) or "")
    if isinstance(value, tuple):
        text = value[0]
    return SHIPPED_NAMES.get(text, text)


def shipped_schedule(year):
    """The schedule ``chinese_calendar`` ships for ``year`` ([] when it does not cover the year)."""
    days = [{"date": d, "kind": "holiday", "name": _name(n)} for d, n in chinese_calendar.holidays.items()
            if d.year == year]
    days += [{"date": d, "kind": "workday", "name": _name(n)} for d, n in chinese_calendar.workdays.items()
             if d.year == year]
    return sorted(days, key=lambda x: x["date"])


def entered_days(year):
    return [{"date": r.day, "kind": r.kind, "name": r.name}
            for r in HolidayDay.select().where(HolidayDay.year == year).order_by(HolidayDay.day)]


def year_schedule(year):
    """``{"year", "source": entered|shipped|none, "days", "entered_at", "entered_by_id"}``."""
    check_year(year)
    days = entered_days(year)
    if days:
        last = HolidayDay.select().where(HolidayDay.year == year).order_by(HolidayDay.entered_at.desc()).first()
        return {"year": year, "source": "entered", "days": days, "entered_at": last.entered_at,
                "entered_by_id": last.entered_by_id}
    shipped = shipped_schedule(year)
    return {"year": year, "source": "shipped" if shipped else "none", "days": shipped, "entered_at": None,
            "entered_by_id": None}


def year_known(year):
    """Whether the official schedule of ``year`` is known (entered, or shipped with the package)."""
    return entered_schedule(year) is not None or bool(shipped_schedule(year))


def check_year(year, location="path"):
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid({"year": "A year between 2000 and 2100."}, location=location)
    return year


def validate_days(year, days):
    """Plain, checked rows ``[{"date", "kind", "name"}]`` or 422 with the row's index."""
    errors, seen, out = {}, set(), []
    for i, d in enumerate(days):
        day, kind, name = d.get("date"), d.get("kind"), (d.get("name") or "").strip()
        if not isinstance(day, date) or isinstance(day, datetime):
            errors[f"days.{i}.date"] = "A date as YYYY-MM-DD."
            continue
        if day.year != year:
            errors[f"days.{i}.date"] = f"{day.isoformat()} is not in {year}."
        elif day in seen:
            errors[f"days.{i}.date"] = f"{day.isoformat()} is listed twice."
        seen.add(day)
        if kind not in HOLIDAY_KINDS:
            errors[f"days.{i}.kind"] = "holiday or workday."
        elif kind == "workday" and day.weekday() < 5:
            errors[f"days.{i}.kind"] = (f"{day.isoformat()} is a weekday: only a weekend day is made a working "
                                        "day (调休上班).")
        if len(name) > 60:
            errors[f"days.{i}.name"] = "At most 60 characters."
        out.append({"date": day, "kind": kind, "name": name})
    if errors:
        raise Invalid(errors)
    return sorted(out, key=lambda x: x["date"])


def replace_year(year, days, by, now):
    """Replace ``year``'s entered schedule with ``days`` (an empty list: back to the shipped one).
    Inside ``write_tx``; returns ``(before, after)`` for the audit. Concurrent writers of one year are
    serialised (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE), so the last one wins whole."""
    check_year(year)
    rows = validate_days(year, days)
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_NAMESPACE, year))
    before = [_plain(d) for d in entered_days(year)]
    HolidayDay.delete().where(HolidayDay.year == year).execute()
    if rows:
        HolidayDay.insert_many([{"year": year, "day": d["date"], "kind": d["kind"], "name": d["name"],
                                 "entered_by": by.id, "entered_at": now} for d in rows]).execute()
    forget_entered(year)
    return before, [_plain(d) for d in rows]


def _plain(d):
    return {"date": d["date"].isoformat(), "kind": d["kind"], "name": d["name"]}


# --- import --------------------------------------------------------------------------------------

def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        try:
            y, m, d = (int(x) for x in text.split("-"))
            return date(y, m, d)
        except (ValueError, TypeError):
            return text or None


def _rows_from_table(table):
    """[{"date", "kind", "name"}] from rows of cells; a header row (日期/date) is skipped."""
    out = []
    for cells in table:
        cells = [c for c in (list(cells) + [None, None, None])[:3]]
        if all(c in (None, "") for c in cells):
            continue
        first = str(cells[0] or "").strip().lower()
        if first in ("date", "日期"):
            continue
        kind = str(cells[1] or "").strip()
        out.append({"date": _parse_date(cells[0]), "kind": KIND_WORDS.get(kind.lower(), KIND_WORDS.get(kind, kind)),
                    "name": str(cells[2] or "").strip()})
    return out


def parse_import(filename, data):
    """Days from an uploaded .csv (UTF-8, with or without BOM) or .xlsx: columns date, kind, name
    (kind: holiday/workday or 放假/休/上班/班/补班)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a file that is not a workbook
            raise Invalid({"file": "Not a readable .xlsx workbook."}, location="files")
        return _rows_from_table(wb.worksheets[0].iter_rows(values_only=True))
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid({"file": "A CSV file in UTF-8."}, location="files")
        return _rows_from_table(csv.reader(io.StringIO(text)))
    raise Invalid({"file": "A .csv or .xlsx file."}, location="files")


# --- the November warning ----------------------------------------------------------------------

def calendar_status(now, tz):
    """Whether this year's and next year's schedules are known, and whether to warn (from November)."""
    today = now.replace(tzinfo=timezone.utc).astimezone(tz).date()
    nxt = today.year + 1
    this_known, next_known = year_known(today.year), year_known(nxt)
    warn = (today.month >= WARN_FROM_MONTH and not next_known) or not this_known
    missing = [y for y, known in ((today.year, this_known), (nxt, next_known)) if not known]
    return {"today": today, "year": today.year, "year_known": this_known, "next_year": nxt,
            "next_year_known": next_known, "warn": warn, "missing_years": missing,
            "message": HOLIDAYS_MISSING.format(years=", ".join(map(str, missing))) if warn else ""}


# an English message id: the HTTP layer gives it in the caller's language
HOLIDAYS_MISSING = ("The official holiday schedule for {years} is not entered yet: deadlines fall back to ordinary "
                    "weekends.")
