"""未诉先办 (X3) in the loop: the hotspots of an area read from its tickets (routing.hotspots), and what the
statistics page and the API show of them.

Counted: every ticket with a category, from three and a half years back, except planned actions
themselves and tickets that were rejected, withdrawn or merged into another (a merged report is the
same problem counted twice). Each grid × category is one series; a ticket filed at community level
is a series of the community.
"""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, subtree_q
from wangge.routing.hotspots import History, Hotspot, find_hotspots, from_record, history_start, to_record
from wangge.routing.models import HotspotReading
from wangge.stats.rollup import local_day
from wangge.tickets.models import Category, Channel, Status, Ticket
from wangge.tickets.queries import sees_every_ticket_of

NOT_COUNTED = (Status.REJECTED, Status.WITHDRAWN, Status.MERGED)
PLANNED_DAYS = 28  # a planned action this recent stands in for its suggestion
WATCHED_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)  # readings the worker keeps fresh


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _span(start: dt.date, end: dt.date) -> str:
    return f"{_md(start)}–{_md(end)}"


@dataclass
class Suggestion:
    """One hotspot with its grid and category, and the planned action taken on it, if any."""

    hotspot: Hotspot
    area: Area
    category: Category
    planned: Ticket | None

    @property
    def reasons(self) -> list[str]:
        """The evidence in words, for the page and for the planned ticket's description."""
        said = []
        if (r := self.hotspot.recurring) is not None:
            years = "，".join(f"{y.start.year}年 {y.reports} 件（平常约 {y.usual:.1f} 件）" for y in r.years)
            said.append(
                f"季节性：往年同期（{_span(r.years[0].start, r.years[0].end)}）{years}；"
                f"预计{_span(r.start, r.end)}约 {r.expected:.0f} 件"
            )
        if (g := self.hotspot.rising) is not None:
            said.append(
                f"上升：近四周（{_span(g.start, g.end)}）{g.reports} 件，按此前十二周"
                f"（{_span(g.baseline_start, g.baseline_end)}，共 {g.baseline_reports} 件）的水平约 "
                f"{g.usual:.1f} 件"
            )
        return said

    @property
    def bars(self) -> list[tuple[int, int]]:
        """The weekly counts as (count, height in per cent of the busiest week), for a small bar chart."""
        top = max(self.hotspot.weeks) or 1
        return [(n, round(100 * n / top)) for n in self.hotspot.weeks]

    def as_json(self) -> dict:
        h = self.hotspot
        return {
            "area": {"code": self.area.code, "name": self.area.name},
            "category": {"code": self.category.code, "name": self.category.path},
            "kinds": list(h.kinds),
            "score": round(h.score, 2),
            "weeks": list(h.weeks),
            "weeks_start": h.weeks_start,
            "recurring": h.recurring.as_json() if h.recurring else None,
            "rising": h.rising.as_json() if h.rising else None,
            "reasons": self.reasons,
            "planned": self.planned.pk if self.planned else None,
        }


def history(area_code: str, *, today: dt.date) -> History:
    """Reports per series and day under an area, as far back as hotspots look or records go (the first
    ticket of the whole system, so that every area reads the same weeks as known)."""
    first = Ticket.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    start = max(history_start(today), timezone.localdate(first) if first else today)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    rows = (
        Ticket.objects.filter(subtree_q(area_code), submitted_at__gte=since, category__isnull=False)
        .exclude(channel=Channel.PROACTIVE)
        .exclude(status__in=NOT_COUNTED)
        .order_by()
        .annotate(day=local_day("submitted_at"))
        .values_list("area_code", "category_id", "day")
        .annotate(n=Count("pk"))
    )
    return History.count(
        (
            ((code, category), day if isinstance(day, dt.date) else dt.date.fromisoformat(day), n)
            for code, category, day, n in rows
        ),
        today=today,
        since=start,
    )


def _series(h: Hotspot) -> tuple[str, int]:
    return cast(tuple[str, int], h.key)  # (area code, category id), as history() counts them


def read_hotspots(area_code: str, *, today: dt.date) -> list[Hotspot]:
    """Find the hotspots under an area now and keep them as the day's reading (replacing an older one;
    two readers at once both keep what they found, which is the same)."""
    found = find_hotspots(history(area_code, today=today))
    records, now = [to_record(h) for h in found], timezone.now()
    kept = HotspotReading.objects.filter(area_code=area_code, day=today).update(found=records, read_at=now)
    if not kept:
        HotspotReading.objects.bulk_create(
            [HotspotReading(area_code=area_code, day=today, found=records, read_at=now)],
            ignore_conflicts=True,
        )
    return found


def _todays_hotspots(area_code: str, today: dt.date) -> list[Hotspot]:
    reading = HotspotReading.objects.filter(area_code=area_code, day=today).only("found").first()
    if reading is not None:
        return [from_record(r) for r in reading.found]
    return read_hotspots(area_code, today=today)


def renew_readings(*, now: dt.datetime | None = None) -> int:
    """The worker's part: renew the day's reading of every district, street and community whose reading
    is missing or older than HOTSPOT_REFRESH_HOURS. Returns how many were read."""
    if settings.HOTSPOT_REFRESH_HOURS <= 0:
        return 0
    now = now or timezone.now()
    today = timezone.localdate(now)
    fresh = set(
        HotspotReading.objects.filter(
            day=today, read_at__gte=now - dt.timedelta(hours=settings.HOTSPOT_REFRESH_HOURS)
        ).values_list("area_code", flat=True)
    )
    watched = Area.objects.filter(level__in=WATCHED_LEVELS).values_list("code", flat=True)
    stale = [code for code in watched.order_by("code") if code not in fresh]
    for code in stale:
        read_hotspots(code, today=today)
    return len(stale)


def hotspots_in(area: Area, *, today: dt.date | None = None, with_planned: bool = True) -> list[Suggestion]:
    """Every hotspot under `area` (already scoped by the caller), the strongest first, as read today;
    whether each has been planned is looked up now (unless `with_planned` is False: the big screen
    marks the places and leaves planning to the statistics page)."""
    today = today or timezone.localdate()
    found = _todays_hotspots(area.code, today)
    if not found:
        return []
    keys = [_series(h) for h in found]
    areas = {a.code: a for a in Area.objects.filter(code__in={code for code, _ in keys})}
    categories = Category.objects.in_bulk({category for _, category in keys})
    since = timezone.now() - dt.timedelta(days=PLANNED_DAYS)
    planned: dict[tuple[str, int | None], Ticket] = {}
    actions = Ticket.objects.filter(
        channel=Channel.PROACTIVE,
        submitted_at__gte=since,
        area_code__in={code for code, _ in keys},
        category_id__in={category for _, category in keys},
    )
    for t in actions.order_by("-submitted_at") if with_planned else []:
        planned.setdefault((t.area_code, t.category_id), t)
    return [
        Suggestion(h, areas[code], categories[category], planned.get((code, category)))
        for h, (code, category) in zip(found, keys, strict=True)
        if code in areas
    ]


def may_plan(user: User, area: Area) -> bool:
    """Whoever sees every ticket of the area may plan there: grid workers and heads, community and street
    staff, the command centre and leaders whose area holds it (not units, residents or volunteers)."""
    return sees_every_ticket_of(user, area.code)
