"""Who may do what with wishes, and the wish wall.

- A resident posts their own wish; grid workers and heads and community staff post for a resident of
  their area (an elderly resident without a phone).
- Party members and volunteers of the community (or above) claim; not the wisher.
- The wisher confirms, or whoever posted it for them, or the grid's workers.
- The wall of a community is seen by its residents, and by everyone who works there; on it the wisher
  is a masked name and a grid, nothing more.
"""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role, Unit
from wangge.areas.scoping import holds_over, scope_of, subtree_or_above_q
from wangge.areas.selectors import COMMUNITY_CODE_LENGTH
from wangge.lists.models import Need, Offer, Project, Wish, WishState
from wangge.people.models import Household, Resident

GRID_CODE_LENGTH = COMMUNITY_CODE_LENGTH + 3
HELPING_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.COMMUNITY_STAFF})
CLAIMING_ROLES = frozenset({Role.PARTY_MEMBER, Role.VOLUNTEER})
STALE_DAYS = 14  # an unclaimed wish this old is flagged on the wall


def community_code(code: str) -> str:
    return code[:COMMUNITY_CODE_LENGTH]


def may_post_for(user: User, resident: Resident) -> bool:
    return resident.user_id == user.pk or holds_over(user, resident.household.area.code, HELPING_ROLES)


def may_claim(user: User, wish: Wish) -> bool:
    return wish.resident.user_id != user.pk and holds_over(
        user, community_code(wish.area_code), CLAIMING_ROLES
    )


def may_confirm(user: User, wish: Wish) -> bool:
    """The wisher, whoever posted it for them, or the grid's workers; never the claimant."""
    if wish.claimed_by_id == user.pk:
        return False
    return (
        wish.resident.user_id == user.pk
        or wish.posted_by_id == user.pk
        or holds_over(user, wish.area_code, HELPING_ROLES)
    )


def is_close_to(user: User, wish: Wish) -> bool:
    """The wisher, whoever posted it for them, its claimant, or the grid's workers and the community's
    staff: who see the 送达 photo and note and a withdrawn wish (the rest of the community sees the wall)."""
    return user.pk in (wish.resident.user_id, wish.posted_by_id, wish.claimed_by_id) or holds_over(
        user, wish.area_code, HELPING_ROLES
    )


def wishes_for(user: User) -> QuerySet[Wish]:
    """The wishes of the communities a user lives in or works in (and their subtrees)."""
    scope = scope_of(user)
    if scope.everything:
        return Wish.objects.all()
    codes = [community_code(m.area.code) for m in scope.memberships if m.area is not None]
    if scope.own_household_id is not None:
        home = Household.objects.select_related("area").get(pk=scope.own_household_id)
        codes.append(community_code(home.area.code))
    if not codes:
        return Wish.objects.none()
    return Wish.objects.filter(subtree_or_above_q("area_code", codes))


def get_wish_for(user: User, wish_id: int) -> Wish:
    found = wishes_for(user).filter(pk=wish_id).select_related("resident__household__area", "area").first()
    if found is None:
        raise Http404
    return found


def wall(user: User, *, state: str | None = None) -> QuerySet[Wish]:
    """The wish wall: open wishes first, the longest waiting on top; then the others as they came."""
    found = wishes_for(user).exclude(state=WishState.WITHDRAWN)
    if state:
        found = found.filter(state=state)
    waiting_first = Case(
        When(state=WishState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return found.select_related("resident", "area").order_by(waiting_first, "posted_at", "id")


def my_wishes(user: User) -> QuerySet[Wish]:
    """我的心愿: wishes the user made, posted for a resident, or claimed, the newest first."""
    return (
        wishes_for(user)
        .filter(Q(resident__user=user) | Q(posted_by=user) | Q(claimed_by=user))
        .select_related("resident", "area")
        .order_by("-posted_at", "-id")
    )


def grid_names(wishes: list[Wish]) -> dict[str, str]:
    """The grid of each wish's place, by code: the wall says the grid, not the building or the door."""
    codes = {w.area_code[:GRID_CODE_LENGTH] for w in wishes}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def waited_days(wish: Wish, now: dt.datetime | None = None) -> int:
    return ((now or timezone.now()) - wish.posted_at).days


# --- the three lists ---------------------------------------------------------------------------------

LIST_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})


def may_run_lists(user: User, code: str) -> bool:
    """Staff of the area (or above) post, close and turn needs into projects."""
    return holds_over(user, code, LIST_ROLES)


def unit_of(user: User) -> Unit | None:
    """The unit a unit's staff member acts for (双向认领: a unit claims a need)."""
    for m in scope_of(user).memberships:
        if m.role == Role.UNIT_STAFF and m.unit is not None:
            return m.unit
    return None


def counts(code: str) -> dict[str, dict[str, int]]:
    """Per list, how many in each state under an area (the figures the seeds quote)."""
    found: dict[str, dict[str, int]] = {}
    for name, model in (("needs", Need), ("offers", Offer), ("projects", Project)):
        rows = (
            model.objects.filter(area_code__startswith=code)
            .values("state")
            .order_by()
            .annotate(n=Count("pk"))
        )
        found[name] = {r["state"]: r["n"] for r in rows}
        found[name]["total"] = sum(found[name].values())
    return found
