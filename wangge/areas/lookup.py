"""Which grid, and which ancestors, contain a point.

The STRtree is built once per process and rebuilt when any grid polygon changes: each lookup compares a
cheap fingerprint (count of grids with a boundary, latest `geometry_changed_at`) with the one the cached
index was built from, so the web app and the worker both see a new polygon on their next lookup.
"""

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from wangge.areas.models import Area, Level
from wangge.lib.geo import GridIndex

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _fingerprint() -> tuple:
    stats = Area.objects.filter(level=Level.GRID, boundary__isnull=False).aggregate(
        n=Count("id"), latest=Max("geometry_changed_at")
    )
    return (stats["n"], stats["latest"])


def grid_index() -> GridIndex:
    fingerprint = _fingerprint()
    with _lock:
        if _cache.get("fingerprint") != fingerprint:
            grids = Area.objects.filter(level=Level.GRID, boundary__isnull=False).values_list(
                "code", "boundary"
            )
            _cache["index"] = GridIndex.build((code, shape) for code, shape in grids if shape)
            _cache["fingerprint"] = fingerprint
        index = _cache["index"]
    assert isinstance(index, GridIndex)
    return index


@dataclass(frozen=True)
class Location:
    grid: Area
    ancestors: list[Area]  # district first, ending with the grid's parent

    @property
    def path(self) -> list[Area]:
        return [*self.ancestors, self.grid]


def locate(lat: float, lng: float) -> Location | None:
    """The most specific grid containing (lat, lng) and its ancestors, or None when in no grid."""
    code = grid_index().locate(lng, lat)
    if code is None:
        return None
    path = list(Area.objects.filter(code__in=[*Area(code=code).ancestor_codes, code]).order_by("code"))
    return Location(grid=path[-1], ancestors=path[:-1])
