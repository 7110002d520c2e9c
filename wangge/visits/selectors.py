"""Who sees and logs which visits.

Visit notes are internal ledger entries: the registry roles of an area see the visits of its subtree,
a party member sees those of the households assigned to them (包户). Residents do not see them. Staff on
the ground (grid heads and workers, community staff, building, unit and household heads) log visits in
their subtree; a party member logs visits to their own assigned households.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Role
from wangge.areas.scoping import is_party_contact, prefix_q, scope_of
from wangge.people import schedule
from wangge.people.models import Household, PartyMemberHousehold
from wangge.tickets.queries import tickets_for
from wangge.visits.models import Visit

VISITING_ROLES = frozenset(
    {
        Role.GRID_HEAD,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.BUILDING_HEAD,
        Role.UNIT_HEAD,
        Role.HOUSEHOLD_HEAD,
    }
)


def visits_for(user: User) -> QuerySet[Visit]:
    scope = scope_of(user)
    if scope.everything:
        return Visit.objects.all()
    q = prefix_q("area_code", scope.registry_prefixes)
    if scope.party_membership_ids:
        q |= Q(household__party_contacts__membership_id__in=scope.party_membership_ids)
    qs = Visit.objects.filter(q)
    return qs.distinct() if scope.party_membership_ids else qs


def sees_visits_of(user: User, household: Household) -> bool:
    """Whether the household's visit notes are shown to the user (the rule of visits_for, for one
    household): not to the resident living there, whose page then shows no visit ledger at all."""
    scope = scope_of(user)
    return scope.sees_registry_of(household.area.code) or is_party_contact(scope, household)


def get_visit_for(user: User, visit_id: int) -> Visit:
    visit = visits_for(user).filter(pk=visit_id).select_related("household", "resident").first()
    if visit is None:
        raise Http404
    return visit


def may_visit(user: User, household: Household) -> bool:
    """Whether the user logs visits to this household (the caller has already loaded it in scope)."""
    scope = scope_of(user)
    code = household.area.code
    if any(m.area and m.role in VISITING_ROLES and code.startswith(m.area.code) for m in scope.memberships):
        return True
    return is_party_contact(scope, household)


def visit_prefixes(user: User) -> list[str]:
    """The areas whose due lists the user works through (their own visiting memberships)."""
    return [m.area.code for m in scope_of(user).memberships if m.area and m.role in VISITING_ROLES]


def round_households(user: User) -> QuerySet[Household]:
    """The households on the user's round: those under their visiting memberships, and a party member's
    assigned households."""
    scope = scope_of(user)
    q = prefix_q("area__code", visit_prefixes(user))
    if scope.party_membership_ids:
        q |= Q(party_contacts__membership_id__in=scope.party_membership_ids)
    qs = Household.objects.filter(q)
    return qs.distinct() if scope.party_membership_ids else qs


def contact_households(user: User) -> QuerySet[Household]:
    """包户: the households assigned to the user as a party member (none for anyone else)."""
    ids = scope_of(user).party_membership_ids
    if not ids:
        return Household.objects.none()
    assigned = PartyMemberHousehold.objects.filter(membership_id__in=ids).values("household_id")
    return Household.objects.filter(pk__in=assigned)


def household_ledger(user: User, household: Household) -> dict:
    """What a household's pages show: schedule, members, recent visits and tickets."""
    residents = list(household.residents.prefetch_related("care_tags").order_by("id"))
    tickets = (
        tickets_for(user)
        .filter(Q(resident__household=household) | Q(visits__household=household))
        .distinct()
        .order_by("-submitted_at")[:20]
    )
    visits = (
        visits_for(user)
        .filter(household=household)
        .select_related("resident")
        .prefetch_related("tickets", "photos")[:20]
    )
    interval = schedule.interval_days.get()[household.care_level]
    today = timezone.localdate()
    sees_visits = sees_visits_of(user, household)
    return {
        "household": household,
        "residents": residents,
        "sees_visits": sees_visits,
        "visits": list(visits) if sees_visits else [],
        "tickets": list(tickets),
        "interval": interval,
        "days_late": (today - household.next_visit_on).days if household.next_visit_on else None,
        "contacts": list(household.party_contacts.select_related("membership__user", "membership__area")),
    }
