"""API handlers: authorise through scoping, load, call one query or action, return a schema."""

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from wangge.accounts.models import User
from wangge.api.presenters import area_ref, household_row, me_payload, page_of, resident_row
from wangge.areas import scoping, selectors
from wangge.areas.lookup import locate as locate_point
from wangge.areas.models import Area, Level
from wangge.areas.selectors import grids_geojson
from wangge.people.actions import do_reveal_personal_data
from wangge.people.ledgers import building_states
from wangge.people.models import CareLevel, Household
from wangge.people.selectors import resident_filters
from wangge.tickets.queries import tickets_for

router = Router()


@router.get("/me", tags=["me"])
def me(request: HttpRequest) -> dict:
    """Who am I: roles, the areas and units of my memberships, and for a resident the grid of my home."""
    return me_payload(request.user)  # type: ignore[arg-type]


def _area_out(area: Area) -> dict:
    ancestors = area.ancestors()
    return {
        **area.to_dict(),
        "parent": area.parent.code if area.parent else None,
        "ancestors": [area_ref(a) for a in ancestors],
        "children_count": area.children.count(),
    }


@router.get("/areas/{code}", tags=["areas"])
def area_detail(request: HttpRequest, code: str) -> dict:
    return _area_out(scoping.get_area_for(request.user, code))  # type: ignore[arg-type]


@router.get("/areas/{code}/children", tags=["areas"])
def area_children(request: HttpRequest, code: str) -> list[dict]:
    area = scoping.get_area_for(request.user, code)  # type: ignore[arg-type]
    children = area.children.annotate(n=Count("children")).order_by("code")
    return [{**c.to_dict(), "children_count": c.n} for c in children]


@router.get("/areas/{code}/geojson", tags=["areas"])
def area_geojson(request: HttpRequest, code: str) -> dict:
    """The area and its child areas as a GeoJSON FeatureCollection (for maps)."""
    area = scoping.get_area_for(request.user, code)  # type: ignore[arg-type]
    features = []
    for node in [area, *area.children.filter(boundary__isnull=False).order_by("code")]:
        if node.boundary:
            features.append(
                {
                    "type": "Feature",
                    "geometry": node.boundary,
                    "properties": {**node.to_dict(), "role": "self" if node.pk == area.pk else "child"},
                }
            )
    points = (
        area.children.filter(boundary__isnull=True, lat__isnull=False) if area.level == Level.GRID else []
    )
    for node in points:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [node.lng, node.lat]},
                "properties": {**node.to_dict(), "role": "child"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/intake/grids", response={200: dict, 401: dict}, tags=["areas"], url_name="intake_grids")
def intake_grids(request: HttpRequest) -> dict:
    """地图选点: the grid outlines a report form's map draws for me, as a GeoJSON FeatureCollection whose
    features carry `code`, `name` and `home` (true on my own grid). A resident gets the grids of their
    home community (their own and its neighbours); staff without a home the grids of their areas (at
    most 300). Outlines only: no registry, no staff. 200 for anyone signed in (no features when I have
    no home and no area); 401 without a session or token."""
    return grids_geojson(selectors.intake_grids(request.user))  # type: ignore[arg-type]


@router.get("/locate", response=dict, tags=["areas"])
def locate(
    request: HttpRequest,
    lat: float = Query(..., ge=-90, le=90, description="纬度 (WGS84)"),  # type: ignore[type-arg]
    lng: float = Query(..., ge=-180, le=180, description="经度 (WGS84)"),  # type: ignore[type-arg]
) -> dict:
    """Which grid, and which ancestors, contain a point (anyone signed in, residents too: grid names are
    public). `found` is false when it lies in no grid. 422 for a missing or out-of-range coordinate."""
    found = locate_point(lat, lng)
    if found is None:
        return {"found": False, "grid": None, "ancestors": [], "detail": "该位置不在任何网格内"}
    return {
        "found": True,
        "grid": area_ref(found.grid),
        "ancestors": [area_ref(a) for a in found.ancestors],
        "detail": "",
    }


PAGE = Query(1, ge=1, le=100_000)  # type: ignore[type-arg]
PAGE_SIZE = Query(50, ge=1, le=500)  # type: ignore[type-arg]


@router.get("/areas/{code}/buildings", tags=["registry"])
def buildings(request: HttpRequest, code: str) -> list[dict]:
    """看图知户况: the buildings under an area with a point, each with its households, their most urgent
    colour and its open requests (for whoever sees the area's registry)."""
    user: User = request.user  # type: ignore[assignment]
    area = scoping.get_area_for(user, code)
    if not scoping.scope_of(user).sees_registry_of(area.code):
        raise Http404
    states = building_states(area, scoping.households_for(user), tickets_for(user))
    return [
        {
            "code": s.area.code,
            "name": s.area.name,
            "lat": s.area.lat,
            "lng": s.area.lng,
            "households": s.households,
            "care_level": s.level,
            "open_tickets": s.open_tickets,
        }
        for s in states
    ]


@router.get("/households", tags=["registry"])
def household_list(
    request: HttpRequest, area: str | None = None, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict:
    """Households in my scope (optionally under one area code), paginated."""
    qs: QuerySet[Household] = scoping.households_for(request.user)  # type: ignore[arg-type]
    if area:
        qs = qs.filter(area__code__startswith=area)
    qs = qs.select_related("area").annotate(n=Count("residents")).order_by("area__code", "door_no")
    return page_of(qs, page=page, page_size=page_size, row=lambda h: household_row(h, resident_count=h.n))


@router.get("/households/{household_id}", tags=["registry"])
def household_detail(request: HttpRequest, household_id: int) -> dict:
    household = scoping.get_household_for(request.user, household_id)  # type: ignore[arg-type]
    residents = list(household.residents.prefetch_related("care_tags").order_by("id"))
    grid = household.grid()
    return {
        **household_row(household, resident_count=len(residents)),
        "grid": area_ref(grid) if grid else None,
        "residents": [resident_row(r, household=household) for r in residents],
    }


@router.get("/residents", tags=["registry"])
def resident_list(
    request: HttpRequest,
    area: str | None = None,
    care_tag: str | None = None,
    care_level: CareLevel | None = None,
    q: str | None = Query(None, max_length=50),  # type: ignore[type-arg]
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> dict:
    """Residents in my scope, filtered by area code, care tag code, care level or name; masked."""
    qs = resident_filters(
        scoping.residents_for(request.user),  # type: ignore[arg-type]
        area=area,
        care_tag=care_tag,
        care_level=care_level,
        q=q,
    )
    qs = qs.select_related("household").prefetch_related("care_tags").order_by("household__area__code", "id")
    return page_of(qs, page=page, page_size=page_size, row=lambda r: resident_row(r, household=r.household))


@router.get("/residents/{resident_id}", tags=["registry"])
def resident_detail(request: HttpRequest, resident_id: int) -> dict:
    resident = scoping.get_resident_for(request.user, resident_id)  # type: ignore[arg-type]
    return resident_row(resident, household=resident.household)


@router.post("/residents/{resident_id}/reveal", response={200: dict, 403: dict}, tags=["registry"])
def resident_reveal(request: HttpRequest, resident_id: int) -> Status:
    """Full ID and phone numbers, for roles allowed to unmask in their subtree. Every call is logged."""
    resident = scoping.get_resident_for(request.user, resident_id)  # type: ignore[arg-type]
    if not scoping.may_unmask(request.user, resident):  # type: ignore[arg-type]
        return Status(403, {"detail": "您的角色不能查看完整的身份证号和电话"})
    numbers = do_reveal_personal_data(resident, user=request.user, channel="api")  # type: ignore[arg-type]
    return Status(200, {"id": resident.pk, **numbers})
