"""导出Excel of the three lists (issue 21): a summary and one sheet per list, formulas neutralised, for the
area's staff only."""

import io

import openpyxl

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY
from wangge.lists.actions import do_post_need, do_post_offer


def test_the_workbook_of_an_areas_lists(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    here = Area.objects.get(code=DEMO_COMMUNITY)
    staff = actor("community")
    do_post_need(area=here, topic="repair", title='=HYPERLINK("http://x")楼道灯', actor=staff, people=12)
    do_post_offer(
        area=here, topic="repair", kind="skill", title="电工义务维修", actor=actor("unit"), capacity=3
    )
    response = client_for("community").get(f"/lists/{DEMO_COMMUNITY}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "需求清单", "资源清单", "项目清单"]
    summary = list(book["汇总"].values)
    assert summary[1][:3] == ("需求清单", 1, 1) and summary[2][:2] == ("资源清单", 1)
    need = list(book["需求清单"].values)[1]
    assert need[3].startswith("'=HYPERLINK") and need[4] == 12
    assert client_for("volunteer").get(f"/lists/{DEMO_COMMUNITY}/export.xlsx").status_code == 404
    assert client_for("community").get("/lists/210104002/export.xlsx").status_code == 404
