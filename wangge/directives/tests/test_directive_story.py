"""Seed 000's 一键响应 in Chromium: the district command centre sends a cold-wave directive to every grid
worker of a street; 董银成 gets it in the 指令 tab of his 375-px phone, signs for it and reports back with
the figures asked for and a photo; the command centre sees his receipt, the completion rate rise, and
reminds the rest with one click."""

import pytest

from wangge.conftest import DEMO_STREET
from wangge.directives.models import Directive, Receipt
from wangge.directives.tests.test_directive_pages import _form
from wangge.notify.models import Notification
from wangge.visits.tests.test_visit_story import fits, phone
from wangge.web.tests.test_ticket_story import login, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cold_wave_directive_from_the_command_centre_to_dong_yincheng(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    base = live_server.url
    desk = login(browser, base, "district")
    desk.goto(f"{base}/directives/new/")
    form = _form(title="寒潮来袭：今晚入户排查独居老人取暖", body="请今晚20点前走访独居老人，确认取暖正常。")
    desk.fill("input[name=title]", form["title"])
    desk.fill("textarea[name=body]", form["body"])
    desk.select_option("select[name=areas]", [DEMO_STREET])
    desk.check("input[name=roles][value=grid_worker]")
    desk.fill("input[name=deadline]", form["deadline"])
    desk.fill("input[name=figures]", "走访户数,发现问题")
    desk.locator("button", has_text="预览接收人").click()
    preview = desk.locator("[data-testid=preview]").inner_text()
    assert "网格员" in preview
    with desk.expect_navigation():
        desk.locator("button", has_text="下达").last.click()
    directive = Directive.objects.get(title=form["title"])
    total = directive.receipts.count()
    assert desk.locator("[data-testid=total]").inner_text() == str(total)
    assert desk.locator("[data-testid=rate]").inner_text() == "0%"

    # 董银成's phone: the 指令 tab counts it; he signs for it and reports back one-handed.
    worker = phone(browser, base, "gridworker")
    worker.goto(f"{base}/field/")
    tab = worker.locator(".field-tabs a", has_text="指令")
    assert tab.locator(".count").inner_text() != ""
    with worker.expect_navigation():
        tab.tap()
    with worker.expect_navigation():
        worker.locator("[data-testid=pending] li", has_text="寒潮来袭").locator("a").tap()
    assert fits(worker)
    with worker.expect_navigation():
        worker.locator("button", has_text="签收").tap()
    assert worker.locator("[data-testid=receipt-status]").inner_text() == "已签收"
    worker.fill("input[name='figure-走访户数']", "14")
    worker.fill("input[name='figure-发现问题']", "1")
    worker.fill("textarea[name=report]", "走访独居老人14户，1户暖气不热已联系物业维修")
    worker.set_input_files("input[name=photos]", str(png(tmp_path / "heating.png", (90, 140, 200))))
    assert fits(worker)
    with worker.expect_navigation():
        worker.locator("button", has_text="提交反馈").tap()
    assert "寒潮来袭" not in worker.locator("[data-testid=pending]").inner_text()
    assert fits(worker)
    worker.screenshot(path=str(tmp_path / "directives-phone.png"), full_page=True)
    receipt = Receipt.objects.get(directive=directive, user__username="gridworker")
    assert receipt.figures == {"走访户数": 14, "发现问题": 1} and receipt.photos.count() == 1

    # The command centre: his receipt, the completion rate, and one click to remind everyone else.
    desk.reload()
    assert desk.locator("[data-testid=reported]").inner_text() == "1"
    assert desk.locator("[data-testid=rate]").inner_text() == f"{1 / total:.0%}"
    assert "1户暖气不热" in desk.locator("[data-testid=receipts]").inner_text()
    with desk.expect_navigation():
        desk.locator("button", has_text="一键提醒").click()
    assert f"已提醒 {total - 1} 个" in desk.locator("[role=status]").inner_text()
    assert Notification.objects.filter(text__startswith="提醒：工作指令「寒潮来袭").count() == len(
        set(directive.receipts.filter(reported_at=None).values_list("user_id", flat=True))
    )
