"""The resident's H5 in Chromium at 375×812 (a small phone, touch): she signs in, finds 我要反映 without
typing an address, taps the map where the problem is, sends it with a photo and finds it in 我的诉求 by its
number; the 使用当前位置 button with the position granted, refused, outside every grid; and a map whose
data cannot be loaded, which must not stop the form. Screenshots go to the test's tmp dir and SHOTS."""

import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.accounts.models import User
from wangge.areas.lookup import locate
from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.demo.city import DEMO_PASSWORD
from wangge.tickets import actions as a
from wangge.tickets.models import Ticket
from wangge.web.tests.test_ticket_story import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/h5-shots")
PHONE = {"viewport": {"width": 375, "height": 812}, "locale": "zh-CN", "has_touch": True, "is_mobile": True}


def shoot(page, tmp_path: Path, name: str, *, at: str = "") -> None:  # type: ignore[no-untyped-def]
    """What the phone's screen shows (the fixed bars where they are), with `at` scrolled to the top."""
    if at:
        page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def phone(browser, **options):  # type: ignore[no-untyped-def]
    """A phone page that records every script error."""
    page = browser.new_context(**PHONE, **options).new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as the demo resident and reach 我要反映 by tapping, wherever the login lands."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "resident")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/h5/" not in page.url:  # the staff landing, until residents land on /h5/
        with page.expect_navigation():
            page.click("a:has-text('我的诉求')")
    with page.expect_navigation():
        page.click(".h5-nav a:has-text('我要反映')")
    assert page.url == f"{base}/h5/"


def map_ready(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#pick-map path.leaflet-interactive")


def test_a_resident_taps_the_map_and_sends_a_photo(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page = phone(browser)
    sign_in(page, base)
    map_ready(page)
    assert page.locator("#pick-map path.leaflet-interactive").count() >= 5  # her community's grids
    shoot(page, tmp_path, "1-submit-top")

    # A tap on her own grid, below its label.
    page.locator("#pick-map").scroll_into_view_if_needed()
    label = page.locator(".grid-label.home").bounding_box()
    assert label is not None
    page.touchscreen.tap(label["x"] + label["width"] / 2, label["y"] + label["height"] + 14)
    page.wait_for_selector("#picked.ok")
    lat, lng = float(page.input_value("#lat")), float(page.input_value("#lng"))
    found = locate(lat, lng)
    assert found is not None and found.grid.code.startswith(DEMO_GRID[:12])
    assert f"已选好位置：{found.grid.name}" in page.inner_text("#picked")
    shoot(page, tmp_path, "2-map-tapped", at=".h5-where")

    page.fill("input[name=title]", "楼道灯不亮")
    page.fill("textarea[name=description]", "3号楼2单元楼道灯坏了一个星期，晚上上下楼看不见")
    page.set_input_files("input[name=photos]", str(png(tmp_path / "lamp.png", (200, 180, 60))))
    assert "已选 1 张照片" in page.inner_text("#photos-chosen")
    with page.expect_navigation():
        page.click("#send")

    ticket = Ticket.objects.get(title="楼道灯不亮")
    assert page.url == f"{base}/h5/mine/{ticket.pk}/"
    assert ticket.lat is not None and ticket.lng is not None and ticket.area.code == found.grid.code
    assert (round(ticket.lat, 6), round(ticket.lng, 6)) == (lat, lng)
    assert ticket.photos.filter(stage="submit").count() == 1
    assert ticket.number in page.inner_text("[data-testid=number]")
    assert f"已提交，诉求编号 {ticket.number}" in page.inner_text("main")
    assert page.locator(".h5-photos img").count() == 1
    shoot(page, tmp_path, "3-ticket")
    shoot(page, tmp_path, "3b-ticket-steps", at="[data-testid=steps]")

    with page.expect_navigation():
        page.click(".h5-nav a:has-text('我的诉求')")
    card = page.locator("[data-testid=ticket-card]").first
    assert ticket.number in card.inner_text() and "楼道灯不亮" in card.inner_text()
    assert "受理后确定" in card.inner_text() or "前" in card.inner_text()
    shoot(page, tmp_path, "4-mine")

    # The community dispatches it, the grid worker mends the lamp with a photo; she rates it once.
    community, worker = User.objects.get(username="community"), User.objects.get(username="gridworker")
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_assign(ticket.pk, actor=community, assignee=worker, note="顺路带一个灯泡")
    a.do_claim(ticket.pk, actor=worker)
    done = SimpleUploadedFile("fixed.png", png(tmp_path / "fixed.png", (60, 160, 60)).read_bytes())
    a.do_resolve(ticket.pk, actor=worker, note="已更换楼道灯泡", photos=[done])
    with page.expect_navigation():
        card.click()
    assert "已办结，请您评价" in page.inner_text("[data-testid=status]") and "顺路带" not in page.content()
    shoot(page, tmp_path, "8-rate-form", at="[data-testid=rate-form]")
    page.click("label.h5-choice:has-text('非常满意')")
    with page.expect_navigation():
        page.click("[data-testid=rate-form] button")
    assert "您的评价：5分 非常满意" in page.inner_text("[data-testid=rated]")
    assert page.locator("[data-testid=rate-form]").count() == 0
    shoot(page, tmp_path, "9-rated")
    shoot(page, tmp_path, "9b-rated-steps", at="[data-testid=steps]")

    # 消息 and 便民服务 are one tap away, in the same frame.
    with page.expect_navigation():
        page.click(".h5-nav a:has-text('消息')")
    assert "已受理" in page.inner_text(".h5-inbox") and "网格员" in page.inner_text(".h5-inbox")
    assert "董银成" not in page.inner_text(".h5-inbox")
    shoot(page, tmp_path, "10-inbox")
    with page.expect_navigation():
        page.click(".h5-nav a:has-text('便民服务')")
    assert page.locator(".h5-call").count() >= 1
    shoot(page, tmp_path, "11-services")
    assert page.errors == []


def test_use_my_location(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    grid = Area.objects.get(code=DEMO_GRID)
    assert grid.lat is not None and grid.lng is not None
    here = phone(
        browser, geolocation={"latitude": grid.lat, "longitude": grid.lng}, permissions=["geolocation"]
    )
    sign_in(here, base)
    map_ready(here)
    here.click("#use-here")
    here.wait_for_selector("#picked.ok")
    expected = locate(grid.lat, grid.lng)
    assert expected is not None and f"已选好位置：{expected.grid.name}" in here.inner_text("#picked")
    assert here.input_value("#lat") and here.input_value("#lng")
    shoot(here, tmp_path, "5-location-granted", at=".h5-where")

    far = phone(
        browser, geolocation={"latitude": 39.9042, "longitude": 116.4074}, permissions=["geolocation"]
    )
    sign_in(far, base)
    far.click("#use-here")
    far.wait_for_selector("#picked.warn")
    assert "不在本区的网格里" in far.inner_text("#picked") and far.input_value("#lat") == ""

    refused = phone(browser)  # no permission given
    sign_in(refused, base)
    refused.click("#use-here")
    refused.wait_for_selector("#picked.warn")
    assert "没有允许本网页定位" in refused.inner_text("#picked")
    shoot(refused, tmp_path, "6-location-refused", at=".h5-where")
    assert here.errors == far.errors == refused.errors == []


def test_the_form_works_when_the_map_cannot_load(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page = phone(browser)
    page.route("**/api/v1/intake/grids", lambda route: route.abort())
    page.route("**/api/v1/locate*", lambda route: route.fulfill(status=500, body="oops"))
    sign_in(page, base)
    page.wait_for_selector("#picked.warn")
    assert page.locator("#pick-map").is_hidden() and page.locator("#map-hint").is_hidden()
    assert "地图暂时打不开" in page.inner_text("#picked")
    page.fill("input[name=title]", "垃圾桶满了")
    page.fill("textarea[name=description]", "小区东门垃圾桶两天没清")
    page.fill("input[name=address]", "幸福社区东门")
    shoot(page, tmp_path, "7-no-map", at=".h5-where")
    with page.expect_navigation():
        page.click("#send")
    ticket = Ticket.objects.get(title="垃圾桶满了")
    assert page.url == f"{base}/h5/mine/{ticket.pk}/" and ticket.lat is None
    assert page.errors == []
