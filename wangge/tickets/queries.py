"""Who sees which tickets, and how a user relates to one ticket (the `who` of workflow.py).

Staff of an area see the tickets of its subtree; unit staff see the tickets their unit holds (an active
assignment) or is summoned to; party members and volunteers see tickets assigned to them, and a party
member also the requests of the households they look after (包户); residents see their own. Everything
else answers 404.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, codes_above
from wangge.areas.scoping import Scope, prefix_q, scope_of
from wangge.lib.refreshed import Refreshed
from wangge.people.models import Resident
from wangge.tickets import workflow
from wangge.tickets.models import LADDER, Assignment, Level, Status, SummonsCall, Ticket

# Roles that see every ticket of their area's subtree.
AREA_TICKET_ROLES = frozenset(
    {
        Role.GRID_HEAD,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.LEADER,
    }
)
# Which role dispatches at which level of the ladder, and how long its area code is.
DISPATCH_ROLE = {
    Level.GRID: Role.GRID_HEAD,
    Level.COMMUNITY: Role.COMMUNITY_STAFF,
    Level.STREET: Role.STREET_STAFF,
    Level.DISTRICT: Role.DISTRICT_STAFF,
}
LADDER_INDEX = {level: i for i, level in enumerate(LADDER)}
SUPERVISOR_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
ROLE_LEVEL = {role: level for level, role in DISPATCH_ROLE.items()}


def ancestor_codes(code: str) -> list[str]:
    """The code itself and every ancestor's code, root first."""
    return [*codes_above(code), code]


def _area_ticket_prefixes(scope: Scope) -> list[str]:
    return [m.area.code for m in scope.memberships if m.area is not None and m.role in AREA_TICKET_ROLES]


def sees_every_ticket_of(user: User, area_code: str) -> bool:
    """Whether the user sees every ticket under this area: a superuser, or an area role above it."""
    scope = scope_of(user)
    return scope.everything or any(area_code.startswith(p) for p in _area_ticket_prefixes(scope))


def ticket_q(user: User) -> Q:
    """The tickets a user sees. Each clause is cheap on a million tickets: the areas are code ranges an
    index serves, a unit's tickets an index probe of (ticket, unit) per row (a unit may hold a quarter of
    a district's tickets, too many to list first), and a person's own assignments and submissions
    outside their areas are listed once (`_own_elsewhere_q`), so that staff of an area read their area's
    range alone and a queue's (status, area) index serves them."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    prefixes = _area_ticket_prefixes(scope)
    if _covers_every_area(user, prefixes):
        return Q()
    q = prefix_q("area_code", prefixes)
    if scope.unit_ids:
        # A unit reads what it holds (a finished ticket keeps its assignment) and what it is summoned to.
        # Once its assignment ends (退单, reassigned, claimed by another, escalated, withdrawn, reopened
        # after 不满意) the ticket and its resident are no longer the unit's business: 404.
        held = Assignment.objects.filter(ticket=OuterRef("pk"), unit_id__in=scope.unit_ids, active=True)
        q |= Q(Exists(held))
        q |= Q(Exists(SummonsCall.objects.filter(summons__ticket=OuterRef("pk"), unit_id__in=scope.unit_ids)))
    if user.is_authenticated:
        q |= _own_elsewhere_q(user, prefixes)
        if scope.own_resident_id is not None:
            q |= Q(resident_id=scope.own_resident_id)
        if scope.party_membership_ids:  # 包户: the residents of a party member's 5–8 households
            residents = Resident.objects.filter(
                household__party_contacts__membership_id__in=scope.party_membership_ids
            )
            q |= Q(resident_id__in=residents.values("pk"))
    return q


def _covers_every_area(user: User, prefixes: list[str]) -> bool:
    """Whether these areas hold every area there is (the staff of the only district): then no test at
    all, which lets the newest-first list walk the time index (tested by range, a million tickets were
    sorted to show 30: 0.18 s). Asked of the area table once per request."""
    cached: bool | None = getattr(user, "_wangge_covers_every_area", None)
    if cached is None:
        cached = bool(prefixes) and not Area.objects.exclude(prefix_q("code", prefixes)).exists()
        user._wangge_covers_every_area = cached  # type: ignore[attr-defined]
    return cached


OWN_LISTED = 1000  # a person's own tickets outside their areas listed by id up to this many


def _own_elsewhere_q(user: User, prefixes: list[str]) -> Q:
    """The tickets assigned to the user or submitted by them that lie outside their areas (a resident's
    or a volunteer's own; staff seldom have any), read once per request: two reads, each by its own
    index on the person (an assignment keeps its ticket's place), the areas' ranges tested on those
    rows alone, and then a list of ids, where an OR of the person's columns was tested on every row of
    a queue. Past OWN_LISTED (an account that files for a channel) the tests themselves, so that no
    query carries thousands of ids."""
    cached: Q | None = getattr(user, "_wangge_own_elsewhere", None)
    if cached is None:
        inside = prefix_q("area_code", prefixes)
        assigned = Assignment.objects.filter(user=user).exclude(inside).values_list("ticket_id", flat=True)
        submitted = Ticket.objects.filter(submitted_by=user).exclude(inside).values_list("pk", flat=True)
        ids = list(assigned.order_by().union(submitted.order_by())[: OWN_LISTED + 1])
        if len(ids) > OWN_LISTED:
            cached = Q(pk__in=Assignment.objects.filter(user=user).values("ticket_id")) | Q(submitted_by=user)
        else:
            cached = Q(pk__in=sorted(set(ids)))
        user._wangge_own_elsewhere = cached  # type: ignore[attr-defined]
    return cached


UNCLAIMED = [Status.NEW, Status.ACCEPTED, Status.ASSIGNED, Status.RETURNED]  # waiting on the claim deadline


def overdue_q(now: dt.datetime) -> Q:
    """Open tickets past their claim deadline (not yet claimed) or resolve deadline (in progress)."""
    return Q(status__in=UNCLAIMED, claim_deadline__lt=now) | Q(
        status=Status.IN_PROGRESS, resolve_deadline__lt=now
    )


def tickets_for(user: User) -> QuerySet[Ticket]:
    if not user.is_authenticated:
        return Ticket.objects.none()
    return Ticket.objects.filter(ticket_q(user))


def get_ticket_for(user: User, ticket_id: int) -> Ticket:
    ticket = (
        tickets_for(user)
        .select_related("area", "category", "assignee", "lead_unit", "resident", "merged_into")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def own_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets a person raised: as the resident they concern, or typed in themselves (我的诉求)."""
    own_resident = scope_of(user).own_resident_id if user.is_authenticated else None
    raised = Q(submitted_by=user) if user.is_authenticated else Q(pk__in=[])
    if own_resident is not None:  # by the resident column's index, not a join a million rows wide
        raised |= Q(resident_id=own_resident)
    return tickets_for(user).filter(raised)


def get_own_ticket(user: User, ticket_id: int) -> Ticket:
    """One of the person's own tickets; any other (even one they see as staff) answers 404."""
    ticket = own_tickets(user).select_related("area", "resident").filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404
    return ticket


def _covers(m: Membership, ticket: Ticket) -> bool:
    return m.area is not None and ticket.area_code.startswith(m.area.code)


def relations_of(user: User | None, ticket: Ticket) -> set[str]:
    """How this user stands to this ticket right now (see workflow.py)."""
    if user is None:
        return {workflow.SYSTEM}
    scope = scope_of(user)
    active = Assignment.objects.filter(ticket=ticket, active=True)
    handling = active.filter(Q(user=user) | Q(unit_id__in=scope.unit_ids)).exists()
    summoned = bool(
        scope.unit_ids
        and SummonsCall.objects.filter(summons__ticket=ticket, unit_id__in=scope.unit_ids).exists()
    )
    return _relations(user, scope, ticket, handling=handling, summoned=summoned)


def _relations(user: User, scope: Scope, ticket: Ticket, *, handling: bool, summoned: bool) -> set[str]:
    """relations_of, given whether the user (or their unit) holds an active assignment of the ticket
    and whether a summons calls their unit."""
    relations: set[str] = set()
    is_staff_member = bool(scope.memberships)
    own_resident = ticket.resident_id is not None and ticket.resident_id == scope.own_resident_id
    if own_resident or (ticket.submitted_by_id == user.pk and not is_staff_member):
        relations.add(workflow.RESIDENT)
    ticket_level = LADDER_INDEX[Level(ticket.level)]
    for m in scope.memberships:
        if not _covers(m, ticket):
            continue
        if m.role in (Role.GRID_HEAD, Role.GRID_WORKER) and ticket.level == Level.GRID:
            relations.add(workflow.GRID)
        level = ROLE_LEVEL.get(Role(m.role))
        if level is not None and LADDER_INDEX[level] >= ticket_level:
            relations.add(workflow.DISPATCHER)
        if m.role in SUPERVISOR_ROLES:
            relations |= {workflow.REVIEWER, workflow.SUMMONER}
    if scope.everything:
        relations |= {workflow.DISPATCHER, workflow.REVIEWER, workflow.SUMMONER}
    if handling:
        relations.add(workflow.HANDLER)
    if summoned:
        relations.add(workflow.SUMMONED)
    return relations


def _table_actions(ticket: Ticket, relations: set[str]) -> list[str]:
    """The table's actions for these relations in the ticket's status, in table order, each once."""
    seen: list[str] = []
    for t in workflow.TRANSITIONS:
        if t.action not in seen and ticket.status in t.sources and t.who & relations and t.holds_for(ticket):
            seen.append(t.action)
    return seen


def allowed_actions(user: User, ticket: Ticket, relations: set[str] | None = None) -> list[str]:
    """The actions this user may take on this ticket now, in table order, each once (`relations`, when
    the caller has them already, saves working them out again)."""
    relations = relations if relations is not None else relations_of(user, ticket)
    seen = _table_actions(ticket, relations)
    if "claim" in seen and ticket.status != Status.ACCEPTED and not _unclaimed_for(user, ticket):
        seen.remove("claim")  # a handler who has claimed their part has nothing left to claim
    return seen


def allowed_actions_many(user: User, tickets: Sequence[Ticket]) -> dict[int, list[str]]:
    """allowed_actions for a page of tickets (a worklist's one-tap 接单), in two queries however many
    tickets there are, instead of two or three per ticket."""
    scope = scope_of(user)
    ids = [t.pk for t in tickets]
    mine = Q(user=user) | Q(unit_id__in=scope.unit_ids)
    held: dict[int, bool] = {}  # ticket → whether one of my active parts is still unclaimed
    for ticket_id, claimed_at in Assignment.objects.filter(mine, ticket_id__in=ids, active=True).values_list(
        "ticket_id", "claimed_at"
    ):
        held[ticket_id] = held.get(ticket_id, False) or claimed_at is None
    summoned: set[int] = set()
    if scope.unit_ids:
        summoned = set(
            SummonsCall.objects.filter(summons__ticket_id__in=ids, unit_id__in=scope.unit_ids).values_list(
                "summons__ticket_id", flat=True
            )
        )
    found = {}
    for t in tickets:
        relations = _relations(user, scope, t, handling=t.pk in held, summoned=t.pk in summoned)
        seen = _table_actions(t, relations)
        if "claim" in seen and t.status != Status.ACCEPTED and not held.get(t.pk, False):
            seen.remove("claim")
        found[t.pk] = seen
    return found


def _unclaimed_for(user: User, ticket: Ticket) -> bool:
    mine = Q(user=user) | Q(unit_id__in=scope_of(user).unit_ids)
    return Assignment.objects.filter(mine, ticket=ticket, active=True, claimed_at=None).exists()


def _load_unit_posts() -> dict[int, list[int]]:
    """unit id → the users on its staff, for every unit."""
    posts: dict[int, list[int]] = {}
    rows = Membership.objects.filter(active=True, role=Role.UNIT_STAFF, unit__isnull=False)
    for unit_id, user_id in rows.values_list("unit_id", "user_id"):
        posts.setdefault(unit_id, []).append(user_id)
    return posts


# Every assignment and summons notifies the units' staff; like the dispatching posts, the staff change
# seldom (tickets/apps.py forgets them when a membership is saved here; other processes within a minute).
unit_posts = Refreshed(_load_unit_posts)


def unit_staff(unit_ids: Iterable[int | None]) -> list[User]:
    """The staff of these units, as users holding only their ids (all a notification needs)."""
    posts = unit_posts.get()
    return [User(pk=i) for i in sorted({i for unit in unit_ids if unit for i in posts.get(unit, ())})]
