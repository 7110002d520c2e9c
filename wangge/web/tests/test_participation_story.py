"""Issue 21's two stories in Chromium at 375 px, every step reached by tapping from the persona's home.

(a) 阜新's 心愿墙: a resident posts a wish, a party member claims it and fulfils it with a photo, the
resident confirms, and the party member's points rise by the community's rule.
(b) 城口's 积分超市: a volunteer signs up for an activity, checks in with the organiser's code and out,
earns points by the rule, redeems an item, and the keeper hands it over by its code, once.

Screenshots go to the test's tmp dir and SHOTS."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY
from wangge.lists.models import Wish, WishState
from wangge.points import actions as points
from wangge.points.models import Account, Redemption, Rule, RuleKey
from wangge.volunteering import actions as v
from wangge.volunteering.models import Volunteer
from wangge.web.tests.test_h5_story import shoot
from wangge.web.tests.test_ticket_story import login, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tap(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.click(selector)


def balance(username: str) -> int:
    account = Account.objects.filter(user__username=username, kind="person", currency="points").first()
    return account.balance if account else 0


def test_a_wish_on_the_wall_from_posting_to_the_party_members_points(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    community = Area.objects.get(code=DEMO_COMMUNITY)
    Rule.objects.create(area=community, key=RuleKey.WISH, name="圆梦微心愿", points=20)
    before = balance("party")

    resident = login(browser, base, "resident", phone=True, width=375)
    tap(resident, ".h5-nav a[data-nav='neighbours']")
    tap(resident, "[data-testid=new-wish]")
    resident.fill("textarea[name=text]", "想要一台收音机，听听戏")
    resident.fill("input[name=value]", "800")
    tap(resident, "button[type=submit]")
    assert resident.locator("#err-value").is_visible()  # over the cap: named, in Chinese
    resident.fill("input[name=value]", "80")
    tap(resident, "button[type=submit]")
    assert resident.locator("[data-testid=state]").inner_text() == "待认领"
    shoot(resident, tmp_path, "wish-1-posted")
    wish = Wish.objects.get(text="想要一台收音机，听听戏")

    party = login(browser, base, "party", phone=True, width=375)
    tap(party, ".field-tabs a[data-tab='neighbours']")
    card = party.locator("[data-testid=wish-card]", has_text="收音机")
    assert "**" in card.inner_text() or "*" in card.inner_text()  # the wisher's name is masked
    shoot(party, tmp_path, "wish-2-wall")
    with party.expect_navigation():
        card.click()
    tap(party, "[data-testid=claim]")
    assert party.locator("[data-testid=state]").inner_text() == "已认领"
    party.set_input_files("input[name=proof]", str(png(tmp_path / "radio.png", (30, 120, 200))))
    party.fill("input[name=note]", "已送到家中")
    shoot(party, tmp_path, "wish-3-fulfil", at="[data-testid=fulfil-form]")
    tap(party, "[data-testid=fulfil]")
    assert party.locator("[data-testid=state]").inner_text() == "已送达"

    tap(resident, ".h5-nav a[data-nav='neighbours']")
    tap(resident, "[data-testid=my-wishes]")
    tap(resident, "[data-testid=wish-card]:has-text('收音机')")
    assert resident.locator("img[data-testid=proof]").evaluate("i => i.naturalWidth") > 0
    tap(resident, "[data-testid=confirm]")
    assert resident.locator("[data-testid=state]").inner_text() == "已圆梦"
    shoot(resident, tmp_path, "wish-4-confirmed")
    assert Wish.objects.get(pk=wish.pk).state == WishState.CONFIRMED

    tap(party, ".h5-tabs a[data-tab='points']")
    shown = int(party.locator(".points-big").inner_text())
    assert shown == before + 20 == balance("party")
    assert "收音机" in party.locator("[data-testid=history]").inner_text()
    shoot(party, tmp_path, "wish-5-points")


def test_the_points_store_from_an_activity_to_the_hand_over(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    community = Area.objects.get(code=DEMO_COMMUNITY)
    staff = User.objects.get(username="community")
    Rule.objects.create(area=community, key=RuleKey.VOLUNTEER_HOUR, name="志愿服务（每小时）", points=10)
    volunteer = User.objects.get(username="volunteer")
    if not Volunteer.objects.filter(user=volunteer).exists():
        v.do_accept_volunteer(
            v.do_register_volunteer(user=volunteer, area=community, skills=["plumber"]), actor=staff
        )
    start = timezone.now() + dt.timedelta(minutes=30)
    event = v.do_publish_activity(
        area=community,
        title="清洁家园志愿服务",
        place="小区中心广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
        actor=staff,
    )
    store = points.do_open_store(area=community, name="城口积分超市", actor=staff, keepers=[staff])
    points.do_shelve_item(store=store, name="洗衣液", price=15, stock=3, actor=staff)
    before = balance("volunteer")

    phone = login(browser, base, "volunteer", phone=True, width=375)
    tap(phone, ".field-tabs a[data-tab='neighbours']")
    tap(phone, ".h5-tabs a[data-tab='activities']")
    card = phone.locator(f"[data-testid=activity-{event.pk}]")
    with phone.expect_navigation():
        card.locator("[data-testid=sign-up]").click()
    assert "报名成功" in phone.locator(".h5-message").first.inner_text()
    card.locator("[data-testid=code-input]").fill(event.check_in_code)
    shoot(phone, tmp_path, "store-1-check-in", at=f"[data-testid=activity-{event.pk}]")
    with phone.expect_navigation():
        card.locator("[data-testid=check-in]").click()
    with phone.expect_navigation():
        card.locator("[data-testid=check-out]").click()
    assert "签退成功，记服务时长2小时" in phone.locator(".h5-message").first.inner_text()
    assert balance("volunteer") == before + 20  # two hours at 10 points

    tap(phone, ".h5-tabs a[data-tab='points']")
    assert int(phone.locator(".points-big").inner_text()) == before + 20
    shoot(phone, tmp_path, "store-2-shelf", at="[data-testid=store]")
    item = store.items.get()
    tap(phone, f"[data-testid=redeem-{item.pk}]")
    code = Redemption.objects.get(item=item).code
    assert code in phone.locator("[data-testid=codes]").inner_text()
    shoot(phone, tmp_path, "store-3-code", at="[data-testid=codes]")

    keeper = login(browser, base, "community", phone=True, width=375)
    keeper.goto(f"{base}/")  # the desk's home, then by the navigation
    tap(keeper, "nav a:has-text('共建')")
    tap(keeper, "a[data-tab='points']")
    tap(keeper, "a:has-text('核销取货码')")
    keeper.fill("input[name=code]", code)
    tap(keeper, "button[type=submit]")
    assert "洗衣液" in keeper.locator("[data-testid=handed]").inner_text()
    shoot(keeper, tmp_path, "store-4-handed")
    keeper.fill("input[name=code]", code)
    tap(keeper, "button[type=submit]")
    assert keeper.locator("#err-code").is_visible()  # once only
    assert Redemption.objects.get(item=item).state == Redemption.State.HANDED
    assert balance("volunteer") == before + 5
