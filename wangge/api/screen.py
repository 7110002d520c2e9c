"""The big screen's data (一屏知全域) and the map's areas: the screen page polls `screen/{code}` on every
refresh; `areas/{code}/map` is read once per page by the map component."""

from django.http import Http404, HttpRequest
from ninja import Router

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.selectors import map_features
from wangge.stats.screen import may_watch, screen_data

router = Router(tags=["screen"])


@router.get("/screen/{code}", response={200: dict})
def screen(request: HttpRequest, code: str) -> dict:
    """Everything the big screen of a district, street or community shows, in one answer (see
    stats/screen.py): headline KPIs of today, this month and this year with the periods compared, trends
    by channel, top categories, rankings of child areas and units, the ticker, the map's figures per grid,
    the registry at a glance, directives under way and an emergency while one is on. For the command
    roles and leaders of the area or above; 404 for anyone else and for grids and buildings."""
    user: User = request.user  # type: ignore[assignment]
    area = scoping.get_area_for(user, code)
    if not may_watch(user, area):
        raise Http404
    return screen_data(area)


@router.get("/areas/{code}/map", response={200: dict}, tags=["areas"])
def area_map(request: HttpRequest, code: str) -> dict:
    """The area with every street, community and grid under it that has a boundary, as GeoJSON: code,
    name, level, parent and a label point for each (the map component's vector base)."""
    area = scoping.get_area_for(request.user, code)  # type: ignore[arg-type]
    return map_features(area)
