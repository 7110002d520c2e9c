"""Reads of 议事: who hosts an area's meetings, a person's relations to a matter (steps.py), the scoped
getters, the meeting days and meetings a resident's home belongs to, an area's matters by step and what
督事 follows (overdue first), and a motion's eligible voters."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Level, Membership, Role, codes_above, subtree_q
from wangge.areas.scoping import holds_over, scope_of
from wangge.deliberation.models import Meeting, MeetingDay, MeetingState, Motion, Per, Proposal
from wangge.deliberation.steps import HOST, NEIGHBOUR, OWNER, RAISER, SIX, UNDER_WAY, Step, allowed
from wangge.people.models import Household, Resident, born_by

# Who hosts meetings and runs matters over an area: the grid head in their grid, and the staff of the
# community, street and district above it.
HOST_ROLES = frozenset({Role.GRID_HEAD, Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
# Who may raise a matter for others' attention besides residents: grid staff, party members and the hosts.
RAISING_ROLES = HOST_ROLES | {Role.GRID_WORKER, Role.PARTY_MEMBER, Role.BUILDING_HEAD, Role.UNIT_HEAD}
# Who may carry out a decision: the area's grid staff, party members and community or street staff.
OWNER_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.PARTY_MEMBER)
MEETING_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)
PEOPLE_SHOWN = 100
VOTING_AGE = 18


def may_host(user: User, code: str) -> bool:
    return holds_over(user, code, HOST_ROLES)


def staff_for(code: str, roles: tuple[str, ...]) -> list[User]:
    """The people holding these roles on the area, the areas above it up to the street, or under it:
    whom a page offers as a meeting's host or a decision's owner, and the only ones an action accepts."""
    found = (
        Membership.objects.filter(
            Q(area__code__in=[*codes_above(code)[1:], code]) | subtree_q(code, "area__code"),
            role__in=roles,
            active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("area__code", "user__username")
    )
    return list({m.user.pk: m.user for m in found[: PEOPLE_SHOWN * 2]}.values())[:PEOPLE_SHOWN]


def owners_for(code: str) -> list[User]:
    return staff_for(code, OWNER_ROLES)


def hosts_for(code: str) -> list[User]:
    """Who may host the area's meetings (may_host), in one query: a host post on the area or above it."""
    found = (
        Membership.objects.filter(
            area__code__in=[*codes_above(code), code], role__in=HOST_ROLES, active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("-area__code", "user__username")
    )
    return list({m.user.pk: m.user for m in found[: PEOPLE_SHOWN * 2]}.values())[:PEOPLE_SHOWN]


def home_of(user: User) -> Resident | None:
    """The user's own resident record with its home (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_wangge_home"):
        user._wangge_home = (  # type: ignore[attr-defined]
            Resident.objects.filter(user=user).select_related("household__area").first()
        )
    return user._wangge_home  # type: ignore[attr-defined]


def home_code(user: User) -> str:
    home = home_of(user)
    return home.household.area.code if home is not None else ""


def relations(user: User, proposal: Proposal) -> set[str]:
    found: set[str] = set()
    if proposal.raised_by_id == user.pk:
        found.add(RAISER)
    if proposal.owner_id == user.pk:
        found.add(OWNER)
    # The host of the meeting a matter is on hosts it only while they hold the post: a meeting's area lies
    # at or above the matter's, so may_host over the matter covers them.
    if may_host(user, proposal.area_code):
        found.add(HOST)
    if home_code(user).startswith(proposal.area_code):
        found.add(NEIGHBOUR)
    return found


def open_to(user: User, code: str) -> bool:
    """An area's 议事 and 公示 are open to those who work in it, over it or under it (a grid worker reads
    the community's), and to the residents who live in it."""
    scope = scope_of(user)
    return (
        scope.sees_area(code)
        or any(prefix.startswith(code) for prefix in scope.area_prefixes)
        or home_code(user).startswith(code)
    )


def next_actions(user: User, proposal: Proposal) -> list[str]:
    """What the user may do with the matter now (steps.py), one's own matter not to be seconded."""
    found = [t.action for t in allowed(proposal.step, relations(user, proposal))]
    return [a for a in found if not (a == "second" and proposal.raised_by_id == user.pk)]


def get_proposal_for(user: User, proposal_id: int) -> Proposal:
    found = (
        Proposal.objects.filter(pk=proposal_id)
        .select_related("area", "meeting", "owner", "raised_by", "made_ticket", "ticket")
        .first()
    )
    if found is None or not (
        open_to(user, found.area_code) or user.pk in (found.raised_by_id, found.owner_id)
    ):
        raise Http404
    return found


def get_meeting_for(user: User, meeting_id: int) -> Meeting:
    found = Meeting.objects.filter(pk=meeting_id).select_related("area", "host", "day").first()
    if found is None or not open_to(user, found.area_code):
        raise Http404
    return found


def get_motion_for(user: User, motion_id: int) -> Motion:
    found = Motion.objects.filter(pk=motion_id).select_related("meeting__area", "proposal").first()
    if found is None or not open_to(user, found.meeting.area_code):
        raise Http404
    return found


def around(code: str) -> Q:
    """Rows of an area, the areas above it and those under it (a grid's resident meets at the grid's,
    the community's and the street's meetings; a community's page shows its grids' too)."""
    return subtree_q(code) | Q(area_code__in=codes_above(code))


def days_for(code: str) -> QuerySet[MeetingDay]:
    return MeetingDay.objects.filter(around(code), active=True).select_related("area", "host")


def meetings_for(code: str, *, upcoming: bool) -> QuerySet[Meeting]:
    today = timezone.localdate()
    found = Meeting.objects.filter(around(code)).select_related("area", "host")
    if upcoming:
        return found.filter(date__gte=today, state=MeetingState.PLANNED).order_by("date", "starts_at", "id")
    return found.filter(Q(date__lt=today) | Q(state=MeetingState.HELD)).order_by("-date", "-id")


def open_meetings_for(proposal: Proposal) -> QuerySet[Meeting]:
    """The meetings a matter may be put on: planned, not past, of its area or above."""
    return (
        Meeting.objects.filter(
            area_code__in=[*codes_above(proposal.area_code), proposal.area_code],
            state=MeetingState.PLANNED,
            date__gte=timezone.localdate(),
        )
        .select_related("area")
        .order_by("date", "starts_at", "id")
    )


def proposals_in(code: str, steps: tuple[str, ...] | frozenset[str] | None = None) -> QuerySet[Proposal]:
    found = Proposal.objects.filter(subtree_q(code)).select_related("area", "meeting", "owner")
    return found.filter(step__in=list(steps)) if steps else found


def under_way(code: str) -> QuerySet[Proposal]:
    """督事: decisions not carried out yet, the overdue first (the earliest deadline on top)."""
    return proposals_in(code, UNDER_WAY).order_by("due_on", "id")


def overdue_count(code: str) -> int:
    return proposals_in(code, UNDER_WAY).filter(due_on__lt=timezone.localdate()).count()


def step_counts(code: str) -> dict[str, int]:
    rows = Proposal.objects.filter(subtree_q(code)).values("step").order_by("step").annotate(n=Count("pk"))
    return {r["step"]: r["n"] for r in rows}


def owned_by(user: User) -> QuerySet[Proposal]:
    """The matters a person carries out (解事, 督事), the earliest deadline first."""
    return (
        Proposal.objects.filter(owner=user, step__in=list(UNDER_WAY))
        .select_related("area")
        .order_by("due_on", "id")
    )


def voters(code: str, per: str, *, on: dt.date | None = None) -> QuerySet:
    """Who may vote on a motion of an area: its residents of voting age, or the households they live in
    (a vacant household has no vote, and is no part of the quorum)."""
    adult = born_by(VOTING_AGE, on or timezone.localdate())
    adults = Resident.objects.filter(subtree_q(code, "household__area__code"), birth_date__lte=adult)
    if per == Per.HOUSEHOLD:
        return Household.objects.filter(
            subtree_q(code, "area__code"), Exists(adults.filter(household=OuterRef("pk")))
        )
    return adults


def step_of(proposal: Proposal) -> int:
    """The matter's place among the six steps (1–6), for the progress bar; 0 when dropped."""
    return SIX.index(Step(proposal.step)) + 1 if proposal.step in SIX else 0
