"""The party API: 双报到 by the member and at the desk, accept and decline; 包户 with the quota's 409;
coverage as a recount; out of scope 404, a role without the records 403; masking of the phone and of
party standing; the member's own page."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET
from wangge.party.models import PartyMember, Registration
from wangge.party.selectors import coverage
from wangge.people.models import Household, PartyMemberHousehold


def other_community() -> Area:
    found = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.COMMUNITY).order_by("code").first()
    assert found is not None
    return found


def enrol(client, name: str = "王在职", phone: str = "13900001111") -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/party/enrolments",
        {"name": name, "phone": phone, "community": DEMO_COMMUNITY, "workplace": "区财政局"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_register_accept_and_decline(client_for):
    person = User.objects.create_user(username="newparty", display_name="钱党员")
    mine = Client()
    mine.force_login(person)
    sent = mine.post(
        "/api/v1/party/registrations",
        {"community": DEMO_COMMUNITY, "workplace": "区税务局", "phone": "13900002222", "offer": "周末"},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    row = sent.json()
    assert row["state"] == "pending" and row["member"]["standing"] == "full"
    assert (
        mine.post(
            "/api/v1/party/registrations",
            {"community": DEMO_COMMUNITY, "workplace": "x"},
            content_type="application/json",
        ).status_code
        == 409
    )

    staff = client_for("community")
    waiting = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/registrations").json()
    assert row["id"] in [r["id"] for r in waiting]
    # the phone is masked to the staff too, unless the member shows it
    shown = next(r for r in waiting if r["id"] == row["id"])
    assert shown["member"]["phone"] == "139****2222"
    accepted = staff.post(f"/api/v1/party/registrations/{row['id']}/acceptance")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert staff.post(f"/api/v1/party/registrations/{row['id']}/acceptance").status_code == 409

    other = User.objects.create_user(username="newparty2", display_name="孙党员")
    theirs = Client()
    theirs.force_login(other)
    second = theirs.post(
        "/api/v1/party/registrations",
        {"community": DEMO_COMMUNITY, "workplace": "区税务局"},
        content_type="application/json",
    ).json()
    empty = staff.post(
        f"/api/v1/party/registrations/{second['id']}/decline", {"reason": ""}, content_type="application/json"
    )
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "reason"
    declined = staff.post(
        f"/api/v1/party/registrations/{second['id']}/decline",
        {"reason": "不住本社区"},
        content_type="application/json",
    )
    assert declined.json()["state"] == "declined"


def test_bad_registration_names_the_field(client_for):
    client = client_for("volunteer")
    unknown = client.post(
        "/api/v1/party/registrations", {"community": "999", "workplace": "x"}, content_type="application/json"
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "community"
    future = client.post(
        "/api/v1/party/registrations",
        {
            "community": DEMO_COMMUNITY,
            "workplace": "x",
            "joined_on": str(timezone.localdate() + dt.timedelta(days=3)),
        },
        content_type="application/json",
    )
    assert future.status_code == 422 and future.json()["detail"][0]["loc"][-1] == "joined_on"
    unit = client.post(
        "/api/v1/party/registrations",
        {"community": DEMO_COMMUNITY, "unit": "NOPE"},
        content_type="application/json",
    )
    assert unit.status_code == 422 and unit.json()["detail"][0]["loc"][-1] == "unit"
    assert not Registration.objects.filter(member__user__username="volunteer").exists()


def test_enrol_at_the_desk_gives_a_first_password_once(client_for):
    row = enrol(client_for("community"))
    assert row["state"] == "accepted" and row["initial_password"]
    assert User.objects.get(username="13900001111").check_password(row["initial_password"])
    # a party member of the community may not enrol others
    assert (
        client_for("party")
        .post(
            "/api/v1/party/enrolments",
            {"name": "某", "phone": "13900003333", "community": DEMO_COMMUNITY, "workplace": "x"},
            content_type="application/json",
        )
        .status_code
        == 409
    )
    outside = client_for("community").post(
        "/api/v1/party/enrolments",
        {"name": "某", "phone": "13900003333", "community": other_community().code, "workplace": "x"},
        content_type="application/json",
    )
    assert outside.status_code == 404


def test_assign_within_the_quota_and_coverage(client_for):
    staff = client_for("community")
    row = enrol(staff)
    waiting = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/candidates?limit=9").json()
    assert waiting[0]["special"] and waiting[0]["care_tags"]
    assert [w["special"] for w in waiting] == sorted((w["special"] for w in waiting), reverse=True)
    before = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}").json()["coverage"]
    for w in waiting[:8]:
        made = staff.post(
            f"/api/v1/party/registrations/{row['id']}/households",
            {"household": w["id"]},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
    over = staff.post(
        f"/api/v1/party/registrations/{row['id']}/households",
        {"household": waiting[8]["id"]},
        content_type="application/json",
    )
    assert over.status_code == 409 and "至多包8户" in over.json()["detail"]
    after = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}").json()["coverage"]
    assert after["covered"] == before["covered"] + 8
    assert after["special_covered"] == before["special_covered"] + sum(w["special"] for w in waiting[:8])
    assert after == coverage(DEMO_COMMUNITY).to_dict()
    # the members list counts them
    listed = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/members").json()
    assert next(r for r in listed if r["id"] == row["id"])["households"] == 8
    # release with a reason
    released = staff.post(
        f"/api/v1/party/households/{waiting[0]['id']}/release",
        {"reason": "搬走"},
        content_type="application/json",
    )
    assert released.status_code == 200
    assert not PartyMemberHousehold.objects.filter(household_id=waiting[0]["id"]).exists()


def test_out_of_scope_is_404_and_a_role_without_records_403(client_for, outside_household):
    staff = client_for("community")
    other = other_community().code
    for path in ("", "/orgs", "/members", "/registrations", "/candidates", "/pledges", "/posts", "/grids"):
        assert staff.get(f"/api/v1/party/areas/{other}{path}").status_code == 404, path
    row = enrol(staff)
    assert (
        staff.post(
            f"/api/v1/party/registrations/{row['id']}/households",
            {"household": outside_household.pk},
            content_type="application/json",
        ).status_code
        == 404
    )
    foreign = Registration.objects.filter(community_code=other).first()
    assert foreign is not None
    assert staff.post(f"/api/v1/party/registrations/{foreign.pk}/acceptance").status_code == 404
    assert (
        staff.post(
            f"/api/v1/party/households/{outside_household.pk}/release",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    worker = client_for("gridworker")
    assert worker.get(f"/api/v1/party/areas/{DEMO_GRID}/members").status_code == 403
    assert worker.get(f"/api/v1/party/areas/{DEMO_GRID}/candidates").status_code == 403
    assert client_for("resident").get(f"/api/v1/party/areas/{DEMO_COMMUNITY}").status_code == 404


def test_party_standing_is_for_those_who_keep_the_records(client_for):
    staff = client_for("community")
    enrol(staff)
    members = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/members").json()
    assert all("standing" in r["member"] for r in members)
    # a member of the community sees the pledge board, with names and masked phones, never standing
    board = client_for("party").get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/pledges").json()
    assert board and all("standing" not in p for p in board)
    hidden = [
        p
        for p in board
        if not PartyMember.objects.get(user__display_name=p["member"], pledges=p["id"]).show_phone
    ]
    assert hidden and all("****" in p["phone"] for p in hidden)


def test_my_page_and_phone_choice(client_for):
    party = client_for("party")
    mine = party.get("/api/v1/party/me").json()
    ids = set(
        PartyMemberHousehold.objects.filter(membership__user__username="party").values_list(
            "household_id", flat=True
        )
    )
    assert {h["id"] for h in mine["households"]} == ids
    assert mine["registration"]["community"] == DEMO_COMMUNITY
    for h in mine["households"]:
        household = Household.objects.get(pk=h["id"])
        assert h["visit_due"] == (
            household.next_visit_on is not None and household.next_visit_on <= timezone.localdate()
        )
    shown = party.put("/api/v1/party/me/phone-shown", {"show": True}, content_type="application/json")
    assert shown.status_code == 200 and "****" not in shown.json()["phone"]
    assert PartyMember.objects.get(user__username="party").show_phone
    assert (
        client_for("resident")
        .put("/api/v1/party/me/phone-shown", {"show": True}, content_type="application/json")
        .status_code
        == 404
    )
    nobody = client_for("resident").get("/api/v1/party/me").json()
    assert nobody == {"member": None, "registration": None, "households": []}


def test_pledge_made_and_kept_by_the_member(client_for):
    party = client_for("party")
    due = str(timezone.localdate() + dt.timedelta(days=20))
    made = party.post(
        "/api/v1/party/pledges",
        {"text": "每周给楼栋老人送一次药", "due_on": due},
        content_type="application/json",
    )
    assert made.status_code == 201
    pledge = made.json()
    assert pledge["state"] == "open" and not pledge["overdue"]
    assert (
        client_for("volunteer")
        .post(f"/api/v1/party/pledges/{pledge['id']}/kept", {"result": "x"}, content_type="application/json")
        .status_code
        == 409
    )
    kept = party.post(
        f"/api/v1/party/pledges/{pledge['id']}/kept", {"result": "送药4次"}, content_type="application/json"
    )
    assert kept.json()["state"] == "kept"
    assert (
        client_for("resident")
        .post("/api/v1/party/pledges", {"text": "x", "due_on": due}, content_type="application/json")
        .status_code
        == 404
    )


def test_cobuilding_and_a_hard_case_through_the_api(client_for):
    staff = client_for("community")
    org = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/orgs").json()
    committee = next(o for o in org if o["area"] == DEMO_COMMUNITY and o["kind"] == "committee")
    unit = Unit.objects.filter(area__code=DEMO_COMMUNITY[:6]).order_by("code").first()
    assert unit is not None
    joined = staff.post(
        f"/api/v1/party/orgs/{committee['id']}/units", {"unit": unit.code}, content_type="application/json"
    )
    assert joined.status_code in (201, 409)
    signed = staff.post(
        f"/api/v1/party/orgs/{committee['id']}/agreements",
        {
            "unit": unit.code,
            "title": "共建协议",
            "signed_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=300)),
            "commitments": [{"title": "义诊", "topic": "health", "kind": "skill", "capacity": 10}],
        },
        content_type="application/json",
    )
    assert signed.status_code == 201, signed.content
    offer = signed.json()["offers"][0]
    listed = staff.get(f"/api/v1/lists/offers?area={DEMO_COMMUNITY}").json()
    assert any(o["id"] == offer and o["provider"] == unit.name for o in listed)
    shown = staff.get(f"/api/v1/party/orgs/{committee['id']}/cobuilding").json()
    assert any(
        a["title"] == "共建协议" and a["commitments"][0]["state"] == "open" for a in shown["agreements"]
    )

    leader = (
        Membership.objects.filter(role=Role.LEADER, area__code=DEMO_COMMUNITY[:9])
        .select_related("user")
        .first()
    )
    assert leader is not None
    made = staff.post(
        "/api/v1/party/cases",
        {"area": DEMO_COMMUNITY, "title": "加装电梯意见不一", "leader": leader.user.username},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    case_id = made.json()["id"]
    step = staff.post(
        f"/api/v1/party/cases/{case_id}/steps",
        {"text": "召开协商会", "owner": "gridworker", "due_on": str(timezone.localdate())},
        content_type="application/json",
    )
    assert step.status_code == 201
    early = client_for("gridworker").post(
        f"/api/v1/party/cases/{case_id}/solved", {"result": "好了"}, content_type="application/json"
    )
    assert early.status_code == 409
    done = client_for("gridworker").post(
        f"/api/v1/party/cases/{case_id}/steps/{step.json()['id']}/done",
        {"note": "开了"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["done_at"]
    bad = staff.post(
        "/api/v1/party/cases",
        {"area": DEMO_COMMUNITY, "title": "x", "leader": "gridworker"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "leader"
    other = other_community().code
    assert staff.get(f"/api/v1/party/areas/{other}/cases").status_code == 404
    assert client_for("resident").get(f"/api/v1/party/cases/{case_id}").status_code == 404
    # a party member of the community sees neither the hard cases nor who of the grid staff is a member
    party = client_for("party")
    assert party.get(f"/api/v1/party/cases/{case_id}").status_code == 404
    assert party.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/cases").status_code == 403
    assert party.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/grids").status_code == 403
    # a step's owner reads the case it is in
    assert client_for("gridworker").get(f"/api/v1/party/cases/{case_id}").status_code == 200
    # refusals come before any lookup of the names given
    assert (
        party.post(
            "/api/v1/party/cases",
            {"area": DEMO_COMMUNITY, "title": "x", "leader": "nobody"},
            content_type="application/json",
        ).status_code
        == 409
    )
    report = staff.get(f"/api/v1/party/areas/{DEMO_COMMUNITY}/service?year={timezone.localdate().year}")
    assert report.status_code == 200 and report.json()["members"]
    assert (
        client_for("gridworker").get(f"/api/v1/party/areas/{DEMO_GRID}/service?year=2026").status_code == 403
    )
