"""Uploads and downloads: the registry import and export for community and grid staff, and the import
of a 12345 hotline export for the staff who dispatch tickets."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.lib.sheets import XLSX, write_table
from wangge.people.transfer import ImportFileError, export_rows, import_registry
from wangge.tickets.hotline import DEFAULT_MAPPING, import_hotline
from wangge.tickets.queries import SUPERVISOR_ROLES
from wangge.web.views import request_user

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not scoping.scope_of(user).edit_prefixes:
        raise Http404
    context: dict = {}
    if request.method == "POST":
        context["error"] = _upload_error(request)
        upload = request.FILES.get("file")
        if not context["error"] and upload is not None:
            try:
                context["report"] = import_registry(
                    name=upload.name or "",
                    content=upload.read(),
                    actor=user,
                    skip_bad=request.POST.get("skip_bad") == "on",
                )
            except ImportFileError as exc:
                context["error"] = f"文件：{exc}"
    return render(request, "web/registry_import.html", context, status=422 if context.get("error") else 200)


def _dispatch_areas(user: User) -> list[Area]:
    return [
        m.area
        for m in scoping.scope_of(user).memberships
        if m.area is not None and m.role in SUPERVISOR_ROLES
    ]


def can_import_hotline(user: User) -> bool:
    """Community, street and district staff import the hotline's tickets into their own areas."""
    return bool(_dispatch_areas(user)) or scoping.scope_of(user).everything


def _upload_error(request: HttpRequest) -> str | None:
    upload = request.FILES.get("file")
    if upload is None:
        return "文件：请选择要导入的.xlsx或.csv文件"
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        return "文件：不能超过20MB"
    return None


@login_required
def hotline_import(request: HttpRequest) -> HttpResponse:
    """12345 工单导入: community, street and district staff upload the hotline's export; rows land as
    tickets inside their own areas, and a file imported twice creates nothing twice."""
    user = request_user(request)
    if not can_import_hotline(user):
        raise Http404
    scope = scoping.scope_of(user)
    mine = _dispatch_areas(user)
    context: dict = {
        # (field, its usual column title, the title this file uses instead if the user gave one)
        "fields": [
            (f, title, request.POST.get(f"map_{f}", "").strip()) for f, title in DEFAULT_MAPPING.items()
        ],
        "areas": mine,
        "default_area": request.POST.get("default_area", ""),
    }
    if request.method == "POST":
        default_area = next((a for a in mine if a.code == context["default_area"]), None)
        if context["default_area"] and default_area is None:
            context["error"] = "默认区域：请从列表中选择"
        context["error"] = context.get("error") or _upload_error(request)
        upload = request.FILES.get("file")
        if not context["error"] and upload is not None:
            mapping = {f: title for f, _, title in context["fields"] if title}
            try:
                context["report"] = import_hotline(
                    name=upload.name or "",
                    content=upload.read(),
                    actor=user,
                    mapping=mapping,
                    default_area=default_area,
                    skip_bad=request.POST.get("skip_bad") == "on",
                    within=None if scope.everything else [a.code for a in mine],
                )
            except ImportFileError as exc:
                context["error"] = f"文件：{exc}"
    return render(request, "web/hotline_import.html", context, status=422 if context.get("error") else 200)


@login_required
def registry_export(request: HttpRequest) -> HttpResponse:
    """Residents of the user's scope (optionally one area), masked, as xlsx or csv."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        return HttpResponse("format：应为xlsx或csv", status=400)
    user = request_user(request)
    residents = scoping.residents_for(user)
    if area := request.GET.get("area", "").strip():
        residents = residents.filter(household__area__code__startswith=scoping.get_area_for(user, area).code)
    content = write_table(export_rows(residents), fmt=fmt, title="居民")
    response = HttpResponse(
        content,
        content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX,
    )
    name = f"registry-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
