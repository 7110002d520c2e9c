"""便民服务 pages: an area's service points (kept by its staff), the printable 便民服务手册 of a community
with its 对接服务联系表, and the resident's "near my home" page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wangge.areas import scoping
from wangge.areas.models import Area, Level, Membership, Role
from wangge.directives.admission import COMMUNITY_CODE_LENGTH
from wangge.directory.actions import do_add_service_point
from wangge.directory.models import ServiceKind
from wangge.directory.selectors import handbook, nearest_by_kind, point_of, serving
from wangge.lib.errors import InputError, NotAllowed
from wangge.supplies.selectors import MANAGING_ROLES
from wangge.web.views import _breadcrumbs, request_user

# Who is on a community's 对接服务联系表 (亮身份、亮职务、亮电话).
CONTACT_ROLES = (Role.COMMUNITY_STAFF, Role.GRID_HEAD, Role.GRID_WORKER)


def _float(raw: str, field_name: str) -> float | None:
    try:
        return float(raw) if raw.strip() else None
    except ValueError:
        raise InputError(field_name, "位置坐标格式不对") from None


@login_required
def services(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    may_keep = scoping.holds_over(user, area.code, MANAGING_ROLES)
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        try:
            do_add_service_point(
                area=area,
                kind=post.get("kind", ""),
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                address=post.get("address", ""),
                hours=post.get("hours", ""),
                lat=_float(post.get("lat", ""), "location"),
                lng=_float(post.get("lng", ""), "location"),
                notes=post.get("notes", ""),
                actor=user,
            )
            return redirect("web:services", code=area.code)
        except InputError as exc:
            errors = {exc.field: exc.message}
        except NotAllowed as exc:
            errors = {"form": str(exc)}
    return render(
        request,
        "web/services.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(user, area),
            "points": serving(area.code).order_by("kind", "area__code", "name")[:500],
            "may_keep": may_keep,
            "kinds": ServiceKind.choices,
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


@login_required
def service_handbook(request: HttpRequest, code: str) -> HttpResponse:
    """便民服务手册: a print-styled page (A4, one column) a community posts and hands out."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    if area.level not in (Level.COMMUNITY, Level.GRID):
        raise Http404
    community = (
        area if area.level == Level.COMMUNITY else Area.objects.get(code=area.code[:COMMUNITY_CODE_LENGTH])
    )
    contacts = (
        Membership.objects.filter(
            active=True, role__in=CONTACT_ROLES, area__code__startswith=community.code, user__is_active=True
        )
        .select_related("user", "area")
        .order_by("role", "area__code")
    )
    return render(
        request,
        "web/handbook.html",
        {"area": community, "sections": handbook(community.code), "contacts": contacts},
    )


@login_required
def h5_services(request: HttpRequest) -> HttpResponse:
    """便民服务 for a resident: the nearest of each kind to their home."""
    resident = getattr(request_user(request), "resident", None)
    if resident is None:
        raise Http404
    household = resident.household
    return render(
        request,
        "web/h5/services.html",
        {"nearby": nearest_by_kind(household.area.code, point_of(household)), "household": household},
    )
