"""工作台: the queues each role works from, one definition for the workbench, the phone pages and the API.

A queue is a set of tickets in the user's scope that asks something of them: dispatch what waits at
their level (待受理/派单), handle what is theirs (我的待办), take what waits in their grid (网格待办),
answer a summons (吹哨报到), review and call back (待审核/回访). "超时" and "全部" are views, not jobs.
The workbench opens on the first job queue that holds anything.
"""

import re
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Role, subtree_q
from wangge.areas.scoping import prefix_q, scope_of
from wangge.tickets import workflow
from wangge.tickets.actions import categories_by_code
from wangge.tickets.models import LADDER, Assignment, Channel, Level, Status, SummonsCall, Ticket, Urgency
from wangge.tickets.queries import DISPATCH_ROLE, LADDER_INDEX, UNCLAIMED, overdue_q, tickets_for

WAITING = [Status.NEW, Status.ACCEPTED, Status.RETURNED]  # not yet with a handler
HANDLING = [Status.ASSIGNED, Status.IN_PROGRESS]
OPEN = sorted(workflow.OPEN)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    job: bool  # asks something of the user (the workbench opens on the first such queue with tickets)
    counted: bool  # its size is shown on the tab (全部 is not: at a district's scale it is every ticket)
    empty: str  # what an empty list says


QUEUES = {
    q.key: q
    for q in [
        Queue("dispatch", "待受理/派单", True, True, "没有等待受理或派单的诉求"),
        Queue("mine", "我的待办", True, True, "没有派给您的待办诉求"),
        Queue("grid", "网格待办", True, True, "网格里没有等待处理的诉求"),
        Queue("summoned", "吹哨报到", True, True, "没有等待报到的吹哨"),
        Queue("review", "待审核/回访", True, True, "没有等待审核或回访的诉求"),
        Queue("overdue", "超时", False, True, "没有超时的诉求"),
        Queue("all", "全部", False, False, "没有诉求"),
    ]
}

# The queues each role works from, in the order its tabs show them.
ROLE_QUEUES: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_STAFF: ("dispatch", "review", "mine", "overdue", "all"),
    Role.STREET_STAFF: ("dispatch", "review", "mine", "overdue", "all"),
    Role.COMMUNITY_STAFF: ("dispatch", "review", "mine", "overdue", "all"),
    Role.GRID_HEAD: ("dispatch", "mine", "overdue", "all"),
    Role.GRID_WORKER: ("mine", "grid", "overdue", "all"),
    Role.UNIT_STAFF: ("mine", "summoned", "overdue", "all"),
    Role.PARTY_MEMBER: ("mine", "all"),
    Role.VOLUNTEER: ("mine", "all"),
    Role.LEADER: ("overdue", "all"),
}
ORDER = list(QUEUES)


def queues_for(user: User) -> list[Queue]:
    """The tabs of this user's workbench: the queues of each of their roles, in one order."""
    scope = scope_of(user)
    if scope.everything:
        return list(QUEUES.values())
    keys = {k for m in scope.memberships for k in ROLE_QUEUES.get(m.role, ("mine", "all"))}
    keys |= {"mine", "all"}
    return [QUEUES[k] for k in ORDER if k in keys]


def _dispatch_q(user: User) -> Q:
    """What waits for a dispatcher: tickets at their level or below, under the area they dispatch for."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    for m in scope.memberships:
        level = next((lv for lv, role in DISPATCH_ROLE.items() if role == m.role), None)
        if level is None or m.area is None:
            continue
        below = [str(x) for x in LADDER[: LADDER_INDEX[level] + 1]]
        q |= subtree_q(m.area.code) & Q(level__in=below)
    return q


def _mine_q(user: User) -> Q:
    """Held by the user (their assignments, read once: a person holds few) or by their unit (a probe per
    ticket: a unit may hold a quarter of the district's)."""
    scope = scope_of(user)
    mine = Q(pk__in=Assignment.objects.filter(user=user, active=True).values("ticket_id"))
    if scope.unit_ids:
        held = Assignment.objects.filter(ticket=OuterRef("pk"), unit_id__in=scope.unit_ids, active=True)
        mine |= Q(Exists(held))
    return mine


def _grid_q(user: User) -> Q:
    codes = [
        m.area.code for m in scope_of(user).memberships if m.area is not None and m.role == Role.GRID_WORKER
    ]
    return prefix_q("area_code", codes) & Q(level=Level.GRID)


def _summoned_q(user: User) -> Q:
    units = scope_of(user).unit_ids
    waiting = SummonsCall.objects.filter(
        summons__ticket=OuterRef("pk"), unit_id__in=units, reported_at__isnull=True
    )
    return Q(Exists(waiting))


def _queue_q(user: User, key: str) -> tuple[Q, list[Status] | None]:
    """A queue's test and the statuses it holds (None: every status)."""
    if key == "dispatch":
        return _dispatch_q(user), WAITING
    if key == "mine":
        return _mine_q(user), HANDLING
    if key == "grid":
        return _grid_q(user), WAITING
    if key == "summoned":
        return _summoned_q(user), OPEN
    if key == "review":
        return Q(), [Status.RESOLVED]
    if key == "overdue":
        return overdue_q(timezone.now()), OPEN
    return Q(), None


def queue(user: User, key: str) -> QuerySet[Ticket]:
    """The tickets of one queue (unordered; the caller orders and pages)."""
    test, statuses = _queue_q(user, key)
    tickets = tickets_for(user).filter(test)
    return tickets.filter(status__in=statuses) if statuses is not None else tickets


def counts(user: User, queues: list[Queue]) -> dict[str, int]:
    """The size of each counted queue: what its tab shows, and what its list holds. One pass over the
    user's tickets of the statuses these queues hold (each a test of the same row), where a query per
    tab read those rows once each (four times for a secretary at a million tickets)."""
    tests = {q.key: _queue_q(user, q.key) for q in queues if q.counted}
    if not tests:
        return {}
    if any(statuses is None for _, statuses in tests.values()):  # a counted queue of every status
        return {key: queue(user, key).count() for key in tests}
    held = sorted({s for _, statuses in tests.values() for s in statuses or []})
    sizes = (
        tickets_for(user)
        .filter(status__in=held)
        .aggregate(
            **{
                key: Count("pk", filter=test & Q(status__in=statuses))
                for key, (test, statuses) in tests.items()
            }
        )
    )
    return {key: sizes[key] or 0 for key in tests}


def opening_queue(queues: list[Queue], sizes: dict[str, int]) -> str:
    """The first job queue with tickets in it; else the overdue ones; else the first tab."""
    for q in queues:
        if q.job and sizes.get(q.key):
            return q.key
    if sizes.get("overdue"):
        return "overdue"
    return queues[0].key


# --- filters and order -----------------------------------------------------------------------------

NUMBER = re.compile(r"^(?:WG\d{8}-)?0*(\d{1,12})$", re.IGNORECASE)
SORTS = {"new": "最新提交", "old": "最早提交", "deadline": "时限最近"}


@dataclass(frozen=True)
class Filters:
    """What a worklist is narrowed by. Codes and values are checked by `clean_filters`."""

    status: str = ""
    category: str = ""  # a category code: its whole branch
    urgency: str = ""
    channel: str = ""
    area: str = ""  # an area code in the user's scope: its subtree
    overdue: bool = False
    text: str = ""  # 工单编号, or words of the title, description or address
    sort: str = "new"

    @property
    def any(self) -> bool:
        return any(
            (self.status, self.category, self.urgency, self.channel, self.area, self.overdue, self.text)
        )


def clean_filters(raw: dict[str, str], *, area_codes: set[str]) -> Filters:
    """Filters from a query string: unknown values are dropped, never an error (a list link stays usable)."""
    category = raw.get("category", "")
    return Filters(
        status=raw.get("status", "") if raw.get("status") in Status.values else "",
        category=category if category in categories_by_code.get() else "",
        urgency=raw.get("urgency", "") if raw.get("urgency") in Urgency.values else "",
        channel=raw.get("channel", "") if raw.get("channel") in Channel.values else "",
        area=raw.get("area", "") if raw.get("area") in area_codes else "",
        overdue=raw.get("overdue") == "1",
        text=raw.get("q", "").strip()[:50],
        sort=raw.get("sort", "") if raw.get("sort") in SORTS else "new",
    )


def filtered(tickets: QuerySet[Ticket], f: Filters) -> QuerySet[Ticket]:
    if f.status:
        tickets = tickets.filter(status=f.status)
    if f.category:
        branch = [c.pk for code, c in categories_by_code.get().items() if code.startswith(f.category)]
        tickets = tickets.filter(category_id__in=branch)
    if f.urgency:
        tickets = tickets.filter(urgency=f.urgency)
    if f.channel:
        tickets = tickets.filter(channel=f.channel)
    if f.area:
        tickets = tickets.filter(subtree_q(f.area))
    if f.overdue:
        tickets = tickets.filter(overdue_q(timezone.now()))
    if f.text:
        number = NUMBER.match(f.text)
        words = Q(title__icontains=f.text) | Q(description__icontains=f.text) | Q(address__icontains=f.text)
        tickets = tickets.filter(words | Q(pk=int(number.group(1))) if number else words)
    return tickets


def ordered(tickets: QuerySet[Ticket], sort: str, *, bounded: bool) -> QuerySet[Ticket]:
    """Newest first by default. "时限最近" orders by the deadline the ticket waits on now (claim until
    someone claims it, then resolve), which sorts the whole list: only for queues of open tickets.

    A bounded queue (open tickets of one kind: thousands at most, where 全部 is every ticket) is sorted
    by an expression no index serves, so that the database finds the queue's rows by its own filter and
    sorts them; ordered by the column, SQLite walks the newest-first index of all the tickets until 30
    of the queue turn up (5 s for a secretary's 我的待办 at a million tickets)."""
    if sort == "deadline" and bounded:
        due = Case(
            When(status=Status.IN_PROGRESS, then=F("resolve_deadline")),
            When(status__in=UNCLAIMED, then=F("claim_deadline")),
            default=F("resolve_deadline"),
        )
        return tickets.alias(due=due).order_by(F("due").asc(nulls_last=True), "id")
    when = Coalesce("submitted_at", "submitted_at") if bounded else F("submitted_at")
    if sort == "old":
        return tickets.order_by(when.asc(), "id")
    return tickets.order_by(when.desc(), "-id")
