"""Each desk persona's day in Chromium at their screen's width, from the login page without typing a
URL: the community secretary dispatches from the queue the workbench opens on; the property company
sees only its own tickets and handles one; the district's leader reads the statistics on a wall screen.
Screenshots are saved under the test's tmp dir (and WANGGE_SHOTS, when set, to look at them)."""

import os
import re
import shutil
from pathlib import Path

import pytest

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit
from wangge.conftest import DEMO_COMMUNITY
from wangge.demo.city import DEMO_PASSWORD
from wangge.demo.tickets import build_demo_tickets
from wangge.tickets.actions import NewTicket, do_accept, do_assign, do_submit_ticket
from wangge.tickets.models import Assignment, Status, SummonsCall, Ticket
from wangge.web.tests.test_ticket_story import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK, WALL = (1440, 900), (1920, 1080)


def sign_in(browser, base: str, username: str, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN").new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    if os.getenv("WANGGE_SHOTS"):
        Path(os.environ["WANGGE_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["WANGGE_SHOTS"]) / path.name)


def report(title: str, by: str = "resident") -> Ticket:
    grid = Area.objects.get(code=DEMO_COMMUNITY + "001")
    return do_submit_ticket(
        NewTicket(title=title, description=f"{title}，请尽快处理", channel="h5", area=grid),
        actor=User.objects.get(username=by),
    )


def test_the_community_secretary_dispatches_from_the_queue_she_lands_on(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    waiting = [report("小区路灯不亮"), report("垃圾桶满溢"), report("楼道堆放杂物")]
    page = sign_in(browser, base, "community", DESK)
    assert page.url == f"{base}/tickets/"
    current = page.locator(".tabs a[aria-current=page]")
    assert current.get_attribute("data-queue") == "dispatch" and "3" in current.inner_text()
    assert page.locator("tr[data-ticket]").count() == 3
    shot(page, tmp_path, "community-workbench")

    # 批量派单: two of them to the community's property company in one go
    for t in waiting[:2]:
        page.check(f"input[name=ticket][value='{t.pk}']")
    wy = Unit.objects.get(memberships__user__username="unit")
    page.select_option("select[name=unit]", wy.code)
    with page.expect_navigation():
        page.click("button:has-text('派单给勾选的诉求')")
    assert "已派单 2 件给安居物业服务有限公司" in page.locator(".alert.success").inner_text()
    assert page.locator("tr[data-ticket]").count() == 1

    # the third by hand, from its page: the header says its number and the time left
    page.click(f"tr[data-ticket='{waiting[2].pk}'] a.cell-title")
    assert page.locator("[data-testid=ticket-number]").inner_text() == waiting[2].number
    assert page.locator("[data-testid=time-left]").first.inner_text().startswith(("剩", "超时"))
    page.wait_for_selector("#ticket-map[data-loaded]")
    page.click("button[data-panel='act-accept']")
    with page.expect_navigation():
        page.click("form[data-action=accept] button:not([type=button])")
    page.click("button[data-panel='act-assign']")
    page.select_option("form[data-action=assign] select[name=assignee]", "gridworker")
    page.fill("form[data-action=assign] textarea[name=note]", "请网格员上门清理")
    with page.expect_navigation():
        page.click("form[data-action=assign] button:not([type=button])")
    shot(page, tmp_path, "community-ticket")
    assert "派给 董银成" in page.locator(".timeline").inner_text()
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in waiting])} == {Status.ASSIGNED}


def test_the_property_company_sees_only_its_tickets_and_handles_one(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    community = User.objects.get(username="community")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    ours, theirs = report("电梯困人"), report("道路破损")
    for ticket, unit in ((ours, wy), (theirs, zj)):
        do_accept(ticket.pk, actor=community, kind="small")
        do_assign(ticket.pk, actor=community, units=[unit])
    page = sign_in(browser, base, "unit", DESK)
    assert page.url == f"{base}/tickets/"
    nav = page.locator(".topnav").inner_text()
    assert "居民档案" not in nav and "走访" not in nav and "指令" not in nav
    page.click(".tabs a[data-queue=all]")
    page.wait_for_load_state()
    listed = {
        int(x)
        for x in page.eval_on_selector_all("tr[data-ticket]", "rows => rows.map(r => r.dataset.ticket)")
    }
    expected = set(Assignment.objects.filter(unit=wy).values_list("ticket_id", flat=True)) | set(
        SummonsCall.objects.filter(unit=wy).values_list("summons__ticket_id", flat=True)
    )
    assert ours.pk in listed and theirs.pk not in listed and listed <= expected
    shot(page, tmp_path, "unit-worklist")

    page.click(f"tr[data-ticket='{ours.pk}'] a.cell-title")
    with page.expect_navigation():
        page.click("form[data-action=claim] button")
    assert page.locator("form[data-action=claim]").count() == 0  # nothing left to claim
    page.click("button[data-panel='act-resolve']")
    page.set_input_files(
        "form[data-action=resolve] input[name=photos]", str(png(tmp_path / "done.png", (40, 150, 60)))
    )
    page.fill("form[data-action=resolve] textarea[name=note]", "已维修电梯，恢复运行")
    with page.expect_navigation():
        page.click("form[data-action=resolve] button:not([type=button])")
    assert page.locator("figcaption:has-text('办结照片')").count() == 1
    shot(page, tmp_path, "unit-ticket")
    assert Ticket.objects.get(pk=ours.pk).status == Status.RESOLVED


def test_the_leader_reads_the_district_on_the_wall_screen(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    build_demo_tickets(count=3000, seed=5)  # a year of the district's requests
    page = sign_in(browser, base, "district", WALL)
    assert page.url == f"{base}/stats/210104/"
    page.wait_for_selector("#ranking-chart canvas")
    figures = page.locator(".kpi-grid").inner_text()
    assert "受理量" in figures and "满意率" in figures and "%" in figures
    assert not re.search(r"\b0\.\d{2,}", figures)  # no raw ratios
    shot(page, tmp_path, "leader-stats")
    page.click("table.ranking a >> nth=0")
    page.wait_for_selector(".kpi-grid")
    assert "/stats/210104001/" in page.url or "/stats/21010400" in page.url
