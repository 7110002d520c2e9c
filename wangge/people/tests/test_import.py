"""Registry import: bad rows reported with row, column and reason; all-or-nothing or --skip-bad."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from wangge.areas.models import Area, Level
from wangge.conftest import DEMO_GRID, OTHER_STREET
from wangge.lib.idcard import make_id_number
from wangge.lib.sheets import write_table
from wangge.people.models import Household, RegistryChange, Resident
from wangge.people.registry import FIELD_LABELS
from wangge.people.transfer import export_rows, import_registry

HEADER = list(FIELD_LABELS.values())


def unit_code(prefix: str = DEMO_GRID) -> str:
    return Area.objects.filter(code__startswith=prefix, level=Level.UNIT).order_by("code").first().code  # type: ignore[union-attr]


def row(area: str, door: str, name: str, id_number: str, **extra: str) -> list[str]:
    values = {"area": area, "door_no": door, "name": name, "id_number": id_number, **extra}
    return [values.get(key, "") for key in FIELD_LABELS]


def csv_bytes(rows: list[list[str]]) -> bytes:
    return write_table([HEADER, *rows], fmt="csv")


def good_rows(n: int, area: str) -> list[list[str]]:
    return [
        row(
            area,
            f"9{i:02d}",
            f"测试居民{i}",
            make_id_number("210104", dt.date(1960, 1, 1 + i), 10 + i),
            phone="13900000000",
            care_tags="慢性病、低保户",
            care_level="黄",
            relation="户主",
        )
        for i in range(n)
    ]


def test_bad_rows_are_reported_and_nothing_is_written(actor) -> None:  # type: ignore[no-untyped-def]
    area = unit_code()
    rows = good_rows(3, area)
    rows.insert(1, row(area, "801", "", "123"))  # row 3: name empty, bad ID
    rows.append(
        row(
            "999999",
            "802",
            "王五",
            make_id_number("210104", dt.date(1970, 5, 5), 1),
            phone="12345",
            care_tags="不存在的标签",
        )
    )  # row 6
    before = (Household.objects.count(), Resident.objects.count(), RegistryChange.objects.count())
    report = import_registry(name="r.csv", content=csv_bytes(rows), actor=actor("community"))
    assert not report.written
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "姓名"),
        (3, "身份证号"),
        (6, "楼栋单元编码"),
        (6, "联系电话"),
        (6, "关爱标签"),
    }
    assert "校验" in next(e.reason for e in report.errors if e.column == "身份证号") or "18位" in next(
        e.reason for e in report.errors if e.column == "身份证号"
    )
    assert str(report.errors[0]).startswith("第3行")
    assert (Household.objects.count(), Resident.objects.count(), RegistryChange.objects.count()) == before


def test_skip_bad_writes_the_good_rows_with_history(actor) -> None:  # type: ignore[no-untyped-def]
    area = unit_code()
    rows = good_rows(3, area)
    rows.insert(0, row(area, "801", "坏行", "210104199913131234"))
    report = import_registry(name="r.csv", content=csv_bytes(rows), actor=actor("community"), skip_bad=True)
    assert report.written and report.residents_created == 3 and report.households_created == 3
    assert [e.row for e in report.errors] == [2]
    created = Resident.objects.filter(name__startswith="测试居民")
    assert created.count() == 3
    first = created.order_by("id").first()
    assert first.care_level == "yellow" and {t.name for t in first.care_tags.all()} == {"慢性病", "低保户"}  # type: ignore[union-attr]
    assert first.phone == "13900000000" and "13900000000" not in first.phone_encrypted  # type: ignore[union-attr]
    change = RegistryChange.objects.get(kind="resident", object_id=first.pk)  # type: ignore[union-attr]
    assert change.actor.username == "community" and change.source == "import"  # type: ignore[union-attr]
    assert change.changes["id_number"] == ["*", "*"]  # never the number itself


def test_reimport_updates_and_records_what_changed(actor) -> None:  # type: ignore[no-untyped-def]
    area = unit_code()
    rows = good_rows(2, area)
    import_registry(name="r.csv", content=csv_bytes(rows), actor=actor("community"))
    rows[0][HEADER.index("关爱等级")] = "红"
    report = import_registry(name="r.csv", content=csv_bytes(rows), actor=actor("community"))
    assert report.written and report.residents_created == 0 and report.residents_updated == 2
    resident = Resident.objects.get(name="测试居民0")
    update = RegistryChange.objects.filter(kind="resident", object_id=resident.pk, action="update").get()
    assert update.changes == {"care_level": ["yellow", "red"]}


def test_import_outside_scope_and_duplicate_rows(actor) -> None:  # type: ignore[no-untyped-def]
    rows = good_rows(2, unit_code(OTHER_STREET))
    rows.append(list(rows[0]))
    report = import_registry(name="r.csv", content=csv_bytes(rows), actor=actor("gridworker"))
    assert not report.written
    assert {(e.row, e.column) for e in report.errors} >= {(2, "楼栋单元编码"), (4, "身份证号")}


def test_xlsx_round_trip_and_masked_export(actor) -> None:  # type: ignore[no-untyped-def]
    area = unit_code()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)  # type: ignore[union-attr]
    for r in good_rows(2, area):
        sheet.append(r)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    report = import_registry(name="r.xlsx", content=out.getvalue(), actor=None)
    assert report.written and report.residents_created == 2
    exported = write_table(export_rows(Resident.objects.filter(name__startswith="测试居民")), fmt="xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert list(rows[0]) == HEADER and len(rows) == 3
    assert rows[1][HEADER.index("身份证号")].count("*") == 10  # type: ignore[union-attr]
    assert rows[1][HEADER.index("联系电话")] == "139****0000"


def test_unreadable_files_and_missing_columns(db) -> None:  # type: ignore[no-untyped-def]
    from wangge.people.transfer import ImportFileError

    with pytest.raises(ImportFileError, match="缺少必需的列"):
        import_registry(name="r.csv", content="姓名\n张三\n".encode(), actor=None)
    with pytest.raises(ImportFileError, match="格式"):
        import_registry(name="r.txt", content=b"x", actor=None)
    with pytest.raises(ImportFileError, match="Excel"):
        import_registry(name="r.xlsx", content=b"not a zip", actor=None)


def test_command_refuses_then_skips_bad(tmp_path, actor, capsys) -> None:  # type: ignore[no-untyped-def]
    area = unit_code()
    rows = [*good_rows(2, area), row(area, "1", "坏", "1")]
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_registry", str(path), "--user", "community")
    assert not Resident.objects.filter(name__startswith="测试居民").exists()
    call_command("import_registry", str(path), "--user", "community", "--skip-bad")
    assert "第4行 身份证号" in capsys.readouterr().err
    assert Resident.objects.filter(name__startswith="测试居民").count() == 2


def test_web_import_page_reports_rows(client_for) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    area = unit_code()
    upload = SimpleUploadedFile("r.csv", csv_bytes([*good_rows(1, area), row(area, "", "无门牌", "")]))
    page = client_for("gridworker").post("/registry/import/", {"file": upload}).content.decode()
    assert "未导入" in page and "第3行" in page and "门牌号" in page
    assert not Resident.objects.filter(name__startswith="测试居民").exists()
    missing = client_for("gridworker").post("/registry/import/", {})
    assert missing.status_code == 422 and "请选择" in missing.content.decode()
