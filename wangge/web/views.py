"""Staff and resident pages: authorise through scoping, load, call one query or action, render."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.api.presenters import me_payload
from wangge.areas import scoping
from wangge.areas.models import Area, Level, Role
from wangge.areas.scoping import prefix_q
from wangge.directives.selectors import emergency_over
from wangge.directory.selectors import nearest_by_kind, point_of
from wangge.lib.images import content_type_of
from wangge.party.selectors import may_manage as may_keep_party
from wangge.people.actions import do_reveal_personal_data
from wangge.people.models import CareLevel, CareTag, RecordKind, RegistryChange, Resident
from wangge.people.selectors import registry_summary, resident_filters
from wangge.tickets.queries import tickets_for
from wangge.visits.selectors import household_ledger, may_visit
from wangge.web.navigation import home_url


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    """修改密码 (a member enrolled at the 报到 desk starts with a first password handed over)."""

    template_name = "web/password.html"
    success_url = reverse_lazy("web:home")
    success_message = "密码已修改。"


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required."""
    assert isinstance(request.user, User)
    return request.user


def image_response(file: FieldFile) -> FileResponse:
    """A stored photo. The type comes from the bytes, never from the uploader's file name (a
    "photo.html" stays an image)."""
    handle = file.open("rb")
    head = handle.read(12)
    handle.seek(0)
    return FileResponse(handle, content_type=content_type_of(head) or "application/octet-stream")


def healthz(request: HttpRequest) -> HttpResponse:
    """For the proxy and the process supervisor: 200 "ok" while this app server reaches its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def _breadcrumbs(user: User, area: Area) -> list[tuple[Area, bool]]:
    """Ancestors with whether the user may open them (names are shown either way)."""
    scope = scoping.scope_of(user)
    return [(a, scope.sees_area(a.code)) for a in area.ancestors()]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each persona lands on its own home (web/navigation.py); others see the overview."""
    target = home_url(request_user(request))
    return redirect(target) if target else overview(request)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """我的: the user's posts, areas, units, 包户 households or home, and the registry of their scope."""
    user = request_user(request)
    scope = scoping.scope_of(user)
    me = me_payload(user)
    roots = scoping.root_areas_for(user)
    summary = None
    if scope.registry_prefixes or scope.everything:
        summary = registry_summary(scoping.households_for(user), scoping.residents_for(user))
    party_households = []
    if scope.party_membership_ids:
        party_households = list(
            scoping.households_for(user)
            .filter(party_contacts__membership_id__in=scope.party_membership_ids)
            .annotate(n=Count("residents"))
            .order_by("address")
        )
    home_household = None
    if scope.own_household_id:
        home_household = scoping.get_household_for(user, scope.own_household_id)
    return render(
        request,
        "web/home.html",
        {
            "me": me,
            "roots": roots,
            "summary": summary,
            "party_households": party_households,
            "home_household": home_household,
            "units": [m.unit for m in scope.memberships if m.unit],
            "can_import": bool(scope.edit_prefixes),
        },
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    scope = scoping.scope_of(user)
    children = list(area.children.annotate(n=Count("children")).order_by("code"))
    sees_registry = scope.sees_registry_of(area.code)
    summary = (
        registry_summary(scoping.households_for(user), scoping.residents_for(user), area)
        if sees_registry
        else None
    )
    households = []
    if sees_registry and area.level in (Level.BUILDING, Level.UNIT):
        households = list(
            scoping.households_for(user)
            .filter(area__code__startswith=area.code)
            .select_related("area")
            .annotate(n=Count("residents"))
            .order_by("area__code", "door_no")
        )
    staff = (
        area.memberships.filter(
            active=True,
            role__in=[
                Role.GRID_HEAD,
                Role.GRID_WORKER,
                Role.COMMUNITY_STAFF,
                Role.STREET_STAFF,
                Role.BUILDING_HEAD,
            ],
        )
        .select_related("user")
        .order_by("role")
    )
    sees_registry = scoping.scope_of(user).sees_registry_of(area.code)
    return render(
        request,
        "web/area.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(user, area),
            "children": children,
            "summary": summary,
            "households": households,
            "staff": list(staff),
            "units": list(area.units.filter(active=True)),
            "has_map": area.level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID),
            "emergency": emergency_over(area.code),
            "sees_registry": sees_registry,
            "building_map": sees_registry and area.level in (Level.COMMUNITY, Level.GRID),
        },
    )


@login_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    user = request_user(request)
    household = scoping.get_household_for(user, household_id)
    history = RegistryChange.objects.filter(household=household).select_related("actor")[:50]
    return render(
        request,
        "web/household.html",
        {
            **household_ledger(user, household),
            "breadcrumbs": _breadcrumbs(user, household.area),
            "history": history,
            "keeps_party": may_keep_party(user, household.area.code),
            "may_visit": may_visit(user, household),
            "nearby": nearest_by_kind(household.area.code, point_of(household)),
        },
    )


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    params = {k: request.GET.get(k, "").strip()[:50] for k in ("area", "care_tag", "care_level", "q")}
    if params["care_level"] not in CareLevel.values:
        params["care_level"] = ""
    qs = resident_filters(scoping.residents_for(user), **{k: v or None for k, v in params.items()})
    qs = qs.select_related("household").prefetch_related("care_tags").order_by("household__area__code", "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "web/partials/resident_rows.html" if request.htmx else "web/residents.html"  # type: ignore[attr-defined]
    scope = scoping.scope_of(user)
    places = Area.objects.filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
    if not scope.everything:
        places = places.filter(prefix_q("code", scope.registry_prefixes))
    areas = list(places.order_by("code")[:300])  # the registry's places to narrow by, in tree order
    return render(
        request,
        template,
        {
            "page": page,
            "params": params,
            "areas": areas,
            "area_listed": any(a.code == params["area"] for a in areas),
            "tags": CareTag.objects.all(),
            "levels": CareLevel.choices,
            "query": "&".join(f"{k}={v}" for k, v in params.items() if v),
        },
    )


@login_required
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    user = request_user(request)
    return resident_page(request, scoping.get_resident_for(user, resident_id))


def resident_page(
    request: HttpRequest, resident: Resident, *, level_errors: dict | None = None, status: int = 200
) -> HttpResponse:
    """一人一档: the record, its history, the visits to the household (hers marked) and her tickets."""
    user = request_user(request)
    history = RegistryChange.objects.filter(kind=RecordKind.RESIDENT, object_id=resident.pk).select_related(
        "actor"
    )
    return render(
        request,
        "web/resident.html",
        {
            **household_ledger(user, resident.household),
            "resident": resident,
            "breadcrumbs": _breadcrumbs(user, resident.household.area),
            "may_unmask": scoping.may_unmask(user, resident),
            "may_edit": scoping.may_edit_registry(user, resident.household.area),
            "history": history[:50],
            "tickets": list(tickets_for(user).filter(resident=resident).order_by("-submitted_at")[:20]),
            "levels": CareLevel.choices,
            "level_errors": level_errors or {},
            "form": request.POST if level_errors else {},
        },
        status=status,
    )


@login_required
@require_POST
def resident_reveal(request: HttpRequest, resident_id: int) -> HttpResponse:
    """htmx: replace the masked numbers with the full ones, after logging the access."""
    user = request_user(request)
    resident = scoping.get_resident_for(user, resident_id)
    if not scoping.may_unmask(user, resident):
        return HttpResponse("您的角色不能查看完整号码", status=403)
    numbers = do_reveal_personal_data(resident, user=user, channel="web")
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("web:resident", resident_id=resident.pk)
    return render(request, "web/partials/personal_numbers.html", {"numbers": numbers, "resident": resident})
