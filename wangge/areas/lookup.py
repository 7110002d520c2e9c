"""Which grid, and which ancestors, contain a point.

The STRtree is built once per process and rebuilt when any grid polygon changes: a lookup compares a
cheap fingerprint (count of grids with a boundary, latest `geometry_changed_at`) with the one the cached
index was built from, at most once a second (intake calls this on every request). A change made in this
process (`areas.actions`, the demo builder) calls `forget_index()`, so it counts at once here and within
a second in the other processes.

The grid's path (district … grid) is kept with the index for `PATH_SECONDS`, so that intake reads no area
row for a point it has seen lately; a renamed area shows its new name within that time.
"""

import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from wangge.areas.models import Area, Level
from wangge.lib.geo import GridIndex

_lock = threading.Lock()
_cache: dict[str, object] = {}
_paths: dict[str, tuple[float, list[Area]]] = {}
CHECK_SECONDS = 1.0
PATH_SECONDS = 60.0
MAX_PATHS = 20_000  # grids a process remembers (a province has fewer than this per process's share)


def _fingerprint() -> tuple:
    stats = Area.objects.filter(level=Level.GRID, boundary__isnull=False).aggregate(
        n=Count("id"), latest=Max("geometry_changed_at")
    )
    return (stats["n"], stats["latest"])


def forget_index() -> None:
    with _lock:
        _cache.clear()
        _paths.clear()


def grid_index() -> GridIndex:
    index, checked = _cache.get("index"), _cache.get("checked_at")
    if (
        isinstance(index, GridIndex)
        and isinstance(checked, float)
        and time.monotonic() - checked < CHECK_SECONDS
    ):
        return index
    fingerprint = _fingerprint()
    with _lock:
        _cache["checked_at"] = time.monotonic()
        if _cache.get("fingerprint") != fingerprint:
            grids = Area.objects.filter(level=Level.GRID, boundary__isnull=False).values_list(
                "code", "boundary"
            )
            _cache["index"] = GridIndex.build((code, shape) for code, shape in grids if shape)
            _cache["fingerprint"] = fingerprint
            _paths.clear()
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
    now = time.monotonic()
    kept = _paths.get(code)
    if kept is None or now - kept[0] > PATH_SECONDS:
        path = list(
            Area.objects.filter(code__in=[*Area(code=code).ancestor_codes, code])
            .defer("boundary")
            .order_by("code")
        )
        if len(_paths) >= MAX_PATHS:
            _paths.clear()
        kept = _paths[code] = (now, path)
    path = kept[1]
    return Location(grid=path[-1], ancestors=path[:-1])
