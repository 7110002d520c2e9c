"""Who may see and act on what (PRODUCT.md section 6). Every page and API handler goes through here.

A membership (person, area or unit, role) gives its holder the subtree of its area. Lookups of single
objects go through `get_*_for(user, …)`, which raise Http404 for anything out of scope, so an object
outside a user's subtree is indistinguishable from one that does not exist. The same facts are
registered as `rules` permissions (`user.has_perm("people.view_resident", resident)`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, codes_above, subtree_q
from wangge.people.models import Household, PartyMemberHousehold, Resident

# Roles whose holders see the registry (households, residents) of their subtree.
REGISTRY_ROLES = frozenset(
    {
        Role.GRID_HEAD,
        Role.GRID_WORKER,
        Role.BUILDING_HEAD,
        Role.UNIT_HEAD,
        Role.HOUSEHOLD_HEAD,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.LEADER,
    }
)
# Roles that may edit registry records of their subtree.
EDIT_ROLES = frozenset({Role.GRID_HEAD, Role.GRID_WORKER, Role.COMMUNITY_STAFF})


def _collapse(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Drop prefixes already covered by a shorter one."""
    kept: list[str] = []
    for code in sorted(set(prefixes), key=len):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    area_prefixes: tuple[str, ...] = ()  # area tree and map
    registry_prefixes: tuple[str, ...] = ()  # households and residents
    edit_prefixes: tuple[str, ...] = ()
    unmask_prefixes: tuple[str, ...] = ()
    party_membership_ids: tuple[int, ...] = ()  # 包户 assignments
    unit_ids: tuple[int, ...] = ()
    own_household_id: int | None = None  # a resident's own household
    own_resident_id: int | None = None  # and the resident record itself
    memberships: tuple[Membership, ...] = field(default=(), compare=False)

    @staticmethod
    def _covers(prefixes: tuple[str, ...], code: str) -> bool:
        return any(code.startswith(p) for p in prefixes)

    def sees_area(self, code: str) -> bool:
        return self.everything or self._covers(self.area_prefixes, code)

    def sees_registry_of(self, code: str) -> bool:
        return self.everything or self._covers(self.registry_prefixes, code)

    def edits_registry_of(self, code: str) -> bool:
        return self._covers(self.edit_prefixes, code)

    def unmasks_in(self, code: str) -> bool:
        return self._covers(self.unmask_prefixes, code)


def prefix_q(field_name: str, prefixes: Iterable[str]) -> Q:
    """Rows whose code lies under any of these codes (each a range an index serves: subtree_q); matches
    nothing when there are none."""
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= subtree_q(prefix, field_name)
    return q


def subtree_or_above_q(field_name: str, codes: Iterable[str]) -> Q:
    """Rows whose area is one of `codes`, lies under one, or lies above one (a street's plan or
    service point reaches each of its communities; a community's staff see the street's)."""
    codes = list(codes)
    return prefix_q(field_name, codes) | Q(
        **{f"{field_name}__in": [a for c in codes for a in codes_above(c)]}
    )


def scope_of(user: User) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    cached = getattr(user, "_wangge_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = Scope()
    else:
        memberships = tuple(
            Membership.objects.filter(user=user, active=True).select_related("area", "unit", "unit__area")
        )
        unmask_roles = set(settings.UNMASK_ROLES)
        area_codes = [m.area.code for m in memberships if m.area is not None]
        area_codes += [m.unit.area.code for m in memberships if m.unit is not None]
        resident = Resident.objects.filter(user=user).only("pk", "household_id").first()
        scope = Scope(
            everything=user.is_superuser,
            area_prefixes=_collapse(area_codes),
            registry_prefixes=_collapse(
                m.area.code for m in memberships if m.area and m.role in REGISTRY_ROLES
            ),
            edit_prefixes=_collapse(m.area.code for m in memberships if m.area and m.role in EDIT_ROLES),
            unmask_prefixes=_collapse(m.area.code for m in memberships if m.area and m.role in unmask_roles),
            party_membership_ids=tuple(m.pk for m in memberships if m.role == Role.PARTY_MEMBER),
            unit_ids=tuple(m.unit.pk for m in memberships if m.unit is not None),
            own_household_id=resident.household_id if resident else None,
            own_resident_id=resident.pk if resident else None,
            memberships=memberships,
        )
    user._wangge_scope = scope  # type: ignore[attr-defined]
    return scope


def codes_with(user: User, roles: Iterable[str]) -> list[str]:
    """The area codes of the user's memberships in these roles."""
    wanted = set(roles)
    return [m.area.code for m in scope_of(user).memberships if m.area is not None and m.role in wanted]


def holds_over(user: User, code: str, roles: Iterable[str]) -> bool:
    """Whether the user holds one of these roles at the place or an area above it (superusers do)."""
    return user.is_superuser or any(code.startswith(c) for c in codes_with(user, roles))


# --- areas ---------------------------------------------------------------------------------------


def areas_for(user: User) -> QuerySet[Area]:
    scope = scope_of(user)
    if scope.everything:
        return Area.objects.all()
    return Area.objects.filter(prefix_q("code", scope.area_prefixes))


def get_area_for(user: User, code: str) -> Area:
    if not scope_of(user).sees_area(code):
        raise Http404
    area = Area.objects.filter(code=code).select_related("parent").first()
    if area is None:
        raise Http404
    return area


def root_areas_for(user: User) -> list[Area]:
    """The top nodes of a user's scope: where their tree starts."""
    scope = scope_of(user)
    if scope.everything:
        return list(Area.objects.filter(parent=None))
    return list(Area.objects.filter(code__in=scope.area_prefixes))


# --- registry ------------------------------------------------------------------------------------


def _household_q(scope: Scope, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    q = prefix_q(f"{prefix}area__code", scope.registry_prefixes)
    if scope.party_membership_ids:
        q |= Q(**{f"{prefix}party_contacts__membership_id__in": scope.party_membership_ids})
    if scope.own_household_id:
        q |= Q(**{f"{prefix}pk": scope.own_household_id})
    return q


def households_for(user: User) -> QuerySet[Household]:
    scope = scope_of(user)
    qs = Household.objects.filter(_household_q(scope))
    return qs.distinct() if scope.party_membership_ids else qs


def residents_for(user: User) -> QuerySet[Resident]:
    scope = scope_of(user)
    qs = Resident.objects.filter(_household_q(scope, "household__"))
    return qs.distinct() if scope.party_membership_ids else qs


def is_party_contact(scope: Scope, household: Household) -> bool:
    """Whether the household is one of this party member's 包户 households."""
    return (
        bool(scope.party_membership_ids)
        and PartyMemberHousehold.objects.filter(
            household=household, membership_id__in=scope.party_membership_ids
        ).exists()
    )


def _sees_household(scope: Scope, household: Household) -> bool:
    if scope.sees_registry_of(household.area.code) or household.pk == scope.own_household_id:
        return True
    return is_party_contact(scope, household)


def get_household_for(user: User, household_id: int) -> Household:
    household = Household.objects.select_related("area").filter(pk=household_id).first()
    if household is None or not _sees_household(scope_of(user), household):
        raise Http404
    return household


def get_resident_for(user: User, resident_id: int) -> Resident:
    resident = Resident.objects.select_related("household", "household__area").filter(pk=resident_id).first()
    if resident is None or not _sees_household(scope_of(user), resident.household):
        raise Http404
    return resident


def may_unmask(user: User, resident: Resident) -> bool:
    """Only roles in settings.UNMASK_ROLES, inside their own subtree. Superusers set up, they do not browse
    personal data."""
    return scope_of(user).unmasks_in(resident.household.area.code)


def may_edit_registry(user: User, area: Area) -> bool:
    return scope_of(user).edits_registry_of(area.code)


# --- rules permissions (for templates and admin: `user.has_perm(perm, obj)`) ----------------------


@rules.predicate
def _area_visible(user: User, area: Area | None) -> bool:
    return area is not None and scope_of(user).sees_area(area.code)


@rules.predicate
def _household_visible(user: User, household: Household | None) -> bool:
    return household is not None and _sees_household(scope_of(user), household)


@rules.predicate
def _resident_visible(user: User, resident: Resident | None) -> bool:
    return resident is not None and _sees_household(scope_of(user), resident.household)


@rules.predicate
def _resident_unmaskable(user: User, resident: Resident | None) -> bool:
    return resident is not None and may_unmask(user, resident)


@rules.predicate
def _registry_editable(user: User, area: Area | None) -> bool:
    return area is not None and may_edit_registry(user, area)


rules.add_perm("areas.view_area", _area_visible)
rules.add_perm("people.view_household", _household_visible)
rules.add_perm("people.view_resident", _resident_visible)
rules.add_perm("people.unmask_resident", _resident_unmaskable)
rules.add_perm("people.change_registry", _registry_editable)
