"""Spreadsheet cells safe to open in Excel and WPS: text from users never becomes a formula.

A building, a room, a staff name or a masked name such as ``=**`` written as it is would be taken
for a formula (CSV/DDE injection; or a file Excel calls damaged). In a workbook every text cell is
stored as text, whatever it starts with; in a CSV a text starting with ``= + - @``, a tab or a
carriage return gets a leading apostrophe (OWASP's advice), which Excel and WPS show as text.
Numbers the product writes (``-15.00``) stay numbers.
"""
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_cell(value):
    """A CSV field that a spreadsheet shows as written, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_row(values):
    return [csv_cell(v) for v in values]


def append_text_safe(ws, values):
    """``ws.append(values)``, with every text cell kept as text (openpyxl would store ``=...`` as a formula)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    return ws.max_row
