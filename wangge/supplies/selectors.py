"""Who manages stock and plans distributions, who hands items over, and what each sees.

Community, street and district staff manage the stock of their area and plan distributions in it. Grid
heads and workers, community staff, building and unit heads, party members and volunteers hand items
over to the people on a list under their area. Everyone in those roles (and 包联 leaders) whose area
overlaps a distribution's sees it, and its list within their own area; units' staff do not.
"""

from django.db.models import Count, QuerySet
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Role
from wangge.areas.scoping import codes_with, holds_over, prefix_q, scope_of, subtree_or_above_q
from wangge.people.schedule import grid_of_codes
from wangge.supplies.models import Distribution, Entitlement
from wangge.visits.selectors import VISITING_ROLES

MANAGING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
# Whoever goes door to door, and party members and volunteers, who carry kits in seed 000.
DELIVERING_ROLES = VISITING_ROLES | {Role.PARTY_MEMBER, Role.VOLUNTEER}


def may_manage_supplies(user: User, area: Area) -> bool:
    return holds_over(user, area.code, MANAGING_ROLES)


def may_deliver(user: User, entitlement: Entitlement) -> bool:
    return any(entitlement.area_code.startswith(c) for c in codes_with(user, DELIVERING_ROLES))


# Lists name elderly and needy residents: units' staff do not see them.
SEEING_ROLES = MANAGING_ROLES | DELIVERING_ROLES | {Role.LEADER}


def distributions_for(user: User) -> QuerySet[Distribution]:
    if scope_of(user).everything:
        return Distribution.objects.all()
    return Distribution.objects.filter(subtree_or_above_q("area__code", codes_with(user, SEEING_ROLES)))


def get_distribution_for(user: User, distribution_id: int) -> Distribution:
    found = (
        distributions_for(user)
        .filter(pk=distribution_id)
        .select_related("area", "stock__item", "stock__area")
    )
    distribution = found.first()
    if distribution is None:
        raise Http404
    return distribution


def entitlements_for(user: User, distribution: Distribution) -> QuerySet[Entitlement]:
    """The part of a distribution's list under my areas."""
    qs = distribution.entitlements.all()
    if scope_of(user).everything:
        return qs
    return qs.filter(prefix_q("area_code", codes_with(user, SEEING_ROLES)))


def get_entitlement_for(user: User, distribution: Distribution, entitlement_id: int) -> Entitlement:
    found = (
        entitlements_for(user, distribution).filter(pk=entitlement_id).select_related("resident", "household")
    )
    entitlement = found.first()
    if entitlement is None:
        raise Http404
    return entitlement


def progress_by_grid(entitlements: QuerySet[Entitlement], area: Area) -> list[tuple[Area, int, int]]:
    """(grid, on the list, delivered) for each grid with anyone on the list, in code order."""
    rows = list(
        entitlements.values_list("area_code").annotate(n=Count("id"), done=Count("delivery")).order_by()
    )
    grids = {a.code: a for a in Area.objects.filter(code__startswith=area.code[:15], level=Level.GRID)}
    grids |= {a.code: a for a in area.subtree().filter(level=Level.GRID)}
    owner = grid_of_codes([code for code, _n, _d in rows], set(grids))
    totals: dict[str, list[int]] = {}
    for code, n, done in rows:
        key = owner[code] or code
        totals.setdefault(key, [0, 0])
        totals[key][0] += n
        totals[key][1] += done
    return [(grids[c], n, d) for c, (n, d) in sorted(totals.items()) if c in grids]
