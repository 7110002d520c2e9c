"""12345 export import: mapping, grid from the address, idempotence, row errors, all-or-nothing."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.people.transfer import ImportFileError
from wangge.tickets.hotline import import_hotline
from wangge.tickets.models import Ticket

HEADER = ["工单编号", "来电时间", "来电人", "联系电话", "地址", "诉求内容", "诉求类型", "紧急程度"]


def community_address() -> str:
    community = Area.objects.get(code=DEMO_COMMUNITY)
    building = Area.objects.filter(code__startswith=DEMO_GRID, level="building").order_by("code")[0]
    return f"大东区{community.parent.name}{community.name}{building.name}2单元501"


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_finds_grids_and_twice_creates_nothing_twice(db) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    address = community_address()
    content = xlsx(
        [
            [
                "GD001",
                dt.datetime(2026, 11, 20, 9, 15),
                "王女士",
                "13912345678",
                address,
                "楼上漏水到我家卫生间。已多次沟通",
                "房屋漏水",
                "紧急",
            ],
            ["GD002", "2026-11-20 10:30", "李先生", "", address, "小区垃圾三天没清运", "市容环卫", "一般"],
        ]
    )
    first = import_hotline(name="12345.xlsx", content=content, actor=None)
    assert (first.created, first.already_imported, first.uncategorised, first.written) == (2, 0, 1, True)
    leak = Ticket.objects.get(external_id="GD001")
    assert leak.channel == "12345" and leak.area.code.startswith(DEMO_GRID) and leak.urgency == "urgent"
    assert leak.title == "楼上漏水到我家卫生间" and leak.category.name == "房屋漏水"
    assert leak.masked_contact_phone == "139****5678" and timezone.localtime(leak.submitted_at).hour == 9
    again = import_hotline(name="12345.xlsx", content=content, actor=None)
    assert (again.created, again.already_imported) == (0, 2) and Ticket.objects.count() == 2


def test_bad_rows_are_reported_and_nothing_is_written(db) -> None:  # type: ignore[no-untyped-def]
    address = community_address()
    content = xlsx(
        [
            ["GD010", "2026-11-20 08:00", "张", "138", address, "路灯不亮", "", "一般"],
            ["", "昨天", "赵", "abc", "火星基地", "", "", "很急"],
        ]
    )
    report = import_hotline(name="x.xlsx", content=content, actor=None)
    assert not report.written and Ticket.objects.count() == 0
    reasons = {(e.row, e.column) for e in report.errors}
    assert {(3, "工单编号"), (3, "来电时间"), (3, "联系电话"), (3, "诉求内容"), (3, "紧急程度")} <= reasons
    partial = import_hotline(name="x.xlsx", content=content, actor=None, skip_bad=True)
    assert partial.written and partial.created == 1 and Ticket.objects.count() == 1


def test_mapping_csv_in_gbk_and_default_area(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "编号,时间,内容,位置\nA-1,2026-11-21 07:00,暖气不热,某某路\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(CommandError):
        call_command("import_hotline", str(path))  # 工单编号 … columns missing
    with pytest.raises(CommandError):
        call_command(
            "import_hotline",
            str(path),
            "--map",
            "external_id=编号",
            "--map",
            "submitted_at=时间",
            "--map",
            "description=内容",
            "--map",
            "address=位置",
        )  # the address names no place
    call_command(
        "import_hotline",
        str(path),
        "--map",
        "external_id=编号",
        "--map",
        "submitted_at=时间",
        "--map",
        "description=内容",
        "--map",
        "address=位置",
        "--default-area",
        DEMO_COMMUNITY,
    )
    ticket = Ticket.objects.get(external_id="A-1")
    assert ticket.area.code == DEMO_COMMUNITY and ticket.level == "community"


def test_unreadable_files_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError):
        import_hotline(name="x.pdf", content=b"%PDF", actor=None)
    with pytest.raises(ImportFileError):
        import_hotline(name="x.csv", content=b"", actor=None)
    with pytest.raises(ImportFileError):
        import_hotline(name="x.csv", content=b"a,b\n1,2\n", actor=None, mapping={"nonsense": "a"})
