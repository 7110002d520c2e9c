"""志愿服务 (issue 21): a volunteer registers and is accepted, signs up within capacity (a waiting list
beyond it, never over it when many sign up at once), checks in with the organiser's code, checks out and
earns points by the area's rule and minutes in the 爱心银行."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, race
from wangge.lib.errors import InputError, NotAllowed
from wangge.points.models import Account, Rule, RuleKey
from wangge.volunteering import actions as v
from wangge.volunteering.models import Activity, Booking, SignUp, SignUpState, Team, Volunteer
from wangge.volunteering.selectors import talent_pool


def community() -> Area:
    return Area.objects.get(code=DEMO_COMMUNITY)


def activity(
    organiser: User, *, capacity: int = 2, starts_in: dt.timedelta = dt.timedelta(minutes=30)
) -> Activity:
    start = timezone.now() + starts_in
    return v.do_publish_activity(
        area=community(),
        title="清洁家园志愿服务",
        place="小区中心广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
        actor=organiser,
    )


def volunteer(username: str, staff: User) -> User:
    user = User.objects.create(username=username, display_name=username)
    v.do_accept_volunteer(
        v.do_register_volunteer(user=user, area=community(), skills=["plumber"]), actor=staff
    )
    return user


def test_register_accept_and_the_talent_pool(db, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    person = User.objects.create(username="laozhang", display_name="老张")
    with pytest.raises(InputError) as bad:
        v.do_register_volunteer(user=person, area=community(), skills=["astronaut"])
    assert bad.value.field == "skills"
    signed = v.do_register_volunteer(
        user=person, area=community(), skills=["plumber", "phone"], availability="周末"
    )
    with pytest.raises(NotAllowed):  # not yet accepted
        v.do_sign_up(activity(staff), actor=person)
    with pytest.raises(NotAllowed):
        v.do_accept_volunteer(signed, actor=actor("gridworker"))
    v.do_accept_volunteer(signed, actor=staff)
    assert Membership.objects.filter(user=person, role=Role.VOLUNTEER, area=community(), active=True).exists()
    assert [x.user for x in talent_pool(DEMO_COMMUNITY, skill="plumber")] == [person]
    assert list(talent_pool(DEMO_COMMUNITY, skill="lawyer")) == []


def test_capacity_waiting_list_check_in_and_out(db, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    Rule.objects.create(area=community(), key=RuleKey.VOLUNTEER_HOUR, name="志愿服务每小时", points=5)
    event = activity(staff, capacity=1)
    first, second = volunteer("v1", staff), volunteer("v2", staff)
    one = v.do_sign_up(event, actor=first)
    two = v.do_sign_up(event, actor=second)
    assert (one.state, two.state) == (SignUpState.SIGNED, SignUpState.WAITING)
    with pytest.raises(NotAllowed, match="已报名"):
        v.do_sign_up(event, actor=first)
    v.do_cancel_sign_up(one, actor=first)
    two.refresh_from_db()
    assert two.state == SignUpState.SIGNED  # moved up from the waiting list
    with pytest.raises(InputError) as wrong:
        v.do_check_in(two, actor=second, code="000000" if event.check_in_code != "000000" else "111111")
    assert wrong.value.field == "code"
    with pytest.raises(NotAllowed, match="请先签到"):
        v.do_check_out(two, actor=second)
    v.do_check_in(two, actor=second, code=event.check_in_code)
    done = v.do_check_out(two, actor=second)
    assert done.minutes == 120
    with pytest.raises(NotAllowed, match="已签退"):
        v.do_check_out(two, actor=second)
    points = Account.objects.get(user=second, currency="points")
    hours = Account.objects.get(user=second, currency="hours")
    assert (points.balance, hours.balance) == (10, 120)  # two hours at 5 points; 120 minutes banked


@pytest.mark.django_db(transaction=True)
def test_never_over_capacity_when_many_sign_up_at_once(committed_city) -> None:  # type: ignore[no-untyped-def]
    staff = User.objects.get(username="community")
    event = activity(staff, capacity=3)
    people = [volunteer(f"v{i}", staff) for i in range(8)]
    outcomes = race(
        len(people), lambda i: v.do_sign_up(Activity.objects.get(pk=event.pk), actor=people[i]).state
    )
    assert sorted(outcomes) == ["signed"] * 3 + ["waiting"] * 5, outcomes
    assert SignUp.objects.filter(activity=event, state=SignUpState.SIGNED).count() == 3


def test_a_resident_books_a_volunteer(db, actor) -> None:  # type: ignore[no-untyped-def]
    """志愿者预约服务: booked, accepted, done; the minutes banked and the hour paid."""
    staff, resident = actor("community"), actor("resident")
    Rule.objects.create(area=community(), key=RuleKey.VOLUNTEER_HOUR, name="志愿服务", points=10)
    plumber = volunteer("plumber1", staff)
    profile = Volunteer.objects.get(user=plumber)
    soon = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(InputError) as bad:
        v.do_book_volunteer(volunteer=profile, skill="lawyer", wanted_at=soon, actor=resident)
    assert bad.value.field == "skill"
    booking = v.do_book_volunteer(
        volunteer=profile, skill="plumber", wanted_at=soon, actor=resident, note="厨房水管漏水"
    )
    with pytest.raises(NotAllowed):
        v.do_answer_booking(booking, accept=True, actor=resident)
    v.do_answer_booking(booking, accept=True, actor=plumber)
    with pytest.raises(NotAllowed, match="还没到"):
        v.do_complete_booking(booking, minutes=90, actor=plumber)
    Booking.objects.filter(pk=booking.pk).update(
        wanted_at=timezone.now() - dt.timedelta(hours=2)
    )  # the day came
    booking.refresh_from_db()
    with pytest.raises(InputError) as short:
        v.do_complete_booking(booking, minutes=5, actor=plumber)
    assert short.value.field == "minutes"
    v.do_complete_booking(booking, minutes=90, actor=plumber)
    with pytest.raises(NotAllowed, match="已服务"):
        v.do_cancel_booking(booking, actor=resident)
    assert Account.objects.get(user=plumber, currency="points").balance == 10
    assert Account.objects.get(user=plumber, currency="hours").balance == 90


@pytest.mark.django_db(transaction=True)
def test_cancelling_and_checking_in_at_once_leave_one_of_them(committed_city) -> None:  # type: ignore[no-untyped-def]
    """A volunteer cancels on one phone while checking in on another: either they are checked in and
    still signed up, or cancelled and not checked in; never a cancelled sign-up that checked in."""
    staff = User.objects.get(username="community")
    for round_ in range(4):
        event = activity(staff, capacity=5)
        person = volunteer(f"race{round_}", staff)
        sign_up = v.do_sign_up(event, actor=person)

        def work(i: int, pk: int = sign_up.pk, who: User = person, code: str = event.check_in_code) -> str:
            mine = SignUp.objects.select_related("activity").get(pk=pk)
            if i == 0:
                return v.do_cancel_sign_up(mine, actor=who).state
            return "in" if v.do_check_in(mine, actor=who, code=code).checked_in_at else "?"

        race(2, work)
        final = SignUp.objects.get(pk=sign_up.pk)
        assert (final.state, final.checked_in_at is None) in [
            (SignUpState.SIGNED, False),
            (SignUpState.CANCELLED, True),
        ], (final.state, final.checked_in_at)


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_are_counted_at_once_and_survive_signing_up_again(committed_city) -> None:  # type: ignore[no-untyped-def]
    staff = User.objects.get(username="community")
    event = activity(staff, capacity=5)
    person = volunteer("guesser", staff)
    sign_up = v.do_sign_up(event, actor=person)
    wrong = "000000" if event.check_in_code != "000000" else "111111"
    with pytest.raises(InputError, match="请输入"):
        v.do_check_in(sign_up, actor=person, code="  ")  # an empty submit costs no try
    outcomes = race(
        8, lambda i: str(v.do_check_in(SignUp.objects.get(pk=sign_up.pk), actor=person, code=wrong))
    )
    assert sum("签到码不对" in o for o in outcomes) == v.WRONG_CODES_ALLOWED, outcomes
    assert sum("请找组织者" in o for o in outcomes) == 8 - v.WRONG_CODES_ALLOWED
    v.do_cancel_sign_up(SignUp.objects.get(pk=sign_up.pk), actor=person)
    again = v.do_sign_up(event, actor=person)
    with pytest.raises(NotAllowed, match="请找组织者"):
        v.do_check_in(again, actor=person, code=event.check_in_code)
    assert v.do_check_in(again, actor=staff).checked_in_at is not None  # the organiser's tick


def test_teams_of_accepted_volunteers(db, actor, client_for) -> None:  # type: ignore[no-untyped-def]
    """志愿服务队: staff form one with an accepted volunteer as leader; volunteers of the area join; the
    talent pool is searched by team; the API and the desk do the same, and a name is taken once."""
    staff = actor("community")
    rider, nurse = volunteer("rider", staff), volunteer("nurse", staff)
    riding, nursing = Volunteer.objects.get(user=rider), Volunteer.objects.get(user=nurse)
    waiting = v.do_register_volunteer(
        user=User.objects.create(username="newbie", display_name="新人"), area=community(), skills=["care"]
    )
    with pytest.raises(NotAllowed):
        v.do_form_team(area=community(), name="先锋骑士", actor=actor("volunteer"))
    with pytest.raises(InputError) as unaccepted:
        v.do_form_team(area=community(), name="先锋骑士", actor=staff, leader=waiting)
    assert unaccepted.value.field == "leader"
    team = v.do_form_team(area=community(), name=" 先锋骑士 ", actor=staff, leader=riding)
    assert team.name == "先锋骑士" and list(team.members.all()) == [riding]
    with pytest.raises(InputError) as taken:
        v.do_form_team(area=community(), name="先锋骑士", actor=staff)
    assert taken.value.field == "name"
    with pytest.raises(InputError):
        v.do_join_team(team, waiting, actor=staff)
    v.do_join_team(team, nursing, actor=rider)  # the leader adds
    v.do_join_team(team, nursing, actor=nurse)  # twice is once
    assert set(talent_pool(DEMO_COMMUNITY, team=team.pk)) == {riding, nursing}
    v.do_leave_team(team, riding, actor=rider)
    team.refresh_from_db()
    assert team.leader is None and list(talent_pool(DEMO_COMMUNITY, team=team.pk)) == [nursing]
    api = client_for("community")
    made = api.post(
        "/api/v1/teams", {"area": DEMO_COMMUNITY, "name": "护理志愿队"}, content_type="application/json"
    )
    assert made.status_code == 201
    joined = api.post(
        f"/api/v1/teams/{made.json()['id']}/members",
        {"volunteer": nursing.pk},
        content_type="application/json",
    )
    assert joined.status_code == 200 and joined.json()["members"] == 1
    listed = api.get(f"/api/v1/teams?area={DEMO_COMMUNITY}").json()
    assert {t["name"] for t in listed} == {"先锋骑士", "护理志愿队"}
    again = api.post(
        "/api/v1/teams", {"area": DEMO_COMMUNITY, "name": "护理志愿队"}, content_type="application/json"
    )
    assert again.status_code == 422
    desk = api.get(f"/areas/{DEMO_COMMUNITY}/participation/?t=volunteers&team={team.pk}").content.decode()
    assert "先锋骑士" in desk and "nurse" in desk
    api.post(f"/areas/{DEMO_COMMUNITY}/teams/form/", {"name": "理发服务队", "volunteer": riding.pk})
    assert Team.objects.get(name="理发服务队").leader == riding
    bad = api.post(
        f"/areas/{DEMO_COMMUNITY}/teams/join/", {"team": "x", "volunteer": nursing.pk}, follow=True
    )
    assert "请选择队伍" in bad.content.decode()
    stranger = api.post(f"/areas/{DEMO_COMMUNITY}/teams/join/", {"team": team.pk, "volunteer": "999999"})
    assert stranger.status_code == 404
    assert (
        client_for("volunteer").post(f"/areas/{DEMO_COMMUNITY}/teams/form/", {"name": "x"}).status_code == 404
    )
