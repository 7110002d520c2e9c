"""Spreadsheets we hand out (xlsx and csv): every cell goes through `safe_cell` on its way out.

A cell a resident typed that starts with = + - @ (or a tab or carriage return) would open in Excel or WPS as
a live formula (CSV/formula injection: `=HYPERLINK(...)` leaks data, `=cmd|...` runs commands on old
versions). Such text gets a leading apostrophe, the spreadsheet's own mark for "this is text"; numbers and
dates stay numbers and dates.
"""

import csv
import io
from collections.abc import Iterable

import openpyxl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # its content type


def safe_cell(value: object) -> object:
    """The value itself, or text that no spreadsheet will evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_book(sheets: Iterable[tuple[str, Iterable[list]]]) -> bytes:
    """An xlsx workbook with one sheet per (title, rows)."""
    book = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_table(rows: Iterable[list], *, fmt: str, title: str = "Sheet1") -> bytes:
    """One table as csv (UTF-8 with a BOM, so that Excel opens it as UTF-8) or as a one-sheet xlsx."""
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([safe_cell(v) for v in row] for row in rows)
        return out.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return write_book([(title, rows)])
    raise ValueError(f"unknown export format {fmt!r}")
