"""Drives Debian's chromium through Playwright: a grid worker logs in and sees the grid map in Chinese."""

import pytest

from wangge.conftest import DEMO_GRID
from wangge.demo.city import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(browser):  # type: ignore[no-untyped-def]
    return browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")


@pytest.mark.django_db(transaction=True)
def test_grid_worker_logs_in_and_sees_the_grid_map(
    committed_city, live_server, browser_page, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    assert "登录网格平台" in page.content()
    page.fill("input[name=username]", "gridworker")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/field/")  # the grid worker's own home
    page.goto(f"{live_server.url}/me/")
    assert page.locator("h1").inner_text().startswith("您好")
    assert "专职网格员" in page.content()

    page.click("a:has-text('幸福第1网格')")
    page.wait_for_url(f"{live_server.url}/areas/{DEMO_GRID}/")
    page.wait_for_selector("#map[data-loaded]")
    page.wait_for_selector("#map[data-buildings-loaded]")
    # The grid outline, its nested school grid and its buildings are drawn as Leaflet vector layers.
    assert page.locator("#map path.leaflet-interactive").count() >= 3
    assert "多网合一职责" in page.content()
    # 看图知户况: the buildings, coloured by their households' most urgent colour; a click lists them.
    page.wait_for_selector("#map[data-buildings-loaded]")
    assert int(page.locator("#map").get_attribute("data-buildings-loaded") or 0) > 0
    colours = page.eval_on_selector_all(
        "#map path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
    )
    assert {"#d92d20", "#f79009", "#fac515", "#2e90fa", "#12b76a"} & set(colours)
    page.locator("#map path.leaflet-interactive").last.click(force=True)
    page.wait_for_selector(".popup-households li")
    assert "人" in page.locator(".popup-households").inner_text()
    page.screenshot(path=str(tmp_path / "grid-map.png"), full_page=True)
    assert (tmp_path / "grid-map.png").stat().st_size > 10_000

    page.goto(f"{live_server.url}/areas/210104002/")
    assert "Not Found" in page.content() or page.title() != "东站街道 · 网格 Wangge"
