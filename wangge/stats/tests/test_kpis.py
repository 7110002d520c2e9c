"""Each KPI of PRODUCT.md section 5 on a hand-built set of tickets whose answers are worked out by hand,
read both ways: counted over the tickets, and from the daily rollup."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.areas.models import Area, Unit
from wangge.conftest import DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.stats import rollup
from wangge.stats.kpis import Selection, breakdown, kpis, ranking, scan_kpis
from wangge.stats.models import DayRollup, MonthRollup
from wangge.tickets import actions as a
from wangge.tickets.models import Assignment, Category, Summons, SummonsCall, Ticket

NOW = timezone.now()
HOUR = dt.timedelta(hours=1)
PAST, FUTURE = NOW - HOUR, NOW + 24 * HOUR


def make(area: Area, status: str, **facts: object) -> Ticket:
    defaults: dict = {
        "submitted_at": NOW - 48 * HOUR,
        "claim_deadline": FUTURE,
        "resolve_deadline": FUTURE,
        "channel": "h5",
    }
    return Ticket.objects.create(
        title="t",
        description="d",
        area=area,
        area_code=area.code,
        status=status,
        **{**defaults, **facts},
    )


@pytest.fixture
def hand_built(db):  # type: ignore[no-untyped-def]
    grid = Area.objects.get(code=DEMO_GRID)
    acc, asg = {"accepted_at": PAST}, {"assigned_at": PAST}
    make(
        grid,
        "closed",
        **acc,
        **asg,
        on_time=True,
        callback_reached=True,
        verdict="satisfied",
        response_seconds=600,
        handling_seconds=3600,
    )
    make(
        grid,
        "closed",
        **acc,
        **asg,
        on_time=False,
        callback_reached=True,
        verdict="basically_satisfied",
        ever_returned=True,
        ever_escalated=True,
        response_seconds=1200,
        handling_seconds=7200,
    )
    make(grid, "closed", **acc, **asg, on_time=True, rating=5, response_seconds=300, handling_seconds=1800)
    in_progress = make(
        grid,
        "in_progress",
        **acc,
        **asg,
        verdict="dissatisfied",
        response_seconds=1800,
        resolve_deadline=PAST,
    )
    make(grid, "new", claim_deadline=PAST)
    make(grid, "rejected")
    units = list(Unit.objects.order_by("code")[:3])
    summons = Summons.objects.create(
        ticket=in_progress, area_code=in_progress.area_code, deadline=NOW - 2 * HOUR, issued_at=NOW - 3 * HOUR
    )
    SummonsCall.objects.create(
        summons=summons, unit=units[0], reported_at=NOW - 150 * dt.timedelta(minutes=1)
    )
    SummonsCall.objects.create(summons=summons, unit=units[1], reported_at=NOW - HOUR)  # late
    SummonsCall.objects.create(summons=summons, unit=units[2])  # missing
    # Outside the area and outside the period: they must not count.
    other = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    make(other, "closed", **acc, **asg, on_time=False, verdict="dissatisfied")
    make(grid, "closed", **acc, **asg, on_time=False, submitted_at=NOW - 800 * 24 * HOUR)


def last_30_days(area: str, reading: str) -> Selection:
    """The same tickets either way: a period starting inside a day is counted over the tickets; whole
    days are read from the rollup (rebuilt here, as the hand-built tickets bypassed the actions)."""
    if reading == "scan":
        return Selection(area=area, start=NOW - 30 * 24 * HOUR, end=NOW)
    rollup.rebuild()
    today = timezone.localdate(NOW)
    selection = Selection.days(area=area, first=today - dt.timedelta(days=30), last=today)
    assert selection.rollup_rows() is not None
    return selection


BOTH = pytest.mark.parametrize("reading", ["scan", "rollup"])


@BOTH
def test_every_kpi_on_the_hand_built_set(hand_built, reading) -> None:  # type: ignore[no-untyped-def]
    result = kpis(last_30_days(DEMO_STREET, reading), now=NOW)
    assert result.submitted == 6
    assert result.accepted == 4
    assert result.closed == 3
    assert result.closure_rate == 0.75
    assert result.on_time_rate == round(2 / 3, 4)
    assert result.response_minutes == 15.0  # median of 5, 10, 20, 30 minutes
    assert result.handling_minutes == 60.0  # median of 30, 60, 120 minutes
    assert result.callback_rate == round(2 / 3, 4)  # the third was closed on a rating, no callback
    assert result.satisfaction_rate == round(2 / 3, 4)  # 满意 + 基本满意 of three verdicts
    assert result.return_rate == 0.25
    assert result.summons_rate == round(1 / 3, 4)
    assert result.solved_in_grid_rate == round(2 / 3, 4)
    assert result.overdue == 2


@BOTH
def test_empty_sets_have_no_rates(db, reading) -> None:  # type: ignore[no-untyped-def]
    result = kpis(last_30_days("999999", reading))
    assert result.submitted == 0 and result.closure_rate is None and result.response_minutes is None


@BOTH
def test_ranking_groups_child_areas(hand_built, reading) -> None:  # type: ignore[no-untyped-def]
    rows = ranking(last_30_days("210104", reading), code_length=9, now=NOW)
    assert rows[DEMO_STREET].submitted == 6 and rows[DEMO_STREET].closure_rate == 0.75
    assert rows[DEMO_STREET].overdue == 2 and rows[DEMO_STREET].return_rate == 0.25
    assert rows[OTHER_STREET].submitted == 1 and rows[OTHER_STREET].satisfaction_rate == 0.0


def test_unit_filter_counts_tickets_assigned_to_the_unit(hand_built) -> None:  # type: ignore[no-untyped-def]
    unit = Unit.objects.get(code="210104-ZJ")
    first = Ticket.objects.filter(area_code=DEMO_GRID, status="closed").order_by("pk")[0]
    Assignment.objects.create(ticket=first, unit=unit, lead=True)
    Assignment.objects.create(ticket=first, unit=unit, lead=False, active=False)  # counted once
    selection = Selection(unit_id=unit.pk)
    assert selection.rollup_rows() is None  # the rollup has no units; this is counted over the tickets
    result = kpis(selection)
    assert result.submitted == 1 and result.closed == 1 and result.on_time_rate == 1.0


def test_kpis_follow_the_actions(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community, worker = actor("community"), actor("gridworker")
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_claim(ticket.pk, actor=worker)
    a.do_resolve(ticket.pk, actor=worker, note="好了")
    a.do_callback(ticket.pk, actor=community, reached=True, verdict="satisfied")
    result = kpis(Selection(area=DEMO_GRID))  # the rollup, as the actions kept it
    assert (result.accepted, result.closed, result.closure_rate, result.callback_rate) == (1, 1, 1.0, 1.0)
    assert (
        result.satisfaction_rate == 1.0 and result.solved_in_grid_rate == 1.0 and result.on_time_rate == 1.0
    )


@pytest.fixture
def months_apart(db):  # type: ignore[no-untyped-def]
    """Tickets on 40 days spread over five months, some closed and rated, in three channels."""
    grid = Area.objects.get(code=DEMO_GRID)
    category = Category.objects.filter(parent__isnull=False).order_by("code")[0]
    unit = Unit.objects.order_by("code")[0]
    for i in range(40):
        done = i % 3 != 0
        make(
            grid,
            "closed" if done else "in_progress",
            submitted_at=NOW - (i * 4 + 1) * 24 * HOUR,
            channel=("h5", "12345", "phone")[i % 3],
            category=category if i % 2 else None,
            lead_unit=unit if i % 4 == 0 else None,
            accepted_at=PAST,
            assigned_at=PAST,
            on_time=done and i % 5 != 0,
            verdict="satisfied" if done and i % 2 else "",
            response_seconds=60 * (i + 1),
        )
    rollup.rebuild()


@pytest.mark.parametrize(
    "first,last",
    [(160, 0), (100, 30), (20, 3), (365, None), (None, 45), (None, None)],
    ids=["crossing-months", "middle", "within", "open-end", "open-start", "all"],
)
def test_months_and_days_read_like_a_scan(months_apart, first, last) -> None:  # type: ignore[no-untyped-def]
    """A long period reads whole months from the month table and the days around them from the day
    table: the same figures as counting the tickets."""
    today = timezone.localdate(NOW)
    selection = Selection.days(
        area=DEMO_STREET,
        first=None if first is None else today - dt.timedelta(days=first),
        last=None if last is None else today - dt.timedelta(days=last),
    )
    parts = selection.rollup_rows()
    assert parts is not None
    if first == 160:
        assert any(p.model is MonthRollup for p in parts) and any(p.model is DayRollup for p in parts)
    from_rollup = kpis(selection, now=NOW)
    scanned = scan_kpis(selection.tickets(), now=NOW, current=selection.current())
    assert from_rollup == scanned
    assert from_rollup.submitted == selection.tickets().count() > 0


@pytest.mark.parametrize("by", ["channel", "category", "unit"])
def test_breakdown_reads_like_a_scan(months_apart, by) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate(NOW)
    whole_days = Selection.days(area=DEMO_STREET, first=today - dt.timedelta(days=100), last=today)
    assert whole_days.slice_rows(by) is not None
    # A second after midnight: the slices cannot answer it, the tickets are counted (the same ones).
    assert whole_days.start is not None
    inside_a_day = Selection(
        area=DEMO_STREET, start=whole_days.start + dt.timedelta(seconds=1), end=whole_days.end
    )
    assert inside_a_day.slice_rows(by) is None
    sliced = breakdown(whole_days, by, now=NOW)
    scanned = breakdown(inside_a_day, by, now=NOW)
    tickets = whole_days.tickets()
    field_name = {"channel": "channel", "category": "category_id", "unit": "lead_unit_id"}[by]
    expected = {
        str(v): tickets.filter(**{field_name: v}).count()
        for v in tickets.exclude(**{f"{field_name}__isnull": True}).values_list(field_name, flat=True)
    }
    assert {k: v.submitted for k, v in sliced.items()} == expected
    assert sliced.keys() == scanned.keys()
    for key, row in sliced.items():
        assert row.closed == scanned[key].closed and row.satisfaction_rate == scanned[key].satisfaction_rate
