"""What a resident sees of a ticket (居民视角), decided here once. The H5 ticket page, 我的诉求 and the API
(when a resident reads a ticket) all present tickets through this module.

Shown: the number (工单编号), the status in plain words, the expected completion time, the public steps of
the timeline with their times, the photos by stage (诉求照片 / 办结照片) and the resident's own rating.

A step is public when it answers the resident: submitted, accepted, not accepted (with the reason: it is
addressed to the resident), dispatched (to a unit by its name, to a person by their role: 网格员,
社区工作人员 …, never by name), claimed, handled (the result and its photos), sent back to be done again,
called back (reached or not, and the verdict), rated (with the resident's own words), closed, reopened,
merged, withdrawn.

Never shown: dispatch, progress, reopen and waiver notes, return reasons and returns themselves,
escalations, summonses (吹哨) and reports (报到), reviews (审单) and their reasons, reminders, the numbers of
other residents' tickets merged into this one, staff names, contact data and the router's guesses.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Membership, Role, Unit
from wangge.lib.zhtime import datetime_zh, duration_zh
from wangge.tickets import workflow
from wangge.tickets.models import Channel, PhotoStage, Status, Ticket, TicketEvent, TicketPhoto, Verdict
from wangge.tickets.queries import allowed_actions, relations_of

RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
# A person a ticket was given to is named by role; the first role they hold in this order names them.
ROLE_WORDS = {
    Role.GRID_WORKER: "网格员",
    Role.GRID_HEAD: "网格长",
    Role.COMMUNITY_STAFF: "社区工作人员",
    Role.STREET_STAFF: "街道工作人员",
    Role.DISTRICT_STAFF: "区指挥中心",
    Role.PARTY_MEMBER: "党员志愿者",
    Role.VOLUNTEER: "志愿者",
}
STAFF_WORD = "工作人员"


@dataclass(frozen=True)
class PlainStatus:
    """The status as a resident reads it; `tone` is the badge: waiting, working, rate, done or stopped."""

    tone: str
    text: str


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    title: str
    text: str = ""
    photos: tuple[TicketPhoto, ...] = ()
    photos_label: str = ""


@dataclass(frozen=True)
class Expected:
    by: dt.datetime | None
    label: str  # 预计办结, 办结时间, or "" when it will not be done (withdrawn, merged, not accepted)
    text: str


@dataclass(frozen=True)
class Card:
    """One ticket in 我的诉求: read from the ticket row alone (no query per ticket)."""

    id: int
    number: str
    title: str
    status: PlainStatus
    submitted_at: dt.datetime
    submitted_text: str
    expected: Expected


@dataclass(frozen=True)
class PublicTicket(Card):
    description: str
    address: str
    grid_name: str
    submit_photos: tuple[TicketPhoto, ...]
    steps: tuple[Step, ...]
    rating: int | None
    rating_text: str
    may_rate: bool
    may_withdraw: bool
    handling_text: str = ""  # 办理用时, once done


def sees_as_resident(user: User) -> bool:
    """Whether the user reads tickets as a resident: anyone signed in without a post (membership)."""
    scope = scoping.scope_of(user)
    return not scope.everything and not scope.memberships


def when(value: dt.datetime) -> str:
    """`11月27日 14:05` in local time."""
    return datetime_zh(timezone.localtime(value), today=timezone.localdate())


PLAIN = {
    Status.NEW: PlainStatus("waiting", "等待受理"),
    Status.ACCEPTED: PlainStatus("working", "已受理，正在安排"),
    Status.ASSIGNED: PlainStatus("working", "已派单，等待接单"),
    Status.RETURNED: PlainStatus("working", "正在重新安排"),
    Status.IN_PROGRESS: PlainStatus("working", "正在办理"),
    Status.MERGED: PlainStatus("stopped", "已与同一问题合并办理"),
    Status.WITHDRAWN: PlainStatus("stopped", "已撤回"),
    Status.REJECTED: PlainStatus("stopped", "不予受理"),
}


def plain_status(ticket: Ticket) -> PlainStatus:
    status = ticket.status
    if status in (Status.RESOLVED, Status.CLOSED):
        return (
            PlainStatus("rate", "已办结，请您评价")
            if ticket.rating is None
            else PlainStatus("done", "已办结")
        )
    return PLAIN[Status(status)]


def expected(ticket: Ticket) -> Expected:
    """When the resident may expect it done: the resolve deadline once accepted (受理 sets it by the kind
    of matter), "受理后确定" before; when it was done, once it is."""
    status = ticket.status
    if status in (Status.RESOLVED, Status.CLOSED):
        done = ticket.resolved_at or ticket.closed_at
        return Expected(None, "办结时间", when(done) if done else "已办结")
    if status in (Status.MERGED, Status.WITHDRAWN, Status.REJECTED):
        return Expected(None, "", "")
    deadline = ticket.resolve_deadline
    if status == Status.NEW or deadline is None:
        return Expected(None, "预计办结", "受理后确定")
    if deadline < timezone.now():
        return Expected(deadline, "预计办结", f"原定 {when(deadline)} 前，正在抓紧办理")
    return Expected(deadline, "预计办结", f"{when(deadline)} 前")


def card(ticket: Ticket) -> Card:
    return Card(
        id=ticket.pk,
        number=ticket.number,
        title=ticket.title,
        status=plain_status(ticket),
        submitted_at=ticket.submitted_at,
        submitted_text=when(ticket.submitted_at),
        expected=expected(ticket),
    )


# --- the timeline --------------------------------------------------------------------------------


def _best_words(rows: Iterable[tuple[int, str, str | None]]) -> dict[int, str]:
    """user id -> how the resident hears of them, from (user id, role, unit name) rows of their posts."""
    order = list(ROLE_WORDS)
    best: dict[int, tuple[int, str]] = {}
    for user_id, role, unit_name in rows:
        if role in ROLE_WORDS:
            rank, word = order.index(Role(role)), ROLE_WORDS[Role(role)]
        else:  # unit staff are their unit
            rank, word = len(order), unit_name or STAFF_WORD
        if user_id not in best or rank < best[user_id][0]:
            best[user_id] = (rank, word)
    return {user_id: word for user_id, (_rank, word) in best.items()}


def person_word(user: User) -> str:
    """How a resident hears of one member of staff: 网格员, 社区工作人员 …, their unit, never their name."""
    rows = Membership.objects.filter(user=user, active=True).values_list("user_id", "role", "unit__name")
    return _best_words(rows).get(user.pk, STAFF_WORD)


@dataclass
class _Names:
    """Who a step names, read in two queries for the whole timeline."""

    units: dict[str, str] = field(default_factory=dict)  # unit code -> name
    people: dict[str, str] = field(default_factory=dict)  # username -> the word for them
    actors: dict[int, str] = field(default_factory=dict)  # user id -> the word for them

    @classmethod
    def of(cls, events: Sequence[TicketEvent]) -> "_Names":
        codes = {c for e in events if e.action == "assign" for c in e.data.get("units") or []}
        usernames = {e.data["assignee"] for e in events if e.action == "assign" and e.data.get("assignee")}
        actor_ids = {e.actor_id for e in events if e.action in ("claim", "resolve") and e.actor_id}
        units = Unit.objects.filter(code__in=codes).values_list("code", "name") if codes else []
        names = cls(units=dict(units))
        if usernames or actor_ids:
            posts = Membership.objects.filter(
                Q(user__username__in=usernames) | Q(user_id__in=actor_ids), active=True
            )
            rows = list(posts.values_list("user_id", "user__username", "role", "unit__name"))
            names.actors = _best_words((uid, role, unit) for uid, _login, role, unit in rows)
            login = {uid: username for uid, username, _role, _unit in rows}
            names.people = {login[uid]: word for uid, word in names.actors.items()}
        return names

    def handler(self, data: dict) -> str:
        units = [self.units.get(code, STAFF_WORD) for code in data.get("units") or []]
        person = self.people.get(data["assignee"], STAFF_WORD) if data.get("assignee") else ""
        return "、".join([*units, *([person] if person else [])]) or STAFF_WORD

    def actor(self, event: TicketEvent) -> str:
        return self.actors.get(event.actor_id or 0, STAFF_WORD)


OUTCOME_WORDS = {
    Status.IN_PROGRESS: "已重新交办，继续办理",
    Status.ACCEPTED: "已转街道处理",
    Status.CLOSED: "诉求已办结",
}


def _step(event: TicketEvent, names: _Names, photos: dict[dt.datetime, list[TicketPhoto]]) -> Step | None:
    """The public step of one timeline event, or None for a step that is staff work (module docstring)."""
    action, data, to = event.action, event.data or {}, event.to_status
    at = event.at
    match action:
        case "submit":
            channel = data.get("channel", "")
            source = "" if channel == Channel.H5 or channel not in Channel.values else Channel(channel).label
            return Step(at, "提交诉求", f"来源：{source}" if source else "")
        case "accept":
            return Step(at, "已受理")
        case "reject":
            return Step(at, "不予受理", event.note)
        case "assign":
            return Step(at, f"已派给 {names.handler(data)}")
        case "claim" if event.from_status != to:  # a co-unit taking its part changes nothing for the resident
            return Step(at, f"{names.actor(event)}已接单，开始办理")
        case "resolve":
            shown = tuple(photos.get(at, ()))
            return Step(at, "已办结", event.note, shown, PhotoStage.RESULT.label if shown else "")
        case "review" if data.get("approve") is False:
            return Step(at, "办理结果需完善，继续办理")
        case "callback":
            if not data.get("reached"):
                return Step(at, "工作人员回访，未联系上您")
            verdict = data.get("verdict")
            said = Verdict(verdict).label if verdict in Verdict.values else ""
            return Step(at, f"回访：{said}", OUTCOME_WORDS.get(Status(to), "") if to in Status.values else "")
        case "rate":
            rating = int(data.get("rating") or 0)
            title = f"您的评价：{rating}分 {RATING_WORDS.get(rating, '')}".strip()
            outcome = OUTCOME_WORDS.get(Status(to), "") if event.from_status != to else ""
            return Step(at, title, "\n".join(t for t in (event.note, outcome) if t))
        case "close":
            return Step(at, "诉求已办结")
        case "reopen":
            return Step(at, "重新办理")
        case "merge":
            return Step(at, "与反映同一问题的诉求合并办理")
        case "withdraw":
            return Step(at, "已撤回")
    return None


def steps_of(ticket: Ticket) -> tuple[tuple[Step, ...], tuple[TicketPhoto, ...]]:
    """The public steps, oldest first, and the photos the resident sent."""
    events = list(ticket.events.order_by("at", "id"))
    all_photos = list(ticket.photos.order_by("at", "id"))
    submitted = tuple(p for p in all_photos if p.stage == PhotoStage.SUBMIT)
    results: dict[dt.datetime, list[TicketPhoto]] = {}
    for photo in all_photos:
        if photo.stage == PhotoStage.RESULT:
            results.setdefault(photo.at, []).append(photo)
    names = _Names.of(events)
    steps = (_step(e, names, results) for e in events)
    return tuple(s for s in steps if s is not None), submitted


def present(ticket: Ticket, user: User) -> PublicTicket:
    """The ticket as its resident sees it, with the actions `user` may take on it as its resident now."""
    as_resident = relations_of(user, ticket) & {workflow.RESIDENT}
    actions = set(allowed_actions(user, ticket, as_resident))
    steps, submitted = steps_of(ticket)
    base = card(ticket)
    handling = ""
    if ticket.handling_seconds is not None and ticket.status in (Status.RESOLVED, Status.CLOSED):
        handling = duration_zh(ticket.handling_seconds)
    return PublicTicket(
        **base.__dict__,
        description=ticket.description,
        address=ticket.address,
        grid_name=ticket.area.name,
        submit_photos=submitted,
        steps=steps,
        rating=ticket.rating,
        rating_text=f"{ticket.rating}分 {RATING_WORDS[ticket.rating]}"
        if ticket.rating in RATING_WORDS
        else "",
        may_rate="rate" in actions,
        may_withdraw="withdraw" in actions,
        handling_text=handling,
    )


# --- as JSON, for the API ------------------------------------------------------------------------


def card_json(c: Card) -> dict:
    return {
        "id": c.id,
        "number": c.number,
        "title": c.title,
        "status_text": c.status.text,
        "submitted_at": c.submitted_at,
        "expected_by": c.expected.by,
        "expected_label": c.expected.label,
        "expected_text": c.expected.text,
    }


def detail_json(p: PublicTicket, photo_url: Callable[[int, int], str]) -> dict:
    """`photo_url(ticket_id, photo_id)` links a photo (the tickets app knows no URLs)."""
    return {
        **card_json(p),
        "description": p.description,
        "address": p.address,
        "grid": p.grid_name,
        "rating": p.rating,
        "photos": [{"stage": PhotoStage.SUBMIT.label, "url": photo_url(p.id, x.pk)} for x in p.submit_photos],
        "timeline": [
            {
                "at": s.at,
                "title": s.title,
                "text": s.text,
                "photos": [{"stage": s.photos_label, "url": photo_url(p.id, x.pk)} for x in s.photos],
            }
            for s in p.steps
        ],
        "allowed_actions": [
            a for a, allowed in (("rate", p.may_rate), ("withdraw", p.may_withdraw)) if allowed
        ],
    }
