"""Issue 21's pages: the phone's 邻里互助 (心愿墙, 志愿活动, 我的积分, 核销) and the desk's 共建 — who reaches
them, what they do, the errors they name, 404 out of scope, and queries that do not grow with rows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET, png_bytes
from wangge.lists import actions as lists
from wangge.lists.models import ItemState, Need, Offer, Topic, Wish, WishState
from wangge.people.models import Resident
from wangge.points import actions as points
from wangge.points.models import Account, Redemption, Rule, RuleKey
from wangge.visits.selectors import contact_households
from wangge.volunteering import actions as v
from wangge.volunteering.actions import WRONG_CODES_ALLOWED
from wangge.volunteering.models import Activity, SignUp, Volunteer


def community() -> Area:
    return Area.objects.get(code=DEMO_COMMUNITY)


def the_resident() -> Resident:
    return Resident.objects.select_related("household__area").get(user__username="resident")


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("proof.png", png_bytes(), content_type="image/png")


def enrolled(user: User) -> User:
    """The demo volunteer, registered and accepted as the activities require."""
    if not hasattr(user, "volunteer"):
        v.do_accept_volunteer(
            v.do_register_volunteer(user=user, area=community(), skills=["plumber"]),
            actor=User.objects.get(username="community"),
        )
    return user


def soon(staff: User, title: str, *, hours: int, capacity: int) -> Activity:
    """An activity starting in half an hour: check-in is open."""
    start = timezone.now() + dt.timedelta(minutes=30)
    return v.do_publish_activity(
        area=community(),
        title=title,
        place="小区中心广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
        actor=staff,
    )


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_each_persona_reaches_the_neighbours_pages_by_tapping(client_for) -> None:  # type: ignore[no-untyped-def]
    resident = client_for("resident").get("/h5/").content.decode()
    assert 'data-nav="neighbours"' in resident and "便民服务" in resident
    party = client_for("party").get("/field/").content.decode()
    assert 'data-tab="neighbours"' in party and "/h5/wishes/" in party
    wall = client_for("party").get("/h5/wishes/").content.decode()
    assert "我的包户" in wall and "我要反映" not in wall  # the party member's own way home
    desk = client_for("community").get("/workbench/").content.decode()
    assert f"/areas/{DEMO_COMMUNITY}/participation/" in desk
    unit = client_for("unit").get("/workbench/").content.decode()
    assert "需求清单" in unit


def test_wish_from_the_phone_to_the_party_members_points(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    Rule.objects.create(area=community(), key=RuleKey.WISH, name="圆梦微心愿", points=20)
    resident, party = client_for("resident"), client_for("party")
    bad = resident.post("/h5/wishes/new/", {"text": "想要一台收音机", "value": "5000"})
    assert (
        bad.status_code == 422 and "元" in bad.content.decode() and 'id="err-value"' in bad.content.decode()
    )
    assert not Wish.objects.exists()
    made = resident.post("/h5/wishes/new/", {"text": "想要一台收音机", "value": "80"})
    wish = Wish.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/h5/wishes/{wish.pk}/"
    page = party.get(f"/h5/wishes/{wish.pk}/").content.decode()
    assert 'data-testid="claim"' in page and the_resident().name not in page
    assert party.post(f"/h5/wishes/{wish.pk}/claim/").status_code == 302
    again = client_for("volunteer").post(f"/h5/wishes/{wish.pk}/claim/")
    assert again.status_code == 409 and "已认领" in again.content.decode()
    no_photo = party.post(f"/h5/wishes/{wish.pk}/fulfil/", {"note": "送到了"})
    assert no_photo.status_code == 422 and "请拍一张送达的照片" in no_photo.content.decode()
    assert party.post(f"/h5/wishes/{wish.pk}/fulfil/", {"proof": photo()}).status_code == 302
    assert 'data-testid="confirm"' in resident.get(f"/h5/wishes/{wish.pk}/").content.decode()
    proof = resident.get(f"/h5/wishes/{wish.pk}/proof.jpg")
    assert proof.status_code == 200 and proof["Content-Type"] == "image/png"
    assert resident.get(f"/h5/wishes/{wish.pk}/photo.jpg").status_code == 404  # posted without one
    assert resident.post(f"/h5/wishes/{wish.pk}/confirm/").status_code == 302
    assert Wish.objects.get().state == WishState.CONFIRMED
    mine = party.get("/h5/points/").content.decode()
    assert '<b class="points-big">20</b>' in mine and "收音机" in mine
    assert "想要一台收音机" in resident.get("/h5/wishes/?mine=1").content.decode()
    assert "想要一台收音机" not in client_for("volunteer").get("/h5/wishes/?mine=1").content.decode()


def test_the_wall_masks_names_and_a_party_members_households_show_their_wishes(  # type: ignore[no-untyped-def]
    client_for, actor
) -> None:
    party = actor("party")
    household = contact_households(party).first()
    assert household is not None
    elder = household.residents.order_by("pk").first()
    assert elder is not None
    wish = lists.do_post_wish(resident=elder, text="想要一副老花镜", value=60, actor=actor("community"))
    wall = client_for("volunteer").get("/h5/wishes/").content.decode()
    assert "老花镜" in wall and elder.name not in wall
    home = client_for("party").get("/field/").content.decode()
    assert f'data-testid="wishes-of-{household.pk}"' in home and f"/h5/wishes/{wish.pk}/" in home


def test_out_of_scope_is_404(client_for, actor, outside_resident) -> None:  # type: ignore[no-untyped-def]
    there = User.objects.create(username="there", display_name="外街社工")
    Membership.objects.create(user=there, area=outside_resident.household.area, role=Role.COMMUNITY_STAFF)
    far = lists.do_post_wish(resident=outside_resident, text="想要书", value=20, actor=there)
    party = client_for("party")
    assert party.get(f"/h5/wishes/{far.pk}/").status_code == 404
    assert party.post(f"/h5/wishes/{far.pk}/claim/").status_code == 404
    assert party.get("/h5/wishes/999999/").status_code == 404
    assert party.get(f"/h5/wishes/{far.pk}/proof.jpg").status_code == 404
    assert client_for("community").get(f"/areas/{OTHER_STREET}/participation/").status_code == 404
    assert client_for("resident").get(f"/areas/{DEMO_COMMUNITY}/participation/").status_code == 404
    assert client_for("gridworker").get(f"/areas/{DEMO_COMMUNITY}/participation/").status_code == 404
    assert client_for("resident").get("/points/hand-over/").status_code == 404
    assert client_for("resident").post("/h5/points/redeem/999999/").status_code == 404
    assert client_for("volunteer").post("/h5/activities/999999/sign-up/").status_code == 404


def test_a_unit_claims_a_need_and_staff_start_a_project_from_a_suggestion(  # type: ignore[no-untyped-def]
    client_for, actor
) -> None:
    staff = actor("community")
    need = lists.do_post_need(
        area=community(), topic=Topic.ELDERLY, title="独居老人陪护", people=12, actor=staff
    )
    offer = lists.do_post_offer(
        area=community(),
        topic=Topic.ELDERLY,
        title="护理志愿队周末陪护",
        kind="hours",
        capacity=3,
        actor=staff,
    )
    unit = client_for("unit")
    page = unit.get(f"/areas/{DEMO_COMMUNITY}/participation/").content.decode()
    assert (
        "独居老人陪护" in page and 'data-testid="claim-need"' in page and 'data-testid="offers"' not in page
    )
    assert (
        unit.get(f"/areas/{DEMO_COMMUNITY}/participation/?t=points").content.decode().count("积分规则") == 0
    )
    assert unit.post(f"/areas/{DEMO_COMMUNITY}/participation/claim-need/{need.pk}/").status_code == 302
    assert Need.objects.get(pk=need.pk).claimed_by_unit is not None
    assert (
        "已被认领"
        in unit.post(
            f"/areas/{DEMO_COMMUNITY}/participation/claim-need/{need.pk}/", follow=True
        ).content.decode()
    )
    desk = client_for("community")
    hint = desk.get(f"/needs/{need.pk}/suggestions/?area={DEMO_COMMUNITY}").content.decode()
    assert "护理志愿队周末陪护" in hint and "同一社区" in hint and "同为" in hint
    today = timezone.localdate()
    bad = desk.post(
        f"/areas/{DEMO_COMMUNITY}/participation/start/{need.pk}/",
        {"offers": [offer.pk], "starts_on": "明天", "ends_on": str(today)},
        follow=True,
    )
    assert "开始日期请按 年-月-日 填写" in bad.content.decode() and not need.projects.exists()
    desk.post(
        f"/areas/{DEMO_COMMUNITY}/participation/start/{need.pk}/",
        {"offers": [offer.pk], "starts_on": str(today), "ends_on": str(today + dt.timedelta(days=30))},
    )
    assert need.projects.count() == 1 and Offer.objects.get(pk=offer.pk).capacity == 2
    other = lists.do_post_offer(
        area=community(), topic=Topic.REPAIR, title="电工义务维修", kind="skill", capacity=5, actor=staff
    )
    desk.post(f"/areas/{DEMO_COMMUNITY}/participation/claim-offer/{other.pk}/")
    assert Offer.objects.get(pk=other.pk).state == ItemState.CLAIMED


def test_activity_sign_up_check_in_with_a_limit_on_wrong_codes(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    event = soon(staff, "清洁家园", hours=2, capacity=1)
    enrolled(actor("volunteer"))
    volunteer = client_for("volunteer")
    assert volunteer.post(f"/h5/activities/{event.pk}/sign-up/").status_code == 302
    page = volunteer.get("/h5/activities/").content.decode()
    assert 'data-testid="check-in"' in page and event.check_in_code not in page  # not the organiser
    assert event.check_in_code in client_for("community").get("/h5/activities/").content.decode()
    wrong = "000000" if event.check_in_code != "000000" else "111111"
    for _ in range(WRONG_CODES_ALLOWED):
        volunteer.post(f"/h5/activities/{event.pk}/check-in/", {"code": wrong})
    refused = volunteer.post(
        f"/h5/activities/{event.pk}/check-in/", {"code": event.check_in_code}, follow=True
    )
    assert "请找组织者代为签到" in refused.content.decode()
    sign_up = SignUp.objects.get(activity=event)
    assert sign_up.checked_in_at is None and sign_up.wrong_codes == WRONG_CODES_ALLOWED
    organiser = client_for("community")
    assert f"/h5/activities/{event.pk}/roster/" in organiser.get("/h5/activities/").content.decode()
    assert volunteer.get(f"/h5/activities/{event.pk}/roster/").status_code == 404
    roster = organiser.get(f"/h5/activities/{event.pk}/roster/").content.decode()
    assert f'data-testid="tick-{sign_up.pk}"' in roster
    assert organiser.post(f"/h5/activities/{event.pk}/roster/", {"sign_up": "x"}).status_code == 404
    organiser.post(f"/h5/activities/{event.pk}/roster/", {"sign_up": sign_up.pk})  # the organiser ticks
    assert SignUp.objects.get(pk=sign_up.pk).checked_in_at is not None
    done = volunteer.post(f"/h5/activities/{event.pk}/check-out/", follow=True).content.decode()
    assert "签退成功，记服务时长2小时" in done


def test_redeem_on_the_phone_and_hand_over_once_at_the_desk(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    staff, keeper = actor("community"), actor("gridworker")
    store = points.do_open_store(area=community(), name="幸福积分超市", actor=staff, keepers=[keeper])
    item = points.do_shelve_item(store=store, name="毛巾", price=15, stock=1, actor=staff)
    resident = client_for("resident")
    short = resident.post(f"/h5/points/redeem/{item.pk}/", follow=True).content.decode()
    assert "余额不足：需要15分，现有0分" in short
    account = points.person_account(actor("resident"), community())
    award = points.do_propose_award(account=account, amount=20, reason="清洁户", actor=staff)
    points.do_decide_award(award=award, approve=True, actor=actor("street"))
    resident.post(f"/h5/points/redeem/{item.pk}/")
    code = Redemption.objects.get().code
    assert code in resident.get("/h5/points/").content.decode()
    desk = client_for("gridworker")
    assert 'data-tab="hand_over"' not in resident.get("/h5/points/").content.decode()
    assert desk.post("/points/hand-over/", {"store": store.pk, "code": "1234"}).status_code == 422
    assert (
        'data-testid="handed"'
        in desk.post("/points/hand-over/", {"store": store.pk, "code": code}).content.decode()
    )
    twice = desk.post("/points/hand-over/", {"store": store.pk, "code": code})
    assert twice.status_code == 422
    assert Account.objects.get(pk=account.pk).balance == 5


def test_volunteers_and_awards_are_decided_on_the_desk(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    person = User.objects.create(username="laozhang", display_name="老张")
    volunteer = v.do_register_volunteer(user=person, area=community(), skills=["lawyer"])
    desk = client_for("community")
    page = desk.get(f"/areas/{DEMO_COMMUNITY}/participation/?t=volunteers").content.decode()
    assert "老张" in page and "律师" in page
    desk.post(f"/areas/{DEMO_COMMUNITY}/volunteers/{volunteer.pk}/accept/")
    pool = desk.get(f"/areas/{DEMO_COMMUNITY}/participation/?t=volunteers&skill=lawyer").content.decode()
    assert "已审核 " in pool and "老张" in pool
    account = points.person_account(person, community())
    award = points.do_propose_award(account=account, amount=30, reason="调解邻里纠纷", actor=staff)
    own = desk.post(f"/areas/{DEMO_COMMUNITY}/awards/{award.pk}/", {"approve": "1"}, follow=True)
    assert "提出人以外" in own.content.decode()  # not by its proposer
    client_for("street").post(f"/areas/{DEMO_COMMUNITY}/awards/{award.pk}/", {"approve": "1"})
    assert Account.objects.get(pk=account.pk).balance == 30
    assert client_for("community").post(f"/areas/{OTHER_STREET}/awards/{award.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("volunteer", "/h5/wishes/"),
        ("resident", "/h5/wishes/?mine=1"),
        ("volunteer", "/h5/activities/"),
        ("resident", "/h5/points/"),
        ("party", "/field/"),
        ("community", f"/areas/{DEMO_COMMUNITY}/participation/"),
        ("community", f"/areas/{DEMO_COMMUNITY}/participation/?t=wishes"),
        ("community", f"/areas/{DEMO_COMMUNITY}/participation/?t=volunteers"),
        ("community", f"/areas/{DEMO_COMMUNITY}/participation/?t=points"),
    ],
)
def test_pages_answer_in_queries_that_do_not_grow(client_for, actor, username: str, url: str) -> None:  # type: ignore[no-untyped-def]
    staff, resident = actor("community"), actor("resident")
    start = timezone.now() + dt.timedelta(days=1)
    store = points.do_open_store(area=community(), name="积分超市", actor=staff)

    def add(n: int) -> None:
        for i in range(n):
            wish = lists.do_post_wish(resident=the_resident(), text=f"心愿{i}", value=10, actor=resident)
            lists.do_claim_wish(wish, actor=actor("party"))
            lists.do_post_need(area=community(), topic=Topic.ELDERLY, title=f"需求{i}", actor=staff)
            lists.do_post_offer(
                area=community(), topic=Topic.ELDERLY, title=f"资源{i}", kind="hours", actor=staff
            )
            event = v.do_publish_activity(
                area=community(),
                title=f"活动{i}",
                place="广场",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                capacity=5,
                actor=staff,
            )
            v.do_sign_up(event, actor=enrolled(actor("volunteer")))
            points.do_shelve_item(store=store, name=f"物品{i}", price=1, stock=3, actor=staff)
            person = User.objects.create(username=f"p{i}-{Need.objects.count()}", display_name=f"居民{i}")
            joined = v.do_accept_volunteer(
                v.do_register_volunteer(user=person, area=community(), skills=["doctor"]), actor=staff
            )
            v.do_form_team(area=community(), name=f"服务队{person.pk}", actor=staff, leader=joined)
            v.do_register_volunteer(
                user=User.objects.create(username=f"w{person.pk}", display_name="待审"),
                area=community(),
                skills=["nurse"],
            )
            account = points.person_account(person, community())
            points.do_propose_award(account=account, amount=5, reason="好人好事", actor=staff)

    client = client_for(username)
    add(2)
    before = queries(client, url)
    add(5)
    assert queries(client, url) == before


def test_a_grid_worker_wishes_for_an_elderly_resident_from_the_household_page(  # type: ignore[no-untyped-def]
    client_for, grid_resident, outside_household
) -> None:
    household = grid_resident.household
    worker = client_for("gridworker")
    page = worker.get(f"/field/households/{household.pk}/").content.decode()
    assert f"/h5/wishes/new/?household={household.pk}" in page
    form = worker.get(f"/h5/wishes/new/?household={household.pk}").content.decode()
    assert grid_resident.name in form and 'name="resident"' in form
    several = household.residents.count() > 1
    if several:
        unnamed = worker.post(
            "/h5/wishes/new/", {"household": household.pk, "text": "想要助行器", "value": "90"}
        )
        assert unnamed.status_code == 422 and "请选择为哪位居民许愿" in unnamed.content.decode()
    made = worker.post(
        "/h5/wishes/new/",
        {"household": household.pk, "resident": grid_resident.pk, "text": "想要助行器", "value": "90"},
    )
    wish = Wish.objects.get(text="想要助行器")
    assert (
        made.status_code == 302 and wish.resident == grid_resident and wish.posted_by.username == "gridworker"
    )
    assert f"/h5/wishes/{wish.pk}/" in worker.get(f"/field/households/{household.pk}/").content.decode()
    assert client_for("party").get(f"/h5/wishes/new/?household={household.pk}").status_code == 404
    assert worker.get(f"/h5/wishes/new/?household={outside_household.pk}").status_code == 404
    assert worker.get("/h5/wishes/new/?household=²").status_code == 404
    assert worker.get(f"/field/households/{household.pk}/?logged=²").status_code == 200
    assert client_for("volunteer").get("/h5/wishes/new/").status_code == 404  # no home of their own here


def test_what_a_review_found_stays_mended(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    """Bad ids answer 404, not 500; objects are looked up in the page's area; the 送达 photo and note
    are for those close to the wish; a withdrawn wish is gone for the rest; an activity checked in to
    stays on the page until checked out, after its end."""
    staff, resident = actor("community"), actor("resident")
    phone = client_for("resident")
    item_store = points.do_open_store(area=community(), name="积分超市", actor=staff)
    item = points.do_shelve_item(store=item_store, name="毛巾", price=1, stock=5, actor=staff)
    hours = points.person_account(resident, community(), currency="hours")
    assert phone.post(f"/h5/points/redeem/{item.pk}/", {"account": "abc"}).status_code == 404
    assert phone.post(f"/h5/points/redeem/{item.pk}/", {"account": str(hours.pk)}).status_code == 404
    need = lists.do_post_need(area=community(), topic=Topic.ELDERLY, title="陪护", actor=staff)
    desk = client_for("community")
    odd = desk.post(
        f"/areas/{DEMO_COMMUNITY}/participation/start/{need.pk}/",
        {"offers": ["²", "9" * 40], "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
    )
    assert odd.status_code == 302
    assert client_for("party").get(f"/needs/{need.pk}/suggestions/?area={DEMO_COMMUNITY}").status_code == 404
    other = (
        Area.objects.filter(level="community", code__startswith=DEMO_COMMUNITY[:9])
        .exclude(code=DEMO_COMMUNITY)
        .first()
    )
    assert other is not None  # the street has several communities
    far_offer = lists.do_post_offer(
        area=other, topic=Topic.ELDERLY, title="别处的资源", kind="hours", actor=actor("street")
    )
    claim = f"/areas/{DEMO_COMMUNITY}/participation/claim-offer/{far_offer.pk}/"
    assert desk.post(claim).status_code == 404  # seen by the street, not this community's page
    wish = lists.do_post_wish(resident=the_resident(), text="想要收音机", value=50, actor=resident)
    lists.do_claim_wish(wish, actor=actor("party"))
    lists.do_fulfil_wish(wish, actor=actor("party"), proof=photo(), note="送到3楼东户")
    neighbour = client_for("volunteer")
    page = neighbour.get(f"/h5/wishes/{wish.pk}/").content.decode()
    assert "送到3楼东户" not in page and "proof.jpg" not in page
    assert neighbour.get(f"/h5/wishes/{wish.pk}/proof.jpg").status_code == 404
    assert "送到3楼东户" in phone.get(f"/h5/wishes/{wish.pk}/").content.decode()
    gone = lists.do_post_wish(resident=the_resident(), text="不要了", value=10, actor=resident)
    lists.do_withdraw_wish(gone, actor=resident)
    assert neighbour.get(f"/h5/wishes/{gone.pk}/").status_code == 404
    assert phone.get(f"/h5/wishes/{gone.pk}/").status_code == 200
    keeper = client_for("community")
    assert keeper.post("/points/hand-over/", {"store": "999999", "code": "12345678"}).status_code == 422
    event = soon(staff, "扫雪", hours=1, capacity=3)
    enrolled(actor("volunteer"))
    sign_up = v.do_sign_up(event, actor=actor("volunteer"))
    v.do_check_in(sign_up, actor=staff)
    Activity.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=2)
    )
    later = neighbour.get("/h5/activities/").content.decode()
    assert f'data-testid="activity-{event.pk}"' in later and 'data-testid="check-out"' in later


def test_a_resident_registers_as_a_volunteer_on_the_phone(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    phone = client_for("resident")
    page = phone.get("/h5/activities/").content.decode()
    assert 'data-testid="register"' in page
    none = phone.post("/h5/volunteer/", {"availability": "周末"})
    assert none.status_code == 422 and "请从列表中选择特长" in none.content.decode()
    assert (
        phone.post("/h5/volunteer/", {"skills": ["doctor", "care"], "availability": "周末"}).status_code
        == 302
    )
    found = Volunteer.objects.get(user__username="resident")
    assert found.skills == ["care", "doctor"] and found.approved_at is None
    after = phone.get("/h5/activities/").content.decode()
    assert 'data-testid="registered"' in after and "医生" in after
    assert phone.get("/h5/volunteer/").status_code == 302  # once
    assert client_for("unit").get("/h5/volunteer/").status_code == 404  # no home to volunteer in
