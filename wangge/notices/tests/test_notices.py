"""公示: a list published with masked names and no ID or phone accepted; an objection in the period
becomes a ticket of channel 公示异议 on the publishing office's queue, counted on the notice with its
outcome; objections outside the period or from outside the area are refused."""

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from wangge.areas.models import Area, Unit, UnitKind
from wangge.conftest import DEMO_COMMUNITY
from wangge.lib.errors import InputError, NotAllowed
from wangge.notices import actions, selectors
from wangge.notices.models import Notice, NoticeKind
from wangge.tickets.actions import do_claim, do_resolve
from wangge.tickets.models import Channel, Status


def property_company() -> Unit:
    return Unit.objects.get(
        kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
    )


def fees_notice(login, **overrides: Any) -> Notice:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    fields = {
        "area": Area.objects.get(code=DEMO_COMMUNITY),
        "kind": NoticeKind.FEES,
        "title": "2026年第四季度物业费收支公示",
        "body": "收支明细如下，如有异议请在公示期内提出。",
        "unit": property_company(),
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=7),
        "lines": actions.parse_lines("保洁 32000元\n绿化养护\t8600元\n电梯维保 12000元"),
        "actor": login("community"),
    }
    return actions.do_publish(**{**fields, **overrides})


def test_a_list_keeps_no_personal_numbers(actor):
    with pytest.raises(InputError) as bad:
        fees_notice(actor, lines=actions.parse_lines("张三 210104199001011234 低保2人"))
    assert bad.value.field == "lines" and "第1行" in bad.value.message
    with pytest.raises(InputError, match="第2行"):
        fees_notice(actor, lines=actions.parse_lines("张三 2人\n李四 13912345678"))
    with pytest.raises(NotAllowed):
        fees_notice(actor, actor=actor("gridworker"))
    far = Unit.objects.exclude(area__code__in=["210104", "210104001", DEMO_COMMUNITY]).first()
    with pytest.raises(InputError) as unit:
        fees_notice(actor, unit=far)
    assert unit.value.field == "unit"
    notice = fees_notice(actor)
    assert [e.name for e in notice.entries.all()] == ["保洁", "绿化养护", "电梯维保"]
    assert notice.entries.all()[1].detail == "8600元"


def test_an_objection_is_a_ticket_on_the_offices_queue(actor, client_for):
    notice = fees_notice(actor)
    entry = notice.entries.get(position=3)
    objection = actions.do_object(
        notice, text="电梯这季度停了两周，维保费不该全额", entry=entry, actor=actor("resident")
    )
    ticket = objection.ticket
    assert ticket.channel == Channel.OBJECTION
    assert ticket.status == Status.ASSIGNED and ticket.lead_unit == notice.unit
    assert "第3行" in ticket.description
    notice.refresh_from_db()
    assert notice.objections == 1
    # on the office's own worklist
    assert ticket.number in client_for("unit").get(reverse("web:workbench")).content.decode()
    (outcome,) = selectors.outcomes(notice)
    assert outcome.state == "核实中"
    with pytest.raises(NotAllowed, match="已对这条公示提出过异议"):  # one per person: a ticket, not a thread
        actions.do_object(notice, text="再说一遍", actor=actor("resident"))
    do_claim(ticket.pk, actor=actor("unit"))
    do_resolve(ticket.pk, actor=actor("unit"), note="经核实，停梯期间维保费已按比例减免")
    (outcome,) = selectors.outcomes(notice)
    assert outcome.state == "已办结"  # the reply itself is the objector's, on their 诉求 page


def test_people_are_masked_and_a_withdrawn_notice_is_gone_from_the_board(actor):
    people = fees_notice(actor, kind=NoticeKind.AFFAIRS, lines=actions.parse_lines("王秀兰 楼栋长"))
    items = fees_notice(actor, people=False)
    benefit = fees_notice(
        actor, kind=NoticeKind.BENEFIT, lines=actions.parse_lines("张建国 2人"), people=False
    )
    assert people.shown_name("王秀兰") == "王**" and items.shown_name("保洁") == "保洁"
    assert benefit.people  # a 救助名单 is always masked
    resident = actor("resident")
    assert selectors.get_notice_for(resident, people.pk) == people
    actions.do_withdraw_notice(people, actor=actor("community"))
    with pytest.raises(Http404):
        selectors.get_notice_for(resident, people.pk)
    assert selectors.get_notice_for(actor("community"), people.pk) == people  # its publisher still reads it
    later = fees_notice(
        actor,
        starts_on=timezone.localdate() + dt.timedelta(days=3),
        ends_on=timezone.localdate() + dt.timedelta(days=9),
    )
    code = resident.resident.household.area.code
    assert later not in list(selectors.board(code)) and people not in list(selectors.board(code))
    with pytest.raises(Http404):
        selectors.get_notice_for(resident, later.pk)


def test_objections_only_in_the_period_and_from_the_area(actor, outside_resident):
    today = timezone.localdate()
    ended = fees_notice(actor, starts_on=today - dt.timedelta(days=7), ends_on=today)
    Notice.objects.filter(pk=ended.pk).update(ends_on=today - dt.timedelta(days=1))
    ended.refresh_from_db()
    with pytest.raises(NotAllowed, match="公示期"):
        actions.do_object(ended, text="有异议", actor=actor("resident"))
    notice = fees_notice(actor)
    with pytest.raises(NotAllowed, match="公示范围"):
        actions.do_object(notice, text="有异议", actor=actor("gridworker"))
    with pytest.raises(InputError) as empty:
        actions.do_object(notice, text="  ", actor=actor("resident"))
    assert empty.value.field == "text"
    actions.do_withdraw_notice(notice, actor=actor("community"))
    with pytest.raises(NotAllowed):
        actions.do_object(notice, text="有异议", actor=actor("resident"))


def test_the_board_shows_the_area_and_above(actor):
    notice = fees_notice(actor)
    grid_code = actor("resident").resident.household.area.code
    assert notice in list(selectors.board(grid_code))
    assert notice not in list(selectors.board("210104002001001"))
