"""The volunteering API (issue 21): a resident registers and is accepted, the organiser publishes and
sees the check-in code, the volunteer signs up, checks in and out and earns; out of scope is 404."""

import datetime as dt

from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET
from wangge.points.models import Account, Rule, RuleKey
from wangge.volunteering.actions import do_accept_volunteer, do_register_volunteer
from wangge.volunteering.models import Activity, Booking


def test_from_registration_to_check_out(db, client_for) -> None:  # type: ignore[no-untyped-def]
    Rule.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), key=RuleKey.VOLUNTEER_HOUR, name="志愿服务", points=5
    )
    resident, staff = client_for("resident"), client_for("community")
    bad = resident.post("/api/v1/volunteers", {"skills": ["astronaut"]}, content_type="application/json")
    assert bad.status_code == 422 and "skills" in str(bad.json())
    me = resident.post(
        "/api/v1/volunteers", {"skills": ["plumber"], "availability": "周末"}, content_type="application/json"
    )
    assert me.status_code == 201 and me.json()["accepted"] is False
    waiting = staff.get(f"/api/v1/volunteers?area={DEMO_COMMUNITY}&waiting=true").json()
    assert [w["id"] for w in waiting] == [me.json()["id"]]
    assert staff.post(f"/api/v1/volunteers/{me.json()['id']}/acceptance").json()["accepted"] is True
    start = timezone.now() + dt.timedelta(minutes=20)
    published = staff.post(
        "/api/v1/activities",
        {
            "area": DEMO_COMMUNITY,
            "title": "清洁家园",
            "place": "中心广场",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
            "capacity": 5,
        },
        content_type="application/json",
    )
    assert published.status_code == 201
    event = published.json()
    listed = resident.get("/api/v1/activities").json()
    assert [a["id"] for a in listed] == [event["id"]] and "check_in_code" not in listed[0]
    assert (
        resident.post(f"/api/v1/activities/{event['id']}/sign-ups").json()["my_sign_up"]["state"] == "signed"
    )
    wrong = resident.post(
        f"/api/v1/activities/{event['id']}/check-in", {"code": "x"}, content_type="application/json"
    )
    assert wrong.status_code == 422
    resident.post(
        f"/api/v1/activities/{event['id']}/check-in",
        {"code": event["check_in_code"]},
        content_type="application/json",
    )
    out = resident.post(f"/api/v1/activities/{event['id']}/check-out")
    assert out.status_code == 200 and out.json()["my_sign_up"]["minutes"] == 60
    points = Account.objects.get(user__username="resident", kind="person", currency="points")
    assert points.balance == 5


def test_an_activity_elsewhere_is_404(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    elsewhere = Area.objects.filter(code__startswith=OTHER_STREET, level="community").earliest("code")
    start = timezone.now() + dt.timedelta(days=1)
    event = Activity.objects.create(
        area=elsewhere,
        area_code=elsewhere.code,
        title="别处的活动",
        place="别处",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=3,
        organiser=actor("district"),
        check_in_code="123456",
    )
    for user in ("volunteer", "party", "community"):
        assert client_for(user).post(f"/api/v1/activities/{event.pk}/sign-ups").status_code == 404
    assert client_for("community").get("/api/v1/volunteers?area=210104002").status_code == 404
    assert client_for("volunteer").get(f"/api/v1/volunteers?area={DEMO_COMMUNITY}").status_code == 403


def test_a_resident_books_a_volunteer_of_their_community(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    here = Area.objects.get(code=DEMO_COMMUNITY)
    do_accept_volunteer(
        do_register_volunteer(user=actor("volunteer"), area=here, skills=["barber"]), actor=actor("community")
    )
    resident, barber = client_for("resident"), client_for("volunteer")
    offered = resident.get("/api/v1/volunteers/available?skill=barber").json()
    assert len(offered) == 1 and offered[0]["name"].endswith("*")
    when = (timezone.now() + dt.timedelta(days=2)).isoformat()
    booked = resident.post(
        "/api/v1/bookings",
        {"volunteer": offered[0]["id"], "skill": "barber", "wanted_at": when, "note": "上门理发"},
        content_type="application/json",
    )
    assert booked.status_code == 201
    mine = barber.get("/api/v1/bookings").json()
    assert [b["id"] for b in mine] == [booked.json()["id"]] and mine[0]["mine"] is False
    assert (
        barber.post(
            f"/api/v1/bookings/{mine[0]['id']}/answer", {"accept": True}, content_type="application/json"
        ).json()["state"]
        == "accepted"
    )
    Booking.objects.filter(pk=mine[0]["id"]).update(
        wanted_at=timezone.now() - dt.timedelta(hours=1)
    )  # the day came
    done = barber.post(
        f"/api/v1/bookings/{mine[0]['id']}/done", {"minutes": 45}, content_type="application/json"
    )
    assert done.json()["state"] == "done"
    assert client_for("party").post(f"/api/v1/bookings/{mine[0]['id']}/cancel").status_code == 404


def test_a_time_without_its_zone_is_refused_naming_the_field(db, client_for) -> None:  # type: ignore[no-untyped-def]
    naive = client_for("community").post(
        "/api/v1/activities",
        {
            "area": DEMO_COMMUNITY,
            "title": "清洁家园",
            "place": "中心广场",
            "starts_at": "2030-05-01T09:00:00",
            "ends_at": "2030-05-01T11:00:00",
            "capacity": 5,
        },
        content_type="application/json",
    )
    assert naive.status_code == 422 and "starts_at" in str(naive.json())
