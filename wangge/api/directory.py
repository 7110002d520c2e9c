"""The service directory API (便民服务): the points serving an area, the nearest of each kind to a
household or a point, and adding a point."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.directory.actions import do_add_service_point
from wangge.directory.models import ServiceKind, ServicePoint
from wangge.directory.selectors import nearest_by_kind, point_of, serving
from wangge.lib.errors import InputError

router = Router(tags=["directory"])


def point_row(p: ServicePoint, distance_m: float | None = None) -> dict:
    row = {
        "id": p.pk,
        "kind": p.kind,
        "kind_name": p.get_kind_display(),
        "name": p.name,
        "area": p.area.code,
        "address": p.address,
        "phone": p.phone,
        "hours": p.hours,
        "lat": p.lat,
        "lng": p.lng,
        "notes": p.notes,
    }
    if distance_m is not None:
        row["distance_m"] = round(distance_m)
    return row


@router.get("/service-points", response=list[dict])
def service_points(
    request: HttpRequest,
    area: str = Query(..., max_length=40),  # type: ignore[type-arg]
    kind: ServiceKind | None = None,
) -> list[dict]:
    """Points serving an area (its own, those under it and those of the areas above it)."""
    place = scoping.get_area_for(request.user, area)  # type: ignore[arg-type]
    found = serving(place.code).order_by("kind", "area__code", "name")
    if kind:
        found = found.filter(kind=kind)
    return [point_row(p) for p in found[:1000]]


@router.get("/service-points/near", response=list[dict])
def near(
    request: HttpRequest,
    household: int | None = Query(None, ge=1, le=2**53),  # type: ignore[type-arg]
    area: str | None = Query(None, max_length=40),  # type: ignore[type-arg]
    lat: float | None = Query(None, ge=-90, le=90),  # type: ignore[type-arg]
    lng: float | None = Query(None, ge=-180, le=180),  # type: ignore[type-arg]
) -> list[dict]:
    """The nearest point of each kind: to a household I see, or to `lat`,`lng` among an area's points."""
    user: User = request.user  # type: ignore[assignment]
    if household is not None:
        home = scoping.get_household_for(user, household)
        nearby = nearest_by_kind(home.area.code, point_of(home))
    elif area and lat is not None and lng is not None:
        nearby = nearest_by_kind(scoping.get_area_for(user, area).code, (lat, lng))
    else:
        raise InputError("household", "请给出住户，或区域和经纬度")
    return [point_row(n.point, n.distance_m) for n in nearby]


class PointIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    kind: ServiceKind
    name: str = Field(..., min_length=1, max_length=100)
    phone: str = Field(..., min_length=1, max_length=30)
    address: str = Field("", max_length=200)
    hours: str = Field("", max_length=100)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    notes: str = Field("", max_length=200)


@router.post("/service-points", response={201: dict, 409: dict, 422: dict})
def add(request: HttpRequest, payload: PointIn) -> Status:
    """New point; 409 unless I am community, street or district staff over the area."""
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, payload.area)
    point = do_add_service_point(
        area=place,
        kind=payload.kind,
        name=payload.name,
        phone=payload.phone,
        address=payload.address,
        hours=payload.hours,
        lat=payload.lat,
        lng=payload.lng,
        notes=payload.notes,
        actor=user,
    )
    return Status(201, point_row(point))
