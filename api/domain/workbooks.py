"""Excel (.xlsx) templates, exports and imports of the organisation, one sheet per kind (openpyxl).

A sheet's first row names the columns (Chinese and English: ``工号 Employee no.``); every later row is one
row of the kind's schema (``api.domain.orgrows``). An import is checked row by row — each refusal says the
sheet, row, column and the reason in Chinese and English — and then written all or nothing; rows are
matched by 工号 / code, so importing the same file again changes nothing. An export imports back
unchanged. Text that a spreadsheet would run as a formula (starting with = + - @) is written with a
leading apostrophe, which the import takes off again.
"""
import io
import re
import zipfile
from collections import Counter

from marshmallow import ValidationError, fields
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from peewee import IntegrityError

from api.db import db, write_tx
from api.domain.org import RowError, lock_org, save_row
from api.domain.org_read import rows_for_export, to_rows
from api.domain.orgrows import KIND_ZH, RESPONSIBLE_FIELDS, SCHEMAS, zh_reason

MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NOTES_SHEET = "说明 Notes"


class WorkbookError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header row, too big)."""

    def __init__(self, en, zh):
        super().__init__(en)
        self.en, self.zh = en, zh


def sheet_title(kind):
    return f"{KIND_ZH[kind]} {kind}"


def header(col):
    return f"{col[1]} {col[2]}"


def neutralise(value):
    """A cell's text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _restore(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _cell_out(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return neutralise(",".join(str(v) for v in value)) if value else None
    return neutralise(value)


# --- writing ---------------------------------------------------------------------------------------

def _sheet(wb, kind, rows):
    schema = SCHEMAS[kind]()
    ws = wb.active
    ws.title = sheet_title(kind)
    cols = schema.COLUMNS
    ws.append([header(c) for c in cols])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(header(c)) + 4))
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([_cell_out(row.get(c[0])) if c[0] != "password" else None for c in cols])
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    notes = wb.create_sheet(NOTES_SHEET)
    notes.append(["列 Column", "字段 Field", "必填 Required", "说明 Notes"])
    for cell in notes[1]:
        cell.font = bold
    for c in cols:
        f = schema.fields[c[0]]
        notes.append([header(c), c[0], "是 yes" if f.required else "", c[3]])
    for letter, width in zip("ABCD", (28, 22, 12, 70)):
        notes.column_dimensions[letter].width = width
    return ws


def write_workbook(kind, rows):
    """The rows (as the kind's schema loads them) as an .xlsx file's bytes."""
    wb = Workbook()
    _sheet(wb, kind, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(kind):
    """An empty sheet with the kind's columns and a notes sheet saying what each takes."""
    return write_workbook(kind, [])


def export(kind, site_ids, actor=None):
    return write_workbook(kind, to_rows(kind, rows_for_export(kind, site_ids), actor))


# --- reading ---------------------------------------------------------------------------------------

def _norm(text):
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def _columns(kind, header_cells):
    """Column index -> field name, and problems with the header row."""
    cols = SCHEMAS[kind].COLUMNS
    names = {}
    for c in cols:
        for alias in (c[0], c[1], c[2], header(c)):
            names[_norm(alias)] = c[0]
    mapping, problems = {}, []
    for i, value in enumerate(header_cells):
        if value in (None, ""):
            continue
        text = _norm(value)
        name = names.get(text) or names.get(text.split(" ")[0])
        if name is None:
            problems.append((i, f"Unknown column {value!r}.", f"无法识别的列“{value}”"))
        elif name in mapping.values():
            problems.append((i, f"Column {value!r} appears twice.", f"列“{value}”重复"))
        else:
            mapping[i] = name
    schema = SCHEMAS[kind]()
    for c in cols:
        if schema.fields[c[0]].required and c[0] not in mapping.values():
            problems.append((None, f"The column {header(c)} is missing.", f"缺少必填列“{header(c)}”"))
    return mapping, problems


def _value(field, value):
    value = _restore(value)
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(field, (fields.Integer, fields.Float, fields.Boolean)):
        if isinstance(value, float) and isinstance(field, fields.Integer) and value.is_integer():
            return int(value)
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if value is not None and not isinstance(value, str):
        return str(value)
    return value


def _error(sheet, row, column, field, en, zh):
    return {"sheet": sheet, "row": row, "column": column, "field": field, "reason_zh": zh, "reason": en}


def _open(data):
    if len(data) > MAX_BYTES:
        raise WorkbookError("The file is larger than 10 MB.", "文件超过 10 MB")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise WorkbookError(f"Not an Excel .xlsx file ({type(exc).__name__}).", "不是 Excel .xlsx 文件")
    except Exception as exc:  # openpyxl raises assorted errors on hostile files
        raise WorkbookError(f"Not a readable .xlsx file ({type(exc).__name__}).", "无法读取的 .xlsx 文件")


def read_rows(kind, data, letters=None):
    """The sheet's rows loaded by the kind's schema: ``(sheet, [(row number, dict)], errors)``; ``letters``
    (a dict) is filled with each field's column letter in this file."""
    wb = _open(data)
    try:
        ws = next((w for w in wb.worksheets if w.title.startswith((KIND_ZH[kind], kind))), None)
        ws = ws or next(w for w in wb.worksheets if w.title != NOTES_SHEET)
    except StopIteration:
        raise WorkbookError("The workbook has no sheet.", "工作簿中没有工作表")
    title = ws.title
    rows_iter = ws.iter_rows(values_only=True)
    try:
        head = list(next(rows_iter))
    except StopIteration:
        raise WorkbookError("The sheet is empty: the first row must name the columns.", "工作表为空：第一行应为列名")
    mapping, problems = _columns(kind, head)
    if letters is not None:
        letters.update({name: get_column_letter(i + 1) for i, name in mapping.items()})
    errors = [_error(title, 1, get_column_letter(i + 1) if i is not None else "", None, en, zh)
              for i, en, zh in problems]
    if errors:
        return title, [], errors
    schema = SCHEMAS[kind]()
    out = []
    for number, cells in enumerate(rows_iter, start=2):
        if number - 1 > MAX_ROWS:
            raise WorkbookError(f"More than {MAX_ROWS} rows.", f"超过 {MAX_ROWS} 行")
        if cells is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        raw = {}
        for i, name in mapping.items():
            value = cells[i] if i < len(cells) else None
            value = _value(schema.fields[name], value)
            if name in RESPONSIBLE_FIELDS:
                if value is None:
                    continue  # blank: unchanged
                raw[name] = "" if value == "-" else value
            elif value is not None:
                raw[name] = value
        try:
            out.append((number, schema.load(raw)))
        except ValidationError as exc:
            for name, messages in exc.messages.items():
                col = next((get_column_letter(i + 1) for i, n in mapping.items() if n == name), "")
                for msg in (messages if isinstance(messages, list) else [str(messages)]):
                    errors.append(_error(title, number, col, name, str(msg), zh_reason(str(msg))))
    return title, out, errors


def _staff_order(rows):
    """Staff rows with each supervisor before the people who report to them (within the file)."""
    refs = {}
    for i, (_, d) in enumerate(rows):
        refs[d["employee_no"]] = i
        refs.setdefault(d["username"], i)
    done, order = set(), []

    def visit(i, path):
        if i in done or i in path:
            return
        sup = rows[i][1].get("supervisor")
        if sup in refs:
            visit(refs[sup], path | {i})
        done.add(i)
        order.append(rows[i])

    for i in range(len(rows)):
        visit(i, frozenset())
    return order


def import_workbook(kind, data, actor, *, dry_run=False, password=None, audit_fn=None, progress=None):
    """Check every row, then write them all or none. Returns counts and errors; with errors or
    ``dry_run`` nothing is written."""
    columns = {}  # field -> its column letter in this file
    title, rows, errors = read_rows(kind, data, columns)
    counts = Counter()
    if kind == "staff":
        rows = _staff_order(rows)
    for attempt in range(3):
        counts.clear()
        row_errors = []
        try:
            with write_tx() as tx:
                lock_org()
                for number, d in rows:
                    try:
                        with db.atomic():  # a savepoint: a refused row leaves the transaction usable
                            action, _ = save_row(kind, d, actor, audit_fn=audit_fn, password=password, adopt=True)
                        counts["updated" if action == "deactivated" else action] += 1
                    except RowError as exc:
                        row_errors.append(_error(title, number, columns.get(exc.field, ""), exc.field or None,
                                                 exc.en, exc.zh))
                    if progress:
                        progress(1)
                if errors or row_errors or dry_run:
                    tx.rollback()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    errors = sorted(errors + row_errors, key=lambda e: (e["row"], e["column"]))
    return {"kind": kind, "sheet": title, "rows": len(rows), "dry_run": bool(dry_run),
            "written": not errors and not dry_run,
            "created": counts["created"], "updated": counts["updated"], "unchanged": counts["unchanged"],
            "errors": errors}
