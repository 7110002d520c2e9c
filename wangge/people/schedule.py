"""走访计划 (F4): when each household is next due for a visit, and who is due or overdue.

A household is visited as often as its most urgent member's colour asks (红色 weekly … 绿色 quarterly,
`VisitInterval`). Its next visit is due one interval after the later of its last visit and the day its
level took effect, so a level change moves the schedule from that day on. The dates are kept on the
household row by the actions that change them (a visit, a resident added, moved or re-levelled, an
interval edited), so the due lists of a grid or of a whole district are index range reads.
"""

import datetime as dt
import math
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field

from django.db.models import Case, Count, DateField, Q, QuerySet, Value, When
from django.utils import timezone

from wangge.areas.models import Area, Level
from wangge.lib.geo import metres
from wangge.lib.refreshed import Refreshed
from wangge.people.models import (
    LEVEL_URGENCY,
    VISIT_INTERVAL_DAYS,
    CareLevel,
    Household,
    Housing,
    Resident,
    VisitInterval,
)

# "Due" is today or within the next DUE_AHEAD_DAYS days; before today is overdue.
DUE_AHEAD_DAYS = 3
# A due list asked for "nearest first" sorts at most this many households by distance.
NEAR_LIMIT = 2000


def _load_intervals() -> dict[str, int]:
    days = {str(level): n for level, n in VISIT_INTERVAL_DAYS.items()}
    days.update(VisitInterval.objects.values_list("care_level", "days"))
    return days


interval_days = Refreshed(_load_intervals)


def most_urgent(levels: Iterable[str]) -> str:
    present = set(levels)
    return next((level for level in LEVEL_URGENCY if level in present), CareLevel.GREEN)


def due_on(level: str, *, last_visited: dt.date | None, level_since: dt.date) -> dt.date:
    reference = max(last_visited, level_since) if last_visited else level_since
    return reference + dt.timedelta(days=interval_days.get()[level])


def _next_visit(household: Household) -> dt.date | None:
    """The household's next due date from its own fields (none for a vacant household)."""
    if household.housing == Housing.VACANT or household.level_since is None:
        return None
    last = timezone.localdate(household.last_visited_at) if household.last_visited_at else None
    return due_on(household.care_level, last_visited=last, level_since=household.level_since)


def refresh_household(household_id: int, *, today: dt.date | None = None) -> Household:
    """After a household's members changed (added, moved, re-levelled): its level is its most urgent
    member's; when that changes, the new interval runs from today. Call inside the changing transaction."""
    today = today or timezone.localdate()
    household = Household.objects.select_for_update().get(pk=household_id)
    level = most_urgent(
        Resident.objects.filter(household_id=household_id).values_list("care_level", flat=True)
    )
    if level != household.care_level or household.level_since is None:
        household.care_level, household.level_since = level, today
    household.next_visit_on = _next_visit(household)
    household.save(update_fields=["care_level", "level_since", "next_visit_on", "updated_at"])
    return household


def record_visit(household_id: int, at: dt.datetime) -> Household:
    """A visit at `at` (which may be late-entered, so only a later visit moves the schedule)."""
    household = Household.objects.select_for_update().get(pk=household_id)
    if household.last_visited_at is None or at > household.last_visited_at:
        household.last_visited_at = at
    household.level_since = household.level_since or timezone.localdate(at)
    household.next_visit_on = _next_visit(household)
    household.save(update_fields=["last_visited_at", "level_since", "next_visit_on", "updated_at"])
    return household


def shift_interval(level: str, old_days: int, new_days: int) -> int:
    """Move the next visit of every household of `level` by the change of its interval, in one
    statement (each distinct date maps to its own new date, so no row moves twice)."""
    delta = dt.timedelta(days=new_days - old_days)
    households = Household.objects.filter(care_level=level, next_visit_on__isnull=False)
    dates = sorted({d for d in households.values_list("next_visit_on", flat=True) if d is not None})
    if not dates or not delta:
        return 0
    return households.update(
        next_visit_on=Case(
            *[When(next_visit_on=d, then=Value(d + delta)) for d in dates],
            output_field=DateField(),
        )
    )


# --- reads ----------------------------------------------------------------------------------------


@dataclass
class DueHousehold:
    household: Household
    due: dt.date
    days_late: int  # > 0 overdue, 0 due today, < 0 due in that many days
    concern: list[Resident] = field(default_factory=list)  # the members whose colour sets the pace
    distance_m: float | None = None

    @property
    def overdue(self) -> bool:
        return self.days_late > 0

    @property
    def tags(self) -> list[str]:
        """The care tags of the members of concern, each once."""
        return list(dict.fromkeys(t.name for r in self.concern for t in r.care_tags.all()))


def due_households(
    households: QuerySet[Household],
    *,
    area: Area | None = None,
    today: dt.date | None = None,
    ahead: int = DUE_AHEAD_DAYS,
    near: tuple[float, float] | None = None,
    limit: int = 100,
) -> list[DueHousehold]:
    """Households (from a scoped queryset) due within `ahead` days or overdue: the most overdue first, or
    the nearest to `near` (lat, lng) first."""
    today = today or timezone.localdate()
    qs = households.filter(next_visit_on__lte=today + dt.timedelta(days=ahead))
    if area is not None:
        qs = qs.filter(area__code__startswith=area.code)
    qs = qs.select_related("area").order_by("next_visit_on", "area__code", "door_no")
    rows = list(qs[: NEAR_LIMIT if near else limit])
    distance: dict[int, float] = {}
    if near is not None:
        for h in rows:
            if h.area.lat is not None and h.area.lng is not None:
                distance[h.pk] = metres(near[0], near[1], h.area.lat, h.area.lng)
        rows = sorted(rows, key=lambda h: (distance.get(h.pk, math.inf), h.next_visit_on))[:limit]
    concern: dict[int, list[Resident]] = {}
    for r in (
        Resident.objects.filter(household__in=[h.pk for h in rows])
        .prefetch_related("care_tags")
        .only("id", "name", "care_level", "household_id", "birth_date", "gender")
    ):
        concern.setdefault(r.household_id, []).append(r)
    result = []
    for h in rows:
        members = concern.get(h.pk, [])
        assert h.next_visit_on is not None
        result.append(
            DueHousehold(
                household=h,
                due=h.next_visit_on,
                days_late=(today - h.next_visit_on).days,
                concern=[m for m in members if m.care_level == h.care_level] or members[:1],
                distance_m=distance.get(h.pk),
            )
        )
    return result


@dataclass
class GridDue:
    grid: Area
    overdue: int = 0
    due: int = 0


def deepest_of(code: str, codes: Set[str]) -> str | None:
    """The deepest of `codes` above or at an area code (the grid of a building, nested grids included;
    the building of a unit)."""
    return next((code[:n] for n in range(len(code), 0, -3) if code[:n] in codes), None)


def grid_of_codes(codes: Sequence[str], grid_codes: Set[str]) -> dict[str, str | None]:
    return {code: deepest_of(code, grid_codes) for code in codes}


def due_by_grid(area: Area, *, today: dt.date | None = None, ahead: int = DUE_AHEAD_DAYS) -> list[GridDue]:
    """Overdue and due households of every grid under `area` (the caller has checked the area is in
    scope): one grouped read over the due window of the (next_visit_on, area) index."""
    today = today or timezone.localdate()
    counts = (
        Household.objects.filter(
            area__code__startswith=area.code, next_visit_on__lte=today + dt.timedelta(days=ahead)
        )
        .values_list("area__code")
        .annotate(
            overdue=Count("id", filter=Q(next_visit_on__lt=today)),
            due=Count("id", filter=Q(next_visit_on__gte=today)),
        )
        .order_by()
    )
    grids = {g.code: GridDue(grid=g) for g in area.subtree().filter(level=Level.GRID)}
    if area.level == Level.GRID:
        grids[area.code] = GridDue(grid=area)
    rows = list(counts)
    owner = grid_of_codes([code for code, _o, _d in rows], set(grids))
    for code, overdue, due in rows:
        grid_code = owner[code]
        if grid_code is not None:
            grids[grid_code].overdue += overdue
            grids[grid_code].due += due
    return sorted(grids.values(), key=lambda g: (-g.overdue, -g.due, g.grid.code))
