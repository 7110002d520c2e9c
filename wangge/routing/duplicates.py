"""重复诉求 (X2) in the loop: the open tickets most likely reporting the same problem as a new or existing
ticket, and groups of open tickets of one problem for the clusters view. The comparison is the one of
`routing.clusters`; this module picks the candidates from the database.

Candidates are open tickets (not closed, merged, withdrawn or rejected) in the same community as the
ticket, submitted within `WINDOW_DAYS` before it (or after, for an older ticket): the newest `CANDIDATES`
of its own grid and `PER_NEIGHBOUR` of each other grid. The index on (area_code, submitted_at) answers
that in milliseconds whatever the size of the table, so the check costs the same in a district and in a
province.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, subtree_q
from wangge.lib.geo import metres
from wangge.routing.clusters import (
    DUPLICATE_DAYS,
    SAME_THRESHOLD,
    Group,
    Message,
    Pairs,
    group_messages,
)
from wangge.tickets import workflow
from wangge.tickets.models import Ticket
from wangge.tickets.queries import ancestor_codes, tickets_for

WINDOW_DAYS = 30
CANDIDATES = 150  # from the ticket's own grid
PER_NEIGHBOUR = 20  # from each other grid of its community
SHOWN = 5
CLUSTER_DAYS = 30
CLUSTER_TICKETS = 1000  # grouping costs the square of this when many tickets read alike
# The columns a candidate is read with, in the order `_message` takes them.
_FIELDS = ("pk", "title", "description", "submitted_at", "lat", "lng", "area_code")


@dataclass
class Duplicate:
    ticket: Ticket
    score: float
    metres: float | None


def _community(area_code: str) -> str:
    codes = ancestor_codes(area_code)
    return codes[-2] if len(codes) >= 2 else area_code


def _message(row: tuple) -> Message:
    """A ticket row of `_FIELDS` as a report to compare."""
    pk, title, description, at, lat, lng, code = row
    return Message(str(pk), title, description, _aware(at), lat=lat, lng=lng, area=code)


def likely_duplicates(
    *,
    title: str,
    description: str,
    area_code: str,
    lat: float | None = None,
    lng: float | None = None,
    at: dt.datetime | None = None,
    exclude: int | None = None,
    user: User | None = None,
    shown: int = SHOWN,
) -> list[Duplicate]:
    """The open tickets most likely the same problem, best first (similarity ≥ SAME_THRESHOLD). Given a
    `user`, only tickets that user may see."""
    at = at or timezone.now()
    window = dt.timedelta(days=WINDOW_DAYS)
    grids = list(
        Area.objects.filter(code__startswith=_community(area_code), level=Level.GRID).values_list(
            "code", flat=True
        )
    ) or [area_code]
    candidates = _candidates(grids, area_code, at - window, at + window, exclude)
    if not candidates:
        return []
    new = Message("", title, description, at, lat=lat, lng=lng, area=area_code)
    pairs = Pairs([new, *candidates], time_scale=DUPLICATE_DAYS)
    best = [(candidates[j - 1], s) for j, s in pairs.like_the_first() if s >= SAME_THRESHOLD]
    if user is not None:  # scope last: it is one query over a handful of ids
        visible = set(
            tickets_for(user).filter(pk__in=[int(m.id) for m, _ in best]).values_list("pk", flat=True)
        )
        best = [(m, s) for m, s in best if int(m.id) in visible]
    best = best[:shown]
    tickets = Ticket.objects.select_related("area", "category").in_bulk([int(m.id) for m, _ in best])
    out = []
    for m, score in best:
        distance = None
        if lat is not None and lng is not None and m.lat is not None and m.lng is not None:
            distance = metres(lat, lng, m.lat, m.lng)
        out.append(Duplicate(tickets[int(m.id)], min(score, 1.0), distance))
    return out


def _candidates(
    grids: list[str], own: str, start: dt.datetime, end: dt.datetime, exclude: int | None
) -> list[Message]:
    """Per grid, the newest open tickets of the window: one backward walk of the (area_code, submitted_at)
    index each, however many tickets the grid has had, in one statement."""
    table = Ticket._meta.db_table
    terminal = sorted(workflow.TERMINAL)
    one = (
        f"SELECT {', '.join('id' if f == 'pk' else f for f in _FIELDS)} FROM {table} "
        f"WHERE area_code = %s AND submitted_at >= %s AND submitted_at <= %s "
        f"AND status NOT IN ({', '.join(['%s'] * len(terminal))}) AND id <> %s "
        f"ORDER BY submitted_at DESC LIMIT %s"
    )
    sql = " UNION ALL ".join(f"SELECT * FROM ({one}) AS g{i}" for i in range(len(grids)))
    bounds = [connection.ops.adapt_datetimefield_value(t) for t in (start, end)]
    params: list = []
    for grid in grids:
        limit = CANDIDATES if grid == own else PER_NEIGHBOUR
        params += [grid, *bounds, *terminal, exclude or 0, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_message(row) for row in rows]


def _aware(value: dt.datetime | str) -> dt.datetime:
    """A timestamp as the database cursor gives it (SQLite: text in UTC) as an aware datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def duplicates_of(ticket: Ticket, user: User | None = None) -> list[Duplicate]:
    """Open tickets likely reporting the same problem as `ticket` (none once it is itself finished)."""
    if ticket.status in workflow.TERMINAL:
        return []
    return likely_duplicates(
        title=ticket.title,
        description=ticket.description,
        area_code=ticket.area_code,
        lat=ticket.lat,
        lng=ticket.lng,
        at=ticket.submitted_at,
        exclude=ticket.pk,
        user=user,
    )


@dataclass
class Cluster:
    group: Group
    tickets: list[Ticket]


def open_clusters(user: User, area_code: str = "", *, days: int = CLUSTER_DAYS) -> list[Cluster]:
    """Groups of two or more open tickets of one problem, hottest first, among the newest open tickets
    (at most CLUSTER_TICKETS, submitted in the last `days`) this user sees, in `area_code`'s subtree."""
    rows = tickets_for(user).filter(status__in=workflow.UNFINISHED)
    rows = rows.filter(submitted_at__gte=timezone.now() - dt.timedelta(days=days))
    if area_code:
        rows = rows.filter(subtree_q(area_code))
    candidates = rows.order_by("-submitted_at").values_list(*_FIELDS)[:CLUSTER_TICKETS]
    groups = [g for g in group_messages([_message(r) for r in candidates]) if len(g.ids) > 1]
    tickets = Ticket.objects.select_related("area", "category").in_bulk(
        [int(i) for g in groups for i in g.ids]
    )
    return [Cluster(g, [tickets[int(i)] for i in g.ids]) for g in groups]
