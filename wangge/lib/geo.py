"""Point -> grid lookup over GeoJSON polygons with a shapely STRtree.

Framework-free: `GridIndex` is built from (code, geojson) pairs. Codes are hierarchical, so among
several polygons containing a point (a 专属网格 nested inside its grid) the longest code is the most
specific one.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry


def metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12_742_000 * math.asin(min(1.0, math.sqrt(h)))


class GeometryError(ValueError):
    pass


def polygon_from_geojson(geojson: dict) -> BaseGeometry:
    """Parse a GeoJSON Polygon/MultiPolygon (or a Feature holding one); reject anything else."""
    if not isinstance(geojson, dict):
        raise GeometryError("边界应为GeoJSON对象")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError("边界应为GeoJSON的Polygon或MultiPolygon")
    try:
        geometry = shape(geojson)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise GeometryError(f"边界坐标格式不正确：{exc}") from exc
    if geometry.is_empty or not geometry.is_valid:
        raise GeometryError("边界多边形无效（自相交或为空）")
    return geometry


@dataclass(frozen=True)
class GridIndex:
    codes: tuple[str, ...]
    geometries: tuple[BaseGeometry, ...]
    tree: shapely.STRtree

    @classmethod
    def build(cls, items: Iterable[tuple[str, dict]]) -> "GridIndex":
        codes: list[str] = []
        geometries: list[BaseGeometry] = []
        for code, geojson in items:
            geometry = polygon_from_geojson(geojson)
            shapely.prepare(geometry)
            codes.append(code)
            geometries.append(geometry)
        return cls(tuple(codes), tuple(geometries), shapely.STRtree(geometries))

    def __len__(self) -> int:
        return len(self.codes)

    def containing(self, lng: float, lat: float) -> list[str]:
        """Codes of every polygon that contains the point (boundary included), most specific first."""
        point = Point(lng, lat)
        hits = self.tree.query(point, predicate="intersects")
        return sorted((self.codes[i] for i in hits), key=len, reverse=True)

    def locate(self, lng: float, lat: float) -> str | None:
        """The most specific grid containing the point, or None when it lies in no grid."""
        found = self.containing(lng, lat)
        return found[0] if found else None


def jittered_lattice(
    *, cols: int, rows: int, bbox: tuple[float, float, float, float], jitter: float, rng
) -> list[list[dict]]:
    """Quadrilateral cells tiling `bbox` (min_lng, min_lat, max_lng, max_lat) without gaps or overlap:
    neighbouring cells share the same jittered vertices, the outer boundary stays straight. Returns
    GeoJSON polygons indexed [row][col], row 0 at the north. `jitter` < 0.5 keeps cells simple."""
    min_lng, min_lat, max_lng, max_lat = bbox
    dx, dy = (max_lng - min_lng) / cols, (max_lat - min_lat) / rows
    vertices: list[list[tuple[float, float]]] = []
    for r in range(rows + 1):
        line = []
        for c in range(cols + 1):
            x, y = min_lng + c * dx, max_lat - r * dy
            if 0 < c < cols:
                x += rng.uniform(-jitter, jitter) * dx
            if 0 < r < rows:
                y += rng.uniform(-jitter, jitter) * dy
            line.append((round(x, 6), round(y, 6)))
        vertices.append(line)
    cells: list[list[dict]] = []
    for r in range(rows):
        row = []
        for c in range(cols):
            ring = [
                vertices[r][c],
                vertices[r + 1][c],
                vertices[r + 1][c + 1],
                vertices[r][c + 1],
                vertices[r][c],
            ]
            row.append({"type": "Polygon", "coordinates": [[list(p) for p in ring]]})
        cells.append(row)
    return cells


def union_geojson(polygons: Iterable[dict]) -> object:
    """The union of GeoJSON polygons, as GeoJSON (for a community drawn from its grids)."""
    merged = shapely.union_all([shape(p) for p in polygons])
    return json_ready(mapping(merged))


def json_ready(value: object) -> object:
    """Tuples (as shapely's `mapping` returns them) to lists, so stored GeoJSON compares equal on reload."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value
