"""Who may do what in volunteering, and the reads: the talent pool, activities near a person.

- Anyone who logs in may register as a volunteer of a community; its staff accept them, which gives the
  volunteer role there.
- Community, street and district staff publish activities in their area and tick attendance.
- Accepted volunteers sign up for the activities of their community and the areas above it.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Role
from wangge.areas.scoping import holds_over, scope_of, subtree_or_above_q
from wangge.volunteering.models import Activity, ActivityState, Volunteer

ORGANISING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})


def may_organise(user: User, code: str) -> bool:
    return holds_over(user, code, ORGANISING_ROLES)


def accepted(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user, approved_at__isnull=False).select_related("area").first()


def activities_for(user: User) -> QuerySet[Activity]:
    """The activities of the areas a user works in or volunteers in, and of the areas above them."""
    scope = scope_of(user)
    if scope.everything:
        return Activity.objects.all()
    codes = [m.area.code for m in scope.memberships if m.area is not None]
    if not codes:
        return Activity.objects.none()
    return Activity.objects.filter(subtree_or_above_q("area_code", codes))


def get_activity_for(user: User, activity_id: int) -> Activity:
    found = activities_for(user).filter(pk=activity_id).select_related("area").first()
    if found is None:
        raise Http404
    return found


def upcoming(user: User) -> QuerySet[Activity]:
    return activities_for(user).filter(state=ActivityState.PUBLISHED, ends_at__gte=timezone.now())


def talent_pool(area_code: str, *, skill: str | None = None, team: int | None = None) -> QuerySet[Volunteer]:
    """人才库: the accepted volunteers of an area (the place: a street, a community …), by skill and team."""
    found = Volunteer.objects.filter(area_code__startswith=area_code, approved_at__isnull=False)
    if skill:
        found = found.filter(skills__icontains=f'"{skill}"')  # a JSON list of codes: the quoted code
    if team:
        found = found.filter(teams=team)
    return found.select_related("user").order_by("area_code", "pk")
