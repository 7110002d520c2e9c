"""The directives API (一键响应): send (with a dry run that shows receivers and admission flags), follow
up (progress, receipts, remind), answer (acknowledge, report back), and the emergency roster."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from wangge.accounts.models import User
from wangge.api.presenters import page_of
from wangge.api.views import PAGE, PAGE_SIZE
from wangge.areas import scoping
from wangge.areas.models import Role
from wangge.directives.actions import (
    NewDirective,
    check_directive,
    do_acknowledge,
    do_add_report_photos,
    do_end_emergency,
    do_remind_receivers,
    do_report_back,
    do_send_directive,
    do_start_emergency,
    roster_people,
)
from wangge.directives.models import Directive, Emergency, Receipt
from wangge.directives.selectors import (
    directives_for,
    emergency_over,
    get_directive_for,
    get_receipt_for,
    may_follow_up,
    progress,
    progress_by_place,
    receipts_for,
    to_answer,
)
from wangge.web.directive_views import roster_rows

router = Router(tags=["directives"])


def directive_row(d: Directive) -> dict:
    return {
        "id": d.pk,
        "title": d.title,
        "body": d.body,
        "sender": d.sender_name,
        "areas": sorted(a.code for a in d.areas.all()),
        "roles": d.roles,
        "figures": d.figures,
        "deadline": d.deadline.isoformat(),
        "created_at": d.created_at.isoformat(),
        "admission_flags": d.admission_flags,
    }


def receipt_row(r: Receipt) -> dict:
    return {
        "id": r.pk,
        "directive": r.directive_id,
        "user": r.user.username,
        "name": r.user.shown_name,
        "area": r.area.code,
        "unit": r.unit.code if r.unit else None,
        "role": r.role,
        "status": r.status,
        "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
        "reported_at": r.reported_at.isoformat() if r.reported_at else None,
        "report": r.report,
        "figures": r.figures,
        "overdue": r.overdue,
        "reminded": r.reminded,
    }


class DirectiveIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    body: str = Field(..., min_length=1, max_length=5000)
    areas: list[str] = Field(..., min_length=1, max_length=200, description="下达范围：区域编码（含下级）")
    roles: list[Role] = Field(..., min_length=1, max_length=12, description="接收角色")
    deadline: dt.datetime = Field(..., description="反馈时限")
    figures: list[str] = Field(default_factory=list, max_length=6, description="要求反馈的数字项")
    confirm_admission: bool = Field(False, description="超出社区事务准入清单时，确认仍下达")
    dry_run: bool = Field(False, description="只预览接收人数和准入提示，不下达")


def _new(payload: DirectiveIn) -> NewDirective:
    return NewDirective(
        title=payload.title,
        body=payload.body,
        area_codes=payload.areas,
        roles=[str(r) for r in payload.roles],
        deadline=payload.deadline,
        figures=payload.figures,
    )


@router.get("/directives", response=dict)
def directives(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict:
    """Directives I sent or follow (sent to my areas) or received, newest first."""
    user: User = request.user  # type: ignore[assignment]
    qs = directives_for(user).prefetch_related("areas").order_by("-created_at", "-id")
    return page_of(qs, page=page, page_size=page_size, row=directive_row)


@router.post("/directives", response={200: dict, 201: dict, 409: dict, 422: dict})
def send(request: HttpRequest, payload: DirectiveIn) -> Status:
    """一键下达 → 201 with the directive and its progress. `dry_run` → 200 with the receivers by role and
    the admission flags. 409 with `flags` when the task is outside a receiving community's lists and
    `confirm_admission` is not set."""
    user: User = request.user  # type: ignore[assignment]
    if payload.dry_run:
        checked = check_directive(_new(payload), actor=user)
        return Status(
            200,
            {
                "receivers": len(checked.receivers),
                "by_role": dict(checked.by_role()),
                "flags": [f.as_json() for f in checked.flags],
            },
        )
    directive = do_send_directive(_new(payload), actor=user, confirm_admission=payload.confirm_admission)
    return Status(
        201, {**directive_row(directive), "progress": progress(directive, directive.receipts.all()).as_json()}
    )


@router.get("/directives/{directive_id}", response=dict)
def directive(request: HttpRequest, directive_id: int) -> dict:
    """A directive with `progress` (total, acknowledged, reported, overdue, completion_rate, figure
    totals) and `places` (the same per area one level down) over the receipts I may read."""
    user: User = request.user  # type: ignore[assignment]
    found = get_directive_for(user, directive_id)
    row = directive_row(found)
    if may_follow_up(user, found):
        receipts = receipts_for(user, found)
        row["progress"] = progress(found, receipts).as_json()
        row["places"] = [
            {"code": a.code, "name": a.name, **p.as_json()} for a, p in progress_by_place(found, receipts)
        ]
    row["mine"] = [
        receipt_row(r) for r in found.receipts.filter(user=user).select_related("user", "area", "unit")
    ]
    return row


@router.get("/directives/{directive_id}/receipts", response=dict)
def receipts(
    request: HttpRequest,
    directive_id: int,
    pending: bool = False,
    overdue: bool = False,
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> dict:
    """Receipts I may read; `pending`: not reported back; `overdue`: not reported and past the deadline."""
    user: User = request.user  # type: ignore[assignment]
    found = get_directive_for(user, directive_id)
    qs = (
        receipts_for(user, found)
        .select_related("user", "area", "unit", "directive")
        .order_by("area__code", "id")
    )
    if pending or overdue:
        qs = qs.filter(reported_at=None)
    if overdue and not found.overdue:
        qs = qs.none()
    return page_of(qs, page=page, page_size=page_size, row=receipt_row)


@router.post("/directives/{directive_id}/remind", response={200: dict, 409: dict})
def remind(request: HttpRequest, directive_id: int) -> Status:
    """一键提醒 everyone not yet reported back → 200 with how many. 409 within 10 minutes of the last."""
    user: User = request.user  # type: ignore[assignment]
    found = get_directive_for(user, directive_id)
    return Status(200, {"reminded": do_remind_receivers(found, actor=user)})


@router.get("/receipts", response=list[dict])
def my_receipts(request: HttpRequest) -> list[dict]:
    """My directives to answer (not reported back), the nearest deadline first."""
    user: User = request.user  # type: ignore[assignment]
    return [
        {**receipt_row(r), "title": r.directive.title, "deadline": r.directive.deadline.isoformat()}
        for r in to_answer(user).select_related("user")[:200]
    ]


@router.post("/receipts/{receipt_id}/acknowledge", response=dict)
def acknowledge(request: HttpRequest, receipt_id: int) -> dict:
    user: User = request.user  # type: ignore[assignment]
    receipt = get_receipt_for(user, receipt_id)
    return receipt_row(do_acknowledge(receipt, actor=user))


class ReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=5000)
    figures: dict[str, int] = Field(default_factory=dict, description="指令要求的数字项")


@router.post("/receipts/{receipt_id}/report", response={200: dict, 422: dict})
def report(request: HttpRequest, receipt_id: int, payload: ReportIn) -> dict:
    """反馈 (a later report corrects the earlier one); 422 naming a missing or bad figure."""
    user: User = request.user  # type: ignore[assignment]
    receipt = get_receipt_for(user, receipt_id)
    return receipt_row(
        do_report_back(receipt, actor=user, report=payload.report, figures=dict(payload.figures))
    )


@router.post("/receipts/{receipt_id}/photos", response={200: dict, 422: dict})
def report_photos(request: HttpRequest, receipt_id: int, photos: File[list[UploadedFile]]) -> dict:
    """Photos of my report (multipart, field `photos`, up to 6 a report)."""
    user: User = request.user  # type: ignore[assignment]
    receipt = do_add_report_photos(get_receipt_for(user, receipt_id), actor=user, photos=photos)
    return {**receipt_row(receipt), "photos": receipt.photos.count()}


def emergency_row(e: Emergency | None, code: str) -> dict:
    if e is None:
        return {"area": code, "emergency": False, "roster": []}
    return {
        "area": code,
        "emergency": True,
        "emergency_area": e.area.code,
        "reason": e.reason,
        "started_at": e.started_at.isoformat(),
        "roster": [
            {
                "post": r.post,
                "post_name": r.get_post_display(),
                "name": r.name,
                "phone": r.phone,
                "area": r.area.code,
            }
            for r in roster_rows(e)
        ],
    }


@router.get("/emergency", response=dict)
def emergency(request: HttpRequest, area: str = Query(..., max_length=40)) -> dict:  # type: ignore[type-arg]
    """Whether the area is in an emergency (on it or above) and its 1+4+N roster."""
    place = scoping.get_area_for(request.user, area)  # type: ignore[arg-type]
    return emergency_row(emergency_over(place.code), place.code)


class EmergencyIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    reason: str = Field(..., min_length=1, max_length=200)
    leader: str = Field(..., min_length=1, max_length=150, description="包抓领导（临时支部书记）用户名")
    cadres: list[str] = Field(default_factory=list, max_length=50, description="下沉干部用户名")


@router.post("/emergency", response={201: dict, 409: dict, 422: dict})
def start_emergency(request: HttpRequest, payload: EmergencyIn) -> Status:
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, payload.area)
    leader, cadres = roster_people(payload.leader, payload.cadres)
    started = do_start_emergency(place, reason=payload.reason, leader=leader, cadres=cadres, actor=user)
    return Status(201, emergency_row(started, place.code))


@router.post("/emergency/end", response={200: dict, 409: dict})
def end_emergency(request: HttpRequest, area: str = Query(..., max_length=40)) -> Status:  # type: ignore[type-arg]
    """恢复常态 for an area switched itself (not one covered by an area above it)."""
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, area)
    do_end_emergency(place, actor=user)
    return Status(200, emergency_row(None, place.code))
