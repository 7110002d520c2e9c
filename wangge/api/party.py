"""The party API (党建引领): the organisation tree of an area, its members and their 包户 coverage, 双报到
(registered by the member, or at the community's desk; accepted, declined, ended), 包户 assignment within
the quota, the households still waiting (special groups first), a member's own households, pledges and
pioneer posts, and the 党员网格员 of each grid.

Standing, joining date and work unit are shown to those who keep the community's party records; a
member's phone is masked unless they chose to show it (亮电话)."""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictBool

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Unit
from wangge.lib.errors import InputError, NotAllowed
from wangge.lists.models import OfferKind, Topic
from wangge.party import actions, selectors
from wangge.party.models import (
    HardCase,
    OrgKind,
    PartyMember,
    PartyOrg,
    PlanStep,
    Pledge,
    Post,
    PostKind,
    Registration,
    RegistrationState,
    Standing,
)
from wangge.people.models import Household
from wangge.tickets.queries import get_ticket_for

router = Router(tags=["party"])
SHOWN = 500


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class _Forbidden(Exception):
    pass


def _managed(user: User, code: str) -> Area:
    """An area the user keeps the party records of: 404 outside their scope, 403 inside it without a
    managing role."""
    area = scoping.get_area_for(user, code)
    if not selectors.may_manage(user, area.code):
        raise _Forbidden
    return area


def member_row(member: PartyMember, viewer: User, *, managed: bool) -> dict:
    own = member.user_id == viewer.pk
    row: dict = {
        "id": member.pk,
        "name": member.user.shown_name,
        "phone": member.phone if own else member.public_phone,
        "show_phone": member.show_phone,
    }
    if own or managed:
        row |= {
            "standing": member.standing,
            "standing_name": member.get_standing_display(),
            "joined_on": member.joined_on,
            "workplace": member.workplace_name,
            "org": member.org.name if member.org_id else None,  # type: ignore[union-attr]
        }
    return row


def registration_row(r: Registration, viewer: User) -> dict:
    managed = selectors.may_manage(viewer, r.community_code)
    return {
        "id": r.pk,
        "member": member_row(r.member, viewer, managed=managed),
        "community": r.community_code,
        "community_name": r.community.name,
        "offer": r.offer,
        "state": r.state,
        "state_name": r.get_state_display(),
        "submitted_at": r.submitted_at,
        "decided_at": r.decided_at,
        "reason": r.reason,
        "ended_at": r.ended_at,
        "households": getattr(r, "households", None),
    }


def household_row(h: Household) -> dict:
    return {
        "id": h.pk,
        "address": h.address or h.door_no,
        "area": h.area.code,
        "care_level": h.care_level,
        "special": bool(getattr(h, "special", False)),
        "care_tags": getattr(h, "tag_names", []),
        "next_visit_on": h.next_visit_on,
    }


def org_row(o: PartyOrg) -> dict:
    return {
        "id": o.pk,
        "name": o.name,
        "kind": o.kind,
        "kind_name": o.get_kind_display(),
        "area": o.area_code,
        "parent": o.parent_id,
        "depth": getattr(o, "depth", 0),
        "secretary": o.secretary.shown_name if o.secretary else None,
        "members": getattr(o, "member_count", None),
    }


def pledge_row(p: Pledge) -> dict:
    return {
        "id": p.pk,
        "member": p.member.user.shown_name,
        "phone": p.member.public_phone,
        "area": p.area_code,
        "text": p.text,
        "due_on": p.due_on,
        "state": p.state,
        "state_name": p.get_state_display(),
        "overdue": p.overdue(),
        "kept_at": p.kept_at,
        "result": p.result,
    }


def post_row(p: Post) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "kind_name": p.get_kind_display(),
        "name": p.name,
        "area": p.area_code,
        "place": p.area.name,
        "holder": p.holder.user.shown_name,
        "phone": p.holder.public_phone,
        "duties": p.duties,
        "since": p.since,
    }


# --- overview and organisation ----------------------------------------------------------------------


@router.get("/party/areas/{code}", response={200: dict})
def overview(request: HttpRequest, code: str) -> dict:
    """An area's party work at a glance: 包户 coverage (all households and special groups), the quota,
    members, registrations waiting, pledges open and overdue, grids without a 党员网格员."""
    area = scoping.get_area_for(_user(request), code)
    low, high = selectors.quota_for(area)
    grids = selectors.party_grid_workers(area.code)
    return {
        "area": area.code,
        "name": area.name,
        "coverage": selectors.coverage(area.code).to_dict(),
        "quota": {"minimum": low, "maximum": high},
        "waiting": selectors.registrations_in(area.code, state=RegistrationState.PENDING).count(),
        "pledges_overdue": selectors.open_pledges_overdue(area.code),
        "grids": len(grids),
        "grids_without_party_worker": sum(g.flagged for g in grids),
    }


@router.get("/party/areas/{code}/orgs", response={200: list[dict]})
def orgs(request: HttpRequest, code: str) -> list[dict]:
    """The organisation tree on the area (and the organisations above it that it hangs from), parents
    before children, each with its depth, secretary and member count."""
    area = scoping.get_area_for(_user(request), code)
    return [org_row(o) for o in selectors.orgs_under(area.code)]


class OrgIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: OrgKind
    area: str = Field(..., min_length=1, max_length=40)
    parent: int | None = Field(None, ge=1, le=2**53)
    secretary: int | None = Field(None, ge=1, le=2**53, description="党员编号（党员列表的 id）")


@router.post("/party/orgs", response={201: dict, 409: dict, 422: dict})
def found_org(request: HttpRequest, payload: OrgIn) -> Status:
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    parent = selectors.get_org_for(user, payload.parent) if payload.parent else None
    secretary = _member(user, payload.secretary).user if payload.secretary else None
    org = actions.do_found_org(
        name=payload.name, kind=payload.kind, area=area, parent=parent, secretary=secretary, actor=user
    )
    return Status(201, org_row(org))


def _member(user: User, member_id: int) -> PartyMember:
    """A member registered (now or before) in a community the user sees; else 404."""
    found = PartyMember.objects.filter(pk=member_id).select_related("user", "unit", "org").first()
    if found is None:
        raise Http404
    codes = found.registrations.values_list("community_code", flat=True)
    scope = scoping.scope_of(user)
    if not (found.user_id == user.pk or any(scope.sees_area(c) for c in codes)):
        raise Http404
    return found


# --- members and 双报到 -------------------------------------------------------------------------------


@router.get("/party/areas/{code}/members", response={200: list[dict], 403: dict})
def members(request: HttpRequest, code: str) -> Status:
    """The members registered in the communities under an area (双报到 accepted), with how many
    households each looks after; for those who keep the area's party records."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区、街道党组织的工作人员查看党员名册"})
    rows = selectors.registrations_in(area.code)[:SHOWN]
    return Status(200, [registration_row(r, user) for r in rows])


@router.get("/party/areas/{code}/registrations", response={200: list[dict], 403: dict})
def registrations(
    request: HttpRequest, code: str, state: RegistrationState = RegistrationState.PENDING
) -> Status:
    """双报到 of the communities under an area in one state (waiting ones by default)."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区工作人员办理双报到"})
    rows = selectors.registrations_in(area.code, state=state)[:SHOWN]
    return Status(200, [registration_row(r, user) for r in rows])


class ReportIn(Schema):
    standing: Standing = Standing.FULL
    joined_on: dt.date | None = None
    unit: str | None = Field(None, max_length=40, description="工作单位编码（在单位名录中时）")
    workplace: str = Field("", max_length=100, description="工作单位名称（不在名录中时）")
    phone: str = Field("", max_length=20)
    offer: str = Field("", max_length=200)


class RegisterIn(ReportIn):
    community: str = Field(..., min_length=1, max_length=40)


def _unit(code: str | None) -> Unit | None:
    return _unit_by_code(code) if code else None


def _community(code: str) -> Area:
    found = Area.objects.filter(code=code).first()
    if found is None:
        raise InputError("community", f"没有编码为 {code} 的社区")
    return found


@router.post("/party/registrations", response={201: dict, 409: dict, 422: dict})
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """双报到 by the member: to the community where they live (any community: it waits for its staff)."""
    user = _user(request)
    registration = actions.do_register(
        user=user,
        community=_community(payload.community),
        actor=user,
        standing=payload.standing,
        joined_on=payload.joined_on,
        unit=_unit(payload.unit),
        workplace=payload.workplace,
        phone=payload.phone,
        offer=payload.offer,
    )
    return Status(201, registration_row(registration, user))


class EnrolIn(RegisterIn):
    name: str = Field(..., min_length=1, max_length=50)
    phone: str = Field(..., min_length=1, max_length=20)


@router.post("/party/enrolments", response={201: dict, 409: dict, 422: dict})
def enrol(request: HttpRequest, payload: EnrolIn) -> Status:
    """报到 desk: the community's staff register a member (accepted at once). A member without an account
    gets one, its login the mobile number; `initial_password` is given once, to hand over."""
    user = _user(request)
    registration, password = actions.do_enrol(
        name=payload.name,
        phone=payload.phone,
        community=scoping.get_area_for(user, payload.community),
        actor=user,
        standing=payload.standing,
        joined_on=payload.joined_on,
        unit=_unit(payload.unit),
        workplace=payload.workplace,
        offer=payload.offer,
    )
    return Status(201, registration_row(registration, user) | {"initial_password": password})


@router.post("/party/registrations/{registration_id}/acceptance", response={200: dict, 409: dict})
def accept(request: HttpRequest, registration_id: int) -> dict:
    user = _user(request)
    found = selectors.get_registration_for(user, registration_id)
    return registration_row(actions.do_accept_registration(found, actor=user), user)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post("/party/registrations/{registration_id}/decline", response={200: dict, 409: dict, 422: dict})
def decline(request: HttpRequest, registration_id: int, payload: ReasonIn) -> dict:
    user = _user(request)
    found = selectors.get_registration_for(user, registration_id)
    return registration_row(actions.do_decline_registration(found, reason=payload.reason, actor=user), user)


@router.post("/party/registrations/{registration_id}/end", response={200: dict, 409: dict, 422: dict})
def end(request: HttpRequest, registration_id: int, payload: ReasonIn) -> dict:
    """转出: the registration ends (the member moved or left); their 包户 go back to the community."""
    user = _user(request)
    found = selectors.get_registration_for(user, registration_id)
    return registration_row(actions.do_end_registration(found, reason=payload.reason, actor=user), user)


# --- 包户 ------------------------------------------------------------------------------------------


@router.get("/party/areas/{code}/candidates", response={200: list[dict], 403: dict})
def candidates(
    request: HttpRequest,
    code: str,
    q: str = Query("", max_length=50),  # type: ignore[type-arg]
    limit: int = Query(30, ge=1, le=200),  # type: ignore[type-arg]
) -> Status:
    """Households under an area without a 包户 member, special groups first (most urgent care first)."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区工作人员分配包户"})
    return Status(200, [household_row(h) for h in selectors.candidates(area.code, query=q, limit=limit)])


class AssignIn(Schema):
    household: int = Field(..., ge=1, le=2**53)


@router.post("/party/registrations/{registration_id}/households", response={201: dict, 409: dict, 422: dict})
def assign(request: HttpRequest, registration_id: int, payload: AssignIn) -> Status:
    """包户: a household of the member's community to the member; over the quota, or a household another
    member looks after, answers 409 with the reason."""
    user = _user(request)
    registration = selectors.get_registration_for(user, registration_id)
    household = scoping.households_for(user).select_related("area").filter(pk=payload.household).first()
    if household is None:
        raise Http404
    link = actions.do_assign_household(registration, household, actor=user)
    return Status(201, {"household": link.household_id, "member": registration.member_id})


@router.post("/party/households/{household_id}/release", response={200: dict, 409: dict, 422: dict})
def release(
    request: HttpRequest,
    payload: ReasonIn,
    household_id: int = Path(..., ge=1, le=2**53),  # type: ignore[type-arg]
) -> dict:
    """解除包户, with the reason (kept in the 包户 history)."""
    user = _user(request)
    link = selectors.get_link_for(user, household_id)
    actions.do_unassign_household(link, reason=payload.reason, actor=user)
    return {"household": household_id, "member": None}


class QuotaIn(Schema):
    minimum: int = Field(..., ge=1, le=30)
    maximum: int = Field(..., ge=1, le=30)


@router.put("/party/areas/{code}/quota", response={200: dict, 409: dict, 422: dict})
def set_quota(request: HttpRequest, code: str, payload: QuotaIn) -> dict:
    """包户户数 per member in an area (the nearest area's applies)."""
    user = _user(request)
    area = scoping.get_area_for(user, code)
    quota = actions.do_set_quota(area, minimum=payload.minimum, maximum=payload.maximum, actor=user)
    return {"area": area.code, "minimum": quota.minimum, "maximum": quota.maximum}


# --- the member's own page -------------------------------------------------------------------------


@router.get("/party/me", response={200: dict})
def me(request: HttpRequest) -> dict:
    """My party record, my 双报到 and my 包户 households with due visits and open requests (empty for
    someone who is not a registered member)."""
    user = _user(request)
    member = selectors.member_of(user)
    registration = selectors.accepted_registration(user)
    return {
        "member": member_row(member, user, managed=False) if member else None,
        "registration": registration_row(registration, user) if registration else None,
        "households": [
            household_row(h) | {"visit_due": h.visit_due, "open_tickets": h.open_tickets}  # type: ignore[attr-defined]
            for h in selectors.my_households(user)
        ],
    }


class ShowPhoneIn(Schema):
    show: StrictBool


@router.put("/party/me/phone-shown", response={200: dict, 404: dict, 409: dict, 422: dict})
def show_phone(request: HttpRequest, payload: ShowPhoneIn) -> Status:
    """亮电话: show my phone on the public boards, or mask it again."""
    user = _user(request)
    member = selectors.member_of(user)
    if member is None:
        return Status(404, {"detail": "您还不是登记在册的党员"})
    member = actions.do_show_phone(member, show=payload.show, actor=user)
    return Status(200, member_row(member, user, managed=False))


# --- pledges and posts -----------------------------------------------------------------------------


@router.get("/party/areas/{code}/pledges", response={200: list[dict]})
def pledges(request: HttpRequest, code: str) -> list[dict]:
    """亮承诺: the pledges of the members of an area, open ones first by deadline, then the kept ones."""
    area = scoping.get_area_for(_user(request), code)
    return [pledge_row(p) for p in selectors.pledges_in(area.code)[:SHOWN]]


class PledgeIn(Schema):
    text: str = Field(..., min_length=1, max_length=200)
    due_on: dt.date
    member: int | None = Field(None, ge=1, le=2**53, description="为党员登记时：党员编号")


@router.post("/party/pledges", response={201: dict, 404: dict, 409: dict, 422: dict})
def make_pledge(request: HttpRequest, payload: PledgeIn) -> Status:
    """A pledge by me, or by a member of my community entered for them (`member`)."""
    user = _user(request)
    member = _member(user, payload.member) if payload.member else selectors.member_of(user)
    if member is None:
        return Status(404, {"detail": "您还不是登记在册的党员"})
    pledge = actions.do_make_pledge(member=member, text=payload.text, due_on=payload.due_on, actor=user)
    return Status(201, pledge_row(pledge))


class KeptIn(Schema):
    result: str = Field(..., max_length=200)


@router.post("/party/pledges/{pledge_id}/kept", response={200: dict, 409: dict, 422: dict})
def keep_pledge(request: HttpRequest, pledge_id: int, payload: KeptIn) -> dict:
    user = _user(request)
    pledge = selectors.get_pledge_for(user, pledge_id)
    return pledge_row(actions.do_keep_pledge(pledge, result=payload.result, actor=user))


@router.post("/party/pledges/{pledge_id}/withdrawal", response={200: dict, 409: dict})
def withdraw_pledge(request: HttpRequest, pledge_id: int) -> dict:
    user = _user(request)
    pledge = selectors.get_pledge_for(user, pledge_id)
    return pledge_row(actions.do_withdraw_pledge(pledge, actor=user))


@router.get("/party/areas/{code}/posts", response={200: list[dict]})
def posts(request: HttpRequest, code: str) -> list[dict]:
    """先锋岗 and 党员责任区 of an area, with who holds them."""
    area = scoping.get_area_for(_user(request), code)
    return [post_row(p) for p in selectors.posts_in(area.code)[:SHOWN]]


class PostIn(Schema):
    kind: PostKind
    name: str = Field(..., min_length=1, max_length=100)
    area: str = Field(..., min_length=1, max_length=40)
    holder: int = Field(..., ge=1, le=2**53, description="党员编号")
    duties: str = Field("", max_length=200)


@router.post("/party/posts", response={201: dict, 409: dict, 422: dict})
def open_post(request: HttpRequest, payload: PostIn) -> Status:
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    post = actions.do_open_post(
        kind=payload.kind,
        name=payload.name,
        area=area,
        holder=_member(user, payload.holder),
        duties=payload.duties,
        actor=user,
    )
    return Status(201, post_row(post))


@router.get("/party/areas/{code}/grids", response={200: list[dict], 403: dict})
def grids(request: HttpRequest, code: str) -> Status:
    """党员网格员 and 物业党员管家 of each grid under an area; `flagged` where a grid has no 党员网格员."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区、街道党组织的工作人员查看"})
    return Status(
        200,
        [
            {
                "grid": g.grid.code,
                "name": g.grid.name,
                "party_workers": g.party_workers,
                "stewards": g.stewards,
                "flagged": g.flagged,
            }
            for g in selectors.party_grid_workers(area.code)
        ],
    )


# --- 大党委 and co-building ---------------------------------------------------------------------------


def _org_managed(user: User, org_id: int) -> PartyOrg:
    return selectors.get_org_for(user, org_id)


def _unit_by_code(code: str) -> Unit:
    found = Unit.objects.filter(code=code, active=True).select_related("area").first()
    if found is None:
        raise InputError("unit", f"没有编码为 {code} 的单位")
    return found


@router.get("/party/orgs/{org_id}/cobuilding", response={200: dict})
def cobuilding(request: HttpRequest, org_id: int) -> dict:
    """A committee's 大党委 member units, 共驻共建协议 with their commitments (each an offer on the
    resources list, with its state), 1+N pairings and joint meetings."""
    org = _org_managed(_user(request), org_id)
    found = selectors.cobuilding(org)
    return {
        "org": org_row(org),
        "units": [{"unit": u.unit.code, "name": u.unit.name, "joined_on": u.joined_on} for u in found.units],
        "agreements": [
            {
                "id": a.pk,
                "unit": a.unit.code,
                "title": a.title,
                "signed_on": a.signed_on,
                "ends_on": a.ends_on,
                "commitments": [
                    {"title": c.title, "offer": c.offer_id, "state": c.offer.state if c.offer else None}
                    for c in a.commitments.all()
                ],
            }
            for a in found.agreements
        ],
        "pairings": [
            {"unit": p.unit.code, "name": p.unit.name, "purpose": p.purpose, "since": p.since}
            for p in found.pairings
        ],
        "meetings": [
            {
                "id": m.pk,
                "held_on": m.held_on,
                "topic": m.topic,
                "place": m.place,
                "units": [u.code for u in m.units.all()],
                "decisions": m.decisions,
            }
            for m in found.meetings
        ],
    }


class UnitIn(Schema):
    unit: str = Field(..., min_length=1, max_length=40)


@router.post("/party/orgs/{org_id}/units", response={201: dict, 409: dict, 422: dict})
def add_committee_unit(request: HttpRequest, org_id: int, payload: UnitIn) -> Status:
    """A unit joins the big party committee (大党委成员单位)."""
    user = _user(request)
    member = actions.do_add_committee_unit(
        _org_managed(user, org_id), unit=_unit_by_code(payload.unit), actor=user
    )
    return Status(201, {"unit": member.unit.code, "joined_on": member.joined_on})


class PromiseIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    topic: Topic
    kind: OfferKind
    capacity: int = Field(1, ge=1, le=100_000)


class AgreementIn(Schema):
    unit: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=100)
    signed_on: dt.date
    ends_on: dt.date
    commitments: list[PromiseIn] = Field(..., min_length=1, max_length=20)


@router.post("/party/orgs/{org_id}/agreements", response={201: dict, 409: dict, 422: dict})
def sign_agreement(request: HttpRequest, org_id: int, payload: AgreementIn) -> Status:
    """共驻共建协议: each commitment goes on the resources list (资源清单) of the committee's area."""
    user = _user(request)
    agreement = actions.do_sign_agreement(
        _org_managed(user, org_id),
        unit=_unit_by_code(payload.unit),
        title=payload.title,
        signed_on=payload.signed_on,
        ends_on=payload.ends_on,
        promises=[
            actions.Promise(title=c.title, topic=c.topic, kind=c.kind, capacity=c.capacity)
            for c in payload.commitments
        ],
        actor=user,
    )
    return Status(
        201,
        {
            "id": agreement.pk,
            "title": agreement.title,
            "offers": list(agreement.commitments.values_list("offer_id", flat=True)),
        },
    )


class PairIn(UnitIn):
    purpose: str = Field(..., max_length=200)


@router.post("/party/orgs/{org_id}/pairings", response={201: dict, 409: dict, 422: dict})
def pair(request: HttpRequest, org_id: int, payload: PairIn) -> Status:
    """1+N结对 with a unit's party organisation."""
    user = _user(request)
    made = actions.do_pair(
        _org_managed(user, org_id), unit=_unit_by_code(payload.unit), purpose=payload.purpose, actor=user
    )
    return Status(201, {"unit": made.unit.code, "purpose": made.purpose, "since": made.since})


class MeetingIn(Schema):
    held_on: dt.date
    topic: str = Field(..., min_length=1, max_length=200)
    place: str = Field("", max_length=100)
    units: list[str] = Field([], max_length=100)
    decisions: str = Field("", max_length=4000)


@router.post("/party/orgs/{org_id}/meetings", response={201: dict, 409: dict, 422: dict})
def record_meeting(request: HttpRequest, org_id: int, payload: MeetingIn) -> Status:
    """联席会议 held: the member units that came and what was decided."""
    user = _user(request)
    meeting = actions.do_record_meeting(
        _org_managed(user, org_id),
        held_on=payload.held_on,
        topic=payload.topic,
        place=payload.place,
        units=[_unit_by_code(code) for code in payload.units],
        decisions=payload.decisions,
        actor=user,
    )
    return Status(201, {"id": meeting.pk, "held_on": meeting.held_on, "units": payload.units})


# --- 攻坚清单 -------------------------------------------------------------------------------------------


def case_row(c: HardCase) -> dict:
    return {
        "id": c.pk,
        "area": c.area_code,
        "place": c.area.name,
        "title": c.title,
        "ticket": c.ticket.number if c.ticket else None,
        "leader": c.leader.shown_name,
        "state": c.state,
        "state_name": c.get_state_display(),
        "opened_at": c.opened_at,
        "steps": getattr(c, "step_count", None),
        "done": getattr(c, "done_count", None),
        "overdue": getattr(c, "overdue_count", None),
        "result": c.result,
    }


def step_row(s: PlanStep) -> dict:
    return {
        "id": s.pk,
        "text": s.text,
        "owner": s.owner.shown_name,
        "due_on": s.due_on,
        "done_at": s.done_at,
        "note": s.note,
        "overdue": s.overdue(),
    }


@router.get("/party/areas/{code}/cases", response={200: list[dict], 403: dict})
def cases(request: HttpRequest, code: str) -> Status:
    """攻坚清单 of an area: open cases first, with steps done and overdue; for those who keep the area's
    party records (a leader has `/party/cases/mine`)."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区、街道党组织的工作人员查看攻坚清单"})
    return Status(200, [case_row(c) for c in selectors.cases_in(area.code)[:SHOWN]])


@router.get("/party/cases/mine", response={200: list[dict]})
def my_cases(request: HttpRequest) -> list[dict]:
    """The cases I lead (包联领导), open and most overdue first."""
    return [case_row(c) for c in selectors.cases_led_by(_user(request))[:SHOWN]]


class CaseIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=4000)
    leader: str = Field(..., min_length=1, max_length=150, description="包联领导的登录名")
    ticket: int | None = Field(None, ge=1, le=2**53)


@router.post("/party/cases", response={201: dict, 409: dict, 422: dict})
def open_case(request: HttpRequest, payload: CaseIn) -> Status:
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    if not selectors.may_manage(user, area.code):
        raise NotAllowed("由社区、街道的工作人员列入攻坚清单")
    leader = next((u for u in selectors.leaders_over(area.code) if u.username == payload.leader), None)
    if leader is None:
        raise InputError("leader", "请选择包联该区域的领导")
    ticket = None
    if payload.ticket is not None:
        ticket = get_ticket_for(user, payload.ticket)
    made = actions.do_open_case(
        area=area,
        title=payload.title,
        description=payload.description,
        leader=leader,
        ticket=ticket,
        actor=user,
    )
    return Status(201, case_row(made))


@router.get("/party/cases/{case_id}", response={200: dict})
def case(request: HttpRequest, case_id: int) -> dict:
    found = selectors.get_case_for(_user(request), case_id)
    return case_row(found) | {
        "description": found.description,
        "plan": [step_row(s) for s in found.steps.select_related("owner")],
    }


class StepIn(Schema):
    text: str = Field(..., min_length=1, max_length=200)
    owner: str = Field(..., min_length=1, max_length=150, description="责任人的登录名")
    due_on: dt.date


@router.post("/party/cases/{case_id}/steps", response={201: dict, 409: dict, 422: dict})
def add_step(request: HttpRequest, case_id: int, payload: StepIn) -> Status:
    user = _user(request)
    found = selectors.get_case_for(user, case_id)
    if not (found.leader_id == user.pk or selectors.may_manage(user, found.area_code)):
        raise NotAllowed("由包联领导或社区、街道工作人员制定方案")
    owner = next((u for u in selectors.case_owners(found) if u.username == payload.owner), None)
    if owner is None:
        raise InputError("owner", "责任人须是包联领导，或该区域及其上下级的工作人员、网格员")
    step = actions.do_add_step(found, text=payload.text, owner=owner, due_on=payload.due_on, actor=user)
    return Status(201, step_row(step))


class NoteIn(Schema):
    note: str = Field(..., max_length=200)


@router.post("/party/cases/{case_id}/steps/{step_id}/done", response={200: dict, 409: dict, 422: dict})
def finish_step(request: HttpRequest, case_id: int, step_id: int, payload: NoteIn) -> dict:
    user = _user(request)
    found = selectors.get_case_for(user, case_id)
    step = found.steps.select_related("owner", "case").filter(pk=step_id).first()
    if step is None:
        raise Http404
    return step_row(actions.do_finish_step(step, note=payload.note, actor=user))


class ResultIn(Schema):
    result: str = Field(..., max_length=200)


@router.post("/party/cases/{case_id}/solved", response={200: dict, 409: dict, 422: dict})
def solve_case(request: HttpRequest, case_id: int, payload: ResultIn) -> dict:
    """一抓到底: the leader closes the case once every step is done."""
    user = _user(request)
    found = selectors.get_case_for(user, case_id)
    return case_row(actions.do_solve_case(found, result=payload.result, actor=user))


# --- 双积分 ---------------------------------------------------------------------------------------------


@router.get("/party/areas/{code}/service", response={200: dict, 403: dict})
def service(request: HttpRequest, code: str, year: int = Query(..., ge=2000, le=2100)) -> Status:  # type: ignore[type-arg]
    """双积分: each registered member's service hours and points in a year, and the totals per work unit
    (what goes back to the unit)."""
    user = _user(request)
    try:
        area = _managed(user, code)
    except _Forbidden:
        return Status(403, {"detail": "由社区、街道党组织的工作人员查看"})
    rows = selectors.service_report(area.code, year)
    return Status(
        200,
        {
            "year": year,
            "members": [
                {
                    "name": r.member.user.shown_name,
                    "unit": r.member.workplace_name,
                    "community": r.community,
                    "hours": r.hours,
                    "points": r.points,
                }
                for r in rows
            ],
            "units": [
                {"unit": u.unit, "members": u.members, "hours": u.hours, "points": u.points}
                for u in selectors.service_by_unit(rows)
            ],
        },
    )
