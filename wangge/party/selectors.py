"""Reads of the party organisation: who may manage it, the members of a community, the 包户 quota,
coverage and the households waiting for a member, a member's own households, and the 党员网格员 of each
grid. Coverage has one definition here; the pages, the API and the tests' recount use it."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit, UnitKind, codes_above, subtree_q
from wangge.areas.scoping import holds_over, scope_of
from wangge.areas.selectors import COMMUNITY_CODE_LENGTH
from wangge.party.models import (
    Agreement,
    Commitment,
    CommitteeUnit,
    HardCase,
    HouseholdQuota,
    JointMeeting,
    OrgKind,
    Pairing,
    PartyMember,
    PartyOrg,
    Pledge,
    PledgeState,
    Post,
    PostKind,
    Registration,
    RegistrationState,
)
from wangge.people.models import LEVEL_URGENCY, Household, PartyMemberHousehold, Resident
from wangge.points.models import AccountKind, Currency, Entry, TransferKind
from wangge.tickets.models import Ticket
from wangge.tickets.workflow import OPEN
from wangge.volunteering.models import Booking, SignUp

# Who keeps a community's party records: its staff, and the street's and district's above it.
MANAGING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
# Grid staff whose party membership makes them a 党员网格员.
GRID_ROLES = frozenset({Role.GRID_HEAD, Role.GRID_WORKER})


def community_code(code: str) -> str:
    return code[:COMMUNITY_CODE_LENGTH]


def may_manage(user: User, code: str) -> bool:
    return holds_over(user, code, MANAGING_ROLES)


def member_of(user: User) -> PartyMember | None:
    return PartyMember.objects.filter(user=user).select_related("unit", "org").first()


def quota_for(area: Area) -> tuple[int, int]:
    """包户 per member (at least, at most): the nearest area's HouseholdQuota, else the default."""
    codes = [*codes_above(area.code), area.code]
    found = (
        HouseholdQuota.objects.filter(area__code__in=codes)
        .select_related("area")
        .order_by("-area__code")
        .first()
    )
    if found is not None:
        return found.minimum, found.maximum
    low, high = settings.PARTY_HOUSEHOLDS
    return low, high


# --- scoped getters ----------------------------------------------------------------------------------


def get_registration_for(user: User, registration_id: int) -> Registration:
    """A registration: the member's own, or one in a community the user manages; else 404."""
    found = (
        Registration.objects.filter(pk=registration_id)
        .select_related("member__user", "member__unit", "community", "unit")
        .first()
    )
    if found is None or not (found.member.user_id == user.pk or may_manage(user, found.community_code)):
        raise Http404
    return found


def get_link_for(user: User, household_id: int) -> PartyMemberHousehold:
    """A household's 包户 link, for those who manage its community; else 404."""
    found = (
        PartyMemberHousehold.objects.filter(household_id=household_id)
        .select_related("household__area", "membership__user", "membership__area")
        .first()
    )
    if found is None or not may_manage(user, found.household.area.code):
        raise Http404
    return found


def get_org_for(user: User, org_id: int) -> PartyOrg:
    found = PartyOrg.objects.filter(pk=org_id).select_related("area", "parent", "secretary").first()
    if found is None or not scope_of(user).sees_area(found.area_code):
        raise Http404
    return found


def get_pledge_for(user: User, pledge_id: int) -> Pledge:
    found = Pledge.objects.filter(pk=pledge_id).select_related("member__user", "area").first()
    if found is None or not (found.member.user_id == user.pk or scope_of(user).sees_area(found.area_code)):
        raise Http404
    return found


# --- members -------------------------------------------------------------------------------------------


def registrations_in(code: str, *, state: str = RegistrationState.ACCEPTED) -> QuerySet[Registration]:
    """The registrations of the communities under an area, in one state, with what their rows show."""
    return (
        Registration.objects.filter(subtree_q(code, "community_code"), state=state)
        .select_related("member__user", "member__unit", "member__org", "community", "unit")
        .annotate(households=Count("membership__assigned_households", distinct=True))
        .order_by("community_code", "member__user__display_name", "id")
    )


def accepted_registration(user: User) -> Registration | None:
    return (
        Registration.objects.filter(member__user=user, state=RegistrationState.ACCEPTED)
        .select_related("community", "membership")
        .first()
    )


# --- 包户 coverage and candidates ------------------------------------------------------------------


def _special() -> Exists:
    """The household has someone of a special group (a care tag: 空巢独居老人, 残疾人, 低保户 …)."""
    return Exists(Resident.care_tags.through.objects.filter(resident__household_id=OuterRef("pk")))


def _assigned() -> Exists:
    return Exists(PartyMemberHousehold.objects.filter(household_id=OuterRef("pk")))


@dataclass(frozen=True)
class Coverage:
    """包户 coverage of an area: households of special groups with a member, and households with one."""

    households: int
    covered: int
    special: int
    special_covered: int
    members: int

    @property
    def special_share(self) -> float | None:
        return self.special_covered / self.special if self.special else None

    @property
    def share(self) -> float | None:
        return self.covered / self.households if self.households else None

    @classmethod
    def total(cls, parts: Iterable["Coverage"]) -> "Coverage":
        parts = list(parts)
        return cls(
            households=sum(p.households for p in parts),
            covered=sum(p.covered for p in parts),
            special=sum(p.special for p in parts),
            special_covered=sum(p.special_covered for p in parts),
            members=sum(p.members for p in parts),
        )

    def to_dict(self) -> dict:
        return {
            "households": self.households,
            "covered": self.covered,
            "special": self.special,
            "special_covered": self.special_covered,
            "special_share": self.special_share,
            "share": self.share,
            "members": self.members,
        }


def coverage_by_community(code: str) -> dict[str, Coverage]:
    """包户覆盖 of each community under an area (or of the part of one under it): occupied households,
    those with a 包户 member, those of special groups and those of special groups with a member. Five
    grouped counts, each read from its own side (households, tagged residents, links, registrations), so
    a district costs what a community does plus one scan of its households."""
    occupied = Q(subtree_q(code, "area__code")) & ~Q(housing="vacant")

    def by_community(rows: QuerySet, path: str, counted: str, *, distinct: bool = False) -> dict[str, int]:
        return dict(
            rows.annotate(c=Substr(path, 1, COMMUNITY_CODE_LENGTH))
            .values("c")
            .annotate(n=Count(counted, distinct=distinct))
            .values_list("c", "n")
            .order_by()
        )

    households = by_community(Household.objects.filter(occupied), "area__code", "pk")
    tagged = Resident.care_tags.through.objects.filter(
        Q(subtree_q(code, "resident__household__area__code")) & ~Q(resident__household__housing="vacant")
    )
    special = by_community(tagged, "resident__household__area__code", "resident__household_id", distinct=True)
    links = PartyMemberHousehold.objects.filter(
        Q(subtree_q(code, "household__area__code")) & ~Q(household__housing="vacant")
    )
    covered = by_community(links, "household__area__code", "household_id")
    special_covered = by_community(
        links.filter(Exists(tagged.filter(resident__household_id=OuterRef("household_id")))),
        "household__area__code",
        "household_id",
    )
    members = dict(
        Registration.objects.filter(subtree_q(code, "community_code"), state=RegistrationState.ACCEPTED)
        .values("community_code")
        .annotate(n=Count("pk"))
        .values_list("community_code", "n")
        .order_by()
    )
    return {
        c: Coverage(
            households=households.get(c, 0),
            covered=covered.get(c, 0),
            special=special.get(c, 0),
            special_covered=special_covered.get(c, 0),
            members=members.get(c, 0),
        )
        for c in sorted(set(households) | set(members))
    }


def coverage(code: str) -> Coverage:
    """包户覆盖 of an area: the sum of its communities' (coverage_by_community)."""
    return Coverage.total(coverage_by_community(code).values())


def candidates(code: str, *, query: str = "", limit: int = 30) -> list[Household]:
    """Households under an area still without a member, special groups first (the most urgent care
    level first), then by place; each with `.special` and its residents' tags prefetched."""
    urgency = Case(*(When(care_level=level, then=i) for i, level in enumerate(LEVEL_URGENCY)), default=9)
    found = (
        Household.objects.filter(subtree_q(code, "area__code"))
        .exclude(housing="vacant")
        .annotate(special=_special(), assigned=_assigned(), urgency=urgency)
        .filter(assigned=False)
        .select_related("area")
    )
    query = query.strip()
    if query:
        found = found.filter(Q(address__contains=query) | Q(door_no__contains=query))
    rows: list[Household] = list(found.order_by("-special", "urgency", "area__code", "door_no")[:limit])
    _with_tags(rows)
    return rows


def _with_tags(households: list[Household]) -> None:
    tags: dict[int, list[str]] = {h.pk: [] for h in households}
    for household_id, name in Resident.care_tags.through.objects.filter(
        resident__household_id__in=tags
    ).values_list("resident__household_id", "caretag__name"):
        if name not in tags[household_id]:
            tags[household_id].append(name)
    for h in households:
        h.tag_names = tags[h.pk]  # type: ignore[attr-defined]


def members_households(registration_ids: list[int]) -> dict[int, list[Household]]:
    """registration id -> its member's 包户 households."""
    regs = Registration.objects.filter(pk__in=registration_ids).values_list("pk", "membership_id")
    by_membership = {membership: reg for reg, membership in regs if membership}
    out: dict[int, list[Household]] = {reg: [] for reg in registration_ids}
    for link in (
        PartyMemberHousehold.objects.filter(membership_id__in=by_membership)
        .select_related("household__area")
        .order_by("household__area__code", "household__door_no")
    ):
        out[by_membership[link.membership_id]].append(link.household)
    return out


def my_households(user: User) -> list[Household]:
    """A member's 包户 households, each with `.open_tickets` and `.visit_due` (due today or before)."""
    links = PartyMemberHousehold.objects.filter(
        membership__user=user, membership__active=True, membership__role=Role.PARTY_MEMBER
    )
    households: list[Household] = list(
        Household.objects.filter(pk__in=links.values("household_id"))
        .select_related("area")
        .annotate(
            open_tickets=Count(
                "residents__tickets", filter=Q(residents__tickets__status__in=OPEN), distinct=True
            ),
            special=_special(),
        )
        .order_by("next_visit_on", "area__code", "door_no")
    )
    today = timezone.localdate()
    for h in households:
        h.visit_due = h.next_visit_on is not None and h.next_visit_on <= today  # type: ignore[attr-defined]
    _with_tags(households)
    return households


def household_contacts(household: Household) -> list[PartyMemberHousehold]:
    return list(household.party_contacts.select_related("membership__user"))


# --- the organisation ---------------------------------------------------------------------------------


def orgs_under(code: str) -> list[PartyOrg]:
    """The organisations on the area and below it, and the ones above it it hangs from, as a tree
    (parents before children), each with `.depth` and `.member_count`."""
    found = list(
        PartyOrg.objects.filter(subtree_q(code) | Q(area_code__in=codes_above(code)))
        .select_related("area", "secretary")
        .annotate(member_count=Count("members"))
        .order_by("area_code", "id")
    )
    children: dict[int | None, list[PartyOrg]] = {}
    ids = {o.pk for o in found}
    for o in found:
        children.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    ordered: list[PartyOrg] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in children.get(parent, []):
            o.depth = depth  # type: ignore[attr-defined]
            ordered.append(o)
            walk(o.pk, depth + 1)

    walk(None, 0)
    return ordered


def posts_in(code: str) -> QuerySet[Post]:
    return (
        Post.objects.filter(subtree_q(code), ended_on=None)
        .select_related("holder__user", "area")
        .order_by("kind", "area_code", "id")
    )


def pledges_in(code: str) -> QuerySet[Pledge]:
    open_first = Case(When(state=PledgeState.OPEN, then=0), default=1)
    return (
        Pledge.objects.filter(subtree_q(code))
        .exclude(state=PledgeState.WITHDRAWN)
        .select_related("member__user")
        .order_by(open_first, "due_on", "id")
    )


def property_units_of(code: str) -> QuerySet[Unit]:
    """The property companies serving a place: theirs is the place, an area above it or one within it."""
    return Unit.objects.filter(
        Q(area__code__in=[*codes_above(code), code]) | subtree_q(code, "area__code"),
        kind=UnitKind.PROPERTY,
        active=True,
    )


def is_property_staff(user: User, code: str) -> bool:
    return Membership.objects.filter(
        user=user, role=Role.UNIT_STAFF, active=True, unit__in=property_units_of(code)
    ).exists()


def stewards_for(code: str) -> list[PartyMember]:
    """Who may be a grid's 物业党员管家: party members on the staff of a property company serving it."""
    staff = Membership.objects.filter(
        role=Role.UNIT_STAFF, active=True, unit__in=property_units_of(code)
    ).values("user_id")
    return list(PartyMember.objects.filter(user_id__in=staff).select_related("user").order_by("id"))


@dataclass(frozen=True)
class GridParty:
    grid: Area
    party_workers: list[str]  # names of the grid's head and workers who are party members
    stewards: list[str]  # its 物业党员管家

    @property
    def flagged(self) -> bool:
        """No 党员网格员 (the seeds ask at least one per grid)."""
        return not self.party_workers

    @property
    def no_steward(self) -> bool:
        return not self.stewards


def party_grid_workers(code: str) -> list[GridParty]:
    """党员网格员 and 物业党员管家 of each grid under an area (seed 002: at least one of each per grid);
    grids without a 党员网格员 are flagged."""
    grids = list(Area.objects.filter(subtree_q(code, "code"), level=Level.GRID).order_by("code"))
    names: dict[int, list[str]] = {g.pk: [] for g in grids}
    for m in (
        Membership.objects.filter(area_id__in=names, role__in=GRID_ROLES, active=True)
        .filter(Exists(PartyMember.objects.filter(user_id=OuterRef("user_id"))))
        .select_related("user")
        .order_by("role", "id")
    ):
        if m.user.shown_name not in names[m.area_id]:  # type: ignore[index]
            names[m.area_id].append(m.user.shown_name)  # type: ignore[index]
    stewards: dict[int, list[str]] = {g.pk: [] for g in grids}
    for post in Post.objects.filter(
        kind=PostKind.STEWARD, area_id__in=stewards, ended_on=None
    ).select_related("holder__user"):
        stewards[post.area_id].append(post.holder.user.shown_name)
    return [GridParty(grid=g, party_workers=names[g.pk], stewards=stewards[g.pk]) for g in grids]


def open_pledges_overdue(code: str, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return Pledge.objects.filter(subtree_q(code), state=PledgeState.OPEN, due_on__lt=today).count()


def tickets_of(households: list[Household]) -> QuerySet[Ticket]:
    return Ticket.objects.filter(resident__household__in=households, status__in=OPEN)


# --- 大党委 and co-building ---------------------------------------------------------------------------


def committee_of(code: str) -> PartyOrg | None:
    """The area's own party committee (or 党总支): the one its co-building hangs from."""
    return (
        PartyOrg.objects.filter(area_code=code, kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH])
        .select_related("area")
        .order_by("id")
        .first()
    )


@dataclass(frozen=True)
class CoBuilding:
    units: list[CommitteeUnit]
    agreements: list[Agreement]
    pairings: list[Pairing]
    meetings: list[JointMeeting]


def cobuilding(org: PartyOrg, *, shown: int = 50) -> CoBuilding:
    """A committee's member units, its agreements with their commitments (and where each offer stands),
    its live pairings and its recent joint meetings with the units that came."""
    return CoBuilding(
        units=list(org.committee_units.select_related("unit", "contact")[:shown]),
        agreements=list(
            org.agreements.select_related("unit").prefetch_related(
                Prefetch("commitments", Commitment.objects.select_related("offer").order_by("id"))
            )[:shown]
        ),
        pairings=list(org.pairings.filter(ended_on=None).select_related("unit")[:shown]),
        meetings=list(org.meetings.prefetch_related("units")[:shown]),
    )


# --- 攻坚清单 -------------------------------------------------------------------------------------------


def _cases(found: QuerySet[HardCase], today: dt.date) -> QuerySet[HardCase]:
    return found.select_related("leader", "area", "ticket").annotate(
        step_count=Count("steps"),
        done_count=Count("steps", filter=Q(steps__done_at__isnull=False)),
        overdue_count=Count("steps", filter=Q(steps__done_at=None, steps__due_on__lt=today)),
    )


def cases_in(code: str, today: dt.date | None = None) -> QuerySet[HardCase]:
    """The hard cases under an area, open ones first, each with its steps counted (done, overdue)."""
    return _cases(HardCase.objects.filter(subtree_q(code)), today or timezone.localdate()).order_by(
        "state", "-opened_at", "-id"
    )


def cases_led_by(user: User, today: dt.date | None = None) -> QuerySet[HardCase]:
    """A leader's list (包联领导): the cases they lead, open first, the most overdue first."""
    return _cases(HardCase.objects.filter(leader=user), today or timezone.localdate()).order_by(
        "state", "-overdue_count", "opened_at", "id"
    )


def get_case_for(user: User, case_id: int) -> HardCase:
    """A case: for its leader, a step's owner, or those who keep the area's party records; else 404."""
    found = (
        HardCase.objects.filter(pk=case_id).select_related("leader", "area", "ticket", "opened_by").first()
    )
    if found is None:
        raise Http404
    if not (
        found.leader_id == user.pk
        or may_manage(user, found.area_code)
        or found.steps.filter(owner=user).exists()
    ):
        raise Http404
    return found


def case_owners(case: HardCase, *, shown: int = 100) -> list[User]:
    """Who may own a step: the leader, and the staff and grid workers of the case's area, below it and
    above it."""
    above = Q(memberships__area__code__in=codes_above(case.area_code))
    staff = (
        User.objects.filter(  # one membership both in the place and in one of the roles
            (above | subtree_q(case.area_code, "memberships__area__code"))
            & Q(memberships__active=True, memberships__role__in=[*MANAGING_ROLES, *GRID_ROLES])
        )
        .distinct()
        .order_by("display_name", "id")[:shown]
    )
    return [case.leader, *(u for u in staff if u.pk != case.leader_id)]


def leaders_over(code: str) -> list[User]:
    """The 包联领导 who may lead a case of this area: those holding the role at it or above."""
    codes = [*codes_above(code), code]
    return [
        m.user
        for m in Membership.objects.filter(role=Role.LEADER, active=True, area__code__in=codes)
        .select_related("user")
        .order_by("area__code", "pk")
    ]


# --- 双积分: service reported back to the member's unit ----------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    member: PartyMember
    community: str
    minutes: int
    points: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def service_report(code: str, year: int) -> list[ServiceRow]:
    """双积分: for each member registered in the area during the year (still or then), the minutes served
    (activities checked out, bookings done) and the points earned (rules and awards), that year; by unit."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    registrations = list(
        Registration.objects.filter(
            subtree_q(code, "community_code"),
            state__in=[RegistrationState.ACCEPTED, RegistrationState.ENDED],
            decided_at__lt=end,
        )
        .filter(Q(ended_at=None) | Q(ended_at__gte=start))
        .select_related("member__user", "member__unit", "community")
        .order_by("member__unit__name", "member__workplace", "member__user__display_name", "id")
    )
    users = {r.member.user_id for r in registrations}
    minutes: dict[int, int] = dict.fromkeys(users, 0)
    for user_id, n in (
        SignUp.objects.filter(user_id__in=users, checked_out_at__gte=start, checked_out_at__lt=end)
        .values_list("user_id")
        .annotate(n=Sum("minutes"))
    ):
        minutes[user_id] += n or 0
    for user_id, n in (
        Booking.objects.filter(volunteer__user_id__in=users, done_at__gte=start, done_at__lt=end)
        .values_list("volunteer__user_id")
        .annotate(n=Sum("minutes"))
    ):
        minutes[user_id] += n or 0
    points = dict(
        Entry.objects.filter(
            account__user_id__in=users,
            account__kind=AccountKind.PERSON,
            account__currency=Currency.POINTS,
            transfer__kind__in=[TransferKind.RULE, TransferKind.AWARD],
            amount__gt=0,
            at__gte=start,
            at__lt=end,
        )
        .values_list("account__user_id")
        .annotate(n=Sum("amount"))
    )
    seen: set[int] = set()
    rows = []
    for r in registrations:  # a member who moved within the area is one row
        if r.member_id in seen:
            continue
        seen.add(r.member_id)
        rows.append(
            ServiceRow(
                member=r.member,
                community=r.community.name,
                minutes=minutes.get(r.member.user_id, 0),
                points=points.get(r.member.user_id, 0) or 0,
            )
        )
    return rows


@dataclass
class UnitService:
    """双积分 of one work unit: what goes back to it."""

    unit: str
    members: int = 0
    minutes: int = 0
    points: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def service_by_unit(rows: list[ServiceRow]) -> list[UnitService]:
    """The report's rows summed per work unit, the most hours first."""
    units: dict[str, UnitService] = {}
    for r in rows:
        name = r.member.workplace_name or "未填单位"
        total = units.setdefault(name, UnitService(unit=name))
        total.members += 1
        total.minutes += r.minutes
        total.points += r.points
    return sorted(units.values(), key=lambda u: (-u.minutes, u.unit))
