"""一屏知全域 (F7): everything the big screen of a district, street or community shows, in one dict that the
screen's JSON endpoint answers on every refresh.

Every figure comes from the KPI module and the rollups:
- the headline KPIs of PRODUCT.md section 5 for today, this month and this year, each beside the period
  before it (yesterday; last month up to the same day; last year up to the same date), read by `kpis()`;
- tickets per day (30 days) and per month (12 months) by channel, and the top categories of this month
  against last month up to the same day, from the slice rollup;
- child areas ranked (`ranking()`), units ranked by the tickets they lead (the unit slices) with the calls
  they did not answer (吹哨未报到, from the calls);
- the newest tickets and the escalations under way, titles only with digits masked;
- the map's figures per grid: open and overdue tickets, per 1,000 households, the open tickets as points,
  the hotspots of X3;
- the registry at a glance, directives under way and an emergency while one is on.

Three parts are kept in the cache per area: the registry (households, residents, visits due), which
changes slowly and costs a count over every household and resident, for REGISTRY_SECONDS; the KPIs of
the periods compared with (yesterday, last month, last year), which are history, for BASELINE_SECONDS;
and the month's standings (rankings, top categories, requests per month), shared by the screens of
the area for STANDINGS_SECONDS. The cache is Django's, per app process unless a deployment configures
a shared one. Everything else (the headline of today, this month and this year, the
open tickets, the ticker, the map, the days' trend) is read on every refresh.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit, subtree_q
from wangge.areas.scoping import holds_over
from wangge.directives.models import Directive, Emergency, Receipt
from wangge.people.models import CareLevel, Household, Resident
from wangge.people.schedule import due_by_grid, grid_of_codes
from wangge.routing.proactive import hotspots_in
from wangge.stats.groups import groups
from wangge.stats.kpis import Kpis, Selection, kpis, next_month, ranking
from wangge.stats.models import Dimension, MonthSliceRollup, SliceRollup
from wangge.stats.units import summons_by_unit
from wangge.tickets.models import Category, Channel, Ticket, Urgency
from wangge.tickets.models import Level as TicketLevel
from wangge.tickets.queries import overdue_q
from wangge.tickets.workflow import OPEN

SCREEN_ROLES = (Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.LEADER)
SCREEN_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
REFRESH_SECONDS = 30
REGISTRY_SECONDS = 300
BASELINE_SECONDS = 300
STANDINGS_SECONDS = 60
FEW_CHILDREN = 5
RECENT_DAYS = 30
PER_GRID = (
    "grid_codes",
    "grid_households",
    "grid_heads",
    "hotspots",
)  # kept with the registry, shown on the map
TICKER, ESCALATIONS, POINTS, TOP_CATEGORIES, HOTSPOTS = 10, 8, 300, 8, 8
DIGITS = re.compile(r"\d{3,}")


def may_watch(user: User, area: Area) -> bool:
    """The command roles and leaders of the area or above watch its screen; a district, street or
    community has one."""
    return area.level in SCREEN_LEVELS and holds_over(user, area.code, SCREEN_ROLES)


def clock(at: dt.datetime, today: dt.date) -> str:
    """A time for the wall: 14:05 today, 11月26日 14:05 before."""
    local = timezone.localtime(at, timezone.get_default_timezone())
    return f"{local:%H:%M}" if local.date() == today else f"{local.month}月{local.day}日 {local:%H:%M}"


def mask_title(title: str) -> str:
    """A title for a wall everyone in the room reads: runs of three or more digits (phone numbers,
    ID numbers, door numbers) become ＊＊＊."""
    return DIGITS.sub("＊＊＊", title)


# --- periods --------------------------------------------------------------------------------------


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def _same_day(first: dt.date, day: int) -> dt.date:
    """The `day`-th of the month starting at `first`, or its last day when that month is shorter."""
    last = next_month(first) - dt.timedelta(days=1)
    return first.replace(day=min(day, last.day))


def periods(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Each headline period and the one it is compared with, as (first, last) local days."""
    last_month = _month_start(today, 1)
    last_year_month = dt.date(today.year - 1, today.month, 1)
    return {
        "today": (today, today),
        "yesterday": (today - dt.timedelta(days=1), today - dt.timedelta(days=1)),
        "month": (today.replace(day=1), today),
        "last_month": (last_month, _same_day(last_month, today.day)),
        "year": (dt.date(today.year, 1, 1), today),
        "last_year": (dt.date(today.year - 1, 1, 1), _same_day(last_year_month, today.day)),
    }


PAIRS = (
    ("today", "yesterday", "较昨日"),
    ("month", "last_month", "较上月同期"),
    ("year", "last_year", "较去年同期"),
)


def headline(
    area: Area, spans: dict[str, tuple[dt.date, dt.date]], now: dt.datetime, overdue: int
) -> dict[str, Any]:
    """The KPIs of each period. The periods compared with (yesterday, last month and last year up to the
    same day) are history: read once per BASELINE_SECONDS and area, the current ones on every refresh."""
    today = spans["today"][0]

    def read(key: str) -> dict[str, Any]:
        first, last = spans[key]
        selection = Selection.days(area=area.code, first=first, last=last)
        return kpis(selection, now=now, overdue=overdue, handling=False).as_dict()

    cache_key = f"wangge:screen:baselines:{area.code}:{today.isoformat()}"
    baselines = cache.get(cache_key)
    if baselines is None:
        baselines = {before: read(before) for _, before, _ in PAIRS}
        cache.set(cache_key, baselines, BASELINE_SECONDS)
    figures = {current: read(current) for current, _, _ in PAIRS}
    for before, figure in baselines.items():
        figures[before] = {**figure, "overdue": overdue}  # "overdue now" is the same for every period
    return {
        "periods": {key: {"from": first, "to": last} for key, (first, last) in spans.items()},
        "figures": figures,
        "pairs": [{"now": a, "before": b, "label": label} for a, b, label in PAIRS],
    }


@dataclass
class OpenNow:
    """The open tickets of the area counted once per refresh by place, from the queue index alone: open,
    and overdue now. Every "overdue now" on the screen is read from here."""

    rows: list[dict[str, Any]]

    @classmethod
    def count(cls, area: Area, now: dt.datetime) -> "OpenNow":
        grouped = (  # by status too: the index's own order, so no sort (a third faster on SQLite)
            Ticket.objects.filter(subtree_q(area.code), status__in=OPEN)
            .values("status", "area_code")
            .order_by()
            .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
        )
        return cls(list(grouped))

    @property
    def overdue(self) -> int:
        return sum(r["overdue"] for r in self.rows)

    def overdue_by_prefix(self, length: int) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for r in self.rows:
            found[r["area_code"][:length]] += r["overdue"]
        return found

    def by_grid(self, grid_codes: set[str]) -> dict[str, tuple[int, int]]:
        owner = grid_of_codes(list({r["area_code"] for r in self.rows}), grid_codes)
        found: dict[str, tuple[int, int]] = {}
        for r in self.rows:
            code = owner[r["area_code"]]
            if code is not None:
                held, late = found.get(code, (0, 0))
                found[code] = (held + r["open"], late + r["overdue"])
        return found


# --- trends and categories ------------------------------------------------------------------------


def _by_channel(area: Area, model: type, field_name: str, keys: list[dt.date]) -> dict[str, list[int]]:
    """Tickets submitted per key (day or month) and channel, from a slice table."""
    index = {k: i for i, k in enumerate(keys)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    rows = (
        model.objects.filter(  # type: ignore[attr-defined]
            subtree_q(area.code),
            dimension=Dimension.CHANNEL,
            **{f"{field_name}__gte": keys[0], f"{field_name}__lte": keys[-1]},
        )
        .values(field_name, "value")
        .order_by()
        .annotate(n=Sum("submitted"))
    )
    for row in rows:
        series[row["value"]][index[row[field_name]]] += row["n"]
    return dict(series)


def _days(today: dt.date) -> list[dt.date]:
    return [today - dt.timedelta(days=RECENT_DAYS - 1 - i) for i in range(RECENT_DAYS)]


def _months(today: dt.date) -> list[dt.date]:
    return [_month_start(today, 11 - i) for i in range(12)]


def monthly(area: Area, today: dt.date) -> dict[str, list[int]]:
    """Tickets per month for 12 months by channel (the month slices)."""
    return _by_channel(area, MonthSliceRollup, "month", _months(today))


def trends(area: Area, today: dt.date, by_month: dict[str, list[int]]) -> dict[str, Any]:
    """Tickets per day for 30 days (the day slices, read now) and per month for 12 months (`monthly`),
    by channel."""
    days, months = _days(today), _months(today)
    by_day = _by_channel(area, SliceRollup, "day", days)
    names = dict(Channel.choices)
    order = sorted(set(by_month) | set(by_day), key=lambda c: (-sum(by_month.get(c, ())), c))
    return {
        "days": [d.isoformat() for d in days],
        "months": [m.isoformat() for m in months],
        "channels": [
            {
                "key": c,
                "name": str(names.get(c, c)),
                "days": by_day.get(c, [0] * len(days)),
                "months": by_month.get(c, [0] * len(months)),
            }
            for c in order
        ],
    }


def top_categories(area: Area, spans: dict[str, tuple[dt.date, dt.date]]) -> list[dict[str, Any]]:
    """This month's most frequent categories, with last month's count up to the same day."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"month": 0, "last_month": 0})
    for key in ("month", "last_month"):  # this month is its month row; last month, days up to the same day
        first, last = spans[key]
        parts = Selection.days(area=area.code, first=first, last=last).slice_rows(Dimension.CATEGORY) or []
        for part in parts:
            for row in part.values("value").order_by().annotate(n=Sum("submitted")):
                counts[row["value"]][key] += row["n"]
    top = sorted(counts.items(), key=lambda kv: (-kv[1]["month"], kv[0]))[:TOP_CATEGORIES]
    names = Category.objects.in_bulk([int(k) for k, _ in top if k.isdigit()])
    return [
        {
            "key": k,
            "name": names[int(k)].name if k.isdigit() and int(k) in names else k,
            "count": c["month"],
            "before": c["last_month"],
        }
        for k, c in top
        if c["month"]
    ]


# --- rankings -------------------------------------------------------------------------------------


def _rates(k: Kpis | None) -> dict[str, Any]:
    """The figures of a ranking row (None: a unit that led nothing, only called)."""
    return {
        "accepted": k.accepted if k else 0,
        "closure_rate": k.closure_rate if k else None,
        "satisfaction_rate": k.satisfaction_rate if k else None,
        "return_rate": k.return_rate if k else None,
    }


def rankings(area: Area, month: Selection, now: dt.datetime, open_now: OpenNow) -> dict[str, Any]:
    """Child areas and lead units over this month, by closure rate then satisfaction (worst last)."""

    def order(row: dict) -> tuple:
        return (-(row["closure_rate"] or 0), -(row["satisfaction_rate"] or 0), row["name"])

    ranked_areas = list(area.children.order_by("code"))
    if 0 < len(ranked_areas) < FEW_CHILDREN:  # a district of three streets: rank its communities
        deeper = list(
            Area.objects.filter(parent__in=ranked_areas).exclude(level=Level.BUILDING).order_by("code")
        )
        ranked_areas = deeper or ranked_areas
    names = {a.code: a.name for a in ranked_areas}
    length = len(ranked_areas[0].code) if ranked_areas else 0
    ranked = ranking(month, code_length=length, overdue=open_now.overdue_by_prefix(length)) if length else {}
    children = [
        {"key": code, "name": names[code], **_rates(k), "summons_rate": k.summons_rate, "overdue": k.overdue}
        for code, k in ranked.items()
        if code in names
    ]
    calls = summons_by_unit(area.code, start=month.start, now=now)
    # Units by the tickets they lead, without "overdue now" (counting it per unit cost more than the
    # rest of the screen; the workbench has it).
    units = {
        g.key: {"key": g.key, "name": g.name, **_rates(g.kpis)}
        for g in groups(area, month, "unit", overdue={})
    }
    for unit in Unit.objects.filter(pk__in=calls).only("pk", "name"):
        row = units.setdefault(str(unit.pk), {"key": str(unit.pk), "name": unit.name, **_rates(None)})
        row.update({k: calls[unit.pk][k] for k in ("summoned", "missed", "late")})
    for row in units.values():
        for k in ("summoned", "missed", "late"):
            row.setdefault(k, 0)
    level = str(Level(ranked_areas[0].level).label) if ranked_areas else ""
    return {"level": level, "areas": sorted(children, key=order), "units": sorted(units.values(), key=order)}


# --- ticker ---------------------------------------------------------------------------------------


def _recent(area: Area, now: dt.datetime) -> QuerySet[Ticket]:
    """The area's tickets of the last RECENT_DAYS, to be read newest first: the area is matched by a
    prefix the database cannot take from an index, so that it walks the submission-time index backwards
    and stops at the first rows that match, instead of sorting every ticket of a district."""
    prefix = Substr("area_code", 1, len(area.code))
    return (
        Ticket.objects.annotate(prefix=prefix)
        .filter(prefix=area.code, submitted_at__gte=now - dt.timedelta(days=RECENT_DAYS))
        .order_by("-submitted_at", "-pk")
    )


def ticker(area: Area, now: dt.datetime, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The newest tickets, and the escalated ones still open: titles masked, no names or numbers."""
    levels = dict(TicketLevel.choices)
    channels = dict(Channel.choices)
    newest = list(
        _recent(area, now).values(
            "pk", "title", "channel", "urgency", "submitted_at", "area_id", "category_id"
        )[:TICKER]
    )
    # Escalations under way: open tickets now above the grid. Their ids from the queue index alone, then
    # the rows of those few: sorting thousands of full rows for eight took 13 ms at a million tickets.
    above = [TicketLevel.COMMUNITY, TicketLevel.STREET, TicketLevel.DISTRICT]
    latest = Ticket.objects.filter(subtree_q(area.code), status__in=OPEN, level__in=above)
    ids = list(latest.order_by("-submitted_at", "-pk").values_list("pk", flat=True)[:ESCALATIONS])
    escalated = list(
        Ticket.objects.filter(pk__in=ids)
        .values("pk", "title", "level", "submitted_at", "area_id")
        .order_by("-submitted_at", "-pk")
    )
    places = Area.objects.in_bulk({t["area_id"] for t in newest + escalated})
    kinds = Category.objects.in_bulk({t["category_id"] for t in newest if t["category_id"]})
    return {
        "newest": [
            {
                "id": t["pk"],
                "title": mask_title(t["title"]),
                "area": places[t["area_id"]].name,
                "category": kinds[t["category_id"]].name if t["category_id"] else "",
                "channel": str(channels.get(t["channel"], t["channel"])),
                "urgent": t["urgency"] != Urgency.NORMAL,
                "at": t["submitted_at"],
                "time": clock(t["submitted_at"], today),
            }
            for t in newest
        ],
        "escalations": [
            {
                "id": t["pk"],
                "title": mask_title(t["title"]),
                "area": places[t["area_id"]].name,
                "level": str(levels.get(t["level"], t["level"])),
                "at": t["submitted_at"],
                "time": clock(t["submitted_at"], today),
            }
            for t in escalated
        ],
    }


# --- map ------------------------------------------------------------------------------------------


def _grids(area: Area) -> list[str]:
    return list(area.subtree().filter(level=Level.GRID).values_list("code", flat=True))


def grid_figures(area: Area, registry: dict[str, Any], now: dt.datetime, open_now: OpenNow) -> dict[str, Any]:
    """Per grid: open and overdue tickets, households, and open tickets per 1,000 households; the newest
    open tickets with a place as points (urgent ones flagged); the hotspots."""
    grids = set(registry["grid_codes"])
    counted = open_now.by_grid(grids)
    figures: dict[str, dict[str, Any]] = {}
    for code in sorted(grids):
        held, late = counted.get(code, (0, 0))
        households = registry["grid_households"].get(code, 0)
        figures[code] = {
            "open": held,
            "overdue": late,
            "households": households,
            "per_1000": round(held * 1000 / households, 1) if households else None,
        }
    # The newest open tickets: their ids from the queue index alone, then their places.
    newest = Ticket.objects.filter(subtree_q(area.code), status__in=OPEN).order_by("-submitted_at")
    ids = list(newest.values_list("pk", flat=True)[:POINTS])
    placed = Ticket.objects.filter(pk__in=ids, lat__isnull=False, lng__isnull=False)
    points = [
        {"lat": lat, "lng": lng, "urgent": urgency != Urgency.NORMAL}
        for lat, lng, urgency in placed.values_list("lat", "lng", "urgency")
    ]
    for code, head in registry["grid_heads"].items():
        figures[code]["head"] = head
    return {"grids": figures, "points": points, "hotspots": registry["hotspots"]}


# --- registry, directives, emergency -----------------------------------------------------------------


def registry(area: Area, today: dt.date) -> dict[str, Any]:
    """Households, residents by care colour, visits due and overdue; households and the grid head of
    each grid, and the day's hotspots (X3, read at most hourly by the worker): kept for REGISTRY_SECONDS
    in the cache."""
    key = f"wangge:screen:registry:{area.code}:{today.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found
    households = Household.objects.filter(area__code__startswith=area.code)
    by_place = dict(
        households.values("area__code").order_by().annotate(n=Count("pk")).values_list("area__code", "n")
    )
    grids = _grids(area)
    owner = grid_of_codes(list(by_place), set(grids))
    grid_households: dict[str, int] = defaultdict(int)
    for code, n in by_place.items():
        if owner[code] is not None:
            grid_households[owner[code]] += n  # type: ignore[index]
    colours = dict(
        Resident.objects.filter(household__area__code__startswith=area.code)
        .values("care_level")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("care_level", "n")
    )
    due = due_by_grid(area, today=today)
    heads = Membership.objects.filter(area__code__in=grids, role=Role.GRID_HEAD, active=True)
    grid_heads: dict[str, str] = {}
    named = heads.values_list("area__code", "user__display_name", "user__username")
    for code, name, username in named.order_by("area__code", "pk"):
        grid_heads.setdefault(code, name or username)
    hotspots = [
        {
            "grid": s.area.code,
            "area": s.area.name,
            "category": s.category.name,
            "reason": s.reasons[0] if s.reasons else "",
            "lat": s.area.lat,
            "lng": s.area.lng,
        }
        for s in hotspots_in(area, today=today, with_planned=False)[:HOTSPOTS]
    ]
    found = {
        "households": sum(by_place.values()),
        "residents": sum(colours.values()),
        "care": [{"key": c.value, "name": str(c.label), "count": colours.get(c.value, 0)} for c in CareLevel],
        "visits_overdue": sum(g.overdue for g in due),
        "visits_due": sum(g.due for g in due),
        "grids": len(grids),
        "grid_codes": grids,
        "grid_households": dict(grid_households),
        "grid_heads": grid_heads,
        "hotspots": hotspots,
    }
    cache.set(key, found, REGISTRY_SECONDS)
    return found


def directives(area: Area, now: dt.datetime) -> list[dict[str, Any]]:
    """Directives of the last 30 days with receipts in the area: completion = reported / receipts."""
    receipts = (
        Receipt.objects.filter(
            subtree_q(area.code, "area__code"), directive__created_at__gte=now - dt.timedelta(days=30)
        )
        .values("directive_id")
        .order_by()
        .annotate(total=Count("pk"), reported=Count("pk", filter=Q(reported_at__isnull=False)))
    )
    counted = {r["directive_id"]: r for r in receipts}
    shown = Directive.objects.filter(pk__in=counted).order_by("-created_at")[:5]
    return [
        {
            "id": d.pk,
            "title": d.title,
            "deadline": d.deadline,
            "overdue": now > d.deadline,
            "total": counted[d.pk]["total"],
            "reported": counted[d.pk]["reported"],
            "rate": round(counted[d.pk]["reported"] / counted[d.pk]["total"], 4),
        }
        for d in shown
    ]


def emergency(area: Area) -> dict[str, Any] | None:
    """An emergency on the area, above it or anywhere inside it."""
    on = (
        Emergency.objects.filter(
            Q(area__code__in=area.ancestor_codes) | subtree_q(area.code, "area__code"), ended_at=None
        )
        .select_related("area")
        .order_by("-started_at")
        .first()
    )
    return None if on is None else {"area": on.area.name, "reason": on.reason, "since": on.started_at}


# --- all of it ------------------------------------------------------------------------------------


def standings_key(code: str, today: dt.date) -> str:
    return f"wangge:screen:standings:{code}:{today.isoformat()}"


def standings(
    area: Area, spans: dict[str, tuple[dt.date, dt.date]], now: dt.datetime, open_now: OpenNow
) -> dict[str, Any]:
    """The month's standings: child areas and units ranked, the top categories, the requests per month.
    They move little from one refresh to the next and cost a third of a refresh (58 of 168 ms on
    PostgreSQL at a million tickets), so each app process reads them at most once per STANDINGS_SECONDS
    and area, for every screen it serves that area to; `at` says when."""
    today = spans["today"][0]
    key = standings_key(area.code, today)
    found = cache.get(key)
    if found is None:
        month = Selection.days(area=area.code, first=spans["month"][0], last=spans["month"][1])
        found = {
            "by_month": monthly(area, today),
            "categories": top_categories(area, spans),
            "rankings": rankings(area, month, now, open_now),
            "at": now,
        }
        cache.set(key, found, STANDINGS_SECONDS)
    return found


def screen_data(area: Area, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    spans = periods(today)
    glance = registry(area, today)
    open_now = OpenNow.count(area, now)
    ranked = standings(area, spans, now, open_now)
    tz = timezone.get_default_timezone()
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "generated_at": now,
        "generated_text": f"{timezone.localtime(now, tz):%H:%M:%S}",
        "refresh_seconds": REFRESH_SECONDS,
        "headline": headline(area, spans, now, open_now.overdue),
        "trends": trends(area, today, ranked["by_month"]),
        "categories": ranked["categories"],
        "rankings": {
            **ranked["rankings"],
            "at": ranked["at"],
            "text": f"{timezone.localtime(ranked['at'], tz):%H:%M}",
        },
        "ticker": ticker(area, now, today),
        "map": grid_figures(area, glance, now, open_now),
        "registry": {k: v for k, v in glance.items() if k not in PER_GRID},
        "directives": directives(area, now),
        "emergency": emergency(area),
    }
