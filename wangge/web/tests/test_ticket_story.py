"""Seed 001 (大荔) played in Chromium: 群众点单 on the H5 page, 社区派单, 网格员秒认领, the property company
handles it with 住建 summoned, the result with a photo, a 满意 callback; the resident sees every step.
And a 吹哨 where one unit reports late."""

import datetime as dt
from pathlib import Path

import pytest

from wangge.conftest import DEMO_COMMUNITY, png_bytes
from wangge.demo.city import DEMO_PASSWORD
from wangge.tickets.models import Summons, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(path: Path, colour: tuple[int, int, int]) -> Path:
    """A small real PNG on disk (so the upload check and the browser both accept it)."""
    path.write_bytes(png_bytes(colour))
    return path


def login(browser, base: str, username: str, *, phone: bool = False, width: int = 390):  # type: ignore[no-untyped-def]
    """A signed-in page: a phone (`width` px, touch) or a desk screen."""
    if phone:
        context = browser.new_context(
            viewport={"width": width, "height": 812}, locale="zh-CN", has_touch=True, is_mobile=True
        )
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url != f"{base}/login/", "login failed"  # each persona lands on its own home
    return page


def act(page, action: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    """Open the action's form on the ticket page (a button; one-click actions have none), fill it and
    submit."""
    opener = page.locator(f"button[data-panel='act-{action}']")
    if opener.count():
        opener.first.click()
    form = page.locator(f"form[data-action={action}]")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if name == "units":
            for code in value.split(","):
                form.locator(f"input[name=units][value='{code}']").check()
        elif name == "photos":
            field.set_input_files(value)
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        elif field.first.get_attribute("type") == "radio":
            form.locator(f"input[name={name}][value='{value}']").check()
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button:not([type=button])").first.click()


def steps_seen(resident_page, base: str, ticket_id: int) -> str:  # type: ignore[no-untyped-def]
    resident_page.goto(f"{base}/h5/mine/{ticket_id}/")
    return resident_page.locator("[data-testid=steps]").inner_text()


def test_dali_story_end_to_end(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    # 群众点单: the resident reports a roof leak with a photo from her phone.
    resident = login(browser, base, "resident", phone=True)
    resident.goto(f"{base}/h5/")
    resident.fill("input[name=title]", "楼顶漏水")
    resident.fill("textarea[name=description]", "打扫卫生时发现屋顶有渗水迹象，下雨天更严重")
    resident.set_input_files("input[name=photos]", str(png(tmp_path / "leak.png", (120, 120, 200))))
    with resident.expect_navigation():
        resident.click("button:has-text('提交')")
    ticket = Ticket.objects.get(title="楼顶漏水")
    assert "待受理" in resident.content() and "提交诉求" in steps_seen(resident, base, ticket.pk)
    assert resident.locator(".h5-photos img").count() == 1

    # 组织建单: the community accepts it and dispatches it to the building's grid worker.
    community = login(browser, base, "community")
    community.goto(f"{base}/tickets/?queue=dispatch")
    community.click(f"tr[data-ticket='{ticket.pk}'] a.cell-title")
    act(community, "accept", kind="small")
    act(community, "assign", assignee="gridworker", note="请网格员上门查看")
    assert "受理" in steps_seen(resident, base, ticket.pk)

    # 秒认领: she claims it, summons 住建 and hands the repair to the property company.
    worker = login(browser, base, "gridworker")
    worker.goto(f"{base}/tickets/?queue=mine")
    worker.click(f"tr[data-ticket='{ticket.pk}'] a.cell-title")
    act(worker, "claim")
    deadline = (dt.datetime.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    act(worker, "summon", units="210104-ZJ", deadline=deadline, note="老旧小区屋面，请住建到场")
    act(worker, "assign", units="210104-WY1", note="楼顶防水由物业维修")
    assert "吹哨" in worker.content()

    # The property company claims it, 住建 reports, and the repair is reported with a photo.
    unit = login(browser, base, "unit")
    unit.goto(f"{base}/tickets/{ticket.pk}/")
    act(unit, "claim")
    zj_staff = login(
        browser,
        base,
        Ticket.objects.get(pk=ticket.pk).summonses.get().calls.get().unit.memberships.first().user.username,
    )
    zj_staff.goto(f"{base}/tickets/{ticket.pk}/")
    act(zj_staff, "report", note="住建已到场，指导屋面防水")
    act(
        unit, "resolve", note="已对楼顶做集中防水修缮", photos=str(png(tmp_path / "fixed.png", (60, 160, 60)))
    )
    assert "待回访" in unit.content()

    # 群众评单: the community calls her back, she is satisfied, the ticket is closed.
    community.goto(f"{base}/tickets/{ticket.pk}/")
    act(community, "callback", reached="1", verdict="satisfied", note="电话回访，居民满意")
    assert "已办结" in community.content()
    final = Ticket.objects.get(pk=ticket.pk)
    assert final.status == "closed" and final.verdict == "satisfied" and final.lead_unit.code == "210104-WY1"
    seen = steps_seen(resident, base, ticket.pk)
    for step in [
        "提交诉求",
        "已受理",
        "已派给 网格员",
        "网格员已接单",
        "已派给 安居物业",
        "已办结",
        "回访：满意",
    ]:
        assert step in seen, step
    # The summons, the report and the staff's notes are the staff's work, not shown to her (tickets.public).
    for internal in ["吹哨", "报到", "请网格员上门查看", "请住建到场", "楼顶防水由物业维修", "董银成"]:
        assert internal not in seen, internal
    assert "已对楼顶做集中防水修缮" in seen and "办结照片" in seen
    assert resident.locator(".h5-photos img").count() == 2
    resident.screenshot(path=str(tmp_path / "resident.png"), full_page=True)


def test_summons_with_one_unit_late(committed_city, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    community = login(browser, base, "community")
    community.goto(f"{base}/tickets/new/")
    community.select_option("select[name=channel]", "phone")
    community.fill("input[name=title]", "小区下水管道堵塞")
    community.fill("textarea[name=description]", "多个单元下水返味，需多部门联合处置")
    community.select_option("select[name=area]", DEMO_COMMUNITY + "001")
    with community.expect_navigation():
        community.click("button:has-text('提交')")
    ticket = Ticket.objects.get(title="小区下水管道堵塞")
    act(community, "accept", kind="major")
    deadline = (dt.datetime.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    act(community, "summon", units="210104-WY1,210104-GS", deadline=deadline, note="联合处置")
    unit = login(browser, base, "unit")
    unit.goto(f"{base}/tickets/{ticket.pk}/")
    act(unit, "report", note="物业已到场")
    # Time passes: the deadline is now behind us, and the water company reports only then.
    summons = Summons.objects.get(ticket=ticket)
    Summons.objects.filter(pk=summons.pk).update(
        deadline=summons.calls.get(unit__code="210104-WY1").reported_at
    )
    water = login(
        browser, base, summons.calls.get(unit__code="210104-GS").unit.memberships.first().user.username
    )
    water.goto(f"{base}/tickets/{ticket.pk}/")
    act(water, "report", note="供水抢修队到场")
    community.goto(f"{base}/tickets/{ticket.pk}/")
    table = community.locator("table.summons").inner_text()
    assert "按时报到" in table and "迟到" in table
    community.goto(f"{base}/stats/{DEMO_COMMUNITY}/")
    units = community.locator("table.units").inner_text()
    assert "市供水集团大东营业所" in units
