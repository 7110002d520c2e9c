"""The statistics page: KPIs read from the rollup, and the 以下评上 form for the community's own staff."""

import datetime as dt
import io
import re

import openpyxl
from django.utils import timezone

from wangge.accounts.models import User
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.demo.tickets import build_demo_tickets
from wangge.stats.kpis import Selection, scan_kpis
from wangge.tickets import worklists
from wangge.tickets.models import Ticket, UnitAssessment


def test_community_staff_rate_a_unit_from_the_page(client_for, unit_that_served) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    page = client.get(f"/stats/{DEMO_COMMUNITY}/").content.decode()
    assert "以下评上" in page and unit_that_served.name in page and "未评" in page
    url = f"/stats/{DEMO_COMMUNITY}/assess/"
    form = {"unit": unit_that_served.pk, "period": "2026", "score": "1", "comment": ""}
    refused = client.post(url, form)
    assert refused.status_code == 422 and "请写明原因" in refused.content.decode()
    assert client.post(url, {**form, "period": "去年"}).status_code == 422
    assert client.post(url, {**form, "unit": "x"}).status_code == 422
    done = client.post(url, {**form, "comment": "吹哨两次未报到"})
    assert done.status_code == 302
    rating = UnitAssessment.objects.get(unit=unit_that_served)
    assert (rating.score, rating.comment, rating.assessor.username) == (1, "吹哨两次未报到", "community")
    assert "吹哨两次未报到" in client.get(f"/stats/{DEMO_COMMUNITY}/").content.decode()


def test_others_see_no_form_and_cannot_post(client_for, unit_that_served) -> None:  # type: ignore[no-untyped-def]
    worker = client_for("gridworker")
    assert "以下评上 ·" not in worker.get(f"/stats/{DEMO_GRID}/").content.decode()
    form = {"unit": unit_that_served.pk, "period": "2026", "score": "5"}
    assert worker.post(f"/stats/{DEMO_GRID}/assess/", form).status_code == 403
    assert client_for("community").post("/stats/210104002/assess/", form).status_code == 404  # out of scope
    assert client_for("community").get(f"/stats/{DEMO_COMMUNITY}/assess/").status_code == 405
    assert not UnitAssessment.objects.exists()


def test_the_page_reads_whole_days_from_the_rollup(
    client_for, new_ticket, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    new_ticket()
    client = client_for("community")
    with django_assert_max_num_queries(40):
        page = client.get(f"/stats/{DEMO_COMMUNITY}/?period=year")
    today = timezone.localdate()
    selection = Selection.days(area=DEMO_COMMUNITY, first=today - dt.timedelta(days=364))
    assert selection.rollup_rows() is not None
    assert page.context["kpi"].submitted == scan_kpis(selection.tickets()).submitted == 1


def test_overdue_is_one_number_on_the_statistics_the_workbench_and_the_four_lists(  # type: ignore[no-untyped-def]
    client_for, new_ticket
) -> None:
    """The page counted 超时 over the 30 days' tickets only (22) while the workbench and the four lists
    counted every open ticket (93): an overdue ticket submitted 40 days ago is overdue everywhere."""
    old, recent, on_time = new_ticket(title="老问题"), new_ticket(title="新问题"), new_ticket(title="未到期")
    now = timezone.now()
    Ticket.objects.filter(pk=old.pk).update(
        submitted_at=now - dt.timedelta(days=40), claim_deadline=now - dt.timedelta(days=39)
    )
    Ticket.objects.filter(pk=recent.pk).update(claim_deadline=now - dt.timedelta(hours=1))
    client = client_for("community")
    stats = client.get(f"/stats/{DEMO_COMMUNITY}/").context["kpi"].overdue
    lists = client.get(f"/areas/{DEMO_COMMUNITY}/lists/").context["overdue_count"]
    workbench = worklists.queue(User.objects.get(username="community"), "overdue").count()
    assert stats == lists == workbench == 2
    assert on_time.pk not in worklists.queue(User.objects.get(username="community"), "overdue").values_list(
        "pk", flat=True
    )


def test_figures_read_as_people_write_them_and_every_area_links_here(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    build_demo_tickets(count=1500, seed=2)
    client = client_for("street")
    page = client.get(f"/stats/{DEMO_COMMUNITY[:9]}/").content.decode()
    figures = page[page.index('class="kpi-grid"') : page.index("</dl>")]
    assert re.search(r"<dd[^>]*>\d{1,3}(\.\d)?%</dd>", figures)  # 81.9%
    assert re.search(r"<dd[^>]*>(\d+天)?(\d+小时)?\d*分钟?</dd>|<dd[^>]*>\d+天\d+小时</dd>", figures)
    assert not re.search(r">0\.\d{2,}<", page)  # no 0.7719
    assert f'href="/stats/{DEMO_COMMUNITY}/"' in client.get(f"/areas/{DEMO_COMMUNITY}/").content.decode()


def test_the_page_has_its_trend_channels_and_categories(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        new_ticket(channel="h5")
    new_ticket(title="路灯不亮", channel="phone", by="community")
    page = client_for("district").get("/stats/210104/")
    charts = page.context["charts"]
    assert (
        charts["trend"][-1]["at"] == timezone.localdate().isoformat()
        and charts["trend"][-1]["submitted"] == 3
    )
    assert len(charts["trend"]) == 30 and not charts["by_month"]
    assert charts["channels"] == [{"name": "指尖办(H5)", "n": 2}, {"name": "电话", "n": 1}]
    html = page.content.decode()
    assert 'id="trend-chart"' in html and 'data-testid="channel-table"' in html and "导出Excel" in html
    year = client_for("district").get("/stats/210104/?period=year").context["charts"]
    assert year["by_month"] and len(year["trend"]) in (12, 13) and year["trend"][-1]["submitted"] == 3


def test_every_table_exports_to_excel(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    new_ticket()
    new_ticket(channel="phone", by="community")
    answer = client_for("street").get("/stats/210104001/export.xlsx?period=year")
    assert answer.status_code == 200 and answer["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["主要指标", "下级区域", "渠道", "类别", "主办单位", "承办单位（以下评上）"]
    summary = {row[0]: row[1] for row in book["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert summary["提交量"] == 2
    channels = {row[0]: row[1] for row in book["渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels == {"指尖办(H5)": 1, "电话": 1}
    assert client_for("street").get("/stats/210104002/export.xlsx").status_code == 404
