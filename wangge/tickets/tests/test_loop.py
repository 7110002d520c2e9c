"""The closed loop through the actions, with the demo logins as actors."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.notify.models import Notification, OutboundMessage
from wangge.tickets import actions as a
from wangge.tickets.models import Assignment, Level, Status, SummonsState, TicketEvent
from wangge.tickets.queries import allowed_actions, relations_of
from wangge.tickets.workflow import DISPATCHER, GRID, RESIDENT


def timeline(ticket) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.action, e.from_status, e.to_status) for e in TicketEvent.objects.filter(ticket=ticket)]


def test_the_whole_loop_writes_one_event_per_step(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    assert ticket.area.code == DEMO_GRID and ticket.status == Status.NEW and ticket.level == Level.GRID
    assert ticket.claim_deadline > ticket.submitted_at and ticket.resolve_deadline >= ticket.claim_deadline
    community, worker, resident = actor("community"), actor("gridworker"), actor("resident")
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_assign(ticket.pk, actor=community, assignee=worker)
    a.do_claim(ticket.pk, actor=worker)
    a.do_resolve(ticket.pk, actor=worker, note="已修补屋面防水层")
    done = a.do_callback(ticket.pk, actor=community, reached=True, verdict="satisfied")
    assert done.status == Status.CLOSED and done.on_time is True and done.callback_reached is True
    assert done.response_seconds is not None and done.handling_seconds is not None
    assert timeline(ticket) == [
        ("submit", "", "new"),
        ("accept", "new", "accepted"),
        ("assign", "accepted", "assigned"),
        ("claim", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("callback", "resolved", "closed"),
    ]
    # The resident heard of each step in the inbox; the worker was told of the dispatch.
    resident_texts = list(
        Notification.objects.filter(user=resident, ticket=ticket).values_list("text", flat=True)
    )
    assert any("已受理" in t for t in resident_texts) and any("已办结" in t for t in resident_texts)
    assert Notification.objects.filter(user=worker, ticket=ticket, text__contains="派单").exists()


def test_actions_outside_the_table_are_refused_with_the_reason(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    with pytest.raises(a.WorkflowError, match=r"待受理.*不能接单|不能对这件诉求执行"):
        a.do_claim(ticket.pk, actor=actor("gridworker"))
    with pytest.raises(a.WorkflowError, match="不能对这件诉求执行「受理」"):
        a.do_accept(ticket.pk, actor=actor("gridworker"), kind="small")  # a grid worker does not dispatch
    a.do_accept(ticket.pk, actor=actor("gridhead"), kind="small")
    with pytest.raises(a.WorkflowError, match=r"待派单.*不能受理"):
        a.do_accept(ticket.pk, actor=actor("community"), kind="small")
    assert len(timeline(ticket)) == 2  # refusals write nothing


def test_relations_and_allowed_actions(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    assert RESIDENT in relations_of(actor("resident"), ticket)
    assert GRID in relations_of(actor("gridworker"), ticket)
    assert DISPATCHER in relations_of(actor("gridhead"), ticket)
    assert allowed_actions(actor("resident"), ticket) == ["withdraw"]
    assert set(allowed_actions(actor("community"), ticket)) >= {"accept", "reject", "merge", "withdraw"}
    assert allowed_actions(actor("unit"), ticket) == []


def test_a_second_claim_is_refused_with_who_claimed(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = actor("community")
    a.do_accept(ticket.pk, actor=community, kind="small")
    property_company = Unit.objects.get(memberships__user__username="unit")
    a.do_assign(ticket.pk, actor=community, units=[property_company])
    colleague = property_company.memberships.exclude(user__username="unit").first().user
    a.do_claim(ticket.pk, actor=actor("unit"))
    with pytest.raises(a.WorkflowError, match=f"已被 {actor('unit').shown_name} 接单"):
        a.do_claim(ticket.pk, actor=colleague)


def test_grid_claims_directly_and_returns_are_counted(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=actor("gridhead"), kind="small")
    claimed = a.do_claim(ticket.pk, actor=actor("gridworker"))  # 秒认领
    assert claimed.status == Status.IN_PROGRESS and claimed.assignee.username == "gridworker"
    with pytest.raises(a.TicketInputError) as err:
        a.do_return(ticket.pk, actor=actor("gridworker"), note=" ")
    assert err.value.field == "note"
    returned = a.do_return(ticket.pk, actor=actor("gridworker"), note="属于供水管网，不是楼内问题")
    assert returned.status == Status.RETURNED and returned.ever_returned and returned.assignee is None
    assert Assignment.objects.get(ticket=ticket, returned_at__isnull=False).return_reason.startswith(
        "属于供水"
    )


def test_lead_and_co_units_and_a_co_unit_return(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = actor("community")
    a.do_accept(ticket.pk, actor=community, kind="major")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    a.do_assign(ticket.pk, actor=community, units=[wy, zj])
    assert ticket.__class__.objects.get(pk=ticket.pk).lead_unit == wy
    zj_staff = zj.memberships.first().user
    a.do_claim(ticket.pk, actor=zj_staff)
    after = a.do_return(ticket.pk, actor=zj_staff, note="非本部门职责")
    assert after.status == Status.IN_PROGRESS and after.ever_returned  # the lead still has it
    with pytest.raises(a.TicketInputError, match="不服务"):
        other_wy = Unit.objects.exclude(pk=wy.pk).filter(kind="property")[0]
        a.do_assign(ticket.pk, actor=community, units=[other_wy])


def test_escalation_ladder(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    up = a.do_escalate(ticket.pk, actor=actor("gridworker"), note="网格解决不了")
    assert up.level == Level.COMMUNITY and up.ever_escalated and up.status == Status.NEW
    with pytest.raises(a.WorkflowError):  # the grid head no longer dispatches it
        a.do_accept(ticket.pk, actor=actor("gridhead"), kind="small")
    a.do_escalate(ticket.pk, actor=actor("community"), level="district")
    with pytest.raises(a.WorkflowError, match="已在区级"):
        a.do_escalate(ticket.pk, actor=actor("district"))


def test_summons_records_reported_late_and_missing(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = actor("community")
    a.do_accept(ticket.pk, actor=community, kind="major")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj, gs = Unit.objects.get(code="210104-ZJ"), Unit.objects.get(code="210104-GS")
    soon = timezone.now() + dt.timedelta(minutes=30)
    summons = a.do_summon(
        ticket.pk, actor=community, units=[wy, zj, gs], deadline=soon, note="屋顶漏水联合处置"
    )
    assert summons.area_code == ticket.area_code  # its place, for the units' figures of an area
    a.do_report(ticket.pk, actor=actor("unit"), note="已到现场")
    with pytest.raises(a.WorkflowError, match="已报到"):
        a.do_report(ticket.pk, actor=actor("unit"))
    # The deadline passes right after the property company reported; 住建 reports late, 供水 never.
    reported_at = summons.calls.get(unit=wy).reported_at
    assert reported_at is not None
    summons.deadline = reported_at + dt.timedelta(microseconds=1)
    summons.save(update_fields=["deadline"])
    a.do_report(ticket.pk, actor=zj.memberships.first().user)
    states = {c.unit.code: c.state() for c in summons.calls.select_related("unit", "summons")}
    assert states == {
        wy.code: SummonsState.REPORTED,
        zj.code: SummonsState.LATE,
        gs.code: SummonsState.MISSING,
    }
    assert Notification.objects.filter(user=actor("unit"), text__contains="吹哨").exists()


def _resolved(new_ticket, actor):  # type: ignore[no-untyped-def]
    ticket = new_ticket(contact_phone="13800001111")
    a.do_accept(ticket.pk, actor=actor("community"), kind="small")
    a.do_claim(ticket.pk, actor=actor("gridworker"))
    a.do_resolve(ticket.pk, actor=actor("gridworker"), note="已处理")
    return ticket


def test_dissatisfied_reopens_once_then_goes_to_the_street(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    community = actor("community")
    reopened = a.do_callback(ticket.pk, actor=community, reached=True, verdict="dissatisfied")
    assert (
        reopened.status == Status.IN_PROGRESS and reopened.reopen_count == 1 and reopened.resolved_at is None
    )
    a.do_resolve(ticket.pk, actor=actor("gridworker"), note="再次处理")
    street = a.do_rate(ticket.pk, actor=actor("resident"), rating=1)
    assert street.status == Status.ACCEPTED and street.level == Level.STREET and street.assignee is None
    assert street.ever_escalated and street.dissatisfied_count == 2


def test_callback_not_reached_then_rating_closes(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    missed = a.do_callback(ticket.pk, actor=actor("community"), reached=False)
    assert missed.status == Status.RESOLVED and missed.callback_reached is False
    with pytest.raises(a.TicketInputError) as err:
        a.do_callback(ticket.pk, actor=actor("community"), reached=True)
    assert err.value.field == "verdict"
    with pytest.raises(a.TicketInputError):
        a.do_rate(ticket.pk, actor=actor("resident"), rating=6)
    closed = a.do_rate(ticket.pk, actor=actor("resident"), rating=5)
    assert closed.status == Status.CLOSED and closed.rating == 5
    # The resident was told by SMS (console backend) too.
    assert OutboundMessage.objects.filter(ticket=ticket).count() >= 3


def test_review_sends_back_and_waiver_closes(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    with pytest.raises(a.TicketInputError):
        a.do_review(ticket.pk, actor=actor("street"), approve=False)
    back = a.do_review(ticket.pk, actor=actor("street"), approve=False, note="照片看不清")
    assert back.status == Status.IN_PROGRESS
    a.do_resolve(ticket.pk, actor=actor("gridworker"), note="补拍照片")
    assert a.do_review(ticket.pk, actor=actor("street"), approve=True).reviewed
    closed = a.do_close(ticket.pk, actor=actor("community"), note="三次电话未接通")
    assert closed.status == Status.CLOSED and closed.callback_reached is None  # waived, not called back


def test_merge_and_withdraw(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    first, second = new_ticket(), new_ticket(title="屋顶又漏水")
    community = actor("community")
    with pytest.raises(a.TicketInputError):
        a.do_merge(second.pk, actor=community, target_id=second.pk)
    merged = a.do_merge(second.pk, actor=community, target_id=first.pk)
    assert merged.status == Status.MERGED and merged.merged_into_id == first.pk
    assert TicketEvent.objects.filter(ticket=first, action="merged_in").exists()
    withdrawn = a.do_withdraw(first.pk, actor=actor("resident"), note="已自行解决")
    assert withdrawn.status == Status.WITHDRAWN


def test_bad_submissions_name_the_field(new_ticket) -> None:  # type: ignore[no-untyped-def]
    for kwargs, field in [
        ({"title": " "}, "title"),
        ({"description": ""}, "description"),
        ({"urgency": "soon"}, "urgency"),
    ]:
        with pytest.raises(a.TicketInputError) as err:
            new_ticket(**kwargs)
        assert err.value.field == field


def test_a_building_is_placed_on_its_grid_and_a_community_starts_at_community_level(new_ticket) -> None:  # type: ignore[no-untyped-def]
    from wangge.areas.models import Area

    building = Area.objects.filter(code__startswith=DEMO_GRID, level="building").first()
    assert new_ticket(area_code=building.code).area.code == DEMO_GRID
    at_community = new_ticket(area_code=DEMO_COMMUNITY)
    assert at_community.level == Level.COMMUNITY and at_community.area.code == DEMO_COMMUNITY


def test_a_new_dispatcher_is_notified_of_the_next_ticket(actor, new_ticket) -> None:  # type: ignore[no-untyped-def]
    """The dispatching posts are kept per process; a membership saved here counts at once."""
    new_ticket()  # the posts are now in memory
    newcomer = User.objects.create(username="new-gridhead", display_name="新网格长")
    Membership.objects.create(user=newcomer, role=Role.GRID_HEAD, area=Area.objects.get(code=DEMO_GRID))
    ticket = new_ticket("井盖松动", "小区东门井盖松动")
    assert Notification.objects.filter(user=newcomer, ticket=ticket).exists()
