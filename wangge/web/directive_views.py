"""一键响应 pages: sending a directive (with the receivers and the 社区事务准入 flags shown before it goes),
following it up (receipts, overdue, completion rate, one-click remind), answering it on the phone, and the
emergency switch with its 1+4+N roster."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Level, Role
from wangge.areas.scoping import codes_with
from wangge.directives.actions import (
    NewDirective,
    check_directive,
    do_acknowledge,
    do_end_emergency,
    do_remind_receivers,
    do_report_back,
    do_send_directive,
    do_start_emergency,
    roster_people,
)
from wangge.directives.admission import AdmissionFlagged
from wangge.directives.models import POST_ORDER, Attachment, Emergency, ReportPhoto
from wangge.directives.selectors import (
    SENDING_ROLES,
    directives_for,
    emergency_over,
    get_directive_for,
    get_receipt_for,
    may_follow_up,
    may_switch,
    progress,
    progress_by_place,
    receipts_for,
    to_answer,
)
from wangge.lib.errors import InputError, NotAllowed
from wangge.web.views import image_response, request_user

SENDABLE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
RECEIVING_ROLES = [(v, label) for v, label in Role.choices]


def _sendable_areas(user: User) -> list[Area]:
    """The places I may send to, down to grids under a community I serve and to communities otherwise."""
    if user.is_superuser:
        return list(Area.objects.filter(level__in=SENDABLE_LEVELS[:3])[:500])
    found: dict[str, Area] = {}
    for code in codes_with(user, SENDING_ROLES):
        depth = SENDABLE_LEVELS if len(code) >= 12 else SENDABLE_LEVELS[:3]
        for area in Area.objects.filter(code__startswith=code, level__in=depth)[:500]:
            found[area.code] = area
    return [found[c] for c in sorted(found)]


@login_required
def directives(request: HttpRequest) -> HttpResponse:
    """指令: what I must answer, and the directives I sent or follow, with their completion."""
    user = request_user(request)
    followed = (
        directives_for(user)
        .annotate(
            n=Count("receipts"),
            done=Count("receipts", filter=Q(receipts__reported_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(followed, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "web/directives.html",
        {
            "page": page,
            "mine": to_answer(user)[:50],
            "may_send": user.is_superuser or bool(codes_with(user, SENDING_ROLES)),
        },
    )


def _deadline(raw: str) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InputError("deadline", "反馈时限格式不对") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.get_current_timezone())


def _new_directive(request: HttpRequest) -> NewDirective:
    post = request.POST
    return NewDirective(
        title=post.get("title", ""),
        body=post.get("body", ""),
        area_codes=post.getlist("areas"),
        roles=post.getlist("roles"),
        deadline=_deadline(post.get("deadline", "")),
        figures=[f for f in post.get("figures", "").replace("，", ",").split(",")],
        attachments=request.FILES.getlist("attachments"),
    )


@login_required
def directive_new(request: HttpRequest) -> HttpResponse:
    """一键下达. 预览 shows how many people at which posts will receive it and the admission flags; a
    flagged directive is only sent once the sender ticks that they know."""
    user = request_user(request)
    areas = _sendable_areas(user)
    if not areas:
        return render(request, "web/directive_new.html", {"forbidden": True}, status=403)
    context: dict = {"areas": areas, "roles": RECEIVING_ROLES, "form": {}, "errors": {}}
    status = 200
    if request.method == "POST":
        context["form"] = request.POST
        context["chosen"] = set(request.POST.getlist("areas"))
        context["chosen_roles"] = set(request.POST.getlist("roles"))
        try:
            new = _new_directive(request)
            if request.POST.get("step") == "preview":
                context["checked"] = check_directive(new, actor=user)
            else:
                directive = do_send_directive(
                    new, actor=user, confirm_admission=request.POST.get("confirm_admission") == "1"
                )
                return redirect("web:directive", directive_id=directive.pk)
        except InputError as exc:
            context["errors"] = {exc.field: exc.message}
            status = 422
        except AdmissionFlagged as exc:
            context["flags"] = exc.flags
            status = 409
    else:
        context["form"] = {"deadline": f"{timezone.localtime() + dt.timedelta(days=1):%Y-%m-%dT%H:00}"}
        context["chosen_roles"] = {Role.GRID_WORKER}
    return render(request, "web/directive_new.html", context, status=status)


@login_required
def directive(request: HttpRequest, directive_id: int) -> HttpResponse:
    """A directive: for the sender and above, progress, by place and receipt by receipt; for a receiver,
    their own receipts to answer."""
    user = request_user(request)
    found = get_directive_for(user, directive_id)
    context: dict = {
        "directive": found,
        "attachments": found.attachments.all(),
        "mine": found.receipts.filter(user=user).select_related("area", "unit"),
        "follows": may_follow_up(user, found),
    }
    if context["follows"]:
        receipts = receipts_for(user, found)
        shown = request.GET.get("show", "")
        listed = receipts.select_related("user", "area", "unit").order_by(
            F("reported_at").asc(nulls_first=True), "area__code", "id"
        )  # 未反馈 first on both databases
        if shown == "pending":
            listed = listed.filter(reported_at=None)
        context |= {
            "progress": progress(found, receipts),
            "places": progress_by_place(found, receipts),
            "page": Paginator(listed.prefetch_related("photos"), 50).get_page(request.GET.get("page")),
            "show": shown,
        }
    return render(request, "web/directive.html", context)


@login_required
@require_POST
def directive_remind(request: HttpRequest, directive_id: int) -> HttpResponse:
    user = request_user(request)
    found = get_directive_for(user, directive_id)
    try:
        count = do_remind_receivers(found, actor=user)
        messages.success(request, f"已提醒 {count} 个未反馈的岗位")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("web:directive", directive_id=found.pk)


@login_required
def directive_file(request: HttpRequest, directive_id: int, attachment_id: int) -> FileResponse:
    found = get_directive_for(request_user(request), directive_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, directive=found)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
def report_photo(request: HttpRequest, directive_id: int, photo_id: int) -> FileResponse:
    user = request_user(request)
    found = get_directive_for(user, directive_id)
    photo = get_object_or_404(ReportPhoto, pk=photo_id, receipt__directive=found)
    if not (
        photo.receipt.user_id == user.pk or receipts_for(user, found).filter(pk=photo.receipt_id).exists()
    ):
        raise Http404
    return image_response(photo.image)


# --- the receiver's phone pages ------------------------------------------------------------------


@login_required
def field_directives(request: HttpRequest) -> HttpResponse:
    """待反馈的指令, nearest deadline first, and what I answered lately."""
    user = request_user(request)
    answered = (
        user.receipts.filter(reported_at__isnull=False)
        .select_related("directive", "area", "unit")
        .order_by("-reported_at")[:10]
    )
    return render(
        request,
        "web/field_directives.html",
        {"pending": to_answer(user)[:100], "answered": answered, "tab": "directives", "now": timezone.now()},
    )


@login_required
def field_receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """One directive to answer: 签收, then 反馈 with text, the figures asked for and photos."""
    user = request_user(request)
    receipt = get_receipt_for(user, receipt_id)
    context: dict = {"receipt": receipt, "directive": receipt.directive, "tab": "directives", "errors": {}}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("step") == "ack":
                do_acknowledge(receipt, actor=user)
                return redirect("web:field_receipt", receipt_id=receipt.pk)
            figures: dict[str, int | None] = {}
            for name in receipt.directive.figures:
                raw = request.POST.get(f"figure-{name}", "").strip()
                if raw and not raw.isdigit():
                    raise InputError(f"figures.{name}", f"「{name}」应为不小于0的整数")
                figures[name] = int(raw) if raw else None
            do_report_back(
                receipt,
                actor=user,
                report=request.POST.get("report", ""),
                figures=figures,
                photos=request.FILES.getlist("photos"),
            )
            return redirect("web:field_directives")
        except InputError as exc:
            context["errors"] = {exc.field: exc.message}
            context["form"] = request.POST
            status = 422
    context["attachments"] = receipt.directive.attachments.all()
    context["figure_rows"] = [
        (n, (context.get("form") or {}).get(f"figure-{n}", receipt.figures.get(n, "")))
        for n in receipt.directive.figures
    ]
    return render(request, "web/field_receipt.html", context, status=status)


# --- emergency --------------------------------------------------------------------------------------


def roster_rows(emergency: Emergency, *, for_code: str | None = None) -> list:
    """The roster by post (1, 4, N); for a household, only the posts over its own place."""
    rows = list(emergency.roster.select_related("area"))
    if for_code is not None:
        rows = [r for r in rows if for_code.startswith(r.area.code)]
    return sorted(rows, key=lambda r: (POST_ORDER[r.post], r.area.code, r.name))


def emergency_notice(code: str | None) -> dict:
    """The open emergency over a place and the roster posts over it, for the banners of the pages."""
    current = emergency_over(code) if code else None
    if current is None:
        return {}
    return {"emergency": current, "emergency_roster": roster_rows(current, for_code=code)}


@login_required
def emergency(request: HttpRequest, code: str) -> HttpResponse:
    """应急状态 of an area: the roster for everyone who sees the area; the switch for streets, the
    district and 包联 leaders."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("step") == "end":
                do_end_emergency(area, actor=user)
            else:
                names = request.POST.get("cadres", "").replace("，", ",").split(",")
                leader, cadres = roster_people(request.POST.get("leader", ""), names)
                do_start_emergency(
                    area,
                    reason=request.POST.get("reason", ""),
                    leader=leader,
                    cadres=cadres,
                    actor=user,
                )
            return redirect("web:emergency", code=area.code)
        except (InputError, NotAllowed) as exc:
            error = str(exc)
    current = emergency_over(area.code)
    past = Emergency.objects.filter(area=area, ended_at__isnull=False)[:10]
    return render(
        request,
        "web/emergency.html",
        {
            "area": area,
            "current": current,
            "roster": roster_rows(current) if current else [],
            "past": past,
            "may_switch": may_switch(user, area),
            "error": error,
            "form": request.POST if error else {},
        },
        status=422 if error else 200,
    )
