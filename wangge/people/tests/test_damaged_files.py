"""A damaged spreadsheet gets a clear error naming the file on both import pages, never an HTTP 500: one
whose sheet XML is cut short opens fine and fails only while its rows are read."""

import io
import zipfile

import openpyxl
import pytest

from wangge.people.transfer import ImportFileError, read_table


def cut_short() -> bytes:
    """A real workbook of 500 rows whose sheet XML stops half-way through a row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工单编号", "诉求内容"])
    for i in range(500):
        sheet.append([f"C{i}", "楼道灯坏了，晚上看不见路"])
    whole = io.BytesIO()
    book.save(whole)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return out.getvalue()


def test_reading_a_cut_short_sheet_names_the_file() -> None:
    with pytest.raises(ImportFileError, match=r"坏表\.xlsx"):
        list(read_table("坏表.xlsx", cut_short()))


@pytest.mark.parametrize("page", ["/tickets/import/", "/registry/import/"])
def test_both_import_pages_answer_with_the_files_name(client_for, page) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(cut_short())
    upload.name = "坏表.xlsx"
    response = client_for("community").post(page, {"file": upload})
    body = response.content.decode()
    assert response.status_code == 422 and "坏表.xlsx" in body and "已损坏或不完整" in body
