"""Which service points serve a place, and the nearest of each kind to a household."""

from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.areas.models import Area
from wangge.areas.scoping import subtree_or_above_q
from wangge.directory.models import ServiceKind, ServicePoint
from wangge.lib.geo import metres
from wangge.people.models import Household


def serving(code: str) -> QuerySet[ServicePoint]:
    """Points serving a place: those of the place and everything under it, and those of the areas
    above it (a street's legal aid serves each of its communities)."""
    return (
        ServicePoint.objects.filter(active=True)
        .filter(subtree_or_above_q("area__code", [code]))
        .select_related("area")
    )


def point_of(household: Household) -> tuple[float, float] | None:
    """Where a household is: its building's (or unit's) point, else its building's."""
    place: Area | None = household.area
    while place is not None and place.lat is None:
        place = place.parent
    return (place.lat, place.lng) if place is not None and place.lng is not None else None  # type: ignore[return-value]


@dataclass
class Nearby:
    point: ServicePoint
    distance_m: float | None


def nearest_by_kind(code: str, at: tuple[float, float] | None) -> list[Nearby]:
    """The nearest point of each kind serving the place (the most local one when there is no location)."""
    best: dict[str, Nearby] = {}
    for point in serving(code).order_by("-area__code", "name"):
        located = at is not None and point.lat is not None and point.lng is not None
        distance = metres(at[0], at[1], point.lat, point.lng) if located else None  # type: ignore[arg-type,index]
        current = best.get(point.kind)
        if current is None or (
            distance is not None and (current.distance_m is None or distance < current.distance_m)
        ):
            best[point.kind] = Nearby(point, distance)
    order = {k: i for i, k in enumerate(ServiceKind.values)}
    return sorted(best.values(), key=lambda n: order[n.point.kind])


def handbook(code: str) -> list[tuple[str, list[ServicePoint]]]:
    """便民服务手册: every point serving the place, by kind, in the directory's order."""
    grouped: dict[str, list[ServicePoint]] = {}
    for point in serving(code).order_by("area__code", "name"):
        grouped.setdefault(point.kind, []).append(point)
    labels = dict(ServiceKind.choices)
    return [(str(labels[k]), grouped[k]) for k in ServiceKind.values if k in grouped]
