"""Writes to the area tree. Every polygon change goes through `do_set_boundary` so the lookup rebuilds."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.lookup import forget_index
from wangge.areas.models import CHILD_LEVELS, DISTRICT_CODE_LENGTH, SEGMENT_LENGTH, Area, GridKind, Level
from wangge.lib.geo import polygon_from_geojson


class AreaError(ValueError):
    """Bad input for an area write; the message names the field, in Chinese."""


def next_child_code(parent: Area) -> str:
    last = Area.objects.filter(parent=parent).aggregate(last=Max("code"))["last"]
    number = int(last[-SEGMENT_LENGTH:]) + 1 if last else 1
    if number >= 10**SEGMENT_LENGTH:
        raise AreaError(f"编码：{parent.name}下的子节点已满（最多{10**SEGMENT_LENGTH - 1}个）")
    return parent.code + f"{number:0{SEGMENT_LENGTH}d}"


@transaction.atomic
def do_create_area(
    *,
    name: str,
    level: str,
    parent: Area | None,
    code: str | None = None,
    grid_kind: str = "",
    duties: list[str] | None = None,
    boundary: dict | None = None,
    lat: float | None = None,
    lng: float | None = None,
    actor: User | None = None,
) -> Area:
    name = name.strip()
    if not name:
        raise AreaError("名称：不能为空")
    if level not in Level.values:
        raise AreaError(f"层级：未知的层级 {level}")
    if parent is None:
        if level != Level.DISTRICT:
            raise AreaError("上级：只有区可以没有上级")
        if not code or len(code) != DISTRICT_CODE_LENGTH or not code.isdigit():
            raise AreaError("编码：区的编码应为6位数字（如210104）")
    else:
        if level not in CHILD_LEVELS[parent.level]:
            raise AreaError(f"层级：{parent.get_level_display()}下不能建{Level(level).label}")
        code = next_child_code(parent)
    if level == Level.GRID:
        grid_kind = grid_kind or GridKind.REGULAR
        if grid_kind not in GridKind.values:
            raise AreaError(f"网格类型：未知的类型 {grid_kind}")
    elif grid_kind:
        raise AreaError("网格类型：只有网格有类型")
    geometry = polygon_from_geojson(boundary) if boundary is not None else None
    if geometry is not None and (lat is None or lng is None):
        point = geometry.representative_point()
        lng, lat = point.x, point.y
    if boundary is not None:
        _polygons_changed()
    return Area.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        grid_kind=grid_kind,
        duties=list(duties or []),
        boundary=boundary,
        geometry_changed_at=timezone.now() if boundary is not None else None,
        lat=lat,
        lng=lng,
    )


@transaction.atomic
def do_set_boundary(area: Area, boundary: dict | None, *, actor: User | None = None) -> Area:
    """Replace an area's polygon; the point->grid index rebuilds on its next use."""
    if boundary is not None:
        geometry = polygon_from_geojson(boundary)
        point = geometry.representative_point()
        area.lng, area.lat = point.x, point.y
    area.boundary = boundary
    area.geometry_changed_at = timezone.now()
    area.save(update_fields=["boundary", "geometry_changed_at", "lat", "lng"])
    _polygons_changed()
    return area


def _polygons_changed() -> None:
    """Lookups in this process see the change now (in this transaction) and again after commit."""
    forget_index()
    transaction.on_commit(forget_index)
