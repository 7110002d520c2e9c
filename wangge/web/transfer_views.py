"""Registry import (upload) and export (download) pages for community and grid staff."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.people.transfer import ImportFileError, export_rows, import_registry, write_table

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@login_required
def registry_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.scope_of(user).edit_prefixes:  # type: ignore[arg-type]
        raise Http404
    context: dict = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "文件：请选择要导入的.xlsx或.csv文件"
        elif upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            context["error"] = "文件：不能超过20MB"
        else:
            try:
                context["report"] = import_registry(
                    name=upload.name or "",
                    content=upload.read(),
                    actor=user,  # type: ignore[arg-type]
                    skip_bad=request.POST.get("skip_bad") == "on",
                )
            except ImportFileError as exc:
                context["error"] = f"文件：{exc}"
    return render(request, "web/registry_import.html", context, status=422 if context.get("error") else 200)


@login_required
def registry_export(request: HttpRequest) -> HttpResponse:
    """Residents of the user's scope (optionally one area), masked, as xlsx or csv."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        return HttpResponse("format：应为xlsx或csv", status=400)
    user = request.user
    assert isinstance(user, User)  # login_required
    residents = scoping.residents_for(user)
    if area := request.GET.get("area", "").strip():
        residents = residents.filter(household__area__code__startswith=scoping.get_area_for(user, area).code)
    content = write_table(export_rows(residents), fmt=fmt)
    response = HttpResponse(
        content,
        content_type="text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"registry-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
