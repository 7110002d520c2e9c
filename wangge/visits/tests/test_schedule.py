"""The visit schedule (走访计划): colour sets the interval, a level change moves it from that day on, a visit
moves it from the visit; the due lists and the per-grid counts read it."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.people.actions import (
    do_create_household,
    do_create_resident,
    do_set_care_level,
    do_set_visit_interval,
    do_update_resident,
)
from wangge.people.models import CareLevel, Household, RegistryChange, Resident
from wangge.people.registry import RegistryError, ResidentData
from wangge.people.schedule import due_by_grid, due_households, interval_days
from wangge.visits.actions import do_log_visit

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def days(n: int) -> dt.timedelta:
    return n * DAY


def _building(grid: str = DEMO_GRID) -> Area:
    return Area.objects.filter(code__startswith=grid, level="unit").order_by("code").first()  # type: ignore[return-value]


def _couple(gridworker, door: str = "9901") -> tuple[Household, Resident, Resident]:  # type: ignore[no-untyped-def]
    household = do_create_household(area=_building(), door_no=door, actor=gridworker)
    him = do_create_resident(
        household=household,
        data=ResidentData(
            name="王建国", gender="M", birth_date=dt.date(1950, 1, 8), id_number="210104195001080015"
        ),
        actor=gridworker,
    )
    her = do_create_resident(
        household=household,
        data=ResidentData(
            name="李秀英",
            gender="F",
            birth_date=dt.date(1952, 5, 6),
            id_number="210104195205060024",
            relation="spouse",
        ),
        actor=gridworker,
    )
    return household, him, her


def _pretend(household: Household, *, level_since: dt.date, last_visit: dt.date | None = None) -> None:
    """Move a household's history back in time (the schedule is then recomputed by the next action)."""
    at = dt.datetime.combine(last_visit, dt.time(10), timezone.get_current_timezone()) if last_visit else None
    Household.objects.filter(pk=household.pk).update(level_since=level_since, last_visited_at=at)


def test_new_household_is_scheduled_at_green_from_today(actor) -> None:  # type: ignore[no-untyped-def]
    household, _, _ = _couple(actor("gridworker"))
    household.refresh_from_db()
    today = timezone.localdate()
    assert household.care_level == CareLevel.GREEN and household.level_since == today
    assert household.next_visit_on == today + days(interval_days.get()[CareLevel.GREEN])


def test_level_change_moves_the_schedule_from_that_day_and_is_recorded(actor) -> None:  # type: ignore[no-untyped-def]
    worker = actor("gridworker")
    household, him, her = _couple(worker)
    today = timezone.localdate()
    # Visited five days ago at green: next visit in 85 days.
    _pretend(household, level_since=today - days(200), last_visit=today - days(5))
    do_log_visit(household, actor=worker, findings="近况良好", visited_at=timezone.now() - days(5))
    household.refresh_from_db()
    assert household.next_visit_on == today - days(5) + days(90)

    # He falls ill today: red, weekly, counted from today (not from the visit five days ago).
    do_set_care_level(him, level=CareLevel.RED, reason="突发脑梗出院，需每周探访", actor=worker)
    household.refresh_from_db()
    assert (household.care_level, household.level_since, household.next_visit_on) == (
        CareLevel.RED,
        today,
        today + days(7),
    )
    change = RegistryChange.objects.filter(object_id=him.pk, changes__has_key="care_level").first()
    assert change is not None and change.changes["care_level"] == [CareLevel.GREEN, CareLevel.RED]
    assert change.actor == worker and "脑梗" in change.changes["reason"][1]

    # Her level going to yellow changes nothing: he is the most urgent member.
    do_set_care_level(her, level=CareLevel.YELLOW, reason="慢性病", actor=worker)
    household.refresh_from_db()
    assert household.care_level == CareLevel.RED and household.next_visit_on == today + days(7)

    # Ten days later nobody has come: the red schedule, counted from the change, is three days late.
    _pretend(household, level_since=today - days(10), last_visit=today - days(15))
    do_set_care_level(her, level=CareLevel.BLUE, reason="病情稳定", actor=worker)
    household.refresh_from_db()
    assert household.next_visit_on == today - days(3)
    late = [
        d for d in due_households(Household.objects.all(), area=_building()) if d.household.pk == household.pk
    ]
    assert late and late[0].days_late == 3 and [r.name for r in late[0].concern] == ["王建国"]

    # He recovers: the household drops to her level (blue, 60 days) from today.
    do_set_care_level(him, level=CareLevel.GREEN, reason="康复", actor=worker)
    household.refresh_from_db()
    assert (household.care_level, household.next_visit_on) == (CareLevel.BLUE, today + days(60))


def test_a_visit_moves_the_schedule_and_a_late_entry_does_not_move_it_back(actor) -> None:  # type: ignore[no-untyped-def]
    worker = actor("gridworker")
    household, him, _ = _couple(worker)
    do_set_care_level(him, level=CareLevel.ORANGE, reason="独居后需关注", actor=worker)
    today = timezone.localdate()
    do_log_visit(household, actor=worker, findings="已探访", resident=him)
    household.refresh_from_db()
    assert household.next_visit_on == today + days(14)
    do_log_visit(household, actor=worker, findings="补录上周走访", visited_at=timezone.now() - days(6))
    household.refresh_from_db()
    assert household.next_visit_on == today + days(14)
    assert household.visits.count() == 2


def test_moving_a_resident_reschedules_both_households(actor) -> None:  # type: ignore[no-untyped-def]
    worker = actor("gridworker")
    household, him, _ = _couple(worker)
    do_set_care_level(him, level=CareLevel.RED, reason="重病", actor=worker)
    other = do_create_household(area=_building(), door_no="9902", actor=worker)
    data = ResidentData(
        name=him.name, gender=him.gender, birth_date=him.birth_date, id_number=him.id_number, care_level="red"
    )
    do_update_resident(him, data=data, household=other, actor=worker)
    household.refresh_from_db()
    other.refresh_from_db()
    assert household.care_level == CareLevel.GREEN and other.care_level == CareLevel.RED
    assert other.next_visit_on == timezone.localdate() + days(7)


def test_vacant_households_are_not_scheduled(actor) -> None:  # type: ignore[no-untyped-def]
    household = do_create_household(
        area=_building(), door_no="9903", housing="vacant", actor=actor("gridworker")
    )
    household.refresh_from_db()
    assert household.next_visit_on is None


def test_changing_an_interval_moves_every_household_of_that_colour(actor) -> None:  # type: ignore[no-untyped-def]
    red = list(Household.objects.filter(care_level=CareLevel.RED, next_visit_on__isnull=False))
    yellow_before = dict(
        Household.objects.filter(care_level=CareLevel.YELLOW).values_list("pk", "next_visit_on")
    )
    assert red
    moved = do_set_visit_interval(level=CareLevel.RED, days=5, actor=actor("district"))
    assert moved == len(red)
    for h in red:
        after = Household.objects.get(pk=h.pk).next_visit_on
        assert after == h.next_visit_on - days(2)  # type: ignore[operator]
    assert dict(Household.objects.filter(care_level=CareLevel.YELLOW).values_list("pk", "next_visit_on")) == (
        yellow_before
    )
    with pytest.raises(RegistryError) as bad:
        do_set_visit_interval(level=CareLevel.RED, days=0, actor=actor("district"))
    assert bad.value.errors == {"days": "走访间隔应在1到366天之间"}


def test_bad_level_changes_name_the_field(actor, grid_resident) -> None:  # type: ignore[no-untyped-def]
    worker = actor("gridworker")
    for level, reason, field in [("purple", "x", "care_level"), (CareLevel.RED, " ", "reason")]:
        with pytest.raises(RegistryError) as bad:
            do_set_care_level(grid_resident, level=level, reason=reason, actor=worker)
        assert field in bad.value.errors
    with pytest.raises(RegistryError) as same:
        do_set_care_level(grid_resident, level=grid_resident.care_level, reason="复核", actor=worker)
    assert "已是" in same.value.errors["care_level"]


def test_due_list_is_overdue_first_or_nearest_first(actor) -> None:  # type: ignore[no-untyped-def]
    grid = Area.objects.get(code=DEMO_GRID)
    today = timezone.localdate()
    rows = due_households(Household.objects.all(), area=grid, today=today, ahead=120, limit=500)
    expected = Household.objects.filter(
        area__code__startswith=DEMO_GRID, next_visit_on__lte=today + days(120)
    ).count()
    assert len(rows) == expected > 3
    assert [r.due for r in rows] == sorted(r.due for r in rows)
    far_corner = (grid.lat + 0.05, grid.lng + 0.05)  # type: ignore[operator]
    near = due_households(
        Household.objects.all(), area=grid, today=today, ahead=120, near=far_corner, limit=500
    )
    assert {r.household.pk for r in near} == {r.household.pk for r in rows}
    distances = [r.distance_m for r in near]
    assert all(d is not None for d in distances) and distances == sorted(distances)  # type: ignore[type-var]


def test_due_by_grid_counts_every_grid_of_the_district(actor) -> None:  # type: ignore[no-untyped-def]
    district = Area.objects.get(code="210104")
    today = timezone.localdate()
    counts = {g.grid.code: (g.overdue, g.due) for g in due_by_grid(district, today=today)}
    assert set(counts) == set(Area.objects.filter(level="grid").values_list("code", flat=True))
    for code, (overdue, due) in counts.items():
        nested = [c for c in counts if c != code and c.startswith(code)]
        mine = Household.objects.filter(area__code__startswith=code)
        for inner in nested:
            mine = mine.exclude(area__code__startswith=inner)
        assert overdue == mine.filter(next_visit_on__lt=today).count(), code
        assert due == mine.filter(next_visit_on__gte=today, next_visit_on__lte=today + days(3)).count(), code
    assert sum(o for o, _ in counts.values()) > 0
