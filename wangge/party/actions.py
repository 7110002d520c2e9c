"""Writes of the party organisation: found an organisation and name its secretary; 双报到 (a member
registers with a community, which accepts or declines; a move ends the old registration); 包户 (assign a
household to a member within the quota, one member per household, or end it); 先锋岗 and 责任区; pledges
made, kept or withdrawn; 亮电话; 大党委 member units, 共驻共建协议 (their commitments on the offers list),
1+N结对 and 联席会议; the 攻坚清单 (a hard case, its leader, its plan, followed to the end)."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit
from wangge.areas.scoping import holds_over
from wangge.lib.errors import InputError, NotAllowed, clean_text
from wangge.lib.idcard import normalize_phone, phone_error
from wangge.lib.states import move
from wangge.lists import actions as lists
from wangge.party import selectors
from wangge.party.models import (
    CHILD_KINDS,
    Agreement,
    AssignmentChange,
    AssignmentLog,
    CaseState,
    Commitment,
    CommitteeUnit,
    HardCase,
    HouseholdQuota,
    JointMeeting,
    OrgKind,
    Pairing,
    PartyMember,
    PartyOrg,
    PlanStep,
    Pledge,
    PledgeState,
    Post,
    PostKind,
    Registration,
    RegistrationState,
    Standing,
)
from wangge.party.selectors import community_code, may_manage, quota_for
from wangge.people.models import Household, PartyMemberHousehold
from wangge.tickets.models import Ticket
from wangge.volunteering.models import Skill, Volunteer

# The levels each kind of organisation may sit on.
ORG_LEVELS: dict[str, tuple[str, ...]] = {
    OrgKind.COMMITTEE: (Level.DISTRICT, Level.STREET, Level.COMMUNITY),
    OrgKind.GENERAL_BRANCH: (Level.STREET, Level.COMMUNITY),
    OrgKind.BRANCH: (Level.COMMUNITY, Level.GRID),
    OrgKind.GROUP: (Level.GRID, Level.BUILDING),
    OrgKind.CENTRE: (Level.GRID, Level.BUILDING, Level.UNIT),
}


# --- the organisation -------------------------------------------------------------------------------


@transaction.atomic
def do_found_org(
    *,
    name: str,
    kind: str,
    area: Area,
    actor: User,
    parent: PartyOrg | None = None,
    secretary: User | None = None,
    founded_on: dt.date | None = None,
) -> PartyOrg:
    """A new organisation on an area, under its parent (which sits on the same area or one above)."""
    if not may_manage(actor, area.code):
        raise NotAllowed("由社区、街道党组织的工作人员设立党组织")
    name = clean_text(name, "name", "组织名称", 100, one_line=True)
    if kind not in OrgKind.values:
        raise InputError("kind", "请选择组织类型")
    if area.level not in ORG_LEVELS[kind]:
        levels = "、".join(str(Level(x).label) for x in ORG_LEVELS[kind])
        raise InputError("area", f"{OrgKind(kind).label}应设在{levels}")
    if parent is not None:
        if not area.code.startswith(parent.area_code):
            raise InputError("parent", "上级组织须在本区域或其上级区域")
        if kind not in CHILD_KINDS[parent.kind]:
            raise InputError("parent", f"{OrgKind(parent.kind).label}之下不能设{OrgKind(kind).label}")
    if secretary is not None and not PartyMember.objects.filter(user=secretary).exists():
        raise InputError("secretary", "书记须是登记在册的党员")
    try:
        with transaction.atomic():
            return PartyOrg.objects.create(
                name=name,
                kind=kind,
                area=area,
                area_code=area.code,
                parent=parent,
                secretary=secretary,
                founded_on=founded_on,
            )
    except IntegrityError:
        raise InputError("name", f"本区域已有「{name}」") from None


@transaction.atomic
def do_name_secretary(org: PartyOrg, *, secretary: User | None, actor: User) -> PartyOrg:
    if not may_manage(actor, org.area_code):
        raise NotAllowed("由社区、街道党组织的工作人员任命书记")
    if secretary is not None and not PartyMember.objects.filter(user=secretary).exists():
        raise InputError("secretary", "书记须是登记在册的党员")
    org.secretary = secretary
    org.save(update_fields=["secretary"])
    return org


@transaction.atomic
def do_place_member(member: PartyMember, *, org: PartyOrg | None, actor: User) -> PartyMember:
    """组织关系: the organisation a member belongs to (one the actor manages, in a community the member
    is registered with)."""
    if org is not None:
        if not may_manage(actor, org.area_code):
            raise NotAllowed("由该党组织所在社区的工作人员编入")
        registered = member.registrations.filter(state=RegistrationState.ACCEPTED).values_list(
            "community_code", flat=True
        )
        if not any(org.area_code.startswith(c) or c.startswith(org.area_code) for c in registered):
            raise InputError("org", "党员须先在该组织所在社区报到")
    member.org = org
    member.save(update_fields=["org"])
    return member


# --- 双报到 -----------------------------------------------------------------------------------------


def _member_for(
    user: User,
    *,
    standing: str,
    joined_on: dt.date | None,
    unit: Unit | None,
    workplace: str,
    phone: str,
) -> PartyMember:
    """The person's party record, made or brought up to date with what they report."""
    if standing not in Standing.values:
        raise InputError("standing", "请选择正式党员或预备党员")
    if joined_on is not None and joined_on > timezone.localdate():
        raise InputError("joined_on", "入党日期不能晚于今天")
    workplace = clean_text(workplace, "workplace", "工作单位", 100, required=unit is None, one_line=True)
    phone = normalize_phone(phone)
    if phone and (reason := phone_error(phone)) is not None:
        raise InputError("phone", reason)
    member, _ = PartyMember.objects.get_or_create(user=user)
    if member.registrations.filter(state=RegistrationState.ACCEPTED).exists():
        # checked by the community already: a new registration (a move) keeps it, and only a phone given
        # now replaces the one on record
        if phone:
            member.phone = phone
            member.save(update_fields=["phone_encrypted"])
        return member
    member.standing, member.joined_on, member.unit = standing, joined_on, unit
    member.workplace = "" if unit is not None else workplace
    if phone:
        member.phone = phone
    member.save()
    return member


@transaction.atomic
def do_register(
    *,
    user: User,
    community: Area,
    actor: User,
    standing: str = Standing.FULL,
    joined_on: dt.date | None = None,
    unit: Unit | None = None,
    workplace: str = "",
    phone: str = "",
    offer: str = "",
) -> Registration:
    """双报到: the member reports to a community (where they live); it waits for the community. Staff
    of that community who register someone for them (at a 报到 desk) accept it at once."""
    if community.level != Level.COMMUNITY:
        raise InputError("community", "请选择报到社区")
    by_staff = actor.pk != user.pk
    if by_staff and not may_manage(actor, community.code):
        raise NotAllowed("由本人或报到社区的工作人员登记")
    member = _member_for(
        user, standing=standing, joined_on=joined_on, unit=unit, workplace=workplace, phone=phone
    )
    current = member.registrations.filter(state=RegistrationState.ACCEPTED).first()
    if current is not None and current.community_id == community.pk:
        raise NotAllowed(f"已在{community.name}报到")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                member=member,
                community=community,
                community_code=community.code,
                unit=unit,
                offer=clean_text(offer, "offer", "服务意愿", 200, required=False, one_line=True),
                submitted_by=actor,
            )
    except IntegrityError:
        raise NotAllowed("已有一份待社区确认的报到") from None
    if by_staff:
        registration = do_accept_registration(registration, actor=actor)
    return registration


@transaction.atomic
def do_enrol(
    *,
    name: str,
    phone: str,
    community: Area,
    actor: User,
    standing: str = Standing.FULL,
    joined_on: dt.date | None = None,
    unit: Unit | None = None,
    workplace: str = "",
    offer: str = "",
) -> tuple[Registration, str | None]:
    """报到 desk: staff register a member who has no account yet (accepted at once). The account's login
    is the mobile number; its first password is returned once, to be handed over. A person who already
    has an account reports themselves (党员服务 on the phone): staff never take over an account, nor
    rewrite its party record or move it from the community it is registered with."""
    if not may_manage(actor, community.code):
        raise NotAllowed("由报到社区的工作人员登记")
    name = clean_text(name, "name", "姓名", 50, one_line=True)
    phone = normalize_phone(phone)
    if not phone:
        raise InputError("phone", "请填写手机号")
    if not (len(phone) == 11 and phone.isascii() and phone.isdigit() and phone.startswith("1")):
        raise InputError("phone", "请填写11位手机号，它是党员的登录名")
    if User.objects.filter(username=phone).exists():
        raise NotAllowed("该手机号已有账户，请党员本人登录后在「党员服务」中报到")
    password = secrets.token_urlsafe(8)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=phone, password=password, display_name=name)
    except IntegrityError:
        raise NotAllowed("该手机号已有账户，请党员本人登录后在「党员服务」中报到") from None
    registration = do_register(
        user=user,
        community=community,
        actor=actor,
        standing=standing,
        joined_on=joined_on,
        unit=unit,
        workplace=workplace,
        phone=phone,
        offer=offer,
    )
    return registration, password


def _move(registration: Registration, before: tuple[str, ...], after: str, **changes: object) -> Registration:
    return move(registration, before, after, what="该报到", where=None, **changes)


@transaction.atomic
def do_accept_registration(registration: Registration, *, actor: User) -> Registration:
    """The community accepts: the member holds the party member role there. A member registered
    elsewhere has moved: that registration ends and its 包户 go back to that community."""
    if not may_manage(actor, registration.community_code):
        raise NotAllowed("由报到社区的工作人员确认")
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.state != RegistrationState.PENDING:
        raise NotAllowed(f"该报到{current.get_state_display()}")
    previous = (
        Registration.objects.select_for_update()
        .filter(member_id=registration.member_id, state=RegistrationState.ACCEPTED)
        .exclude(pk=registration.pk)
        .first()
    )
    if previous is not None:
        _end(previous, actor=actor, reason=f"转至{registration.community.name}报到")
    membership = Membership.objects.create(
        user=registration.member.user,
        role=Role.PARTY_MEMBER,
        area=registration.community,
        since=timezone.localdate(),
    )
    _in_talent_pool(registration, actor)
    return _move(
        registration,
        (RegistrationState.PENDING,),
        RegistrationState.ACCEPTED,
        decided_by=actor,
        decided_at=timezone.now(),
        membership=membership,
    )


def _in_talent_pool(registration: Registration, actor: User) -> None:
    """An accepted member may sign up for the community's activities as its volunteers do (their hours
    are what 双积分 reports to their unit): they join the talent pool, accepted, unless already there."""
    now = timezone.now()
    volunteer, made = Volunteer.objects.get_or_create(
        user=registration.member.user,
        defaults={
            "area": registration.community,
            "area_code": registration.community_code,
            "skills": [Skill.OTHER],
            "bio": registration.offer,
            "approved_by": actor,
            "approved_at": now,
        },
    )
    if not made and volunteer.approved_at is None:
        Volunteer.objects.filter(pk=volunteer.pk, approved_at=None).update(approved_by=actor, approved_at=now)


@transaction.atomic
def do_decline_registration(registration: Registration, *, reason: str, actor: User) -> Registration:
    if not may_manage(actor, registration.community_code):
        raise NotAllowed("由报到社区的工作人员确认")
    reason = clean_text(reason, "reason", "不通过的原因", 200, one_line=True)
    return _move(
        registration,
        (RegistrationState.PENDING,),
        RegistrationState.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
        reason=reason,
    )


@transaction.atomic
def do_end_registration(registration: Registration, *, reason: str, actor: User) -> Registration:
    """转出: the member moved away or left; the community's staff or the member end it."""
    if not (registration.member.user_id == actor.pk or may_manage(actor, registration.community_code)):
        raise NotAllowed("由本人或报到社区的工作人员办理")
    return _end(
        registration, actor=actor, reason=clean_text(reason, "reason", "转出原因", 200, one_line=True)
    )


def _end(registration: Registration, *, actor: User, reason: str) -> Registration:
    if registration.membership_id is not None:  # no 包户 assigned while the links are released
        Membership.objects.select_for_update().filter(pk=registration.membership_id).first()
    registration = _move(
        registration,
        (RegistrationState.ACCEPTED,),
        RegistrationState.ENDED,
        ended_at=timezone.now(),
        reason=reason,
    )
    if registration.membership_id is not None:
        links = list(
            PartyMemberHousehold.objects.filter(membership_id=registration.membership_id).select_related(
                "membership"
            )
        )
        for link in links:
            _unlink(link, member_id=registration.member_id, actor=actor, reason=reason)
        Membership.objects.filter(pk=registration.membership_id).update(active=False)
    return registration


# --- 包户 -------------------------------------------------------------------------------------------


@transaction.atomic
def do_assign_household(
    registration: Registration, household: Household, *, actor: User
) -> PartyMemberHousehold:
    """包户: a household of the member's community to the member, within the quota (refused with the
    reason over it) and one member per household. Two staff assigning at once: the member's role row is
    locked, so the second counts the first's."""
    community = registration.community_code
    if not may_manage(actor, community):
        raise NotAllowed("由党员报到社区的工作人员分配包户")
    if registration.state != RegistrationState.ACCEPTED or registration.membership_id is None:
        raise NotAllowed("该党员尚未在本社区报到")
    if community_code(household.area.code) != community:
        raise InputError("household", "只能分配党员报到社区的住户")
    if household.housing == "vacant":
        raise InputError("household", "空置户无需包户")
    membership = Membership.objects.select_for_update().get(pk=registration.membership_id)
    if not membership.active:
        raise NotAllowed("该党员已转出本社区")
    _, most = quota_for(registration.community)
    held = PartyMemberHousehold.objects.filter(membership=membership).count()
    name = registration.member.user.shown_name
    if held >= most:
        raise NotAllowed(f"每名党员至多包{most}户，{name}已包{held}户")
    holder = (
        PartyMemberHousehold.objects.filter(household=household).select_related("membership__user").first()
    )
    if holder is not None:
        raise NotAllowed(f"该户已由{holder.membership.user.shown_name}包户")
    try:
        with transaction.atomic():
            link = PartyMemberHousehold.objects.create(membership=membership, household=household)
    except IntegrityError:
        raise NotAllowed("该户已有包户党员") from None
    AssignmentLog.objects.create(
        member_id=registration.member_id,
        membership=membership,
        household=household,
        change=AssignmentChange.ASSIGN,
        actor=actor,
    )
    return link


@transaction.atomic
def do_unassign_household(link: PartyMemberHousehold, *, reason: str, actor: User) -> None:
    if not may_manage(actor, link.household.area.code):
        raise NotAllowed("由社区工作人员调整包户")
    reason = clean_text(reason, "reason", "解除原因", 200, one_line=True)
    member, _ = PartyMember.objects.get_or_create(user_id=link.membership.user_id)  # an older link's
    _unlink(link, member_id=member.pk, actor=actor, reason=reason)


def _unlink(link: PartyMemberHousehold, *, member_id: int, actor: User, reason: str) -> None:
    if not PartyMemberHousehold.objects.filter(pk=link.pk).delete()[0]:
        raise NotAllowed("该户的包户已解除")
    AssignmentLog.objects.create(
        member_id=member_id,
        membership_id=link.membership_id,
        household_id=link.household_id,
        change=AssignmentChange.END,
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def do_set_quota(area: Area, *, minimum: int, maximum: int, actor: User) -> HouseholdQuota:
    if not may_manage(actor, area.code):
        raise NotAllowed("由社区、街道的工作人员设定包户户数")
    if not 1 <= minimum <= 30:
        raise InputError("minimum", "每人至少包户数应在1到30之间")
    if not minimum <= maximum <= 30:
        raise InputError("maximum", "每人至多包户数应不少于至少数，且不超过30")
    try:
        with transaction.atomic():
            quota, _ = HouseholdQuota.objects.update_or_create(
                area=area, defaults={"minimum": minimum, "maximum": maximum}
            )
    except IntegrityError:  # set by someone else at the same moment: this one is the later
        HouseholdQuota.objects.filter(area=area).update(minimum=minimum, maximum=maximum)
        quota = HouseholdQuota.objects.get(area=area)
    return quota


# --- 先锋岗, 责任区, 承诺 ------------------------------------------------------------------------------


def _registered_over(member: PartyMember, area: Area) -> bool:
    return member.registrations.filter(
        state=RegistrationState.ACCEPTED, community_code=community_code(area.code)
    ).exists()


@transaction.atomic
def do_open_post(
    *, kind: str, name: str, area: Area, holder: PartyMember, actor: User, duties: str = ""
) -> Post:
    if not may_manage(actor, area.code):
        raise NotAllowed("由社区工作人员设立先锋岗、责任区")
    if kind not in PostKind.values:
        raise InputError("kind", "请选择先锋岗、责任区或物业党员管家")
    if area.level in (Level.DISTRICT, Level.STREET):
        raise InputError("area", "先锋岗、责任区设在社区及以下")
    if kind == PostKind.STEWARD:
        if area.level != Level.GRID:
            raise InputError("area", "物业党员管家按网格配备")
        if not selectors.is_property_staff(holder.user, area.code):
            raise InputError("holder", "物业党员管家须是服务该网格的物业公司的党员")
    elif not _registered_over(holder, area):
        raise InputError("holder", "须由在本社区报到的党员担任")
    return Post.objects.create(
        kind=kind,
        name=clean_text(name, "name", "名称", 100, one_line=True),
        area=area,
        area_code=area.code,
        holder=holder,
        duties=clean_text(duties, "duties", "职责", 200, required=False, one_line=True),
    )


@transaction.atomic
def do_close_post(post: Post, *, actor: User) -> Post:
    if not may_manage(actor, post.area_code):
        raise NotAllowed("由社区工作人员撤销")
    if not Post.objects.filter(pk=post.pk, ended_on=None).update(ended_on=timezone.localdate()):
        raise NotAllowed("已撤销")
    post.refresh_from_db()
    return post


@transaction.atomic
def do_make_pledge(*, member: PartyMember, text: str, due_on: dt.date, actor: User) -> Pledge:
    """亮承诺: a member's pledge in the community they are registered with, made by them (or entered for
    them by its staff)."""
    registration = (
        member.registrations.filter(state=RegistrationState.ACCEPTED).select_related("community").first()
    )
    if registration is None:
        raise NotAllowed("在社区报到后才能作出承诺")
    if not (member.user_id == actor.pk or may_manage(actor, registration.community_code)):
        raise NotAllowed("由党员本人或社区工作人员登记承诺")
    text = clean_text(text, "text", "承诺内容", 200, one_line=True)
    today = timezone.localdate()
    if due_on < today:
        raise InputError("due_on", "承诺时限不能早于今天")
    if due_on > today + dt.timedelta(days=366):
        raise InputError("due_on", "承诺时限不超过一年")
    return Pledge.objects.create(
        member=member,
        area=registration.community,
        area_code=registration.community_code,
        text=text,
        due_on=due_on,
    )


@transaction.atomic
def do_keep_pledge(pledge: Pledge, *, result: str, actor: User) -> Pledge:
    """践诺: what came of it, by the member or the community's staff."""
    if not (pledge.member.user_id == actor.pk or may_manage(actor, pledge.area_code)):
        raise NotAllowed("由党员本人或社区工作人员登记兑现情况")
    result = clean_text(result, "result", "兑现情况", 200, one_line=True)
    return move(
        pledge,
        (PledgeState.OPEN,),
        PledgeState.KEPT,
        what="该承诺",
        kept_at=timezone.now(),
        result=result,
    )


@transaction.atomic
def do_withdraw_pledge(pledge: Pledge, *, actor: User) -> Pledge:
    if pledge.member.user_id != actor.pk and not may_manage(actor, pledge.area_code):
        raise NotAllowed("由党员本人或社区工作人员撤回")
    return move(pledge, (PledgeState.OPEN,), PledgeState.WITHDRAWN, what="该承诺")


@transaction.atomic
def do_show_phone(member: PartyMember, *, show: bool, actor: User) -> PartyMember:
    """亮电话: the member's own choice."""
    if member.user_id != actor.pk:
        raise NotAllowed("是否公开电话由党员本人决定")
    if show and not member.phone:
        raise InputError("show_phone", "请先登记手机号")
    member.show_phone = show
    member.save(update_fields=["show_phone"])
    return member


# --- 大党委, 共驻共建, 1+N结对, 联席会议 ----------------------------------------------------------------


def _committee(org: PartyOrg, actor: User) -> None:
    if not may_manage(actor, org.area_code):
        raise NotAllowed("由该党组织所在社区、街道的工作人员办理")
    if org.kind not in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH):
        raise InputError("org", "大党委、共驻共建由社区或街道党委（党总支）办理")


def _serving(unit: Unit, org: PartyOrg) -> None:
    """A unit takes part where it serves: its area contains the committee's, or lies within it."""
    if not unit.active or not (
        org.area_code.startswith(unit.area.code) or unit.area.code.startswith(org.area_code)
    ):
        raise InputError("unit", f"{unit.name}不在{org.area.name}的范围内")


@transaction.atomic
def do_add_committee_unit(
    org: PartyOrg, *, unit: Unit, actor: User, contact: User | None = None
) -> CommitteeUnit:
    """大党委: a unit joins the committee as a member unit (兼职委员单位)."""
    _committee(org, actor)
    _serving(unit, org)
    if contact is not None and not contact.memberships.filter(unit=unit, active=True).exists():
        raise InputError("contact", "联络人须是该单位的工作人员")
    try:
        with transaction.atomic():
            return CommitteeUnit.objects.create(org=org, unit=unit, contact=contact)
    except IntegrityError:
        raise NotAllowed(f"{unit.name}已是{org.name}的成员单位") from None


@dataclass(frozen=True)
class Promise:
    """One resource a unit commits to in an agreement, as it goes on the offers list."""

    title: str
    topic: str
    kind: str
    capacity: int = 1


@transaction.atomic
def do_sign_agreement(
    org: PartyOrg,
    *,
    unit: Unit,
    title: str,
    signed_on: dt.date,
    ends_on: dt.date,
    promises: list[Promise],
    actor: User,
) -> Agreement:
    """共驻共建协议: each commitment goes on the offers list of the committee's area, the unit its
    provider, for the agreement's term."""
    _committee(org, actor)
    _serving(unit, org)
    title = clean_text(title, "title", "协议名称", 100, one_line=True)
    if ends_on <= signed_on:
        raise InputError("ends_on", "到期日期应晚于签订日期")
    if not promises:
        raise InputError("promises", "请至少写一项资源承诺")
    agreement = Agreement.objects.create(
        org=org, unit=unit, title=title, signed_on=signed_on, ends_on=ends_on, signed_by=actor
    )
    for promise in promises:
        offer = lists.do_post_offer(
            area=org.area,
            topic=promise.topic,
            kind=promise.kind,
            title=promise.title,
            description=f"{unit.name}（{title}）",
            capacity=promise.capacity,
            starts_on=max(signed_on, timezone.localdate()),
            ends_on=ends_on,
            actor=actor,
            provider=unit,
        )
        Commitment.objects.create(agreement=agreement, title=offer.title, offer=offer)
    return agreement


@transaction.atomic
def do_pair(org: PartyOrg, *, unit: Unit, purpose: str, actor: User) -> Pairing:
    """1+N结对: the organisation and a unit's party organisation pair up for a purpose."""
    if not may_manage(actor, org.area_code):
        raise NotAllowed("由该党组织所在社区、街道的工作人员办理")
    _serving(unit, org)
    purpose = clean_text(purpose, "purpose", "结对内容", 200, one_line=True)
    try:
        with transaction.atomic():
            return Pairing.objects.create(org=org, unit=unit, purpose=purpose)
    except IntegrityError:
        raise NotAllowed(f"{org.name}已与{unit.name}结对") from None


@transaction.atomic
def do_record_meeting(
    org: PartyOrg,
    *,
    held_on: dt.date,
    topic: str,
    units: list[Unit],
    actor: User,
    place: str = "",
    decisions: str = "",
) -> JointMeeting:
    """联席会议 of the committee: the member units that came and what was decided."""
    _committee(org, actor)
    if held_on > timezone.localdate():
        raise InputError("held_on", "只能登记已召开的会议")
    members = set(org.committee_units.values_list("unit_id", flat=True))
    strangers = [u.name for u in units if u.pk not in members]
    if strangers:
        raise InputError("units", f"{'、'.join(strangers)}不是大党委成员单位")
    meeting = JointMeeting.objects.create(
        org=org,
        held_on=held_on,
        topic=clean_text(topic, "topic", "议题", 200, one_line=True),
        place=clean_text(place, "place", "地点", 100, required=False, one_line=True),
        decisions=decisions.strip()[:4000],
        recorded_by=actor,
    )
    meeting.units.set(units)
    return meeting


# --- 攻坚清单 -------------------------------------------------------------------------------------------


@transaction.atomic
def do_open_case(
    *,
    area: Area,
    title: str,
    leader: User,
    actor: User,
    description: str = "",
    ticket: Ticket | None = None,
) -> HardCase:
    """一个难题、一名领导: the area's staff put a hard case on the list with its 包联领导."""
    if not may_manage(actor, area.code):
        raise NotAllowed("由社区、街道的工作人员列入攻坚清单")
    if not holds_over(leader, area.code, (Role.LEADER,)):
        raise InputError("leader", "请选择包联该区域的领导")
    if ticket is not None and not ticket.area_code.startswith(area.code):
        raise InputError("ticket", "诉求不在该区域")
    return HardCase.objects.create(
        area=area,
        area_code=area.code,
        title=clean_text(title, "title", "难题", 100, one_line=True),
        description=description.strip()[:4000],
        ticket=ticket,
        leader=leader,
        opened_by=actor,
    )


def _runs_case(case: HardCase, actor: User) -> bool:
    return case.leader_id == actor.pk or may_manage(actor, case.area_code)


@transaction.atomic
def do_add_step(case: HardCase, *, text: str, owner: User, due_on: dt.date, actor: User) -> PlanStep:
    """一套方案: a step with its owner and date, by the leader or the area's staff."""
    if not _runs_case(case, actor):
        raise NotAllowed("由包联领导或社区、街道工作人员制定方案")
    case = HardCase.objects.select_for_update().get(pk=case.pk)  # not closed while a step is added
    if case.state != CaseState.OPEN:
        raise NotAllowed("该难题已化解")
    if owner not in selectors.case_owners(case):
        raise InputError("owner", "责任人须是包联领导，或该区域及其上下级的工作人员、网格员")
    if due_on < timezone.localdate():
        raise InputError("due_on", "完成时限不能早于今天")
    return PlanStep.objects.create(
        case=case, text=clean_text(text, "text", "措施", 200, one_line=True), owner=owner, due_on=due_on
    )


@transaction.atomic
def do_finish_step(step: PlanStep, *, note: str, actor: User) -> PlanStep:
    if not (step.owner_id == actor.pk or _runs_case(step.case, actor)):
        raise NotAllowed("由责任人或包联领导登记完成")
    note = clean_text(note, "note", "完成情况", 200, one_line=True)
    if not PlanStep.objects.filter(pk=step.pk, done_at=None).update(done_at=timezone.now(), note=note):
        raise NotAllowed("该措施已完成")
    step.refresh_from_db()
    return step


@transaction.atomic
def do_solve_case(case: HardCase, *, result: str, actor: User) -> HardCase:
    """一抓到底: the leader closes it once every step of the plan is done."""
    if case.leader_id != actor.pk:
        raise NotAllowed("由包联领导确认化解")
    case = HardCase.objects.select_for_update().get(pk=case.pk)  # no step added meanwhile
    steps = list(case.steps.values_list("done_at", flat=True))
    if not steps:
        raise NotAllowed("请先制定方案")
    if any(done is None for done in steps):
        raise NotAllowed(f"方案还有{sum(done is None for done in steps)}项措施未完成")
    result = clean_text(result, "result", "化解情况", 200, one_line=True)
    return move(
        case, (CaseState.OPEN,), CaseState.SOLVED, what="该难题", solved_at=timezone.now(), result=result
    )
