"""议事公开 pages: the desk's tabs for hosts and nobody else, their query counts fixed as matters grow, the
resident's pages (raise, second, rate, vote, object, answer) with errors naming the field, public pages
without personal data, and outsiders answered 404."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, Unit, UnitKind
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET, full_numbers, shows_any
from wangge.deliberation import actions
from wangge.deliberation.models import Per, Proposal
from wangge.deliberation.steps import Step
from wangge.notices import actions as notices
from wangge.notices.models import Invite, Notice, NoticeKind, Objection, Survey
from wangge.tickets.actions import do_accept
from wangge.web.deliberation_views import TABS

PAGE = reverse("web:talk", args=[DEMO_COMMUNITY])


def meeting_today(actor):  # type: ignore[no-untyped-def]
    return actions.do_add_meeting(
        area=Area.objects.get(code=DEMO_COMMUNITY),
        title="周二说事日",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="社区二楼",
        actor=actor("community"),
    )


def decided(actor, title: str = "楼道灯") -> Proposal:  # type: ignore[no-untyped-def]
    proposal = actions.do_raise(title=title, text="3号楼楼道灯不亮", actor=actor("resident"))
    meeting = meeting_today(actor)
    actions.do_schedule(proposal, meeting=meeting, actor=actor("community"))
    return actions.do_decide(
        proposal,
        actions.Decision("一致同意", True, "一周内更换", actor("gridworker"), timezone.localdate()),
        actor=actor("community"),
    )


def test_the_desk_is_for_hosts(client_for):
    for tab, _ in TABS:
        assert client_for("community").get(f"{PAGE}?t={tab}").status_code == 200, tab
    assert client_for("gridworker").get(PAGE).status_code == 404
    assert client_for("resident").get(PAGE).status_code == 404
    assert client_for("community").get(reverse("web:talk", args=[OTHER_STREET])).status_code == 404


def test_the_nav_reaches_talk(client_for):
    desk = client_for("community").get(reverse("web:workbench")).content.decode()
    assert PAGE in desk
    resident = client_for("resident").get(reverse("web:h5_submit")).content.decode()
    assert reverse("web:h5_talk") in resident


def test_desk_tabs_take_a_fixed_number_of_queries(client_for, actor):
    client = client_for("community")

    def count(tab: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"{PAGE}?t={tab}").status_code == 200
        return len(seen)

    decided(actor, "第一件")
    before = {tab: count(tab) for tab, _ in TABS}
    community = Area.objects.get(code=DEMO_COMMUNITY)
    for i in range(3):  # more staff to offer as hosts and owners
        more = User.objects.create_user(username=f"staff{i}", display_name=f"社工{i}")
        Membership.objects.create(user=more, area=community, role=Role.COMMUNITY_STAFF)
    for i in range(4):
        decided(actor, f"又一件{i}")
        actions.do_raise(title=f"待议{i}", text="内容", actor=actor("resident"))
    notices.do_publish(
        area=Area.objects.get(code=DEMO_COMMUNITY),
        kind=NoticeKind.FEES,
        title="收费公示",
        body="",
        unit=Unit.objects.get(
            kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
        ),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        actor=actor("community"),
    )
    after = {tab: count(tab) for tab, _ in TABS}
    assert after == before


def test_a_resident_raises_seconds_and_rates_on_the_phone(client_for, actor, grid_resident):
    client = client_for("resident")
    bad = client.post(reverse("web:h5_talk_new"), {"title": "", "text": "x"})
    assert bad.status_code == 422 and "请填写事项" in bad.content.decode()
    made = client.post(reverse("web:h5_talk_new"), {"title": "楼下健身器材坏了", "text": "单杠松动"})
    proposal = Proposal.objects.get(title="楼下健身器材坏了")
    assert made.url == reverse("web:h5_talk_matter", args=[proposal.pk])
    page = client.get(made.url).content.decode()
    assert "网格问事" in page and 'data-testid="second"' not in page  # not one's own

    neighbour = User.objects.create_user(username="nb", display_name=grid_resident.name)
    grid_resident.user = neighbour
    grid_resident.save(update_fields=["user"])
    other = client_for("nb")
    listing = other.get(reverse("web:h5_talk")).content.decode()
    assert "楼下健身器材坏了" in listing
    other.post(reverse("web:h5_talk_matter_act", args=[proposal.pk, "second"]))
    proposal.refresh_from_db()
    assert proposal.seconds == 1
    # the host's controls are not the resident's
    assert client.post(reverse("web:h5_talk_matter_act", args=[proposal.pk, "archive"])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.step == Step.RAISED


def test_the_host_decides_on_the_phone_with_errors_naming_the_field(client_for, actor):
    proposal = actions.do_raise(title="停车", text="车位少", actor=actor("resident"))
    meeting = meeting_today(actor)
    host = client_for("community")
    host.post(reverse("web:h5_talk_matter_act", args=[proposal.pk, "schedule"]), {"meeting": str(meeting.pk)})
    proposal.refresh_from_db()
    assert proposal.step == Step.AGENDA
    url = reverse("web:h5_talk_matter_act", args=[proposal.pk, "decide"])
    bad = host.post(url, {"discussion": "商议", "decision": "划线", "owner": "", "due_on": "2026-13-01"})
    assert bad.status_code == 422 and "请选择负责人" in bad.content.decode()
    owner = actor("gridworker")
    late = host.post(
        url, {"discussion": "商议", "decision": "划线", "owner": str(owner.pk), "due_on": "明天"}
    )
    assert late.status_code == 422 and "完成期限请按" in late.content.decode()
    host.post(
        url,
        {
            "discussion": "商议",
            "decision": "划线",
            "owner": str(owner.pk),
            "due_on": timezone.localdate().isoformat(),
        },
    )
    proposal.refresh_from_db()
    assert proposal.step == Step.DECIDED and proposal.owner == owner
    owned = client_for("gridworker").get(reverse("web:h5_talk")).content.decode()
    assert 'data-testid="owned"' in owned and "停车" in owned


def test_the_meeting_page_is_public_to_the_area_without_personal_data(client_for, actor, outside_resident):
    meeting = meeting_today(actor)
    actions.do_record_minutes(
        meeting,
        minutes="商定更换楼道灯",
        attendance=20,
        speakers=[{"name": "王秀兰", "role": "居民代表"}],
        actor=actor("community"),
    )
    page = client_for("resident").get(reverse("web:h5_talk_meeting", args=[meeting.pk])).content.decode()
    assert "商定更换楼道灯" in page and "王*" in page and "王秀兰" not in page
    assert not shows_any(page, full_numbers(DEMO_GRID))
    outsider = User.objects.create_user(username="far", display_name="外人")
    outside_resident.user = outsider
    outside_resident.save(update_fields=["user"])
    assert client_for("far").get(reverse("web:h5_talk_meeting", args=[meeting.pk])).status_code == 404
    proposal = actions.do_raise(title="x", text="y", actor=actor("resident"))
    assert client_for("far").get(reverse("web:h5_talk_matter", args=[proposal.pk])).status_code == 404


def test_voting_on_the_phone(client_for, actor):
    meeting = meeting_today(actor)
    now = timezone.now()
    motion = actions.do_open_motion(
        meeting,
        text="同意加装电梯",
        per=Per.HOUSEHOLD,
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=1),
        actor=actor("community"),
    )
    client = client_for("resident")
    url = reverse("web:h5_talk_meeting_act", args=[meeting.pk, "vote"])
    client.post(url, {"motion": str(motion.pk), "choice": "yes"})
    again = client.post(url, {"motion": str(motion.pk), "choice": "no"}, follow=True).content.decode()
    assert "本户已投票" in again
    motion.refresh_from_db()
    assert (motion.yes, motion.no) == (1, 0)


def test_an_objection_from_the_board(client_for, actor):
    unit = Unit.objects.get(
        kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
    )
    notice = notices.do_publish(
        area=Area.objects.get(code=DEMO_COMMUNITY),
        kind=NoticeKind.BENEFIT,
        title="低保新增对象公示",
        body="",
        unit=unit,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=7),
        lines=notices.parse_lines("张建国 2人 每月1280元\n李秀英 1人 每月680元"),
        actor=actor("community"),
    )
    client = client_for("resident")
    board = client.get(reverse("web:h5_notices")).content.decode()
    assert "低保新增对象公示" in board
    page = client.get(reverse("web:h5_notice", args=[notice.pk])).content.decode()
    assert "张**" in page and "张建国" not in page
    empty = client.post(reverse("web:h5_notice_object", args=[notice.pk]), {"text": ""})
    assert empty.status_code == 422 and "请填写异议内容" in empty.content.decode()
    entry = notice.entries.get(position=2)
    done = client.post(
        reverse("web:h5_notice_object", args=[notice.pk]), {"text": "她已有固定收入", "entry": str(entry.pk)}
    )
    objection = Objection.objects.get(notice=notice)
    assert done.url == reverse("web:my_ticket", args=[objection.ticket_id])
    page = client.get(reverse("web:h5_notice", args=[notice.pk])).content.decode()
    assert "对第2行的异议" in page and "核实中" in page
    assert Notice.objects.get(pk=notice.pk).objections == 1
    assert client_for("community").get(f"{PAGE}?t=notices").status_code == 200


def test_a_survey_on_the_phone_and_its_results_at_the_desk(client_for, actor):
    desk = client_for("community")
    today = timezone.localdate()
    made = desk.post(
        reverse("web:talk_act", args=[DEMO_COMMUNITY, "survey"]),
        {
            "title": "第四季度双向测评",
            "area": str(Area.objects.get(code=DEMO_COMMUNITY).pk),
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=7)).isoformat(),
            "size": "5",
            "q1": "您对网格员满意吗",
            "q2": "意见建议",
            "q2_text": "1",
        },
    )
    survey_url = made.url
    survey_id = int(survey_url.rstrip("/").split("/")[-1])
    survey = Survey.objects.get(pk=survey_id)
    resident = actor("resident").resident
    Invite.objects.get_or_create(
        survey=survey, resident=resident, defaults={"area_code": resident.household.area.code}
    )
    client = client_for("resident")
    assert "第四季度双向测评" in client.get(reverse("web:h5_notices")).content.decode()
    q1, q2 = survey.questions.order_by("position")
    bad = client.post(reverse("web:h5_survey", args=[survey.pk]), {f"t{q2.pk}": "好"})
    assert bad.status_code == 422 and "请为第1题打分" in bad.content.decode()
    client.post(reverse("web:h5_survey", args=[survey.pk]), {f"q{q1.pk}": "5", f"t{q2.pk}": "好"})
    results = desk.get(survey_url).content.decode()
    assert "<b>100%</b>满意率" in results and "「好」" in results
    assert client_for("resident").get(survey_url).status_code == 302  # residents get their own form


def test_a_major_ticket_goes_to_talk_from_its_page(client_for, actor, new_ticket):
    ticket = new_ticket("广场改建意见不一", "居民对改建方案意见不一")
    desk = client_for("gridhead")
    assert 'data-testid="to-talk"' not in desk.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    do_accept(ticket.pk, actor=actor("gridhead"), kind="major")
    assert 'data-testid="to-talk"' in desk.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    made = desk.post(
        reverse("web:ticket_to_talk", args=[ticket.pk]), {"title": "广场改建", "text": "改建方案需商议"}
    )
    proposal = Proposal.objects.get(ticket=ticket)
    assert made.url == reverse("web:h5_talk_matter", args=[proposal.pk]) and proposal.raiser_role == "网格长"
    assert proposal.number in desk.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    # the resident who raised the ticket cannot move it
    client_for("resident").post(reverse("web:ticket_to_talk", args=[ticket.pk]), {"title": "x", "text": "y"})
    assert Proposal.objects.filter(ticket=ticket).count() == 1


def test_phone_lists_take_a_fixed_number_of_queries(client_for, actor):
    client = client_for("resident")
    meeting = meeting_today(actor)
    unit = Unit.objects.get(
        kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
    )
    pages = [
        reverse("web:h5_talk"),
        reverse("web:h5_notices"),
        reverse("web:h5_talk_meeting", args=[meeting.pk]),
    ]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    def more(i: int) -> None:
        proposal = actions.do_raise(title=f"事{i}", text="内容", actor=actor("resident"))
        actions.do_schedule(proposal, meeting=meeting, actor=actor("community"))
        decided(actor, f"定{i}")
        notices.do_publish(
            area=Area.objects.get(code=DEMO_COMMUNITY),
            kind=NoticeKind.FEES,
            title=f"公示{i}",
            body="",
            unit=unit,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            actor=actor("community"),
        )

    more(0)
    before = [count(url) for url in pages]
    for i in range(1, 5):
        more(i)
    assert [count(url) for url in pages] == before
