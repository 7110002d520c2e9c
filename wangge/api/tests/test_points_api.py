"""The points API (issue 21): a volunteer sees their accounts, redeems at their community's store and
gets a code the keeper hands over once; staff set rules, award, approve and reverse; everything outside
one's scope is 404, and bad input names the field."""

import pytest

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY
from wangge.points import actions as p
from wangge.points.models import Item, Rule, RuleKey, Store


@pytest.fixture
def store(db, actor) -> Store:  # type: ignore[no-untyped-def]
    s = Store.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), name="幸福社区积分超市", place="社区服务站"
    )
    s.keepers.add(actor("gridworker"))
    Item.objects.create(store=s, name="洗衣液", price=20, stock=3)
    return s


@pytest.fixture
def other_store(db) -> Store:  # type: ignore[no-untyped-def]
    outside = Area.objects.filter(code__startswith="210104002", level="community").earliest("code")
    s = Store.objects.create(area=outside, name="别的社区积分超市")
    Item.objects.create(store=s, name="大米", price=5, stock=3)
    return s


def test_a_volunteer_earns_redeems_and_the_keeper_hands_over_once(store, client_for) -> None:  # type: ignore[no-untyped-def]
    volunteer, staff, keeper = client_for("volunteer"), client_for("community"), client_for("gridworker")
    mine = volunteer.get("/api/v1/points/me").json()
    account = next(a for a in mine if a["kind"] == "person" and a["currency"] == "points")
    assert account["balance"] == 0
    rule = staff.post(
        "/api/v1/points/rules",
        {
            "area": DEMO_COMMUNITY,
            "key": "volunteer_hour",
            "name": "志愿服务每小时",
            "points": 10,
            "monthly_cap": 100,
        },
        content_type="application/json",
    )
    assert rule.status_code == 201
    paid = staff.post(
        "/api/v1/points/rule-awards",
        {"rule": rule.json()["id"], "account": account["id"], "ref": "activity:1", "quantity": 3},
        content_type="application/json",
    )
    assert paid.status_code == 201 and paid.json()["paid"] == 30
    again = staff.post(
        "/api/v1/points/rule-awards",
        {"rule": rule.json()["id"], "account": account["id"], "ref": "activity:1", "quantity": 3},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["paid"] == 30  # the same payment, not a second one
    shelf = volunteer.get("/api/v1/points/stores").json()
    assert [s["name"] for s in shelf] == ["幸福社区积分超市"]
    item = shelf[0]["items"][0]["id"]
    bought = volunteer.post("/api/v1/points/redemptions", {"item": item}, content_type="application/json")
    assert bought.status_code == 201
    code = bought.json()["code"]
    assert volunteer.get("/api/v1/points/redemptions").json()[0]["state"] == "waiting"
    broke = volunteer.post("/api/v1/points/redemptions", {"item": item}, content_type="application/json")
    assert broke.status_code == 409 and "余额不足" in broke.json()["detail"]
    handed = keeper.post(
        "/api/v1/points/handovers", {"store": store.pk, "code": code}, content_type="application/json"
    )
    assert handed.status_code == 200 and handed.json()["state"] == "handed"
    twice = keeper.post(
        "/api/v1/points/handovers", {"store": store.pk, "code": code}, content_type="application/json"
    )
    assert twice.status_code == 409
    history = volunteer.get(f"/api/v1/points/accounts/{account['id']}/entries").json()
    assert [e["amount"] for e in history["entries"]] == [-20, 30]
    assert staff.get(f"/api/v1/points/economy?area={DEMO_COMMUNITY}").json()["outstanding"] == 10


def test_awards_need_a_second_person_and_reversals_a_reason(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    account = p.person_account(actor("volunteer"), Area.objects.get(code=DEMO_COMMUNITY))
    staff, street = client_for("community"), client_for("street")
    bad = staff.post(
        "/api/v1/points/awards",
        {"account": account.pk, "amount": 0, "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "amount" in str(bad.json())
    award = staff.post(
        "/api/v1/points/awards",
        {"account": account.pk, "amount": 50, "reason": "抢修突击队"},
        content_type="application/json",
    ).json()
    mine = staff.post(
        f"/api/v1/points/awards/{award['id']}/decision", {"approve": True}, content_type="application/json"
    )
    assert mine.status_code == 409
    ok = street.post(
        f"/api/v1/points/awards/{award['id']}/decision", {"approve": True}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    transfer = account.entries.get().transfer_id
    no_reason = staff.post(
        f"/api/v1/points/transfers/{transfer}/reversal", {"reason": " "}, content_type="application/json"
    )
    assert no_reason.status_code == 422 and "reason" in str(no_reason.json())
    back = staff.post(
        f"/api/v1/points/transfers/{transfer}/reversal",
        {"reason": "重复发放"},
        content_type="application/json",
    )
    assert back.status_code == 201
    account.refresh_from_db()
    assert account.balance == 0


def test_outside_ones_scope_is_404(store, other_store, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    volunteer_account = p.person_account(actor("volunteer"), Area.objects.get(code=DEMO_COMMUNITY))
    resident = client_for("resident")
    assert resident.get(f"/api/v1/points/accounts/{volunteer_account.pk}/entries").status_code == 404
    assert (
        resident.post(
            f"/api/v1/points/transfers/{volunteer_account.pk}/reversal",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    foreign_item = other_store.items.get().pk
    assert (
        client_for("volunteer")
        .post("/api/v1/points/redemptions", {"item": foreign_item}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        client_for("community")
        .post(
            "/api/v1/points/handovers",
            {"store": other_store.pk, "code": "12345678"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert client_for("volunteer").get(f"/api/v1/points/economy?area={DEMO_COMMUNITY}").status_code == 403
    assert client_for("community").get("/api/v1/points/economy?area=210104002").status_code == 404
    rule = Rule.objects.create(area=other_store.area, key=RuleKey.MEETING, name="议事", points=5)
    assert (
        client_for("community")
        .post(
            "/api/v1/points/rule-awards",
            {"rule": rule.pk, "account": volunteer_account.pk, "ref": "m:1"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    redemption_other = client_for("resident").post("/api/v1/points/redemptions/999999/cancel")
    assert redemption_other.status_code == 404


def test_staff_open_a_store_and_shelve(db, client_for) -> None:  # type: ignore[no-untyped-def]
    staff = client_for("community")
    bad = staff.post(
        "/api/v1/points/stores",
        {"area": DEMO_COMMUNITY, "name": "超市", "keepers": ["nobody"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "keepers" in str(bad.json())
    store = staff.post(
        "/api/v1/points/stores",
        {"area": DEMO_COMMUNITY, "name": "幸福积分超市", "keepers": ["gridworker"]},
        content_type="application/json",
    ).json()
    first = staff.post(
        f"/api/v1/points/stores/{store['id']}/items",
        {"name": "大米", "price": 50, "stock": 10},
        content_type="application/json",
    )
    again = staff.post(
        f"/api/v1/points/stores/{store['id']}/items",
        {"name": "大米", "price": 45, "stock": 5},
        content_type="application/json",
    )
    assert first.json()["id"] == again.json()["id"] and again.json() == {
        **first.json(),
        "price": 45,
        "stock": 15,
    }
    assert (
        client_for("volunteer")
        .post(
            f"/api/v1/points/stores/{store['id']}/items",
            {"name": "油", "price": 5, "stock": 1},
            content_type="application/json",
        )
        .status_code
        == 409
    )
    assert client_for("gridworker").get("/api/v1/points/stores").json()[0]["items"][0]["name"] == "大米"
