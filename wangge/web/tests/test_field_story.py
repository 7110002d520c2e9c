"""Seed 001 on the phone, in Chromium at 375×812: 董银成 finds a broken manhole cover on her round and
reports it with a photo, placing it by a tap on her grid's map (and, another time, by the phone's
position); her grid head accepts it on his phone; she finds it in 我的工单, claims it with one tap and
reports the result with a photo. And the party member lands on their 包户 households and opens one.

The screenshots are kept under the test's tmp dir and copied to /tmp/field-shots/ for a person to look at."""

import shutil
from pathlib import Path

import pytest

from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.demo.city import DEMO_PASSWORD
from wangge.people.models import Household, Housing
from wangge.tickets.actions import NewTicket, do_submit_ticket
from wangge.tickets.models import Channel, PhotoStage, Status, Ticket
from wangge.web.tests.test_field_pages import point_in_demo_grid
from wangge.web.tests.test_ticket_story import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/field-shots")


def phone(browser, base: str, username: str, **context: object):  # type: ignore[no-untyped-def]
    """A signed-in phone, 375×812 with touch, landed on the user's home."""
    ctx = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", has_touch=True, is_mobile=True, **context
    )
    page = ctx.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    """The screen as the thumb sees it (not the whole page: the tab bar stays where it is), once the
    page has stopped loading (maps, and no request left running when the test ends)."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{name}: wider than the phone"
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def tap_tab(page, label: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(".field-tabs a", has_text=label).tap()


def fill_finding(page, tmp_path: Path, title: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#title", title)
    page.fill("#description", "3号楼北侧下水井盖碎了一半，晚上有人踩空")
    page.locator(".chip", has_text="紧急").tap()
    page.set_input_files("#photos", str(png(tmp_path / "manhole.png", (90, 90, 90))))
    page.wait_for_selector(".thumb img")


def test_the_grid_worker_reports_claims_and_resolves_on_her_phone(
    committed_city, live_server, browser, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    worker = phone(browser, base, "gridworker")
    assert worker.url == f"{base}/field/"
    assert worker.locator(".field-tabs a").all_inner_texts()[:3] == ["今日走访", "上报问题", "我的工单"]
    shot(worker, tmp_path, "01-worker-today")

    # 上报问题: what, how urgent, a photo, and a tap on her grid's map, away from the school inside it.
    tap_tab(worker, "上报问题")
    worker.wait_for_selector("#pick-map[data-ready]")
    # one finger scrolls the page past the map instead of dragging it
    assert "leaflet-touch-drag" not in (worker.locator("#pick-map").get_attribute("class") or "")
    fill_finding(worker, tmp_path, "井盖破损")
    worker.locator("#pick-map").scroll_into_view_if_needed()
    home = worker.locator("#pick-map path.leaflet-interactive").first.bounding_box()
    worker.touchscreen.tap(home["x"] + home["width"] / 2, home["y"] + home["height"] * 0.15)
    worker.wait_for_selector("#picked.ok")
    assert "幸福第1网格" in worker.locator("#picked").inner_text()
    assert worker.locator("#area").input_value() == DEMO_GRID
    shot(worker, tmp_path, "02-worker-report-placed")
    worker.locator("#send").scroll_into_view_if_needed()
    shot(worker, tmp_path, "03-worker-report-bottom")
    with worker.expect_navigation():
        worker.locator("#send").tap()
    ticket = Ticket.objects.get(title="井盖破损")
    assert (ticket.channel, ticket.area.code, ticket.urgency) == (Channel.GRID, DEMO_GRID, "urgent")
    assert ticket.lat is not None and ticket.photos.filter(stage=PhotoStage.SUBMIT).count() == 1
    assert worker.url == f"{base}/field/tickets/{ticket.pk}/"
    assert f"已上报，工单编号 {ticket.number}" in worker.locator("[data-testid=message]").inner_text()
    shot(worker, tmp_path, "04-worker-reported")

    # The grid head sees it waiting on his home page, one tap away, and accepts it as a small matter.
    head = phone(browser, base, "gridhead")
    waiting = head.locator("[data-testid=work] a[data-queue=dispatch]")
    assert waiting.locator("b").inner_text() == "1"
    shot(head, tmp_path, "05-head-today")
    with head.expect_navigation():
        waiting.tap()
    with head.expect_navigation():
        head.locator(f"li[data-ticket='{ticket.pk}'] a.card-link").tap()
    shot(head, tmp_path, "06-head-ticket")
    with head.expect_navigation():
        head.locator("form[data-action=accept] button").tap()
    assert "已受理" in head.locator("[data-testid=message]").inner_text()

    # She finds it in 网格待办 and claims it from the card with one tap.
    tap_tab(worker, "我的工单")
    with worker.expect_navigation():
        worker.locator(".segments a[data-queue=grid]").tap()
    card = worker.locator(f"li[data-ticket='{ticket.pk}']")
    assert "井盖破损" in card.inner_text() and ticket.number in card.inner_text()
    shot(worker, tmp_path, "07-worker-grid-queue")
    with worker.expect_navigation():
        card.locator("[data-testid=claim]").tap()
    assert f"{ticket.number} 已接单" in worker.locator("[data-testid=message]").inner_text()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS

    # On site: open it from 我的待办; the result photo and note are already open.
    with worker.expect_navigation():
        worker.locator(".segments a[data-queue=mine]").tap()
    with worker.expect_navigation():
        worker.locator(f"li[data-ticket='{ticket.pk}'] a.card-link").tap()
    resolve = worker.locator("form[data-action=resolve]")
    assert resolve.is_visible()
    resolve.locator("input[name=photos]").set_input_files(
        [str(png(tmp_path / f"fixed{i}.png", (60, 160 - 40 * i, 60))) for i in range(3)]
    )
    resolve.locator("textarea[name=note]").fill("已更换井盖，现场已清理")
    resolve.locator("button").scroll_into_view_if_needed()
    shot(worker, tmp_path, "08-worker-resolving")
    with worker.expect_navigation():
        resolve.locator("button").tap()
    done = Ticket.objects.get(pk=ticket.pk)
    assert done.status == Status.RESOLVED and done.photos.filter(stage=PhotoStage.RESULT).count() == 3
    assert "已提交办结反馈" in worker.locator("[data-testid=message]").inner_text()
    assert worker.locator(".photos img").count() == 4
    shot(worker, tmp_path, "09-worker-resolved")


def test_the_place_from_the_phones_position(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    lat, lng = point_in_demo_grid()
    # Without leave to locate the phone, she is told so in words, and can still tap the map.
    refused = phone(browser, base, "gridworker")
    refused.goto(f"{base}/field/report/")
    refused.locator("#use-here").tap()
    refused.wait_for_selector("#picked.warn")
    assert "没有允许本网页定位" in refused.locator("#picked").inner_text()
    shot(refused, tmp_path, "10-worker-position-refused")

    reported = do_submit_ticket(
        NewTicket(
            title="井盖碎了",
            description="3号楼北侧下水井盖碎了一半，晚上有人踩空",
            channel=Channel.H5,
            area=Area.objects.get(code=DEMO_GRID),
        ),
        actor=None,
    )
    worker = phone(
        browser,
        base,
        "gridworker",
        permissions=["geolocation"],
        geolocation={"latitude": lat, "longitude": lng},
    )
    worker.goto(f"{base}/field/report/")
    fill_finding(worker, tmp_path, "路灯不亮")
    # a resident reported the same just before: it is shown while she types, as on the staff form
    similar = worker.locator("[data-testid=similar-open]")
    similar.wait_for()
    assert reported.number in similar.inner_text()
    shot(worker, tmp_path, "11-worker-similar-shown")
    worker.locator("#use-here").tap()
    worker.wait_for_selector("#picked.ok")
    assert "幸福第1网格" in worker.locator("#picked").inner_text()
    shot(worker, tmp_path, "12-worker-position-used")
    with worker.expect_navigation():
        worker.locator("#send").tap()
    ticket = Ticket.objects.get(title="路灯不亮")
    assert ticket.area.code == DEMO_GRID and ticket.channel == Channel.GRID
    assert (ticket.lat, ticket.lng) == (pytest.approx(lat, abs=1e-6), pytest.approx(lng, abs=1e-6))


def test_the_party_member_lands_on_their_households(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    theirs = list(Household.objects.filter(party_contacts__membership__user__username="party").order_by("pk"))
    Household.objects.filter(pk=theirs[0].pk).update(housing=Housing.VACANT, next_visit_on=None)
    asked = do_submit_ticket(
        NewTicket(
            title="暖气不热",
            description="卧室暖气片上凉下热",
            channel=Channel.H5,
            area=Area.objects.get(code=DEMO_GRID),
            resident_id=theirs[1].residents.order_by("pk").first().pk,
        ),
        actor=None,
    )
    party = phone(browser, base, "party")
    assert party.url == f"{base}/field/"
    assert party.locator(".field-tabs a").all_inner_texts() == [
        "我的包户",
        "邻里互助",
        "党员服务",
        "我的工单",
        "消息",
    ]
    rows = party.locator("[data-household]")
    assert rows.count() == 6
    assert "空置户" in party.locator(f"[data-household='{theirs[0].pk}']").inner_text()
    assert "暖气不热" in party.locator(f"[data-household='{theirs[1].pk}']").inner_text()
    assert party.locator("[data-testid=requests]").inner_text().startswith("1")
    shot(party, tmp_path, "13-party-households")
    with party.expect_navigation():
        party.locator(f"[data-household='{theirs[1].pk}'] a.care-link").tap()
    assert party.url == f"{base}/field/households/{theirs[1].pk}/"
    # the household's requests on its page too, opening on the phone
    assert party.locator(f"[data-testid=tickets] a[href='/field/tickets/{asked.pk}/']").is_visible()
    assert party.locator("[data-testid=visit-form]").is_visible()
    shot(party, tmp_path, "14-party-household")
