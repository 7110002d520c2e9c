"""未诉先办 (X3) in the loop: hotspots read from real tickets with planted patterns, on the statistics page
and the API, scoped, and turned into planned actions (tickets of channel "proactive")."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.routing.actions import do_plan_hotspot
from wangge.routing.hotspots import from_record
from wangge.routing.models import HotspotReading
from wangge.routing.proactive import hotspots_in, read_hotspots, renew_readings
from wangge.routing.tests.planted_history import LATE_SEASON, ONE_OFF, RISING, SEASON, planted_history
from wangge.tickets.actions import TicketInputError, WorkflowError
from wangge.tickets.models import Category, Channel, Status, Ticket

NOISE = 10


def _local(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def series(db) -> dict:  # type: ignore[no-untyped-def]
    """Planted key -> (grid, category): the season and the rising problem in the demo grid, the rest in
    the next grid of the demo community, the season again in a grid of the other street."""
    grids = list(Area.objects.filter(parent__code=DEMO_COMMUNITY, level="grid").order_by("code")[:2])
    far = Area.objects.filter(code__startswith=OTHER_STREET, level="grid").order_by("code").first()
    leaves = list(Category.objects.filter(children=None).order_by("code")[: NOISE + 4])
    assert grids[0].code == DEMO_GRID and far is not None and len(leaves) == NOISE + 4
    found = {
        SEASON: (grids[0], leaves[0]),
        RISING: (grids[0], leaves[1]),
        ONE_OFF: (grids[1], leaves[2]),
        LATE_SEASON: (grids[1], leaves[3]),
        "far-season": (far, leaves[0]),
    }
    found |= {f"noise-{i}": (grids[i % 2], leaves[4 + i]) for i in range(NOISE)}
    return found


@pytest.fixture
def history(series) -> list:  # type: ignore[no-untyped-def]
    """The planted rows as tickets, one per report, submitted at noon of their day."""
    today = timezone.localdate()
    rows = planted_history(today=today, noise=NOISE, seed=3)
    rows += [("far-season", d, n) for k, d, n in rows if k == SEASON]
    tickets = []
    for key, day, n in rows:
        grid, category = series[key]
        for _ in range(n):
            tickets.append(
                Ticket(
                    title=category.name,
                    description=f"{grid.name}{category.name}",
                    channel=Channel.H5,
                    area=grid,
                    area_code=grid.code,
                    category=category,
                    status=Status.CLOSED,
                    submitted_at=_local(day),
                )
            )
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    return rows


def _found(area_code: str) -> dict:
    return {(s.area.code, s.category.code): s for s in hotspots_in(Area.objects.get(code=area_code))}


def _count(grid: Area, category: Category, first: dt.date, last: dt.date) -> int:
    """The evidence, counted straight from the tickets."""
    return Ticket.objects.filter(
        area=grid,
        category=category,
        submitted_at__gte=_local(first, 0),
        submitted_at__lt=_local(last + dt.timedelta(days=1), 0),
    ).count()


def test_the_planted_problems_are_found_with_their_evidence(history, series) -> None:  # type: ignore[no-untyped-def]
    found = _found("210104")
    grid, heating = series[SEASON]
    season = found[(grid.code, heating.code)]
    assert season.hotspot.recurring is not None and season.hotspot.rising is None
    for year in season.hotspot.recurring.years:
        assert year.reports == _count(grid, heating, year.start, year.end) > 2 * year.usual
    assert any(str(year.start.year) in season.reasons[0] for year in season.hotspot.recurring.years)
    grid, category = series[RISING]
    rising = found[(grid.code, category.code)].hotspot.rising
    assert rising is not None and rising.reports == _count(grid, category, rising.start, rising.end)
    assert rising.baseline_reports == _count(grid, category, rising.baseline_start, rising.baseline_end)
    for key in (ONE_OFF, LATE_SEASON):
        grid, category = series[key]
        assert (grid.code, category.code) not in found
    far, _ = series["far-season"]
    assert (far.code, heating.code) in found  # the same season in the other street
    assert (far.code, heating.code) not in _found(DEMO_COMMUNITY)  # ... is not the community's


def test_rejected_merged_and_planned_tickets_are_not_counted(history, series) -> None:  # type: ignore[no-untyped-def]
    grid, category = series[RISING]
    before = _found(DEMO_GRID)[(grid.code, category.code)].hotspot.rising
    assert before is not None
    recent = Ticket.objects.filter(area=grid, category=category, submitted_at__gte=_local(before.start, 0))
    ids = list(recent.order_by("pk").values_list("pk", flat=True)[:3])
    Ticket.objects.filter(pk=ids[0]).update(status=Status.MERGED)
    Ticket.objects.filter(pk=ids[1]).update(status=Status.REJECTED)
    Ticket.objects.filter(pk=ids[2]).update(channel=Channel.PROACTIVE)
    assert _found(DEMO_GRID)[(grid.code, category.code)].hotspot.rising == before  # today's reading stands
    read_hotspots(DEMO_GRID, today=timezone.localdate())  # the next reading (the worker's, or tomorrow's)
    after = _found(DEMO_GRID)[(grid.code, category.code)].hotspot.rising
    assert after is not None and after.reports == before.reports - 3


def test_staff_turn_a_hotspot_into_a_planned_action_once(history, series, actor) -> None:  # type: ignore[no-untyped-def]
    grid, heating = series[SEASON]
    before = _found(DEMO_COMMUNITY)[(grid.code, heating.code)].hotspot
    ticket = do_plan_hotspot(area=grid, category=heating, actor=actor("gridworker"), note="入冬前排查管网")
    assert ticket.channel == Channel.PROACTIVE and ticket.status == Status.NEW
    assert ticket.area == grid and ticket.category == heating
    assert "季节性" in ticket.description and "安排：入冬前排查管网" in ticket.description
    assert ticket.events.filter(action="submit").count() == 1
    suggestion = _found(DEMO_COMMUNITY)[(grid.code, heating.code)]
    assert suggestion.planned == ticket
    assert suggestion.hotspot == before  # the planned action is not one more report
    with pytest.raises(WorkflowError, match=ticket.number):
        do_plan_hotspot(area=grid, category=heating, actor=actor("community"))
    quiet = Category.objects.filter(children=None).exclude(pk__in=[c.pk for _, c in series.values()]).first()
    assert quiet is not None
    with pytest.raises(TicketInputError) as refused:
        do_plan_hotspot(area=grid, category=quiet, actor=actor("community"))
    assert refused.value.field == "category"
    with pytest.raises(WorkflowError):
        do_plan_hotspot(area=grid, category=series[RISING][1], actor=actor("unit"))  # a unit does not plan
    assert Ticket.objects.filter(channel=Channel.PROACTIVE).count() == 1


def test_the_api_lists_hotspots_and_plans_one(history, series, client_for) -> None:  # type: ignore[no-untyped-def]
    api = client_for("community")
    listed = api.get("/api/v1/hotspots", {"area": DEMO_COMMUNITY}).json()
    grid, heating = series[SEASON]
    season = next(
        h for h in listed if h["area"]["code"] == grid.code and h["category"]["code"] == heating.code
    )
    assert season["kinds"] == ["recurring"] and season["planned"] is None and len(season["weeks"]) == 16
    assert [y["reports"] for y in season["recurring"]["years"]] == [
        _count(grid, heating, dt.date.fromisoformat(y["start"]), dt.date.fromisoformat(y["end"]))
        for y in season["recurring"]["years"]
    ]
    assert [h["score"] for h in listed] == sorted((h["score"] for h in listed), reverse=True)
    far, _ = series["far-season"]
    assert far.code not in {h["area"]["code"] for h in listed}
    assert api.get("/api/v1/hotspots", {"area": OTHER_STREET}).status_code == 404
    plan = {"area": grid.code, "category": heating.code, "note": "入冬前排查"}
    made = api.post("/api/v1/hotspots/plan", plan, content_type="application/json")
    assert made.status_code == 201 and made.json()["channel"] == "proactive"
    again = api.post("/api/v1/hotspots/plan", plan, content_type="application/json")
    assert again.status_code == 409 and made.json()["number"] in again.json()["detail"]
    relisted = api.get("/api/v1/hotspots", {"area": DEMO_COMMUNITY}).json()
    assert made.json()["id"] in {h["planned"] for h in relisted}
    bad = api.post("/api/v1/hotspots/plan", {**plan, "category": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and "category" in bad.content.decode()
    outside = api.post("/api/v1/hotspots/plan", {**plan, "area": far.code}, content_type="application/json")
    assert outside.status_code == 404
    resident = client_for("resident")
    assert resident.get("/api/v1/hotspots", {"area": DEMO_COMMUNITY}).status_code == 404


def test_the_statistics_page_shows_hotspots_and_plans_from_them(
    history, series, client_for, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    web = client_for("community")
    page = web.get(f"/stats/{DEMO_COMMUNITY}/").content.decode()
    assert f"/stats/{DEMO_COMMUNITY}/hotspots/" in page  # loaded after the page
    with django_assert_max_num_queries(16):  # the day's first view reads the history and keeps it
        web.get(f"/stats/{DEMO_COMMUNITY}/hotspots/")
    assert HotspotReading.objects.filter(area_code=DEMO_COMMUNITY, day=timezone.localdate()).count() == 1
    with CaptureQueriesContext(connection) as later:  # later views of the day read what was kept
        part = web.get(f"/stats/{DEMO_COMMUNITY}/hotspots/").content.decode()
    assert not any("GROUP BY" in q["sql"] for q in later.captured_queries)
    grid, heating = series[SEASON]
    assert 'data-testid="hotspot"' in part and "季节性" in part and "上升" in part
    assert f'value="{heating.code}"' in part and "转为主动工单" in part
    plan = {"grid": grid.code, "category": heating.code, "note": "入冬前排查"}
    done = web.post(f"/stats/{DEMO_COMMUNITY}/hotspots/plan/", plan)
    ticket = Ticket.objects.get(channel=Channel.PROACTIVE)
    assert done.status_code == 302 and done["Location"] == f"/tickets/{ticket.pk}/"
    again = web.post(f"/stats/{DEMO_COMMUNITY}/hotspots/plan/", plan)
    assert again.status_code == 409 and ticket.number in again.content.decode()
    assert ticket.number in web.get(f"/stats/{DEMO_COMMUNITY}/hotspots/").content.decode()
    assert web.get(f"/stats/{OTHER_STREET}/hotspots/").status_code == 404
    assert "转为主动工单" not in client_for("unit").get(f"/stats/{DEMO_COMMUNITY}/hotspots/").content.decode()


def test_a_reading_keeps_each_hotspot_exactly(history, series) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    found = read_hotspots(DEMO_COMMUNITY, today=today)
    assert found and any(h.recurring for h in found) and any(h.rising for h in found)
    kept = HotspotReading.objects.get(area_code=DEMO_COMMUNITY, day=today).found
    assert [from_record(r) for r in kept] == found


def test_the_worker_renews_stale_readings_of_watched_areas(history, series) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    today = timezone.localdate(now)
    read_hotspots(DEMO_COMMUNITY, today=today)
    HotspotReading.objects.create(
        area_code=DEMO_STREET, day=today, found=[], read_at=now - dt.timedelta(days=1)
    )
    renewed = renew_readings(now=now)
    watched = Area.objects.filter(level__in=["district", "street", "community"]).count()
    assert renewed == watched - 1  # all but the community read just now
    street = HotspotReading.objects.get(area_code=DEMO_STREET, day=today)
    assert street.read_at >= now and street.found  # the stale, empty reading was read again
    assert not HotspotReading.objects.filter(area_code=DEMO_GRID).exists()  # grids are read on first view
    assert renew_readings(now=now) == 0
