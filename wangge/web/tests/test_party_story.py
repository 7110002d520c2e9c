"""Issue 22's story in Chromium, every step reached by tapping from the persona's home.

Community staff at the desk (1440 px) register an in-service party member at the 报到 desk (双报到) and
give them six households from the waiting list, special groups first: after six, the first household
waiting is the seventh special-group one. The member signs in on a phone (375 px) with the first
password, finds the six households on their home page and logs a visit to one. The community's party
page shows the coverage of special-group households risen by six.

Screenshots go to the test's tmp dir and SHOTS."""

import re

import pytest

from wangge.conftest import DEMO_COMMUNITY
from wangge.party.selectors import candidates, coverage
from wangge.people.models import CareTag, PartyMemberHousehold, Resident
from wangge.visits.models import Visit
from wangge.web.tests.test_h5_story import shoot
from wangge.web.tests.test_ticket_story import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13911112222"


def tap(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(selector).first.click()


def covered(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(special-group households with a member, all of them) as the 概况 tab shows them."""
    text = page.locator("[data-testid=special-coverage] .muted").inner_text()
    found = re.search(r"(\d+)/(\d+)户", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def seven_special_waiting() -> None:
    """The small test district has few special-group households without a member: the community's
    registry tags the heads of some more as 空巢独居老人, as a grid worker's visit would."""
    alone = CareTag.objects.get(code="empty_nest")
    waiting = [h for h in candidates(DEMO_COMMUNITY, limit=50) if not h.special]  # type: ignore[attr-defined]
    short = 7 - sum(h.special for h in candidates(DEMO_COMMUNITY, limit=7))  # type: ignore[attr-defined]
    for household in waiting[:short]:
        head = Resident.objects.filter(household=household).order_by("id").first()
        assert head is not None
        head.care_tags.add(alone)


def test_register_a_member_give_six_households_and_the_member_visits_one(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    seven_special_waiting()
    base = live_server.url
    desk = login(browser, base, "community")
    desk.set_viewport_size({"width": 1440, "height": 900})
    tap(desk, "nav a:has-text('党建')")
    assert "/party/" in desk.url
    before, special = covered(desk)
    assert (before, special) == (coverage(DEMO_COMMUNITY).special_covered, coverage(DEMO_COMMUNITY).special)
    shoot(desk, tmp_path, "party-1-overview")

    # 双报到 at the desk: a first password, shown once
    tap(desk, ".tabs a[data-tab='members']")
    form = desk.locator("[data-testid=enrol] form")
    form.locator("input[name=name]").fill("周在职")
    form.locator("input[name=phone]").fill(PHONE)
    form.locator("input[name=workplace]").fill("区财政局")
    with desk.expect_navigation():
        form.locator("[data-testid=enrol-submit]").click()
    notice = desk.locator(".alert").first.inner_text()
    password = re.search(r"初始密码 (\S+)（", notice)
    assert password, notice
    assert desk.locator("[data-testid=members]").inner_text().count("周在职") == 1
    shoot(desk, tmp_path, "party-2-enrolled")

    # 包户: six households from the top of the waiting list, special groups first
    tap(desk, ".tabs a[data-tab='households']")
    rows = desk.locator("[data-testid=waiting] tbody tr")
    first_seven = [rows.nth(i).get_attribute("data-household") for i in range(7)]
    assert all(rows.nth(i).locator("[data-testid=special]").count() for i in range(7))
    for n in range(6):
        row = desk.locator("[data-testid=waiting] tbody tr").first
        assert row.get_attribute("data-household") == first_seven[n]
        choice = row.locator("select[name=registration] option", has_text="周在职").get_attribute("value")
        row.locator("select[name=registration]").select_option(value=choice)
        with desk.expect_navigation():
            row.locator("[data-testid=assign]").click()
        assert "周在职" in desk.locator(".alert").first.inner_text()
    first = desk.locator("[data-testid=waiting] tbody tr").first
    assert first.get_attribute("data-household") == first_seven[6]
    assert first.locator("[data-testid=special]").count() == 1
    # the member now has no room in the menu only when at the quota; six is under eight
    assert "周在职（已包6户）" in first.locator("select[name=registration]").inner_text()
    shoot(desk, tmp_path, "party-3-assigned")
    taken = set(
        PartyMemberHousehold.objects.filter(membership__user__username=PHONE).values_list(
            "household_id", flat=True
        )
    )
    assert {str(pk) for pk in taken} == set(first_seven[:6])

    # the member on the phone: their six households on their home, a visit to one
    member = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True, is_mobile=True
    ).new_page()
    member.goto(f"{base}/login/")
    member.fill("input[name=username]", PHONE)
    member.fill("input[name=password]", password.group(1))
    with member.expect_navigation():
        member.click("button[type=submit]")
    assert member.url.endswith("/field/")
    homes = member.locator("[data-testid=care-list] > li")
    assert homes.count() == 6
    assert {homes.nth(i).get_attribute("data-household") for i in range(6)} == set(first_seven[:6])
    shoot(member, tmp_path, "party-4-member-home")
    tap(member, "[data-testid=care-list] > li a.care-link")
    assert "包户党员：周在职" in member.locator("[data-testid=party-contact]").inner_text()
    member.fill("textarea[name=findings]", "老人身体还好，想请人帮忙代缴水费")
    with member.expect_navigation():
        member.locator("[data-testid=visit-form] button.primary").click()
    assert member.locator("[data-testid=logged]").is_visible()
    shoot(member, tmp_path, "party-5-visit-logged")
    assert Visit.objects.filter(visitor__username=PHONE).count() == 1

    # the party page: coverage risen by six
    tap(desk, ".tabs a[data-tab='overview']")
    after, still = covered(desk)
    assert (after, still) == (before + 6, special)
    shoot(desk, tmp_path, "party-6-coverage")
