"""Where a new ticket belongs: the grid from a point, an address or an area code (F5), shared by the H5
page, staff entry, the API and the 12345 import."""

import math
from dataclasses import dataclass

from wangge.areas.lookup import locate
from wangge.areas.models import Area
from wangge.areas.models import Level as AreaLevel
from wangge.people.models import Household
from wangge.tickets.actions import TicketInputError
from wangge.tickets.models import Category


@dataclass
class Place:
    area: Area
    lat: float | None = None
    lng: float | None = None


def area_for_address(address: str) -> Area | None:
    """The most specific area an address names: a registered household's building, else a building of
    the named community, else the community, else the street."""
    address = address.strip()
    if not address:
        return None
    household = Household.objects.filter(address=address).select_related("area").first()
    if household is not None:
        return household.area
    found: Area | None = None
    for level in (AreaLevel.STREET, AreaLevel.COMMUNITY):
        candidates = Area.objects.filter(level=level)
        if found is not None:
            candidates = candidates.filter(code__startswith=found.code)
        named = [a for a in candidates.only("pk", "code", "name", "level") if a.name in address]
        if named:
            found = max(named, key=lambda a: len(a.name))
    if found is not None and found.level == AreaLevel.COMMUNITY:
        buildings = Area.objects.filter(code__startswith=found.code, level=AreaLevel.BUILDING).only(
            "pk", "code", "name", "level"
        )
        named = [b for b in buildings if b.name in address]
        if named:
            found = max(named, key=lambda b: len(b.name))
    return found


def resolve_place(
    *, lat: float | None = None, lng: float | None = None, address: str = "", area_code: str = ""
) -> Place:
    """A point wins; then an area code; then the address. Errors name the field."""
    if (lat is None) != (lng is None):
        raise TicketInputError("lng" if lng is None else "lat", "经纬度需要同时提供")
    for name, value, limit, label in (("lat", lat, 90, "纬度"), ("lng", lng, 180, "经度")):
        if value is not None and not (math.isfinite(value) and -limit <= value <= limit):
            raise TicketInputError(name, f"{label}应在 -{limit} 到 {limit} 之间")
    chosen: Area | None = None
    if area_code:
        chosen = Area.objects.filter(code=area_code).first()
        if chosen is None:
            raise TicketInputError("area", f"没有编码为 {area_code} 的区域")
    if lat is not None and lng is not None:
        found = locate(lat, lng)
        if found is not None:
            return Place(found.grid, lat, lng)
        if chosen is None:
            raise TicketInputError("lat", "该位置不在任何网格内，请在地图上选择网格")
        return Place(chosen, lat, lng)
    if chosen is not None:
        return Place(chosen)
    if address:
        by_address = area_for_address(address)
        if by_address is None:
            raise TicketInputError("address", "无法从地址确定所在网格，请补充社区名称或在地图上选择位置")
        return Place(by_address)
    raise TicketInputError("location", "请提供位置：地图坐标、地址或区域编码")


def category_for(value: str) -> Category | None:
    """A category by code (010203) or by its full or leaf name; None for an empty value."""
    value = value.strip()
    if not value:
        return None
    category = (
        Category.objects.filter(code=value).first()
        or Category.objects.filter(path=value).first()
        or Category.objects.filter(name=value, children=None).order_by("code").first()
        or Category.objects.filter(name=value).order_by("code").first()
    )
    if category is None:
        raise TicketInputError("category", f"没有「{value}」这个分类")
    return category
