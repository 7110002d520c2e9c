"""A matter through the six steps (问事→定事→解事→督事→评事→归档完事) with its timeline; who may take each
step; overdue decisions in 督事; meeting days and the meetings they bring; a matter from a ticket that
三事分流 marked 大事."""

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET
from wangge.deliberation import actions, selectors
from wangge.deliberation.models import Meeting, MeetingState, Proposal, Rule
from wangge.deliberation.steps import SIX, TRANSITIONS, Step
from wangge.lib.errors import InputError, NotAllowed
from wangge.notify.models import Notification
from wangge.people.models import Resident
from wangge.tickets.actions import do_accept
from wangge.tickets.models import Channel, Kind


def neighbour(resident: Resident) -> User:
    """Give a resident of the demo grid an H5 account."""
    user = User.objects.create_user(username=f"r{resident.pk}", display_name=resident.name)
    resident.user = user
    resident.save(update_fields=["user"])
    return user


def other_resident(*, exclude: set[int]) -> Resident:
    found = (
        Resident.objects.filter(household__area__code__startswith=DEMO_GRID, user=None)
        .exclude(pk__in=exclude)
        .order_by("id")
        .first()
    )
    assert found is not None
    return found


def tuesday_day(actor) -> tuple:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    day = actions.do_add_meeting_day(
        area=community,
        name="周二说事日",
        rule=Rule.WEEKLY,
        value=1,
        starts_at=dt.time(19, 0),
        place="社区党群服务中心二楼",
        host=actor("community"),
        actor=actor("community"),
    )
    return community, day


def test_a_meeting_day_plans_its_meetings_and_keeps_them_once(actor):
    _, day = tuesday_day(actor)
    meetings = list(Meeting.objects.filter(day=day).order_by("date"))
    assert meetings and all(m.date.weekday() == 1 for m in meetings)
    assert meetings[0].date >= timezone.localdate()
    assert (meetings[1].date - meetings[0].date).days == 7
    assert actions.plan_meetings(day) == 0  # again: nothing doubled
    assert day.rhythm == "每周二 19:00"


def test_every_date_ending_in_six():
    day = actions.MeetingDay(rule=Rule.ENDING, value=6, starts_at=dt.time(9, 0))
    dates = actions.dates_of(day, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert [d.day for d in dates] == [6, 16, 26, 6, 16, 26]
    assert day.rhythm == "逢6日 09:00"


def test_a_meeting_day_refuses_bad_rules_and_outsiders(actor):
    community = Area.objects.get(code=DEMO_COMMUNITY)
    common: dict[str, Any] = {"area": community, "name": "说事", "starts_at": dt.time(19), "place": "会议室"}
    with pytest.raises(InputError) as bad:
        actions.do_add_meeting_day(
            **common, rule=Rule.WEEKLY, value=7, host=actor("community"), actor=actor("community")
        )
    assert bad.value.field == "value"
    with pytest.raises(NotAllowed):
        actions.do_add_meeting_day(
            **common, rule=Rule.WEEKLY, value=1, host=actor("community"), actor=actor("gridworker")
        )
    with pytest.raises(InputError) as host:
        actions.do_add_meeting_day(
            **common, rule=Rule.WEEKLY, value=1, host=actor("resident"), actor=actor("community")
        )
    assert host.value.field == "host"


def test_a_matter_walks_the_six_steps(actor, grid_resident):
    community, day = tuesday_day(actor)
    raiser = actor("resident")
    proposal = actions.do_raise(
        title="楼道灯坏了半年", text="3号楼2单元楼道灯不亮，老人晚上下楼不便", actor=raiser
    )
    assert proposal.step == Step.RAISED and proposal.area.code == DEMO_GRID
    assert proposal.number.startswith("YS")
    assert Notification.objects.filter(user__username="community", text__contains="楼道灯").exists()

    other = neighbour(grid_resident)
    actions.do_second(proposal, actor=other)
    with pytest.raises(NotAllowed, match="已附议"):
        actions.do_second(proposal, actor=other)
    with pytest.raises(NotAllowed, match="自己"):
        actions.do_second(proposal, actor=raiser)
    with pytest.raises(NotAllowed):  # only a host puts it on the agenda
        actions.do_schedule(proposal, meeting=Meeting.objects.filter(day=day).first(), actor=raiser)  # type: ignore[arg-type]

    # the meeting is today, so that it can be held and decided within the test
    meeting = actions.do_add_meeting(
        area=community,
        title="周二说事日",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="二楼",
        actor=actor("community"),
    )
    proposal = actions.do_schedule(proposal, meeting=meeting, actor=actor("community"))
    assert proposal.step == Step.AGENDA and proposal.seconds == 1
    actions.do_record_minutes(
        meeting,
        minutes="居民代表、物业、网格员到会，商定更换楼道灯。",
        attendance=23,
        speakers=[{"name": "王秀兰", "role": "居民代表"}, {"name": "", "role": ""}],
        actor=actor("community"),
    )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD and meeting.speakers == [{"name": "王秀兰", "role": "居民代表"}]

    owner = actor("gridworker")
    with pytest.raises(InputError) as late:
        actions.do_decide(
            proposal,
            actions.Decision("商议", True, "换灯", owner, timezone.localdate() - dt.timedelta(days=1)),
            actor=actor("community"),
        )
    assert late.value.field == "due_on"
    due = timezone.localdate() + dt.timedelta(days=7)
    proposal = actions.do_decide(
        proposal,
        actions.Decision("到会居民一致同意由物业更换", True, "一周内更换声控灯", owner, due),
        actor=actor("community"),
    )
    assert proposal.step == Step.DECIDED and proposal.owner == owner and proposal.due_on == due
    with pytest.raises(NotAllowed):  # 接办 is the owner's
        actions.do_take(proposal, actor=actor("community"))
    proposal = actions.do_take(proposal, actor=owner)
    assert proposal.step == Step.FOLLOWING
    actions.do_urge(proposal, note="周五前请反馈", actor=actor("community"))
    with pytest.raises(NotAllowed):  # the raiser cannot rate before it is done
        actions.do_rate(proposal, score=5, actor=raiser)
    proposal = actions.do_complete(proposal, result="已更换6盏声控灯", actor=owner)
    assert proposal.step == Step.RATING
    with pytest.raises(NotAllowed, match="还没有居民评价"):
        actions.do_archive(proposal, actor=actor("community"))
    proposal = actions.do_rate(proposal, score=5, note="亮了", actor=raiser)
    proposal = actions.do_rate(proposal, score=4, actor=other)
    with pytest.raises(NotAllowed, match="已评价"):
        actions.do_rate(proposal, score=1, actor=raiser)
    assert proposal.average == 4.5
    proposal = actions.do_archive(proposal, actor=actor("community"))
    assert proposal.step == Step.ARCHIVED

    timeline = list(proposal.events.values_list("action", "to", "actor_role"))
    assert [a for a, _, _ in timeline] == [
        "raise",
        "schedule",
        "decide",
        "take",
        "urge",
        "complete",
        "rate",
        "rate",
        "archive",
    ]
    # every one of the six steps is on the timeline, in order
    assert list(dict.fromkeys(to for _, to, _ in timeline)) == list(SIX)
    assert timeline[0][2] == "居民" and timeline[2][2] == "社区" and timeline[3][2] == "网格员"
    with pytest.raises(NotAllowed, match="归档完事"):
        actions.do_archive(proposal, actor=actor("community"))


def test_a_decision_past_its_deadline_is_overdue_in_following(actor):
    community, _ = tuesday_day(actor)
    proposal = actions.do_raise(title="小区停车难", text="晚上车位不够", actor=actor("resident"))
    meeting = actions.do_add_meeting(
        area=community,
        title="协商会",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="二楼",
        actor=actor("community"),
    )
    actions.do_schedule(proposal, meeting=meeting, actor=actor("community"))
    proposal = actions.do_decide(
        proposal,
        actions.Decision("协商", True, "划定夜间停车位", actor("gridworker"), timezone.localdate()),
        actor=actor("community"),
    )
    assert not proposal.overdue
    Proposal.objects.filter(pk=proposal.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    followed = list(selectors.under_way(DEMO_COMMUNITY))
    assert followed[0].pk == proposal.pk and followed[0].overdue
    assert selectors.overdue_count(DEMO_COMMUNITY) == 1
    assert selectors.overdue_count(OTHER_STREET) == 0


def test_the_table_is_data_every_action_has_an_action():
    for t in TRANSITIONS:
        assert hasattr(actions, f"do_{t.action}"), t.action


def test_a_major_ticket_comes_to_deliberation_once(actor, new_ticket):
    submitted = new_ticket("小区广场改建", "居民对广场改建方案意见不一，需要商议")
    with pytest.raises(NotAllowed, match="私事或大事"):
        actions.do_raise(title="x", text="y", ticket=submitted, actor=actor("gridhead"))
    ticket = do_accept(submitted.pk, actor=actor("gridhead"), kind=Kind.MAJOR)
    with pytest.raises(NotAllowed):  # a resident does not move tickets
        actions.do_raise(title="大事", text="需要议", ticket=ticket, actor=actor("resident"))
    proposal = actions.do_raise(title="大事", text="需要议", ticket=ticket, actor=actor("gridhead"))
    assert proposal.ticket == ticket and proposal.area_code == ticket.area_code
    assert proposal.raiser_role == "网格长"
    with pytest.raises(NotAllowed, match="已转入"):
        actions.do_raise(title="大事", text="需要议", ticket=ticket, actor=actor("gridhead"))


def test_a_decision_may_make_a_ticket(actor):
    community, _ = tuesday_day(actor)
    proposal = actions.do_raise(title="垃圾清运不及时", text="周末没人收", actor=actor("resident"))
    meeting = actions.do_add_meeting(
        area=community,
        title="协商会",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="二楼",
        actor=actor("community"),
    )
    actions.do_schedule(proposal, meeting=meeting, actor=actor("community"))
    proposal = actions.do_decide(
        proposal,
        actions.Decision(
            "协商", True, "周末加一班清运", actor("gridworker"), timezone.localdate(), make_ticket=True
        ),
        actor=actor("community"),
    )
    made = proposal.made_ticket
    assert made is not None
    assert made.channel == Channel.DELIBERATION and made.external_id == proposal.number


def test_outsiders_neither_raise_nor_see(actor, client_for, outside_resident):
    outsider = neighbour(outside_resident)
    proposal = actions.do_raise(title="楼道灯", text="不亮", actor=actor("resident"))
    with pytest.raises(NotAllowed):
        actions.do_second(proposal, actor=outsider)
    with pytest.raises(NotAllowed):
        actions.do_raise(area=proposal.area, title="x", text="y", actor=outsider)
    with pytest.raises(Http404):
        selectors.get_proposal_for(outsider, proposal.pk)
