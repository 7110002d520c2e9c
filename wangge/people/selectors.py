"""Reads of the registry. Callers pass a queryset already limited by scoping."""

from django.db.models import Count, Q, QuerySet

from wangge.areas.models import Area
from wangge.people.models import CareLevel, Household, Resident


def resident_filters(
    qs: QuerySet[Resident],
    *,
    area: str | None = None,
    care_tag: str | None = None,
    care_level: str | None = None,
    q: str | None = None,
) -> QuerySet[Resident]:
    if area:
        qs = qs.filter(household__area__code__startswith=area)
    if care_tag:
        qs = qs.filter(care_tags__code=care_tag)
    if care_level:
        qs = qs.filter(care_level=care_level)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(household__address__contains=q))
    return qs


def registry_summary(
    households: QuerySet[Household], residents: QuerySet[Resident], area: Area | None = None
) -> dict:
    """Counts for an area page or home page: households (vacant ones too), residents, per care level and
    per care tag."""
    if area is not None:
        households = households.filter(area__code__startswith=area.code)
        residents = residents.filter(household__area__code__startswith=area.code)
    by_level = dict(residents.values_list("care_level").annotate(n=Count("id")).order_by())
    by_tag = dict(
        residents.filter(care_tags__isnull=False)
        .values_list("care_tags__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "households": households.count(),
        "residents": residents.count(),
        "levels": [(level, label, by_level.get(level, 0)) for level, label in CareLevel.choices],
        "tags": sorted(by_tag.items(), key=lambda kv: -kv[1]),
    }
