"""The statistics page: KPIs read from the rollup, and the 以下评上 form for the community's own staff."""

import datetime as dt

from django.utils import timezone

from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.stats.kpis import Selection, scan_kpis
from wangge.tickets.models import UnitAssessment


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
