"""12345 export import: mapping, grid from the address, idempotence, row errors, all-or-nothing."""

import io
import threading
from collections.abc import Sequence

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connections
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


def xlsx(rows: Sequence[Sequence[object]], header: list[str] = HEADER) -> bytes:
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


def test_one_file_imported_twice_at_once_is_written_once(committed_city) -> None:  # type: ignore[no-untyped-def]
    """Two staff upload the same export at the same moment: one import writes it; the other skips every
    row as already imported or, when both checked before either wrote, writes nothing and says so."""
    address = community_address()
    rows = [[f"GD-TWICE-{i}", "2026-11-20 10:30", "", "", address, "路灯不亮", "", ""] for i in range(20)]
    content = xlsx(rows)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def upload() -> None:
        try:
            barrier.wait()
            report = import_hotline(name="12345.xlsx", content=content, actor=None)
            outcomes.append(f"created {report.created}, skipped {report.already_imported}")
        except ImportFileError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "created 20, skipped 0" in outcomes and len(outcomes) == 2, outcomes
    other = next(o for o in outcomes if o != "created 20, skipped 0")
    assert other == "created 0, skipped 20" or "另一次导入" in other, outcomes
    assert Ticket.objects.filter(external_id__startswith="GD-TWICE-").count() == 20


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


def test_values_longer_than_a_ticket_holds_are_bad_rows_not_cut(db) -> None:  # type: ignore[no-untyped-def]
    """A 工单编号 over 60 characters would be stored cut and then never match itself on the next import; a
    description over 4,000 characters would lose what the caller said. Both are reported, neither is cut."""
    address = community_address()
    long_id = "GD" + "7" * 70
    long_text = "楼上漏水" * 1001
    content = xlsx(
        [
            [long_id, "2026-11-20 08:00", "张", "", address, "路灯不亮", "", "一般"],
            ["GD011", "2026-11-20 08:00", "王", "", address, long_text, "", "一般"],
            ["GD012", "2026-11-20 08:00", "李", "", address, "井盖松动", "", "一般"],
        ]
    )
    report = import_hotline(name="x.xlsx", content=content, actor=None, skip_bad=True)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert set(reasons) == {(2, "工单编号"), (3, "诉求内容")}
    assert "不能超过60个字" in reasons[(2, "工单编号")] and "不能超过4000个字" in reasons[(3, "诉求内容")]
    assert list(Ticket.objects.values_list("external_id", flat=True)) == ["GD012"]
    again = import_hotline(name="x.xlsx", content=content, actor=None, skip_bad=True)
    assert again.already_imported == 1 and again.created == 0 and len(again.errors) == 2


def test_mapping_csv_in_gbk_and_default_area(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "编号,时间,内容,位置\nA-1,2026-11-21 07:00,暖气不热,某某路\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(CommandError):
        call_command("import_hotline", str(path))  # 工单编号 … columns missing
    mapped = [str(path)]
    for item in ("external_id=编号", "submitted_at=时间", "description=内容", "address=位置"):
        mapped += ["--map", item]
    with pytest.raises(CommandError):
        call_command("import_hotline", *mapped)  # the address names no place
    call_command("import_hotline", *mapped, "--default-area", DEMO_COMMUNITY)
    ticket = Ticket.objects.get(external_id="A-1")
    assert ticket.area.code == DEMO_COMMUNITY and ticket.level == "community"


def test_unreadable_files_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError):
        import_hotline(name="x.pdf", content=b"%PDF", actor=None)
    with pytest.raises(ImportFileError):
        import_hotline(name="x.csv", content=b"", actor=None)
    with pytest.raises(ImportFileError):
        import_hotline(name="x.csv", content=b"a,b\n1,2\n", actor=None, mapping={"nonsense": "a"})


def test_the_upload_page_imports_into_the_users_own_areas(client_for) -> None:  # type: ignore[no-untyped-def]
    """Community staff upload the export from the workbench; rows outside their community are refused."""
    client = client_for("community")
    assert "导入12345工单" in client.get("/tickets/").content.decode()
    page = client.get("/tickets/import/").content.decode()
    assert "12345 工单导入" in page and "工单编号" in page
    other = Area.objects.filter(level="community").exclude(code=DEMO_COMMUNITY).order_by("code")[0]
    rows = [
        ["W1", "2026-11-20 09:15", "王女士", "13912345678", community_address(), "楼道灯坏了", "", "一般"],
        ["W2", "2026-11-20 09:20", "李先生", "", f"{other.parent.name}{other.name}", "路灯不亮", "", "一般"],
    ]
    upload = io.BytesIO(xlsx(rows))
    upload.name = "12345.xlsx"
    refused = client.post("/tickets/import/", {"file": upload})
    body = refused.content.decode()
    assert refused.status_code == 200 and "未导入" in body and "不在你的辖区内" in body and "第3行" in body
    assert not Ticket.objects.filter(channel="12345").exists()
    upload.seek(0)
    done = client.post("/tickets/import/", {"file": upload, "skip_bad": "on"})
    assert "新建诉求1件" in done.content.decode()
    assert list(Ticket.objects.filter(channel="12345").values_list("external_id", flat=True)) == ["W1"]


def test_the_upload_page_names_bad_input(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    assert client.post("/tickets/import/", {}).status_code == 422
    renamed = io.BytesIO(
        xlsx([["R1", "", "", "", community_address(), "井盖松动", "", ""]], ["编号", *HEADER[1:]])
    )
    renamed.name = "export.xlsx"
    missing = client.post("/tickets/import/", {"file": renamed})
    assert missing.status_code == 422 and "缺少必需的列：工单编号" in missing.content.decode()
    renamed.seek(0)
    mapped = client.post("/tickets/import/", {"file": renamed, "map_external_id": "编号"})
    assert mapped.status_code == 200 and Ticket.objects.filter(external_id="R1").exists()
    wrong_area = client.post("/tickets/import/", {"file": renamed, "default_area": "210104002"})
    assert wrong_area.status_code == 422 and "默认区域" in wrong_area.content.decode()
    assert client_for("gridworker").get("/tickets/import/").status_code == 404
    assert client_for("resident").get("/tickets/import/").status_code == 404
