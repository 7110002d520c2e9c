"""Who a dispatcher may hand a ticket to (派单), as the forms show them: people by real name with their
post, grouped as the districts speak of them (网格力量, 社区工作者, 党员和志愿者), and the units that
serve the place, the router's guesses first."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from wangge.areas.models import Membership, Role, Unit
from wangge.areas.scoping import subtree_or_above_q

# Who a dispatcher hands a ticket to in person: the grid, the community's own staff (a 低保 application
# the community handles itself), party members and volunteers of the place.
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("网格力量", (Role.GRID_HEAD, Role.GRID_WORKER)),
    ("社区工作者", (Role.COMMUNITY_STAFF,)),
    ("党员和志愿者", (Role.PARTY_MEMBER, Role.VOLUNTEER)),
]
ASSIGNABLE_ROLES = [role for _label, roles in GROUPS for role in roles]
PEOPLE_SHOWN = 300  # a street's whole force; the form is a select, not a directory


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    post: str  # 专职网格员 · 幸福第1网格


def assignable_people(
    *, exact: Sequence[str] = (), under: Sequence[str] = ()
) -> list[tuple[str, list[Person]]]:
    """The people posted at these areas (`exact`) or anywhere beneath these (`under`), grouped; each
    person once, under their first post in group order."""
    where = Q(area__code__in=list(exact))
    for code in under:
        where |= Q(area__code__startswith=code)
    rows = (
        Membership.objects.filter(where, active=True, role__in=ASSIGNABLE_ROLES)
        .select_related("user", "area")
        .order_by("area__code", "user__display_name", "user__username")[:PEOPLE_SHOWN]
    )
    seen: set[int] = set()
    groups: list[tuple[str, list[Person]]] = []
    for label, roles in GROUPS:
        people = []
        for m in rows:
            if m.role in roles and m.user_id not in seen and m.area is not None:
                seen.add(m.user_id)
                people.append(Person(m.user.username, m.user.shown_name, f"{m.role_name} · {m.area.name}"))
        if people:
            groups.append((label, people))
    return groups


def serving_units(codes: list[str]) -> list[Unit]:
    """Active units serving these areas: attached to one of them, above one, or beneath one."""
    return list(
        Unit.objects.filter(subtree_or_above_q("area__code", codes), active=True)
        .select_related("area")
        .order_by("kind", "code")
    )
