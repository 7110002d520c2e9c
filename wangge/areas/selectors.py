"""Reads of the area tree for maps."""

from dataclasses import dataclass

from wangge.accounts.models import User
from wangge.areas.models import DISTRICT_CODE_LENGTH, SEGMENT_LENGTH, Area, Level
from wangge.areas.scoping import prefix_q, scope_of
from wangge.lib.geo import GeometryError, polygon_from_geojson
from wangge.people.models import Household

COMMUNITY_CODE_LENGTH = DISTRICT_CODE_LENGTH + 2 * SEGMENT_LENGTH
MAX_INTAKE_GRIDS = 300


@dataclass(frozen=True)
class IntakeMap:
    grids: list[Area]
    home_code: str  # the grid the map starts on ("" for none)


def intake_grids(user: User) -> IntakeMap:
    """The grid outlines a report form's map draws for this user (我要反映, staff entry).

    Someone with a home (a resident) gets the grids of their home community, their own marked, so they can
    tap across the street into a neighbouring grid; staff without a home get the grids of their areas, at
    most MAX_INTAKE_GRIDS, in code order. Only outlines, codes and names: grid polygons are public, the
    registry and the staff behind a grid are not."""
    scope = scope_of(user)
    grids = Area.objects.filter(level=Level.GRID, boundary__isnull=False).only("code", "name", "boundary")
    home = (
        Household.objects.filter(pk=scope.own_household_id).select_related("area").first()
        if scope.own_household_id
        else None
    )
    if home is not None:
        grid = home.grid()
        community = home.area.code[:COMMUNITY_CODE_LENGTH]
        return IntakeMap(
            list(grids.filter(code__startswith=community).order_by("code")), grid.code if grid else ""
        )
    if not scope.everything:
        grids = grids.filter(prefix_q("code", scope.area_prefixes))
    return IntakeMap(list(grids.order_by("code")[:MAX_INTAKE_GRIDS]), "")


def grids_geojson(found: IntakeMap) -> dict:
    """The grids as a GeoJSON FeatureCollection: `code`, `name` and `home` (the user's own grid)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {"code": g.code, "name": g.name, "home": g.code == found.home_code},
            }
            for g in found.grids
        ],
    }


MAP_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def map_features(area: Area) -> dict:
    """The area and every street, community and grid under it with a boundary, as one GeoJSON
    FeatureCollection for the map component: each with its code, name, level, parent code and a label
    point inside it (where its name is written on the map)."""
    nodes = (
        area.subtree()
        .filter(level__in=MAP_LEVELS, boundary__isnull=False)
        .select_related("parent")
        .only("code", "name", "level", "grid_kind", "boundary", "lat", "lng", "parent__code")
        .order_by("code")
    )
    features = []
    for node in nodes:
        label: list[float] | None = None
        try:
            inside = polygon_from_geojson(node.boundary or {}).representative_point()
            label = [round(inside.y, 6), round(inside.x, 6)]
        except GeometryError:
            if node.lat is not None and node.lng is not None:
                label = [node.lat, node.lng]
        features.append(
            {
                "type": "Feature",
                "geometry": node.boundary,
                "properties": {
                    "code": node.code,
                    "name": node.name,
                    "level": node.level,
                    "grid_kind": node.grid_kind,
                    "parent": node.parent.code if node.parent else None,
                    "role": "self" if node.pk == area.pk else "child",
                    "label": label,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
