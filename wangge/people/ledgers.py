"""四项清单 (F3, seed 000 大东区: 基础底数清、居民诉求清、紧缺物资清、特殊群体清) for one area, and the
buildings of 看图知户况 (each building with its most urgent colour and its open requests).

Every function takes querysets already scoped to the user, so the lists never show more than the
registry and tickets the user may see.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from wangge.areas.models import Area, Level, subtree_q
from wangge.people.models import LEVEL_URGENCY, CareLevel, Household, Resident, born_by
from wangge.people.schedule import deepest_of
from wangge.supplies.models import Stock
from wangge.tickets import workflow
from wangge.tickets.models import Ticket

BUILDING_LEVELS = (Level.COMMUNITY, Level.GRID, Level.BUILDING, Level.UNIT)


@dataclass
class BaseRow:
    """基础底数 of one place: households (occupied), residents, the elderly."""

    area: Area
    households: int = 0
    occupied: int = 0
    residents: int = 0
    aged_60: int = 0
    aged_80: int = 0

    @property
    def name(self) -> str:
        """A building with its grid (幸福第2网格 · 1号楼): every grid has a 1号楼."""
        if self.area.level == Level.BUILDING and self.area.parent is not None:
            return f"{self.area.parent.name} · {self.area.name}"
        return self.area.name


def base_counts(area: Area, households: QuerySet[Household], today: dt.date) -> list[BaseRow]:
    """By building when the area is a community or smaller, by child area above that."""
    households = households.filter(area__code__startswith=area.code)
    if area.level in BUILDING_LEVELS:
        buildings = Area.objects.filter(code__startswith=area.code, level=Level.BUILDING).select_related(
            "parent"
        )
        places = {a.code: a for a in buildings}
        if area.level in (Level.BUILDING, Level.UNIT):
            places = {area.code: area}
    else:
        places = {a.code: a for a in area.children.all()}
    rows = {code: BaseRow(area=a) for code, a in places.items()}
    counted = (
        households.values_list("area__code")
        .annotate(
            n=Count("id", distinct=True),
            occupied=Count("id", filter=Q(residents__isnull=False), distinct=True),
            people=Count("residents"),
            old=Count("residents", filter=Q(residents__birth_date__lte=born_by(60, today))),
            oldest=Count("residents", filter=Q(residents__birth_date__lte=born_by(80, today))),
        )
        .order_by()
    )
    for code, n, occupied, people, old, oldest in counted:
        owner = deepest_of(code, rows.keys())
        if owner is None:
            continue
        row = rows[owner]
        row.households += n
        row.occupied += occupied
        row.residents += people
        row.aged_60 += old
        row.aged_80 += oldest
    return [rows[c] for c in sorted(rows) if rows[c].households or area.level in BUILDING_LEVELS]


def open_tickets(area: Area, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """居民诉求: requests under the area not yet finished (办结 or closed otherwise)."""
    return tickets.filter(subtree_q(area.code), status__in=workflow.UNFINISHED)


def scarce_first(area: Area) -> list[Stock]:
    """紧缺物资: the stock held under the area (and above it, for what it draws on), scarce first."""
    stocks = Stock.objects.filter(
        Q(area__code__startswith=area.code) | Q(area__code__in=area.ancestor_codes)
    ).select_related("area", "item")
    return sorted(stocks, key=lambda s: (not s.scarce, s.area.code, s.item.name))


@dataclass
class SpecialGroups:
    """特殊群体: residents by care tag and colour (a resident with two tags counts under each)."""

    levels: list[tuple[str, str]] = field(default_factory=lambda: list(CareLevel.choices))
    rows: list[tuple[str, str, list[int], int]] = field(default_factory=list)  # code, name, per level, total


def special_groups(area: Area, residents: QuerySet[Resident]) -> SpecialGroups:
    tagged = (
        residents.filter(household__area__code__startswith=area.code, care_tags__isnull=False)
        .values_list("care_tags__sort", "care_tags__code", "care_tags__name", "care_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[tuple[int, str, str], dict[str, int]] = {}
    for sort, code, name, level, n in tagged:
        table.setdefault((sort, code, name), {})[level] = n
    result = SpecialGroups()
    for (_sort, code, name), by_level in sorted(table.items()):
        counts = [by_level.get(level, 0) for level, _label in result.levels]
        result.rows.append((code, name, counts, sum(counts)))
    return result


def special_residents(area: Area, residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """The people behind 特殊群体: anyone with a care tag or a colour above green."""
    return (
        residents.filter(household__area__code__startswith=area.code)
        .filter(Q(care_tags__isnull=False) | ~Q(care_level=CareLevel.GREEN))
        .distinct()
        .select_related("household")
        .prefetch_related("care_tags")
        .order_by("household__area__code", "household__door_no", "id")
    )


@dataclass
class BuildingState:
    """看图知户况: one building on the grid map."""

    area: Area
    households: int
    level: str  # the most urgent colour of its households
    open_tickets: int


def building_states(
    area: Area, households: QuerySet[Household], tickets: QuerySet[Ticket]
) -> list[BuildingState]:
    buildings = {
        a.code: a
        for a in Area.objects.filter(code__startswith=area.code, level=Level.BUILDING).exclude(lat=None)
    }
    if area.level == Level.BUILDING:
        buildings = {area.code: area} if area.lat is not None else {}
    urgency = {level: i for i, level in enumerate(LEVEL_URGENCY)}
    state: dict[str, list] = {code: [0, CareLevel.GREEN, 0] for code in buildings}
    counted = households.filter(area__code__startswith=area.code).values_list("area__code", "care_level")
    for code, level, n in counted.annotate(n=Count("id")).order_by():
        key = deepest_of(code, buildings.keys())
        if key is not None:
            state[key][0] += n
            if urgency.get(level, 99) < urgency[state[key][1]]:
                state[key][1] = level
    # A request is placed on a building through the resident who raised it (tickets themselves sit on grids).
    placed = open_tickets(area, tickets).exclude(resident=None).values_list("resident__household__area__code")
    for code, n in placed.annotate(n=Count("id")).order_by():
        key = deepest_of(code, buildings.keys())
        if key is not None:
            state[key][2] += n
    return [BuildingState(buildings[c], *state[c]) for c in sorted(buildings) if state[c][0] or state[c][2]]
