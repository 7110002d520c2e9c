"""Every write to a ticket. Each `do_*` is atomic, checks the transition table, locks the ticket row,
writes exactly one timeline event for its action and queues notifications after commit.

Two people acting at once: the row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) serialises
them, the second one re-reads the ticket and is refused with the reason ("已被 张三 接单"); the update is
also conditional on the version read, so a lost lock can never produce two winners.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, Unit
from wangge.areas.models import Level as AreaLevel
from wangge.areas.scoping import scope_of
from wangge.directives.admission import COMMUNITY_CODE_LENGTH, AdmissionFlagged, Flag, check_admission
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.images import NotAnImage, clean_image
from wangge.lib.inserts import insert
from wangge.lib.refreshed import Refreshed
from wangge.notify.actions import do_notify_users, do_send_message
from wangge.routing.models import Target
from wangge.routing.suggest import Suggestion, active_units, suggest
from wangge.stats import rollup
from wangge.tickets import channels, sla, workflow
from wangge.tickets.models import (
    LADDER,
    Assignment,
    Category,
    Channel,
    ContactAccess,
    Kind,
    Level,
    PhotoStage,
    Status,
    Summons,
    SummonsCall,
    Ticket,
    TicketEvent,
    TicketPhoto,
    Urgency,
    Verdict,
)
from wangge.tickets.public import person_word
from wangge.tickets.queries import (
    DISPATCH_ROLE,
    LADDER_INDEX,
    ancestor_codes,
    get_ticket_for,
    relations_of,
    tickets_for,
    unit_staff,
)

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# The tickets' names for the shared refusals (lib/errors.py), used across the code base.
TicketInputError = InputError
WorkflowError = NotAllowed


def _who(actor: User | None) -> str:
    return actor.shown_name if actor is not None else "系统"


def _event(ticket: Ticket, action: str, actor: User | None, **fields: Any) -> TicketEvent:
    """Write one timeline event (the fields as `_event_fields` takes them)."""
    return TicketEvent.objects.create(**_event_fields(ticket, action, actor, **fields))


def _event_fields(
    ticket: Ticket,
    action: str,
    actor: User | None,
    *,
    frm: str,
    to: str,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """One timeline line: `frm` and `to` are statuses, `at` defaults to now."""
    return {
        "ticket": ticket,
        "action": action,
        "actor": actor,
        "actor_name": _who(actor),
        "at": at or timezone.now(),
        "from_status": frm,
        "to_status": to,
        "note": note,
        "data": data or {},
    }


def _save_photos(
    ticket: Ticket, photos: Sequence[ContentFile], stage: str, actor: User | None, at: dt.datetime
) -> None:
    """The photos carry the time of the event they came with, which ties them to it on the timeline."""
    for photo in photos:
        TicketPhoto.objects.create(ticket=ticket, stage=stage, image=photo, uploaded_by=actor, at=at)


def clean_photos(
    photos: Sequence[File], field_name: str = "photos", *, already: int = 0, required: bool = False
) -> list[ContentFile]:
    """Images only, 5 MB each, six to a record at most (counting the `already` saved ones), each decoded
    and written again without its EXIF under a content-hash name (lib.images): what callers store."""
    if required and not photos:
        raise TicketInputError(field_name, "请选择照片")
    if already + len(photos) > MAX_PHOTOS:
        raise TicketInputError(field_name, f"最多上传{MAX_PHOTOS}张照片")
    cleaned = []
    for photo in photos:
        if photo.size and photo.size > MAX_PHOTO_BYTES:
            raise TicketInputError(field_name, f"照片「{photo.name}」超过5MB")
        photo.seek(0)
        data = photo.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise TicketInputError(field_name, f"照片「{photo.name}」超过5MB")
        try:
            cleaned.append(clean_image(data).as_file())
        except NotAnImage:
            raise TicketInputError(
                field_name, f"「{photo.name}」不是图片（支持JPG、PNG、GIF、WEBP）"
            ) from None
    return cleaned


# --- personal data --------------------------------------------------------------------------------

# Who may call the resident back: the grid, the dispatchers and reviewers, and whoever handles it now.
CONTACT_RELATIONS = frozenset({workflow.GRID, workflow.DISPATCHER, workflow.REVIEWER, workflow.HANDLER})


def may_reveal_contact(user: User, ticket: Ticket, relations: set[str] | None = None) -> bool:
    if not ticket.contact_phone_encrypted or ticket.status in workflow.TERMINAL:
        return False
    return bool((relations if relations is not None else relations_of(user, ticket)) & CONTACT_RELATIONS)


@transaction.atomic
def do_reveal_contact(ticket: Ticket, *, actor: User, channel: str) -> str:
    """The full contact phone, for someone who has to call; every reveal is logged."""
    if not may_reveal_contact(actor, ticket):
        raise WorkflowError("你不能查看这件诉求的完整联系电话")
    ContactAccess.objects.create(ticket=ticket, user=actor, channel=channel)
    return ticket.contact_phone


# --- notifications ---------------------------------------------------------------------------------


def _notify(users: Iterable[User], ticket: Ticket, text: str) -> None:
    do_notify_users(users, f"{ticket.number} {ticket.title}：{text}", ticket_id=ticket.pk)


def _resident_inbox(ticket: Ticket) -> User | None:
    """Whose inbox hears of the ticket's steps: the resident's account, else the submitter when they are
    not staff (a resident who reported for themselves); None when nobody's."""
    if ticket.resident_id and ticket.resident and ticket.resident.user_id:
        return ticket.resident.user
    if ticket.submitted_by_id and ticket.submitted_by and not ticket.submitted_by.memberships.exists():
        return ticket.submitted_by
    return None


def _notify_resident(ticket: Ticket, text: str) -> None:
    """The resident hears of each step in their inbox, and by SMS when they gave a phone number."""
    _tell_resident(ticket, text, _resident_inbox(ticket), ticket.contact_phone)


def _tell_resident(ticket: Ticket, text: str, inbox: User | None, phone: str) -> None:
    message = f"您的诉求「{ticket.title}」{text}（{ticket.number}）"
    if inbox is not None:
        do_notify_users([inbox], message, ticket_id=ticket.pk)
    do_send_message(phone, message, ticket_id=ticket.pk)


def _load_dispatcher_posts() -> dict[tuple[str, str], list[int]]:
    """(area code, role) → the users holding that dispatching post, for every dispatching post."""
    posts: dict[tuple[str, str], list[int]] = {}
    rows = Membership.objects.filter(active=True, role__in=DISPATCH_ROLE.values(), area__isnull=False)
    for code, role, user_id in rows.values_list("area__code", "role", "user_id"):
        posts.setdefault((code, role), []).append(user_id)
    return posts


# Intake notifies the dispatchers of every new ticket; the posts change seldom (tickets/apps.py forgets
# them when a membership is saved in this process; other processes see it within a minute).
dispatcher_posts = Refreshed(_load_dispatcher_posts)


def _dispatchers(ticket: Ticket) -> list[User]:
    """Who dispatches at the ticket's level (on its area or above); only their ids, which is all a
    notification needs."""
    role = DISPATCH_ROLE[Level(ticket.level)]
    posts = dispatcher_posts.get()
    ids = {i for code in ancestor_codes(ticket.area_code) for i in posts.get((code, role), ())}
    return [User(pk=i) for i in sorted(ids)]


# --- submit ----------------------------------------------------------------------------------------


def grid_of(area: Area) -> Area:
    """The grid a building or unit belongs to (the deepest grid above it); other areas stay as they are."""
    if area.level not in (AreaLevel.BUILDING, AreaLevel.UNIT):
        return area
    grid = Area.objects.filter(code__in=area.ancestor_codes, level=AreaLevel.GRID).order_by("-code").first()
    return grid or area


def ladder_level(area: Area) -> str:
    """Where a ticket placed on this area starts: a grid at grid level, a community at community level …"""
    return {
        AreaLevel.DISTRICT: Level.DISTRICT,
        AreaLevel.STREET: Level.STREET,
        AreaLevel.COMMUNITY: Level.COMMUNITY,
    }.get(AreaLevel(area.level), Level.GRID)


def _load_categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.all()}


categories_by_code = Refreshed(_load_categories)


def clean_phone(text: str) -> str:
    """A contact phone as digits (an optional leading +); spaces and dashes from forms and exports go."""
    phone = text.strip().replace("-", "").replace(" ", "")
    if phone and not phone.removeprefix("+").isdigit():
        raise TicketInputError("contact_phone", "联系电话只能包含数字")
    if len(phone) > 20:
        raise TicketInputError("contact_phone", "联系电话最多20位")
    return phone


@dataclass
class Deadlines:
    claim: dt.datetime
    resolve: dt.datetime
    remind: dt.datetime


def _deadlines(start: dt.datetime, category: Category | None, urgency: str, kind: str) -> Deadlines:
    limits = sla.limits_for(category, urgency)
    claim = sla.deadline_after(start, limits.claim_minutes, urgency)
    return Deadlines(
        claim=claim,
        resolve=sla.deadline_after(start, limits.resolve_minutes(kind), urgency),
        remind=sla.reminder_before(start, claim),
    )


@dataclass
class NewTicket:
    """What an intake channel hands over. `area` may be a grid, a building (its grid is used) or a
    coarser area when the grid is not known yet."""

    title: str
    description: str
    channel: str
    area: Area
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    contact_name: str = ""
    contact_phone: str = ""
    external_id: str = ""
    resident_id: int | None = None
    submitted_at: dt.datetime | None = None
    photos: Sequence[File] = field(default_factory=list)
    granted: str = ""  # the channel of the integration token it came with (tickets.channels)


def do_submit_ticket(new: NewTicket, *, actor: User | None) -> Ticket:
    """收单. Everything that only reads (checks, grid, category, deadlines, who is told) happens before the
    transaction, so that little but the writes happens under the database's write lock.

    智能分拨: when the router is sure of a unit serving the grid, the system accepts the ticket as a small
    matter and assigns it to that unit in the same transaction (the transition table's SYSTEM rows), with
    the accept and assign events on the timeline; otherwise the ticket waits for a dispatcher."""
    title, description = new.title.strip(), new.description.strip()
    if not title:
        raise TicketInputError("title", "请填写标题")
    if not description:
        raise TicketInputError("description", "请填写诉求内容")
    if new.urgency not in Urgency.values:
        raise TicketInputError("urgency", "紧急程度只能是一般、紧急或特急")
    if actor is not None and new.channel not in channels.MADE | channels.channels_for(
        actor, granted=new.granted
    ):
        label = Channel(new.channel).label if new.channel in Channel.values else new.channel
        raise TicketInputError("channel", f"无权以「{label}」渠道提交")
    photos = clean_photos(new.photos)
    phone = clean_phone(new.contact_phone)
    area = grid_of(new.area)
    suggestion = suggest(title, description, area_code=area.code)
    guessed = suggestion.category_code()
    category = new.category or (categories_by_code.get().get(guessed) if guessed else None)
    now = timezone.now()
    submitted_at = new.submitted_at or now
    deadlines = _deadlines(submitted_at, category, new.urgency, Kind.SMALL)
    ticket = Ticket(
        title=title[:100],
        description=description,
        channel=new.channel,
        external_id=new.external_id,
        source=channels.source_of(new.channel, actor, granted=new.granted) if new.external_id else "",
        area=area,
        area_code=area.code,
        lat=new.lat,
        lng=new.lng,
        address=new.address,
        category=category,
        urgency=new.urgency,
        level=ladder_level(area),
        contact_name=new.contact_name,
        resident_id=new.resident_id,
        submitted_by=actor,
        submitted_at=submitted_at,
        claim_deadline=deadlines.claim,
        resolve_deadline=deadlines.resolve,
        next_escalation_at=deadlines.claim,
        remind_at=deadlines.remind,
        routing=suggestion.as_json(),
    )
    ticket.contact_phone = phone
    submitted = _event_fields(
        ticket,
        "submit",
        actor,
        frm="",
        to=Status.NEW,
        at=submitted_at,
        data={"channel": new.channel, "area": area.code},
    )
    routed = _route_at_intake(ticket, suggestion, now)
    events = [TicketEvent(**e) for e in [submitted, *(routed or [])]]
    inbox = None
    if routed is None:
        told, assignments = _dispatchers(ticket), []
        text = f"新诉求（{ticket.get_channel_display()}），请受理"
    else:
        told, text = unit_staff([ticket.lead_unit_id]), _assigned_text(ticket.claim_deadline)
        unit: Unit = ticket.lead_unit  # type: ignore[assignment]  # set by _route_at_intake
        assignments = _assignment_rows(ticket, None, [unit], now)
        inbox = _resident_inbox(ticket)
    # The rows are built above, before the transaction, and written by `insert` (its statements kept per
    # process), so that less of the time under SQLite's write lock goes to building them.
    with transaction.atomic():
        insert([ticket])
        rollup.ticket_added(ticket)
        _save_photos(ticket, photos, PhotoStage.SUBMIT, actor, submitted_at)
        insert(events)
        insert(assignments)
        _notify(told, ticket, text)
        if routed is not None:
            _tell_resident(ticket, "已受理", inbox, phone)
    return ticket


def _route_at_intake(ticket: Ticket, suggestion: Suggestion, now: dt.datetime) -> list[dict] | None:
    """Accept and assign `ticket` (not yet saved) to the unit the router is sure of, as do_accept and
    do_assign would for the SYSTEM; returns the two events, or None when it stays with the dispatchers
    (no sure unit, or the unit no longer serves the grid)."""
    code = suggestion.dispatch_unit_code()
    unit = active_units.get().get(code) if code else None
    accept = workflow.find("accept", ticket.status, {workflow.SYSTEM})
    if unit is None or accept is None or not _serves(unit, ticket):
        return None
    accepted = workflow.target(accept, ticket.status)
    assign = workflow.find("assign", accepted, {workflow.SYSTEM})
    if assign is None:
        return None
    confidence = suggestion.guesses[Target.UNIT][0].confidence
    why = f"智能分拨（置信度 {confidence:.0%}）"
    to = workflow.target(assign, accepted)
    frm, ticket.status, ticket.kind = ticket.status, to, Kind.SMALL
    ticket.accepted_at = ticket.assigned_at = now
    ticket.lead_unit = unit
    for name, value in _claim_window(ticket, now).items():
        setattr(ticket, name, value)
    return [
        _event_fields(
            ticket, "accept", None, frm=frm, to=accepted, note=why, data={"kind": Kind.SMALL}, at=now
        ),
        _event_fields(
            ticket,
            "assign",
            None,
            frm=accepted,
            to=to,
            note=f"{why}派至{unit.name}",
            data={"assignee": None, "units": [unit.code]},
            at=now,
        ),
    ]


# --- the transition core ---------------------------------------------------------------------------


@dataclass
class _Step:
    ticket: Ticket
    transition: workflow.Transition
    relations: set[str]
    actor: User | None
    now: dt.datetime


def _refusal(action: str, ticket: Ticket, relations: set[str]) -> str:
    label = workflow.ACTIONS.get(action, action)
    if action == "claim" and ticket.status == Status.IN_PROGRESS and ticket.assignee_id:
        return f"已被 {ticket.assignee.shown_name} 接单"  # type: ignore[union-attr]
    guard = workflow.unmet_guard(action, ticket.status, relations, ticket)
    if guard is not None:
        return guard.refusal
    if not any(ticket.status in t.sources for t in workflow.transitions_for(action)):
        return f"诉求当前为「{ticket.get_status_display()}」，不能{label}"
    return f"你不能对这件诉求执行「{label}」"


def _begin(ticket_id: int, action: str, actor: User | None) -> _Step:
    if action not in workflow.ACTIONS:
        raise WorkflowError(f"没有「{action}」这个动作")
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("area", "category", "assignee", "resident", "submitted_by")
        .get(pk=ticket_id)
    )
    relations = relations_of(actor, ticket)
    transition = workflow.find(action, ticket.status, relations, ticket)
    if transition is None:
        raise WorkflowError(_refusal(action, ticket, relations))
    return _Step(ticket, transition, relations, actor, timezone.now())


def _commit(
    step: _Step, *, outcome: str | None = None, note: str = "", data: dict | None = None, **changes: Any
) -> Ticket:
    ticket = step.ticket
    frm = ticket.status
    to = workflow.target(step.transition, frm, outcome)
    counted = rollup.read(ticket)
    updated = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        status=to, version=F("version") + 1, **changes
    )
    if updated != 1:
        ticket.refresh_from_db()
        raise WorkflowError(_refusal(step.transition.action, ticket, step.relations))
    _event(ticket, step.transition.action, step.actor, frm=frm, to=to, note=note, data=data, at=step.now)
    ticket.refresh_from_db()
    rollup.ticket_changed(counted, ticket)
    return ticket


def _required_note(note: str, field_name: str = "note", what: str = "说明") -> str:
    note = (note or "").strip()
    if not note:
        raise TicketInputError(field_name, f"请填写{what}")
    return note


def _next_claim_window(ticket: Ticket, now: dt.datetime) -> dt.datetime:
    limits = sla.limits_for(ticket.category, ticket.urgency)
    return sla.deadline_after(now, limits.claim_minutes, ticket.urgency)


def _escalation_after(ticket: Ticket, level: str, now: dt.datetime) -> dt.datetime | None:
    """The worker escalates again after one claim window, until the district has it."""
    return None if level == Level.DISTRICT else _next_claim_window(ticket, now)


# --- actions ---------------------------------------------------------------------------------------


@transaction.atomic
def do_accept(
    ticket_id: int,
    *,
    actor: User | None,
    kind: str,
    note: str = "",
    category: Category | None = None,
    urgency: str | None = None,
) -> Ticket:
    """受理 with 三事分流: the kind sets the resolve limit (1 working day small, 5 major by default)."""
    if kind not in Kind.values:
        raise TicketInputError("kind", "事项类型只能是私事(private)、小事(small)或大事(major)")
    if urgency is not None and urgency not in Urgency.values:
        raise TicketInputError("urgency", "紧急程度只能是一般、紧急或特急")
    step = _begin(ticket_id, "accept", actor)
    ticket = step.ticket
    category = category or ticket.category
    urgency = urgency or ticket.urgency
    deadlines = _deadlines(ticket.submitted_at, category, urgency, kind)
    ticket = _commit(
        step,
        note=note,
        data={"kind": kind},
        kind=kind,
        category=category,
        urgency=urgency,
        accepted_at=step.now,
        resolve_deadline=deadlines.resolve,
    )
    _notify_resident(ticket, "已受理")
    return ticket


@transaction.atomic
def do_reject(ticket_id: int, *, actor: User | None, note: str) -> Ticket:
    note = _required_note(note, what="不予受理的理由")
    step = _begin(ticket_id, "reject", actor)
    ticket = _commit(step, note=note, next_escalation_at=None, remind_at=None)
    _notify_resident(ticket, f"不予受理：{note}")
    return ticket


def _serves(unit: Unit, ticket: Ticket) -> bool:
    return ticket.area_code.startswith(unit.area.code)


def _may_be_assigned(user: User, ticket: Ticket) -> bool:
    """A person takes tickets of places their memberships cover (grid worker, party member …)."""
    codes = Membership.objects.filter(user=user, active=True, area__isnull=False).values_list(
        "area__code", flat=True
    )
    return any(ticket.area_code.startswith(code) for code in codes)


@transaction.atomic
def do_assign(
    ticket_id: int,
    *,
    actor: User | None,
    assignee: User | None = None,
    units: Sequence[Unit] = (),
    note: str = "",
    confirm_admission: bool = False,
) -> Ticket:
    """派单 to a person and/or units; the first unit leads (牵头). Earlier assignments end.
    Giving it to a community's staff outside the community's lists (社区事务准入) needs confirming."""
    if assignee is None and not units:
        raise TicketInputError("assignee", "请选择承办人或承办单位")
    if len({u.pk for u in units}) != len(units):
        raise TicketInputError("units", "承办单位重复")
    step = _begin(ticket_id, "assign", actor)
    ticket = step.ticket
    if assignee is not None and not _may_be_assigned(assignee, ticket):
        raise TicketInputError("assignee", f"{assignee.shown_name} 不负责该诉求所在区域")
    for unit in units:
        if not unit.active or not _serves(unit, ticket):
            raise TicketInputError("units", f"{unit.name} 不服务该诉求所在区域")
    flags = _admission_flags(ticket, assignee) if assignee is not None else []
    if flags and not confirm_admission:
        raise AdmissionFlagged(flags)
    Assignment.objects.filter(ticket=ticket, active=True).update(active=False)
    Assignment.objects.bulk_create(_assignment_rows(ticket, assignee, units, step.now))
    window = _claim_window(ticket, step.now)
    ticket = _commit(
        step,
        note=note,
        data={
            "assignee": assignee.username if assignee else None,
            "units": [u.code for u in units],
            **({"admission": [f.message for f in flags]} if flags else {}),
        },
        assignee=assignee,
        lead_unit=units[0] if units else None,
        assigned_at=ticket.assigned_at or step.now,
        **window,
    )
    recipients = unit_staff([u.pk for u in units]) + ([assignee] if assignee else [])
    _notify(recipients, ticket, _assigned_text(window["claim_deadline"]))
    return ticket


@dataclass(frozen=True)
class Dispatched:
    """One ticket of a bulk dispatch: done, or why not."""

    ticket_id: int
    number: str
    error: str = ""


def do_dispatch_many(
    ticket_ids: Sequence[int],
    *,
    actor: User,
    kind: str,
    assignee: User | None = None,
    units: Sequence[Unit] = (),
    note: str = "",
) -> list[Dispatched]:
    """批量派单: each ticket the dispatcher sees is accepted (when new, as `kind`) and assigned, in its own
    transaction, so that one refused ticket (taken meanwhile, a unit that does not serve its place)
    leaves the others dispatched; the result says which and why."""
    if assignee is None and not units:
        raise TicketInputError("assignee", "请选择承办人或承办单位")
    if kind not in Kind.values:
        raise TicketInputError("kind", "事项类型只能是私事、小事或大事")
    done: list[Dispatched] = []
    for ticket_id in dict.fromkeys(ticket_ids):
        ticket = tickets_for(actor).filter(pk=ticket_id).first()
        if ticket is None:
            done.append(Dispatched(ticket_id, "", "找不到这件诉求"))
            continue
        try:
            with transaction.atomic():
                if ticket.status == Status.NEW:
                    do_accept(ticket.pk, actor=actor, kind=kind, note=note)
                do_assign(ticket.pk, actor=actor, assignee=assignee, units=units, note=note)
        except (InputError, NotAllowed) as exc:
            done.append(Dispatched(ticket.pk, ticket.number, str(exc)))
        else:
            done.append(Dispatched(ticket.pk, ticket.number))
    return done


def _assignment_rows(
    ticket: Ticket, assignee: User | None, units: Sequence[Unit], now: dt.datetime
) -> list[Assignment]:
    """The new assignments: the person leads when there are no units, else the first unit does."""
    place = ticket.area_code
    rows = [Assignment(ticket=ticket, user=assignee, lead=not units, area_code=place, assigned_at=now)]
    return (rows if assignee else []) + [
        Assignment(ticket=ticket, unit=u, lead=i == 0, area_code=place, assigned_at=now)
        for i, u in enumerate(units)
    ]


def _claim_window(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """A new assignee has one claim window from now; the worker reminds before and escalates after it."""
    claim = _next_claim_window(ticket, now)
    return {
        "claim_deadline": claim,
        "next_escalation_at": claim,
        "remind_at": sla.reminder_before(now, claim),
    }


def _assigned_text(claim: dt.datetime | None) -> str:
    return f"派单给你，请在{timezone.localtime(claim):%m-%d %H:%M}前接单"


def _admission_flags(ticket: Ticket, assignee: User) -> list[Flag]:
    """社区事务准入 when the person is the ticket's community's staff."""
    community = ticket.area_code[:COMMUNITY_CODE_LENGTH]
    if not Membership.objects.filter(
        user=assignee, active=True, role=Role.COMMUNITY_STAFF, area__code=community
    ).exists():
        return []
    category = ticket.category.code if ticket.category_id else None  # type: ignore[union-attr]
    return check_admission(
        community_codes=[community], text=f"{ticket.title}\n{ticket.description}", category_code=category
    )


def _own_assignments(ticket: Ticket, actor: User) -> QuerySet[Assignment]:
    unit_ids = list(scope_of(actor).unit_ids)
    return Assignment.objects.filter(ticket=ticket, active=True).filter(
        Q(user=actor) | Q(unit_id__in=unit_ids)
    )


@transaction.atomic
def do_claim(ticket_id: int, *, actor: User, note: str = "") -> Ticket:
    """接单 / 领单. Exactly one of two people claiming the same assignment wins."""
    step = _begin(ticket_id, "claim", actor)
    ticket = step.ticket
    claimer = None  # as the resident hears of it: a unit by name, a person by role (tickets.public)
    if workflow.HANDLER in step.relations:
        mine = _own_assignments(ticket, actor)
        open_row = mine.filter(claimed_at=None).select_related("unit").first()
        claimer = open_row.unit.name if open_row is not None and open_row.unit else None
        won = open_row is not None and Assignment.objects.filter(pk=open_row.pk, claimed_at=None).update(
            claimed_at=step.now, claimed_by=actor
        )
        if not won:
            taken = mine.exclude(claimed_by=None).select_related("claimed_by").first()
            who = taken.claimed_by.shown_name if taken and taken.claimed_by else "他人"
            raise WorkflowError(f"已被 {who} 接单")
    else:  # 秒认领 by the grid: the claimer becomes the assignee
        Assignment.objects.filter(ticket=ticket, active=True).update(active=False)
        Assignment.objects.create(
            ticket=ticket,
            user=actor,
            lead=True,
            area_code=ticket.area_code,
            assigned_at=step.now,
            claimed_at=step.now,
            claimed_by=actor,
        )
    first_claim = ticket.claimed_at is None
    changes: dict[str, Any] = {}
    if ticket.status != Status.IN_PROGRESS:
        deadline = ticket.resolve_deadline or step.now
        escalate_at = deadline if deadline > step.now else _next_claim_window(ticket, step.now)
        changes.update(
            assignee=ticket.assignee or actor,
            assigned_at=ticket.assigned_at or step.now,
            next_escalation_at=escalate_at,
            remind_at=sla.reminder_before(step.now, escalate_at),
        )
    if first_claim:
        changes.update(
            claimed_at=step.now,
            response_seconds=max(0, int((step.now - ticket.submitted_at).total_seconds())),
        )
    ticket = _commit(step, note=note, **changes)
    if first_claim:
        _notify_resident(ticket, f"已由{claimer or person_word(actor)}接单办理")
    return ticket


@transaction.atomic
def do_return(ticket_id: int, *, actor: User, note: str) -> Ticket:
    """退单: "not ours", with the reason. The lead's return sends the ticket back for dispatch; a co-unit's
    return only ends its own part. Either counts in the unit's return rate (推诿)."""
    note = _required_note(note, what="退单理由")
    step = _begin(ticket_id, "return", actor)
    ticket = step.ticket
    mine = _own_assignments(ticket, actor).first()
    if mine is None:  # HANDLER relation guarantees one; a concurrent return may have ended it
        raise WorkflowError("该诉求已不在你的名下")
    Assignment.objects.filter(pk=mine.pk).update(active=False, returned_at=step.now, return_reason=note)
    changes: dict[str, Any] = {"ever_returned": True}
    if mine.lead:
        outcome = "lead"
        Assignment.objects.filter(ticket=ticket, active=True).update(active=False)
        claim = _next_claim_window(ticket, step.now)
        changes.update(
            assignee=None, lead_unit=None, claim_deadline=claim, next_escalation_at=claim, remind_at=None
        )
    else:
        outcome = "co_unit"
    ticket = _commit(
        step, outcome=outcome, note=note, data={"unit": mine.unit.code if mine.unit else None}, **changes
    )
    if mine.lead:
        _notify(_dispatchers(ticket), ticket, f"{actor.shown_name} 退单：{note}，请重新派单")
    return ticket


def _next_level(current: str, requested: str | None) -> str:
    index = LADDER_INDEX[Level(current)]
    if requested is None:
        if index + 1 >= len(LADDER):
            raise WorkflowError("已在区级，不能再上报")
        return LADDER[index + 1]
    if requested not in Level.values:
        raise TicketInputError("level", "层级只能是 community、street 或 district")
    if LADDER_INDEX[Level(requested)] <= index:
        raise TicketInputError("level", f"只能上报到比「{Level(current).label}」更高的层级")
    return requested


@transaction.atomic
def do_escalate(
    ticket_id: int,
    *,
    actor: User | None,
    level: str | None = None,
    note: str = "",
    due_by: dt.datetime | None = None,
) -> Ticket | None:
    """上报: one rung up the ladder (or to `level`). Unclaimed tickets go back to dispatch at the new
    level; a ticket in progress stays with its handler under the new level's supervision (督办).

    The worker passes `due_by`: the escalation then happens only if the ticket is still due by then,
    which makes a repeated or concurrent sweep a no-op instead of a second escalation."""
    step = _begin(ticket_id, "escalate", actor)
    ticket = step.ticket
    if due_by is not None and (ticket.next_escalation_at is None or ticket.next_escalation_at > due_by):
        return None
    new_level = _next_level(ticket.level, level)
    changes: dict[str, Any] = {"level": new_level, "ever_escalated": True}
    changes["next_escalation_at"] = _escalation_after(ticket, new_level, step.now)
    if ticket.status in (Status.ASSIGNED, Status.RETURNED, Status.ACCEPTED, Status.NEW):
        Assignment.objects.filter(ticket=ticket, active=True).update(active=False)
        claim = _next_claim_window(ticket, step.now)
        changes.update(assignee=None, lead_unit=None, claim_deadline=claim, remind_at=None)
    if not note and due_by is not None:
        note = "超时未处理，自动上报"
    ticket = _commit(
        step, note=note, data={"from_level": step.ticket.level, "to_level": new_level}, **changes
    )
    _notify(_dispatchers(ticket), ticket, f"已上报至{Level(new_level).label}，请处理")
    return ticket


@transaction.atomic
def do_summon(
    ticket_id: int, *, actor: User, units: Sequence[Unit], deadline: dt.datetime | None = None, note: str = ""
) -> Summons:
    """吹哨: the named units must report (报到) on the ticket by the deadline."""
    if not units:
        raise TicketInputError("units", "请选择要吹哨的单位")
    step = _begin(ticket_id, "summon", actor)
    ticket = step.ticket
    for unit in units:
        if not unit.active or not _serves(unit, ticket):
            raise TicketInputError("units", f"{unit.name} 不服务该诉求所在区域")
    if deadline is None:
        deadline = _next_claim_window(ticket, step.now)
    elif deadline <= step.now:
        raise TicketInputError("deadline", "报到时限必须晚于现在")
    summons = Summons.objects.create(
        ticket=ticket,
        issued_by=actor,
        issued_at=step.now,
        deadline=deadline,
        note=note,
        area_code=ticket.area_code,
    )
    calls = SummonsCall.objects.bulk_create(
        [SummonsCall(summons=summons, unit=u) for u in {u.pk: u for u in units}.values()]
    )
    rollup.summons_changed(ticket, summoned=len(calls))
    _commit(
        step,
        note=note,
        data={"units": [u.code for u in units], "deadline": deadline.isoformat(), "summons": summons.pk},
    )
    _notify(
        unit_staff([u.pk for u in units]),
        ticket,
        f"吹哨：请于{timezone.localtime(deadline):%m-%d %H:%M}前报到",
    )
    return summons


@transaction.atomic
def do_report(ticket_id: int, *, actor: User, note: str = "") -> Ticket:
    """报到: the actor's unit answers every open summons on the ticket."""
    step = _begin(ticket_id, "report", actor)
    calls = SummonsCall.objects.filter(
        summons__ticket=step.ticket, unit_id__in=scope_of(actor).unit_ids, reported_at=None
    ).select_related("summons", "unit")
    answered = [(c.unit.code, "late" if step.now > c.summons.deadline else "on_time") for c in calls]
    if not answered:
        raise WorkflowError("你的单位已报到")
    SummonsCall.objects.filter(pk__in=[c.pk for c in calls], reported_at=None).update(
        reported_at=step.now, reported_by=actor, note=note
    )
    rollup.summons_changed(step.ticket, on_time=sum(state == "on_time" for _, state in answered))
    return _commit(step, note=note, data={"units": dict(answered)})


@transaction.atomic
def do_note(ticket_id: int, *, actor: User, note: str, photos: Sequence[UploadedFile] = ()) -> Ticket:
    """进展: a progress note on the timeline."""
    note = _required_note(note, what="进展情况")
    cleaned = clean_photos(photos)
    step = _begin(ticket_id, "note", actor)
    _save_photos(step.ticket, cleaned, PhotoStage.RESULT, actor, step.now)
    return _commit(step, note=note)


@transaction.atomic
def do_resolve(ticket_id: int, *, actor: User, note: str, photos: Sequence[UploadedFile] = ()) -> Ticket:
    """反馈: the handler reports the result, with photos."""
    note = _required_note(note, what="办理结果")
    cleaned = clean_photos(photos)
    step = _begin(ticket_id, "resolve", actor)
    ticket = step.ticket
    _save_photos(ticket, cleaned, PhotoStage.RESULT, actor, step.now)
    ticket = _commit(
        step,
        note=note,
        data={"photos": len(photos)},
        resolved_at=step.now,
        handling_seconds=max(0, int((step.now - ticket.submitted_at).total_seconds())),
        next_escalation_at=None,
        remind_at=None,
    )
    _notify_resident(ticket, f"已办结：{note}。请对办理结果进行评价")
    return ticket


def _back_to_handler(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """Changes that put a resolved or closed ticket back into the handler's hands. The resident's rating
    judged the result now set aside (the timeline keeps it), so the next result is rated afresh."""
    deadline = ticket.resolve_deadline
    escalate_at = deadline if deadline and deadline > now else _next_claim_window(ticket, now)
    return {
        "rating": None,
        "resolved_at": None,
        "handling_seconds": None,
        "closed_at": None,
        "on_time": None,
        "reviewed": False,
        "next_escalation_at": escalate_at,
        "remind_at": sla.reminder_before(now, escalate_at),
    }


@transaction.atomic
def do_review(ticket_id: int, *, actor: User, approve: bool, note: str = "") -> Ticket:
    """审单: accept the result, or send it back to the handler."""
    if not approve:
        note = _required_note(note, what="退回理由")
    step = _begin(ticket_id, "review", actor)
    if approve:
        return _commit(step, outcome="approved", note=note, data={"approve": True}, reviewed=True)
    ticket = _commit(
        step,
        outcome="sent_back",
        note=note,
        data={"approve": False},
        **_back_to_handler(step.ticket, step.now),
    )
    _notify([ticket.assignee] if ticket.assignee else [], ticket, f"办理结果被退回：{note}")
    return ticket


def _closing(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    resolved = ticket.resolved_at or now
    return {
        "closed_at": now,
        "on_time": ticket.resolve_deadline is None or resolved <= ticket.resolve_deadline,
        "next_escalation_at": None,
        "remind_at": None,
    }


def _dissatisfied(step: _Step, changes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """不满意 reopens once; a second 不满意 sends the ticket to the street."""
    ticket = step.ticket
    count = ticket.dissatisfied_count + 1
    changes["dissatisfied_count"] = count
    if count == 1:
        changes.update(_back_to_handler(ticket, step.now), reopen_count=ticket.reopen_count + 1)
        return "reopened", changes
    street_index = LADDER_INDEX[Level.STREET]
    level = ticket.level if LADDER_INDEX[Level(ticket.level)] >= street_index else Level.STREET
    Assignment.objects.filter(ticket=ticket, active=True).update(active=False)
    claim = _next_claim_window(ticket, step.now)
    changes.update(
        _back_to_handler(ticket, step.now),
        level=level,
        ever_escalated=True,
        assignee=None,
        lead_unit=None,
        claim_deadline=claim,
        next_escalation_at=_escalation_after(ticket, level, step.now),
        remind_at=None,
    )
    return "to_street", changes


def _after_verdict(step: _Step, outcome: str, ticket: Ticket) -> None:
    if outcome == "reopened":
        _notify([ticket.assignee] if ticket.assignee else [], ticket, "居民不满意，已重新交办")
    elif outcome == "to_street":
        _notify(_dispatchers(ticket), ticket, "居民再次不满意，转街道处理")


@transaction.atomic
def do_callback(
    ticket_id: int, *, actor: User, reached: bool, verdict: str | None = None, note: str = ""
) -> Ticket:
    """回访: reached or not, and the resident's verdict 满意 / 基本满意 / 不满意."""
    if reached and verdict not in Verdict.values:
        raise TicketInputError("verdict", "已联系上居民时请选择满意、基本满意或不满意")
    if not reached:
        verdict = None
    step = _begin(ticket_id, "callback", actor)
    ticket = step.ticket
    changes: dict[str, Any] = {}
    if not reached:
        outcome = "not_reached"
        if ticket.callback_reached is None:
            changes["callback_reached"] = False
    else:
        changes.update(callback_reached=True, verdict=verdict)
        if verdict == Verdict.DISSATISFIED:
            outcome, changes = _dissatisfied(step, changes)
        else:
            outcome = "closed"
            changes.update(_closing(ticket, step.now))
    ticket = _commit(
        step, outcome=outcome, note=note, data={"reached": reached, "verdict": verdict}, **changes
    )
    _after_verdict(step, outcome, ticket)
    return ticket


@transaction.atomic
def do_rate(ticket_id: int, *, actor: User, rating: int, note: str = "") -> Ticket:
    """评单: the resident's own 1–5 rating, once per result (the table's "unrated": a second rating answers
    "这条诉求已评价过" and changes nothing). 1–2 count as 不满意 and set the result aside, rating and all,
    so the next result is rated afresh; 3–5 close a resolved ticket."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise TicketInputError("rating", "评分必须是1到5的整数")
    step = _begin(ticket_id, "rate", actor)
    ticket = step.ticket
    changes: dict[str, Any] = {"rating": rating}
    if rating <= 2:
        outcome, changes = _dissatisfied(step, changes)
    else:
        outcome = "closed"
        if ticket.status == Status.RESOLVED:
            changes.update(_closing(ticket, step.now))
    ticket = _commit(step, outcome=outcome, note=note, data={"rating": rating}, **changes)
    _after_verdict(step, outcome, ticket)
    return ticket


@transaction.atomic
def do_close(ticket_id: int, *, actor: User, note: str) -> Ticket:
    """Close without a callback or rating: an explicit waiver with its reason (e.g. 三次未联系上)."""
    note = _required_note(note, what="免回访理由")
    step = _begin(ticket_id, "close", actor)
    return _commit(step, note=note, data={"waiver": True}, **_closing(step.ticket, step.now))


@transaction.atomic
def do_reopen(ticket_id: int, *, actor: User, note: str) -> Ticket:
    note = _required_note(note, what="重新办理的理由")
    step = _begin(ticket_id, "reopen", actor)
    ticket = _commit(
        step, note=note, reopen_count=step.ticket.reopen_count + 1, **_back_to_handler(step.ticket, step.now)
    )
    _notify([ticket.assignee] if ticket.assignee else [], ticket, f"重新办理：{note}")
    return ticket


@transaction.atomic
def do_merge(ticket_id: int, *, actor: User, target_id: int, note: str = "") -> Ticket:
    """合并 a duplicate into the ticket that carries on; the target's timeline notes it."""
    if target_id == ticket_id:
        raise TicketInputError("target", "不能与自身合并")
    try:
        target = get_ticket_for(actor, target_id)
    except Exception as exc:
        raise TicketInputError("target", f"找不到诉求 {target_id}") from exc
    if target.status in workflow.TERMINAL:
        raise TicketInputError("target", f"诉求 {target.number} 已{target.get_status_display()}，不能并入")
    step = _begin(ticket_id, "merge", actor)
    ticket = _commit(
        step,
        note=note,
        data={"target": target.pk},
        merged_into=target,
        next_escalation_at=None,
        remind_at=None,
    )
    _event(
        target,
        "merged_in",
        actor,
        frm=target.status,
        to=target.status,
        note=f"{ticket.number} 并入本诉求",
        data={"source": ticket.pk},
        at=step.now,
    )
    _notify_resident(ticket, "与反映同一问题的诉求合并办理")  # the other may be someone else's
    return ticket


@transaction.atomic
def do_withdraw(ticket_id: int, *, actor: User, note: str = "") -> Ticket:
    """撤回 by the resident (or staff on the caller's behalf)."""
    step = _begin(ticket_id, "withdraw", actor)
    Assignment.objects.filter(ticket=step.ticket, active=True).update(active=False)
    return _commit(step, note=note, next_escalation_at=None, remind_at=None)


@transaction.atomic
def do_remind(ticket_id: int, *, due_by: dt.datetime) -> bool:
    """The worker's reminder to whoever holds a ticket whose deadline is three quarters gone.

    Claims the reminder by clearing `remind_at`, so a repeated sweep sends it once."""
    ticket = Ticket.objects.filter(pk=ticket_id, remind_at__lte=due_by).select_related("assignee").first()
    if ticket is None or not Ticket.objects.filter(pk=ticket_id, remind_at=ticket.remind_at).update(
        remind_at=None
    ):
        return False
    if ticket.status == Status.IN_PROGRESS:
        users = [ticket.assignee] if ticket.assignee else []
        deadline = ticket.resolve_deadline
        text = "即将到办结时限"
    else:
        units = list(Assignment.objects.filter(ticket=ticket, active=True).values_list("unit_id", flat=True))
        users = unit_staff(units) + ([ticket.assignee] if ticket.assignee else [])
        if ticket.status in (Status.NEW, Status.ACCEPTED, Status.RETURNED):
            users = _dispatchers(ticket)
        deadline = ticket.claim_deadline
        text = "即将超过接单时限"
    when = f"（{timezone.localtime(deadline):%m-%d %H:%M}）" if deadline else ""
    _notify([u for u in users if u is not None], ticket, f"{text}{when}，请尽快处理")
    TicketEvent.objects.create(
        ticket=ticket,
        action="remind",
        actor_name="系统",
        from_status=ticket.status,
        to_status=ticket.status,
        note=f"催办：{text}",
    )
    return True
