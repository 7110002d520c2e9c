"""Issue 23's story in Chromium at 375 px, every step reached by tapping from each persona's home.

A resident raises a matter for the community's 周二说事日; the community's host puts it on next Tuesday's
agenda; on Tuesday evening (the meeting's date moved to today) the host records the minutes and the
decision with the grid worker as its owner; the grid worker takes it on and completes it; the resident
rates it; the host archives it. The meeting's page, read by the resident, shows the minutes without
personal data (the speaker's name masked, no phone or ID number).

Screenshots go to the test's tmp dir and SHOTS."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, full_numbers, shows_any
from wangge.deliberation import actions
from wangge.deliberation.models import Meeting, Proposal, Rule
from wangge.deliberation.steps import Step
from wangge.web.tests.test_h5_story import shoot
from wangge.web.tests.test_ticket_story import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 375
TITLE = "3号楼楼道灯坏了半个月"


def tap(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator(selector).first.click()


def tuesday_talk_day() -> None:
    staff = User.objects.get(username="community")
    actions.do_add_meeting_day(
        area=Area.objects.get(code=DEMO_COMMUNITY),
        name="周二说事日",
        rule=Rule.WEEKLY,
        value=1,
        starts_at=dt.time(19, 0),
        place="社区党群服务中心二楼",
        host=staff,
        actor=staff,
    )


def test_a_matter_from_raised_to_archived_on_phones(  # type: ignore[no-untyped-def]
    committed_city, live_server, browser, tmp_path
) -> None:
    tuesday_talk_day()
    base = live_server.url

    # 问事: the resident raises it from the 议事 tab of the bottom bar
    resident = login(browser, base, "resident", phone=True, width=WIDTH)
    tap(resident, ".h5-nav a:has-text('议事')")
    assert "周二说事日" in resident.locator("[data-testid=next-meeting]").inner_text()
    shoot(resident, tmp_path, "talk-1-home")
    tap(resident, "[data-testid=raise]")
    resident.fill("input[name=title]", TITLE)
    resident.fill("textarea[name=text]", "2单元楼道灯不亮，老人晚上下楼看不清，希望尽快修好。")
    tap(resident, "[data-testid=raise-form] button[type=submit]")
    assert resident.locator("[data-testid=step]").inner_text() == "问事"
    shoot(resident, tmp_path, "talk-2-raised")
    proposal = Proposal.objects.get(title=TITLE)

    # 定事: the host finds it under 议事 › 问事 and puts it on next Tuesday's agenda
    host = login(browser, base, "community", phone=True, width=WIDTH)
    tap(host, "nav a:has-text('议事')")
    tap(host, "[data-tab=raised]")
    shoot(host, tmp_path, "talk-3-desk-raised")
    tap(host, f"[data-testid=raised] a:has-text('{TITLE}')")
    tuesday = (
        Meeting.objects.filter(day__name="周二说事日", date__gte=timezone.localdate())
        .order_by("date")
        .first()
    )
    assert tuesday is not None and tuesday.date.weekday() == 1
    host.select_option("select[name=meeting]", str(tuesday.pk))
    tap(host, "[data-testid=schedule]")
    assert host.locator("[data-testid=step]").inner_text() == "定事"

    # Tuesday evening: the meeting is held (its date moved to today)
    Meeting.objects.filter(pk=tuesday.pk).update(date=timezone.localdate())
    tap(host, "[data-testid=matter] a[href*='/h5/talk/meetings/']")
    host.fill("textarea[name=minutes]", "居民代表、物业、网格员到会，商定由物业一周内更换楼道声控灯。")
    host.fill("input[name=attendance]", "23")
    host.fill("textarea[name=speakers]", "王秀兰 居民代表\n李国强 物业")
    tap(host, "[data-testid=save-minutes]")
    shoot(host, tmp_path, "talk-4-minutes")
    tap(host, f"[data-testid=agenda] a:has-text('{TITLE}')")
    owner = User.objects.get(username="gridworker")
    host.fill("textarea[name=discussion]", "到会居民一致同意更换声控灯")
    host.fill("textarea[name=decision]", "物业一周内更换3号楼2单元全部楼道灯，网格员跟进")
    host.select_option("select[name=owner]", str(owner.pk))
    host.fill("input[name=due_on]", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    shoot(host, tmp_path, "talk-5-decide", at="[data-testid=decide-form]")
    tap(host, "[data-testid=decide]")
    assert host.locator("[data-testid=step]").inner_text() == "解事"
    assert owner.shown_name in host.locator("[data-testid=decision]").inner_text()

    # 督事: the owner takes it on and completes it, from the line on their home page
    worker = login(browser, base, "gridworker", phone=True, width=WIDTH)
    tap(worker, "[data-testid=talk-owned]")
    shoot(worker, tmp_path, "talk-6-owned")
    tap(worker, f"[data-testid=owned] a:has-text('{TITLE}')")
    tap(worker, "[data-testid=take]")
    assert worker.locator("[data-testid=step]").inner_text() == "督事"
    worker.fill("textarea[name=result]", "已更换6盏声控灯，晚上实测正常。")
    tap(worker, "[data-testid=complete]")
    assert worker.locator("[data-testid=step]").inner_text() == "评事"

    # 评事: the resident rates it from the same tab
    tap(resident, ".h5-nav a:has-text('议事')")
    tap(resident, f"[data-testid=done] a:has-text('{TITLE}')")
    resident.locator("[data-testid=rate-form] label:has-text('很满意')").click()
    tap(resident, "[data-testid=rate]")
    shoot(resident, tmp_path, "talk-7-rated")

    # 归档完事: the host archives it
    host.reload()
    tap(host, "[data-testid=archive]")
    assert host.locator("[data-testid=step]").inner_text() == "归档完事"
    proposal.refresh_from_db()
    assert proposal.step == Step.ARCHIVED and proposal.ratings == 1
    steps = list(proposal.events.values_list("to", flat=True))
    assert list(dict.fromkeys(steps)) == ["raised", "agenda", "decided", "following", "rating", "archived"]

    # the public page: the minutes, no personal data
    resident.goto(f"{base}/h5/talk/{proposal.pk}/")
    tap(resident, "[data-testid=matter] a[href*='/h5/talk/meetings/']")
    public = resident.content()
    assert "商定由物业一周内更换" in resident.locator("[data-testid=minutes]").inner_text()
    assert "王*" in public and "王秀兰" not in public and "李国强" not in public
    assert not shows_any(public, full_numbers(DEMO_GRID))
    shoot(resident, tmp_path, "talk-8-public-minutes")
    overflow = resident.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the meeting page is {overflow}px wider than the phone"
