"""Writes of visits: log a visit, move the household's schedule, open a ticket for what was found."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.people import schedule
from wangge.people.models import Household, Relation, Resident
from wangge.tickets.actions import (
    NewTicket,
    TicketInputError,
    WorkflowError,
    clean_photos,
    do_submit_ticket,
)
from wangge.tickets.models import Channel, Ticket, Urgency
from wangge.visits.models import Visit, VisitKind, VisitPhoto
from wangge.visits.selectors import may_visit

MAX_FINDINGS = 2000
# A visit may be entered afterwards (no signal in a basement), but not for a day long gone.
LATE_ENTRY_DAYS = 30


@dataclass
class FoundProblem:
    """发现问题: what a visit turns into a ticket."""

    title: str
    description: str
    urgency: str = Urgency.NORMAL


def _check_point(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise TicketInputError("lat", "位置需同时包含纬度和经度")
    if lat is not None and not (-90 <= lat <= 90):
        raise TicketInputError("lat", "纬度应在-90到90之间")
    if lng is not None and not (-180 <= lng <= 180):
        raise TicketInputError("lng", "经度应在-180到180之间")


def _open_ticket(visit: Visit, problem: FoundProblem, actor: User, photos: Sequence[File] = ()) -> Ticket:
    household = visit.household
    members = household.residents.order_by("id")
    who = visit.resident or members.filter(relation=Relation.HEAD).first() or members.first()
    area = household.area
    ticket = do_submit_ticket(
        NewTicket(
            title=problem.title,
            description=problem.description,
            channel=Channel.VISIT,
            area=area,
            lat=visit.lat if visit.lat is not None else area.lat,
            lng=visit.lng if visit.lng is not None else area.lng,
            address=household.address,
            urgency=problem.urgency,
            contact_name=who.name if who else "",
            contact_phone=who.phone if who else "",
            resident_id=who.pk if who else None,
            photos=photos,
        ),
        actor=actor,
    )
    visit.tickets.add(ticket)
    return ticket


@transaction.atomic
def do_log_visit(
    household: Household,
    *,
    actor: User,
    findings: str,
    kind: str = VisitKind.ROUTINE,
    visited_at: dt.datetime | None = None,
    resident: Resident | None = None,
    photos: Sequence[UploadedFile] = (),
    lat: float | None = None,
    lng: float | None = None,
    problem: FoundProblem | None = None,
) -> Visit:
    """入户走访: record the visit, move the household's next visit, and (optionally) open a ticket for what
    was found, with the household's address and contact filled in."""
    if not may_visit(actor, household):
        raise WorkflowError("您不负责走访这户")
    findings = findings.strip()
    if not findings:
        raise TicketInputError("findings", "请填写走访情况")
    if len(findings) > MAX_FINDINGS:
        raise TicketInputError("findings", f"走访情况最多{MAX_FINDINGS}字")
    if kind not in VisitKind.values:
        raise TicketInputError("kind", "走访类型只能是日常走访、关爱探访、敲门行动或跟进回访")
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + dt.timedelta(minutes=5):
        raise TicketInputError("visited_at", "走访时间不能晚于现在")
    if visited_at < now - dt.timedelta(days=LATE_ENTRY_DAYS):
        raise TicketInputError("visited_at", f"只能补录{LATE_ENTRY_DAYS}天内的走访")
    if resident is not None and resident.household_id != household.pk:
        raise TicketInputError("resident", "走访对象不是这户的成员")
    _check_point(lat, lng)
    cleaned = clean_photos(photos)
    if problem is not None:
        if not problem.title.strip():
            raise TicketInputError("title", "请填写问题标题")
        if not problem.description.strip():
            raise TicketInputError("description", "请填写问题描述")
    visit = Visit.objects.create(
        household=household,
        resident=resident,
        area_code=household.area.code,
        visitor=actor,
        visitor_name=actor.shown_name,
        kind=kind,
        visited_at=visited_at,
        findings=findings,
        lat=lat,
        lng=lng,
    )
    for photo in cleaned:
        VisitPhoto.objects.create(visit=visit, image=photo)
    schedule.record_visit(household.pk, visited_at)
    if problem is not None:
        _open_ticket(visit, problem, actor, cleaned)
    return visit


@transaction.atomic
def do_add_visit_photos(visit: Visit, *, actor: User, photos: Sequence[UploadedFile]) -> Visit:
    """Photos of a visit sent after it (an integration posts the visit as JSON, then its photos)."""
    if visit.visitor_id != actor.pk:
        raise WorkflowError("只有走访人可以补传照片")
    for photo in clean_photos(photos, already=visit.photos.count(), required=True):
        VisitPhoto.objects.create(visit=visit, image=photo)
    return visit
