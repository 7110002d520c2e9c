"""The volunteering API (志愿服务): register and be accepted, the talent pool, activities near me, sign-up
with a waiting list, check-in with the organiser's code, check-out."""

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lib.errors import InputError
from wangge.lib.masking import mask_name
from wangge.points.selectors import home_area
from wangge.volunteering import actions
from wangge.volunteering.models import Activity, Booking, SignUp, SignUpState, Skill, Team, Volunteer
from wangge.volunteering.selectors import get_activity_for, may_organise, talent_pool, upcoming

router = Router(tags=["volunteering"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def activity_row(a: Activity, user: User, mine: SignUp | None = None) -> dict:
    row = {
        "id": a.pk,
        "title": a.title,
        "area": a.area_code,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "skill": a.skill,
        "state": a.state,
        "my_sign_up": None
        if mine is None
        else {
            "id": mine.pk,
            "state": mine.state,
            "checked_in": mine.checked_in_at is not None,
            "minutes": mine.minutes,
        },
    }
    if a.organiser_id == user.pk or may_organise(user, a.area_code):
        row["check_in_code"] = a.check_in_code  # the organiser shows it on site
    return row


class RegisterIn(Schema):
    skills: list[Skill] = Field(..., min_length=1, max_length=11)
    availability: str = Field("", max_length=100)
    bio: str = Field("", max_length=200)


@router.post("/volunteers", response={201: dict, 409: dict, 422: dict})
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """志愿者注册 in my community (where I live, else where I work): waits for its acceptance; 409 when
    registered before."""
    user = _user(request)
    home = home_area(user)
    if home is None:
        raise InputError("area", "您还没有所在社区，请联系社区登记")
    found = actions.do_register_volunteer(
        user=user, area=home, skills=list(payload.skills), availability=payload.availability, bio=payload.bio
    )
    return Status(201, volunteer_row(found, user))


def volunteer_row(v: Volunteer, user: User) -> dict:
    own = v.user_id == user.pk
    return {
        "id": v.pk,
        "name": v.user.shown_name if own or may_organise(user, v.area_code) else mask_name(v.user.shown_name),
        "area": v.area_code,
        "skills": v.skill_names(),
        "availability": v.availability,
        "accepted": v.approved_at is not None,
    }


@router.post("/volunteers/{volunteer_id}/acceptance", response={200: dict, 409: dict})
def accept(request: HttpRequest, volunteer_id: int) -> dict:
    """The community's staff accept a volunteer (the volunteer role there)."""
    user = _user(request)
    found = Volunteer.objects.filter(pk=volunteer_id).select_related("user", "area").first()
    if found is None or not scoping.scope_of(user).sees_area(found.area_code):
        raise Http404
    return volunteer_row(actions.do_accept_volunteer(found, actor=user), user)


@router.get("/volunteers", response={200: list[dict], 403: dict})
def pool(
    request: HttpRequest,
    area: str = Query(..., max_length=40),  # type: ignore[type-arg]
    skill: Skill | None = None,
    team: int | None = Query(None, ge=1, le=2**53),  # type: ignore[type-arg]
    waiting: bool = False,
) -> Status:
    """人才库 of an area (the place) by skill and team, for its staff; `waiting=true` lists those not yet
    accepted."""
    user = _user(request)
    place = scoping.get_area_for(user, area)
    if not may_organise(user, place.code):
        return Status(403, {"detail": "由社区工作人员查看人才库"})
    if waiting:
        found = Volunteer.objects.filter(area_code__startswith=place.code, approved_at=None).select_related(
            "user"
        )
    else:
        found = talent_pool(place.code, skill=skill, team=team)
    return Status(200, [volunteer_row(v, user) for v in found[:200]])


@router.get("/activities", response=list[dict])
def activities(request: HttpRequest) -> list[dict]:
    """Activities of my areas still to come or under way, soonest first, with my sign-up."""
    user = _user(request)
    found = list(upcoming(user).order_by("starts_at", "id")[:100])
    mine = {
        s.activity_id: s
        for s in SignUp.objects.filter(activity__in=found, user=user).exclude(state=SignUpState.CANCELLED)
    }
    return [activity_row(a, user, mine.get(a.pk)) for a in found]


class ActivityIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=100)
    place: str = Field(..., min_length=1, max_length=100)
    starts_at: AwareDatetime = Field(..., description="带时区，如 2026-12-01T09:00:00+08:00")
    ends_at: AwareDatetime = Field(..., description="带时区")
    capacity: int = Field(..., ge=1, le=actions.MAX_CAPACITY)
    description: str = Field("", max_length=2000)
    skill: Skill | None = None


@router.post("/activities", response={201: dict, 409: dict, 422: dict})
def publish(request: HttpRequest, payload: ActivityIn) -> Status:
    user = _user(request)
    place = scoping.get_area_for(user, payload.area)
    found = actions.do_publish_activity(
        area=place,
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        description=payload.description,
        skill=payload.skill or "",
        actor=user,
    )
    return Status(201, activity_row(found, user))


@router.post("/activities/{activity_id}/sign-ups", response={201: dict, 409: dict})
def sign_up(request: HttpRequest, activity_id: int) -> Status:
    """报名: a seat (`signed`) while there is one, else the waiting list (`waiting`)."""
    user = _user(request)
    found = actions.do_sign_up(get_activity_for(user, activity_id), actor=user)
    return Status(201, activity_row(found.activity, user, found))


def _my_sign_up(user: User, activity_id: int) -> SignUp:
    activity = get_activity_for(user, activity_id)
    found = (
        SignUp.objects.filter(activity=activity, user=user)
        .exclude(state=SignUpState.CANCELLED)
        .select_related("activity__area")
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.post("/activities/{activity_id}/cancellation", response={200: dict, 409: dict})
def cancel(request: HttpRequest, activity_id: int) -> dict:
    user = _user(request)
    found = actions.do_cancel_sign_up(_my_sign_up(user, activity_id), actor=user)
    return activity_row(found.activity, user, None)


class CheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=6, description="组织者出示的6位签到码")


@router.post("/activities/{activity_id}/check-in", response={200: dict, 409: dict, 422: dict})
def check_in(request: HttpRequest, activity_id: int, payload: CheckInIn) -> dict:
    user = _user(request)
    found = actions.do_check_in(_my_sign_up(user, activity_id), actor=user, code=payload.code)
    return activity_row(found.activity, user, found)


@router.post("/activities/{activity_id}/check-out", response={200: dict, 409: dict})
def check_out(request: HttpRequest, activity_id: int) -> dict:
    """签退: the activity's time credited, as points by the area's rule and 爱心银行 minutes."""
    user = _user(request)
    found = actions.do_check_out(_my_sign_up(user, activity_id), actor=user)
    return activity_row(found.activity, user, found)


# --- 志愿者预约服务 -------------------------------------------------------------------------------------


@router.get("/volunteers/available", response=list[dict])
def available(request: HttpRequest, skill: Skill | None = None) -> list[dict]:
    """The accepted volunteers of my community a resident may book, by skill (names masked)."""
    user = _user(request)
    home = home_area(user)
    if home is None:
        return []
    return [volunteer_row(v, user) for v in talent_pool(home.code, skill=skill).exclude(user=user)[:100]]


def booking_row(b: Booking, user: User) -> dict:
    return {
        "id": b.pk,
        "volunteer": b.volunteer_id,
        "skill": b.skill,
        "skill_name": b.get_skill_display(),
        "wanted_at": b.wanted_at,
        "note": b.note,
        "state": b.state,
        "state_name": b.get_state_display(),
        "minutes": b.minutes,
        "mine": b.by_id == user.pk,
    }


class BookingIn(Schema):
    volunteer: int = Field(..., ge=1, le=2**53)
    skill: Skill
    wanted_at: AwareDatetime = Field(..., description="带时区")
    note: str = Field("", max_length=200)


@router.post("/bookings", response={201: dict, 409: dict, 422: dict})
def book(request: HttpRequest, payload: BookingIn) -> Status:
    """预约 a volunteer of my community for one of their skills at a time to come."""
    user = _user(request)
    home = home_area(user)
    found = (
        talent_pool(home.code).filter(pk=payload.volunteer).select_related("area").first() if home else None
    )
    if found is None:
        raise Http404
    booking = actions.do_book_volunteer(
        volunteer=found, skill=payload.skill, wanted_at=payload.wanted_at, note=payload.note, actor=user
    )
    return Status(201, booking_row(booking, user))


@router.get("/bookings", response=list[dict])
def bookings(request: HttpRequest) -> list[dict]:
    """My bookings, and those made of me as a volunteer, newest first."""
    user = _user(request)
    found = Booking.objects.filter(Q(by=user) | Q(volunteer__user=user))
    return [booking_row(b, user) for b in found.order_by("-at", "-id")[:100]]


def _booking_for(user: User, booking_id: int) -> Booking:
    found = (
        Booking.objects.filter(Q(by=user) | Q(volunteer__user=user), pk=booking_id)
        .select_related("volunteer__area")
        .first()
    )
    if found is None:
        raise Http404
    return found


class AnswerIn(Schema):
    accept: bool


@router.post("/bookings/{booking_id}/answer", response={200: dict, 409: dict})
def answer(request: HttpRequest, booking_id: int, payload: AnswerIn) -> dict:
    user = _user(request)
    return booking_row(
        actions.do_answer_booking(_booking_for(user, booking_id), accept=payload.accept, actor=user), user
    )


class DoneIn(Schema):
    minutes: int = Field(..., ge=10, le=actions.MAX_BOOKED_MINUTES)


@router.post("/bookings/{booking_id}/done", response={200: dict, 409: dict, 422: dict})
def done(request: HttpRequest, booking_id: int, payload: DoneIn) -> dict:
    """服务完成, by the volunteer: the minutes banked and the hours paid in points."""
    user = _user(request)
    return booking_row(
        actions.do_complete_booking(_booking_for(user, booking_id), minutes=payload.minutes, actor=user), user
    )


@router.post("/bookings/{booking_id}/cancel", response={200: dict, 409: dict})
def cancel_booking(request: HttpRequest, booking_id: int) -> dict:
    user = _user(request)
    return booking_row(actions.do_cancel_booking(_booking_for(user, booking_id), actor=user), user)


def team_row(t: Team, user: User) -> dict:
    return {
        "id": t.pk,
        "area": t.area_code,
        "name": t.name,
        "leader": volunteer_row(t.leader, user) if t.leader else None,
        "members": t.members.count(),
    }


def _team_for(user: User, team_id: int) -> Team:
    found = Team.objects.filter(pk=team_id).select_related("area", "leader__user").first()
    if found is None or not scoping.scope_of(user).sees_area(found.area_code):
        raise Http404
    return found


def _volunteer_for(user: User, volunteer_id: int) -> Volunteer:
    found = Volunteer.objects.filter(pk=volunteer_id).select_related("user").first()
    if found is None or not (found.user_id == user.pk or scoping.scope_of(user).sees_area(found.area_code)):
        raise Http404
    return found


@router.get("/teams", response=list[dict])
def teams(request: HttpRequest, area: str = Query(..., max_length=40)) -> list[dict]:  # type: ignore[type-arg]
    """志愿服务队 of an area and below, with their leader and number of members."""
    user = _user(request)
    place = scoping.get_area_for(user, area)
    found = Team.objects.filter(area_code__startswith=place.code).select_related("leader__user")
    return [team_row(t, user) for t in found.order_by("area_code", "name")[:200]]


class TeamIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=50)
    leader: int | None = Field(None, ge=1, le=2**53, description="队长：本区域已审核的志愿者")


@router.post("/teams", response={201: dict, 409: dict, 422: dict})
def form_team(request: HttpRequest, payload: TeamIn) -> Status:
    """Staff form a team of their area (409 for others; 422 for a name taken or a leader from elsewhere)."""
    user = _user(request)
    place = scoping.get_area_for(user, payload.area)
    leader = _volunteer_for(user, payload.leader) if payload.leader else None
    team = actions.do_form_team(area=place, name=payload.name, actor=user, leader=leader)
    return Status(201, team_row(team, user))


class MemberIn(Schema):
    volunteer: int = Field(..., ge=1, le=2**53)


@router.post("/teams/{team_id}/members", response={200: dict, 409: dict, 422: dict})
def join(request: HttpRequest, team_id: int, payload: MemberIn) -> dict:
    """A volunteer joins, or the staff or the leader add one (accepted, of the team's area)."""
    user = _user(request)
    team = _team_for(user, team_id)
    return team_row(actions.do_join_team(team, _volunteer_for(user, payload.volunteer), actor=user), user)


@router.delete("/teams/{team_id}/members/{volunteer_id}", response={200: dict, 409: dict})
def leave(request: HttpRequest, team_id: int, volunteer_id: int) -> dict:
    """A volunteer leaves, or the staff or the leader take one off."""
    user = _user(request)
    team = _team_for(user, team_id)
    return team_row(actions.do_leave_team(team, _volunteer_for(user, volunteer_id), actor=user), user)
