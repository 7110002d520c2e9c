"""Seed 001 (大荔) in Chromium on a 375-px phone: grid worker 董银成 visits 宋玉兰's household on his round,
learns the elderly couple cannot afford their medical bills and opens a ticket from the visit; the grid
head passes it to the community, which handles a 低保 application the same afternoon and closes the
ticket; 宋玉兰's record shows the visit and the ticket."""

import pytest

from wangge.people.models import Resident
from wangge.tickets.models import Channel, Ticket
from wangge.web.tests.test_ticket_story import act, login, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
FINDINGS = "宋玉兰和老伴都患有不同程度的疾病，每月仅医疗费就需要大量开支，家庭压力大"


def phone(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    return login(browser, base, username, phone=True, width=PHONE["width"])


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    """Nothing sticks out sideways: the page needs no horizontal scrolling at 375 px."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_dong_yincheng_visits_song_yulan(committed_city, live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    she = Resident.objects.get(name="宋玉兰")

    # 董银成's round: 宋玉兰's household is due today.
    worker = phone(browser, base, "gridworker")
    worker.goto(f"{base}/field/")
    assert fits(worker)
    row = worker.locator("[data-testid=due-list] li", has_text="宋玉兰")
    assert "今天到期" in row.inner_text()
    row.locator("a").tap()
    worker.wait_for_selector("[data-testid=visit-form]")
    assert fits(worker)

    # The visit, one-handed: kind, whom, what he learnt, a photo, and the problem as a ticket.
    worker.locator("label", has_text="关爱探访").tap()
    worker.select_option("select[name=resident]", label="宋玉兰")
    worker.fill("textarea[name=findings]", FINDINGS)
    worker.set_input_files("input[name=photos]", str(png(tmp_path / "visit.png", (200, 180, 120))))
    worker.locator("[data-testid=problem] summary").tap()
    worker.fill("input[name=title]", "老两口医疗费负担重，申请低保")
    worker.fill("textarea[name=description]", "两位老人均患慢性病，医疗开支大，家庭困难，建议办理低保")
    with worker.expect_navigation():
        worker.locator("button", has_text="保存走访").tap()
    ticket = Ticket.objects.get(channel=Channel.VISIT, resident=she)
    notice = worker.locator("[data-testid=logged]").inner_text()
    assert "已生成工单" in notice and ticket.number in notice
    assert fits(worker)
    worker.screenshot(path=str(tmp_path / "visit-page.png"), full_page=True)

    # 网格长 reports it to the community (小事不出网格、大事不出社区).
    head = phone(browser, base, "gridhead")
    head.goto(f"{base}/tickets/{ticket.pk}/")
    act(head, "escalate", level="community", note="需社区为老人办理低保申请")

    # The community takes it that afternoon: accepts, handles the application itself, calls back.
    community = phone(browser, base, "community")
    community.goto(f"{base}/tickets/{ticket.pk}/")
    act(community, "accept", kind="small")
    act(community, "assign", assignee="community", note="社区民政专干上门办理")
    act(community, "claim")
    act(community, "resolve", note="当天下午上门为老人填写低保申请，材料已受理")
    act(community, "callback", reached="1", verdict="satisfied", note="老人对办理结果满意")
    assert "已办结" in community.content()
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"

    # 一人一档: her record shows the visit and the closed ticket.
    worker.goto(f"{base}/residents/{she.pk}/")
    visits = worker.locator("[data-testid=visits]").inner_text()
    assert FINDINGS in visits and "董银成" in visits and ticket.number in visits
    tickets = worker.locator("[data-testid=tickets]").inner_text()
    assert ticket.number in tickets and "已办结" in tickets
    worker.screenshot(path=str(tmp_path / "record.png"), full_page=True)
