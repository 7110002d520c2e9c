"""Writes of volunteering: register and accept a volunteer, publish an activity, sign up (never over
capacity: a waiting list), cancel (the first waiting moves up), check in with the organiser's code or by
the organiser's tick, check out (the time served: points and 爱心银行 minutes)."""

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.states import move
from wangge.points.actions import do_award_by_rule, do_bank_hours, person_account
from wangge.points.models import Currency, RuleKey
from wangge.points.selectors import rule_for
from wangge.volunteering.models import (
    Activity,
    ActivityState,
    Booking,
    BookingState,
    SignUp,
    SignUpState,
    Skill,
    Team,
    Volunteer,
)
from wangge.volunteering.selectors import accepted, may_organise

CHECK_IN_EARLY = dt.timedelta(hours=1)  # a volunteer may check in this long before the start
WRONG_CODES_ALLOWED = 5  # then only the organiser's tick: a 6-digit code is not to be guessed
MAX_CAPACITY = 1000
MAX_BOOKED_MINUTES = 4 * 60  # one booked service


@transaction.atomic
def do_register_volunteer(
    *, user: User, area: Area, skills: list[str], availability: str = "", bio: str = ""
) -> Volunteer:
    """志愿者注册, by the person: waits for the community's acceptance."""
    if area.level != Level.COMMUNITY:
        raise InputError("area", "请选择所在社区")
    unknown = [s for s in skills if s not in Skill.values]
    if unknown or not skills:
        raise InputError("skills", "请从列表中选择特长")
    if Volunteer.objects.filter(user=user).exists():
        raise NotAllowed("您已登记为志愿者")
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                user=user,
                area=area,
                area_code=area.code,
                skills=sorted(set(skills)),
                availability=availability.strip()[:100],
                bio=bio.strip()[:200],
            )
    except IntegrityError:
        raise NotAllowed("您已登记为志愿者") from None


@transaction.atomic
def do_accept_volunteer(volunteer: Volunteer, *, actor: User) -> Volunteer:
    """The community accepts a volunteer: the volunteer role there."""
    if not may_organise(actor, volunteer.area_code):
        raise NotAllowed("由所在社区审核志愿者")
    now = timezone.now()
    if not Volunteer.objects.filter(pk=volunteer.pk, approved_at=None).update(
        approved_by=actor, approved_at=now
    ):
        raise NotAllowed("该志愿者已审核通过")
    Membership.objects.get_or_create(
        user=volunteer.user, area=volunteer.area, role=Role.VOLUNTEER, defaults={"active": True}
    )
    volunteer.refresh_from_db()
    return volunteer


@transaction.atomic
def do_form_team(*, area: Area, name: str, actor: User, leader: Volunteer | None = None) -> Team:
    """志愿服务队: formed by the area's staff, with an accepted volunteer of the area as its leader."""
    if not may_organise(actor, area.code):
        raise NotAllowed("由社区工作人员组建志愿服务队")
    name = " ".join(name.split())
    if not name:
        raise InputError("name", "请填写队名")
    if leader is not None and not _of_area(leader, area):
        raise InputError("leader", "队长须是本区域已审核的志愿者")
    try:
        with transaction.atomic():
            team = Team.objects.create(area=area, area_code=area.code, name=name[:50], leader=leader)
    except IntegrityError:
        raise InputError("name", f"已有名为「{name}」的队伍") from None
    if leader is not None:
        team.members.add(leader)
    return team


def _of_area(volunteer: Volunteer, area: Area) -> bool:
    return volunteer.approved_at is not None and volunteer.area_code.startswith(area.code)


@transaction.atomic
def do_join_team(team: Team, volunteer: Volunteer, *, actor: User) -> Team:
    """A volunteer joins (themselves), or the staff or the team's leader add them; accepted volunteers
    of the team's area only."""
    leads = team.leader is not None and team.leader.user_id == actor.pk
    if not (volunteer.user_id == actor.pk or leads or may_organise(actor, team.area_code)):
        raise NotAllowed("由本人、队长或社区工作人员加入队伍")
    if not _of_area(volunteer, team.area):
        raise InputError("volunteer", "只有本区域已审核的志愿者可以入队")
    team.members.add(volunteer)  # adding twice is one membership
    return team


@transaction.atomic
def do_leave_team(team: Team, volunteer: Volunteer, *, actor: User) -> Team:
    leads = team.leader is not None and team.leader.user_id == actor.pk
    if not (volunteer.user_id == actor.pk or leads or may_organise(actor, team.area_code)):
        raise NotAllowed("由本人、队长或社区工作人员退出队伍")
    team.members.remove(volunteer)
    if team.leader_id == volunteer.pk:
        Team.objects.filter(pk=team.pk).update(leader=None)
        team.leader = None
    return team


@transaction.atomic
def do_publish_activity(
    *,
    area: Area,
    title: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    actor: User,
    description: str = "",
    skill: str = "",
) -> Activity:
    if not may_organise(actor, area.code):
        raise NotAllowed("您不能在这里发布活动")
    title, place = title.strip(), place.strip()
    if not title:
        raise InputError("title", "请填写活动名称")
    if not place:
        raise InputError("place", "请填写活动地点")
    if ends_at <= starts_at:
        raise InputError("ends_at", "结束时间应晚于开始时间")
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise InputError("ends_at", "一次活动不超过12小时")
    if ends_at <= timezone.now():
        raise InputError("ends_at", "活动已经结束")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InputError("capacity", f"名额应在1到{MAX_CAPACITY}之间")
    if skill and skill not in Skill.values:
        raise InputError("skill", "请从列表中选择特长")
    return Activity.objects.create(
        area=area,
        area_code=area.code,
        title=title[:100],
        description=description.strip(),
        place=place[:100],
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        skill=skill,
        organiser=actor,
        check_in_code=f"{secrets.randbelow(10**6):06d}",
    )


def _locked(activity: Activity) -> Activity:
    """The activity's row locked: its sign-ups are counted and changed one at a time."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def do_sign_up(activity: Activity, *, actor: User) -> SignUp:
    """报名: a seat while there is one, else the waiting list."""
    volunteer = accepted(actor)
    if volunteer is None:
        raise NotAllowed("请先登记为志愿者并通过社区审核")
    activity = _locked(activity)
    if activity.state != ActivityState.PUBLISHED:
        raise NotAllowed("活动已取消")
    if activity.starts_at <= timezone.now():
        raise NotAllowed("活动已开始，不能再报名")
    if SignUp.objects.filter(activity=activity, user=actor).exclude(state=SignUpState.CANCELLED).exists():
        raise NotAllowed("您已报名")
    seated = SignUp.objects.filter(activity=activity, state=SignUpState.SIGNED).count()
    state = SignUpState.SIGNED if seated < activity.capacity else SignUpState.WAITING
    # Wrong check-in codes follow the person, not the sign-up: cancelling and signing up again gives
    # no fresh tries.
    tried = SignUp.objects.filter(activity=activity, user=actor).aggregate(n=Max("wrong_codes"))["n"] or 0
    try:
        with transaction.atomic():
            return SignUp.objects.create(activity=activity, user=actor, state=state, wrong_codes=tried)
    except IntegrityError:
        raise NotAllowed("您已报名") from None


@transaction.atomic
def do_cancel_sign_up(sign_up: SignUp, *, actor: User) -> SignUp:
    """取消报名: the seat goes to the first on the waiting list."""
    if sign_up.user_id != actor.pk:
        raise NotAllowed("只能取消自己的报名")
    activity = _locked(sign_up.activity)
    was = SignUp.objects.filter(pk=sign_up.pk).values_list("state", flat=True).get()
    # One UPDATE decides against a check-in at the same moment: whichever comes second finds the row
    # changed (check-in wants a signed row, cancelling one not checked in).
    if (
        not SignUp.objects.filter(pk=sign_up.pk, checked_in_at=None, state=was)
        .exclude(state=SignUpState.CANCELLED)
        .update(state=SignUpState.CANCELLED)
    ):
        sign_up.refresh_from_db()
        raise NotAllowed("已签到，不能取消" if sign_up.checked_in_at else "报名已取消")
    if was == SignUpState.SIGNED:
        first = (
            SignUp.objects.filter(activity=activity, state=SignUpState.WAITING).order_by("at", "id").first()
        )
        if first is not None:
            SignUp.objects.filter(pk=first.pk).update(state=SignUpState.SIGNED)
    sign_up.refresh_from_db()
    return sign_up


def _take_a_try(sign_up: SignUp) -> bool:
    """Use one of the code's tries in one UPDATE (so guesses sent at once are each counted); False when
    none is left. A right code gives its try back."""
    return bool(
        SignUp.objects.filter(pk=sign_up.pk, wrong_codes__lt=WRONG_CODES_ALLOWED).update(
            wrong_codes=F("wrong_codes") + 1
        )
    )


def do_check_in(sign_up: SignUp, *, actor: User, code: str | None = None) -> SignUp:
    """签到: the volunteer with the code the organiser shows, or the organiser's tick (no code). Not one
    transaction: a wrong code's try stays counted when the refusal is raised."""
    activity = sign_up.activity
    if code is None:
        if not (activity.organiser_id == actor.pk or may_organise(actor, activity.area_code)):
            raise NotAllowed("由组织者代为签到")
    else:
        if sign_up.user_id != actor.pk:
            raise NotAllowed("只能为自己签到")
        if not code.strip():
            raise InputError("code", "请输入组织者出示的6位签到码")
        if not _take_a_try(sign_up):
            raise NotAllowed(f"签到码已输错{WRONG_CODES_ALLOWED}次，请找组织者代为签到")
        if not constant_time_compare(code.strip(), activity.check_in_code):
            raise InputError("code", "签到码不对，请向组织者核对")
        SignUp.objects.filter(pk=sign_up.pk).update(wrong_codes=F("wrong_codes") - 1)
    now = timezone.now()
    if not activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at:
        raise NotAllowed("不在活动时间内，不能签到")
    if not SignUp.objects.filter(pk=sign_up.pk, state=SignUpState.SIGNED, checked_in_at=None).update(
        checked_in_at=now
    ):
        sign_up.refresh_from_db()
        raise NotAllowed("已签到" if sign_up.checked_in_at else "没有报上名的不能签到")
    sign_up.refresh_from_db()
    return sign_up


@transaction.atomic
def do_check_out(sign_up: SignUp, *, actor: User) -> SignUp:
    """签退: the activity's scheduled time is credited to whoever checked in (the organiser publishes
    it; a volunteer who came is credited the activity, as 志愿汇-style records do): points by the area's
    志愿服务 rule, an hour a unit, and the minutes in the 爱心银行."""
    activity = sign_up.activity
    if not (
        sign_up.user_id == actor.pk
        or activity.organiser_id == actor.pk
        or may_organise(actor, activity.area_code)
    ):
        raise NotAllowed("只能为自己签退")
    minutes = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
    now = timezone.now()
    if not SignUp.objects.filter(pk=sign_up.pk, checked_in_at__isnull=False, checked_out_at=None).update(
        checked_out_at=now, minutes=minutes
    ):
        raise NotAllowed("请先签到" if sign_up.checked_in_at is None else "已签退")
    community = Area.objects.get(code=accepted_area_code(sign_up.user, activity))
    rule = rule_for(activity.area, RuleKey.VOLUNTEER_HOUR)
    if rule is not None and minutes >= 60:
        do_award_by_rule(
            rule=rule,
            account=person_account(sign_up.user, community),
            ref=f"sign-up:{sign_up.pk}",
            actor=None,
            quantity=min(minutes // 60, 12),
            note=f"志愿服务：{activity.title[:40]}",
        )
    do_bank_hours(
        account=person_account(sign_up.user, community, Currency.HOURS),
        minutes=minutes,
        ref=f"sign-up:{sign_up.pk}",
        reason=f"志愿服务：{activity.title[:40]}",
        actor=None,
    )
    sign_up.refresh_from_db()
    return sign_up


def accepted_area_code(user: User, activity: Activity) -> str:
    """The community a volunteer's points are counted in: theirs, or the activity's area."""
    volunteer = accepted(user)
    return volunteer.area_code if volunteer is not None else activity.area_code


# --- 志愿者预约服务 -------------------------------------------------------------------------------------


@transaction.atomic
def do_book_volunteer(
    *, volunteer: Volunteer, skill: str, wanted_at: dt.datetime, actor: User, note: str = ""
) -> Booking:
    """A resident of the volunteer's community books one of their skills for a time to come."""
    if volunteer.approved_at is None:
        raise NotAllowed("该志愿者暂不接受预约")
    if volunteer.user_id == actor.pk:
        raise NotAllowed("不能预约自己")
    if skill not in volunteer.skills:
        raise InputError("skill", "该志愿者没有这项特长")
    if wanted_at <= timezone.now():
        raise InputError("wanted_at", "请预约将来的时间")
    if wanted_at > timezone.now() + dt.timedelta(days=60):
        raise InputError("wanted_at", "只能预约60天内的服务")
    return Booking.objects.create(
        volunteer=volunteer, by=actor, skill=skill, wanted_at=wanted_at, note=note.strip()[:200]
    )


def _booking(booking: Booking, before: tuple[str, ...], after: str, **changes: Any) -> Booking:
    return move(booking, before, after, what="该预约", **changes)


@transaction.atomic
def do_answer_booking(booking: Booking, *, accept: bool, actor: User) -> Booking:
    if booking.volunteer.user_id != actor.pk:
        raise NotAllowed("由被预约的志愿者答复")
    after = BookingState.ACCEPTED if accept else BookingState.DECLINED
    return _booking(booking, (BookingState.REQUESTED,), after, answered_at=timezone.now())


@transaction.atomic
def do_cancel_booking(booking: Booking, *, actor: User) -> Booking:
    if booking.by_id != actor.pk:
        raise NotAllowed("只能取消自己的预约")
    return _booking(booking, (BookingState.REQUESTED, BookingState.ACCEPTED), BookingState.CANCELLED)


@transaction.atomic
def do_complete_booking(booking: Booking, *, minutes: int, actor: User) -> Booking:
    """服务完成, recorded by the volunteer: the minutes banked (爱心银行) and points by the area's rule."""
    if booking.volunteer.user_id != actor.pk:
        raise NotAllowed("由提供服务的志愿者登记")
    if not 10 <= minutes <= MAX_BOOKED_MINUTES:
        raise InputError("minutes", "服务时长应在10分钟到4小时之间")
    if booking.wanted_at > timezone.now():
        raise NotAllowed("预约的时间还没到，服务后再登记")
    booking = _booking(
        booking, (BookingState.ACCEPTED,), BookingState.DONE, done_at=timezone.now(), minutes=minutes
    )
    community = booking.volunteer.area
    rule = rule_for(community, RuleKey.VOLUNTEER_HOUR)
    if rule is not None and minutes >= 60:
        do_award_by_rule(
            rule=rule,
            account=person_account(actor, community),
            ref=f"booking:{booking.pk}",
            actor=None,
            quantity=minutes // 60,
            note=f"预约服务：{booking.get_skill_display()}",
        )
    do_bank_hours(
        account=person_account(actor, community, Currency.HOURS),
        minutes=minutes,
        ref=f"booking:{booking.pk}",
        reason=f"预约服务：{booking.get_skill_display()}",
        actor=None,
    )
    return booking
