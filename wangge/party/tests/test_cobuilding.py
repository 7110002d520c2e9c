"""大党委 and co-building, the 攻坚清单 and 双积分: member units of the committee, an agreement whose
commitments land on the offers list, pairings and joint meetings; a hard case with its leader, its
plan, overdue steps and its end; the service a member's unit gets reported back, per year."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.lib.errors import InputError, NotAllowed
from wangge.lists.models import ItemState, Offer
from wangge.party import actions, selectors
from wangge.party.models import CaseState, PartyOrg
from wangge.points import actions as points
from wangge.points.models import RuleKey
from wangge.volunteering import actions as volunteering
from wangge.volunteering.models import Activity, SignUp


def committee() -> PartyOrg:
    found = selectors.committee_of(DEMO_COMMUNITY)
    assert found is not None
    return found


def serving_unit() -> Unit:
    """A unit whose area holds the demo community (the district's departments)."""
    found = (
        Unit.objects.filter(area__code__in=[DEMO_COMMUNITY[:6], DEMO_STREET, DEMO_COMMUNITY])
        .order_by("code")
        .first()
    )
    assert found is not None
    return found


def elsewhere_unit() -> Unit:
    found = Unit.objects.filter(area__code__startswith=OTHER_STREET).order_by("code").first()
    assert found is not None
    return found


def test_member_units_pairings_and_a_meeting(actor):
    staff = actor("community")
    org, unit = committee(), serving_unit()
    member = actions.do_add_committee_unit(org, unit=unit, actor=staff)
    assert member.unit == unit
    with pytest.raises(NotAllowed, match="已是"):
        actions.do_add_committee_unit(org, unit=unit, actor=staff)
    with pytest.raises(InputError) as far:
        actions.do_add_committee_unit(org, unit=elsewhere_unit(), actor=staff)
    assert far.value.field == "unit"
    with pytest.raises(NotAllowed):
        actions.do_add_committee_unit(org, unit=unit, actor=actor("gridworker"))
    branch = PartyOrg.objects.filter(area_code__startswith=DEMO_GRID, kind="branch").first()
    assert branch is not None
    with pytest.raises(InputError) as not_committee:
        actions.do_add_committee_unit(branch, unit=unit, actor=staff)
    assert not_committee.value.field == "org"

    pairing = actions.do_pair(org, unit=unit, purpose="共同开展助老服务", actor=staff)
    with pytest.raises(NotAllowed, match="已与"):
        actions.do_pair(org, unit=unit, purpose="再结一次", actor=staff)

    meeting = actions.do_record_meeting(
        org,
        held_on=timezone.localdate(),
        topic="老旧小区改造",
        units=[unit],
        decisions="分三期实施",
        actor=staff,
    )
    assert list(meeting.units.all()) == [unit]
    other = Unit.objects.exclude(pk=unit.pk).filter(area__code=unit.area.code).first()
    assert other is not None
    with pytest.raises(InputError) as stranger:
        actions.do_record_meeting(org, held_on=timezone.localdate(), topic="x", units=[other], actor=staff)
    assert stranger.value.field == "units"
    with pytest.raises(InputError) as future:
        actions.do_record_meeting(
            org, held_on=timezone.localdate() + dt.timedelta(days=1), topic="x", units=[], actor=staff
        )
    assert future.value.field == "held_on"
    found = selectors.cobuilding(org)
    assert member in found.units and pairing in found.pairings and meeting in found.meetings


def test_an_agreement_puts_its_commitments_on_the_offers_list(actor):
    staff = actor("community")
    org, unit = committee(), serving_unit()
    today = timezone.localdate()
    agreement = actions.do_sign_agreement(
        org,
        unit=unit,
        title="2027年共驻共建协议",
        signed_on=today,
        ends_on=today + dt.timedelta(days=365),
        promises=[
            actions.Promise(title="每月两次义诊", topic="health", kind="skill", capacity=24),
            actions.Promise(title="会议室周末开放", topic="venue", kind="venue"),
        ],
        actor=staff,
    )
    offers = [c.offer for c in agreement.commitments.select_related("offer__provider_unit")]
    assert [o.title for o in offers if o] == ["每月两次义诊", "会议室周末开放"]
    for offer in offers:
        assert offer is not None
        assert offer.provider_unit == unit and offer.area_code == DEMO_COMMUNITY
        assert offer.state == ItemState.OPEN and offer.ends_on == today + dt.timedelta(days=365)
    assert Offer.objects.filter(pk=offers[0].pk, capacity=24).exists()  # type: ignore[union-attr]
    with pytest.raises(InputError) as none:
        actions.do_sign_agreement(
            org,
            unit=unit,
            title="空协议",
            signed_on=today,
            ends_on=today + dt.timedelta(days=9),
            promises=[],
            actor=staff,
        )
    assert none.value.field == "promises"
    with pytest.raises(InputError) as backwards:
        actions.do_sign_agreement(
            org,
            unit=unit,
            title="倒签",
            signed_on=today,
            ends_on=today,
            promises=[actions.Promise("x", "health", "skill")],
            actor=staff,
        )
    assert backwards.value.field == "ends_on"
    with pytest.raises(InputError) as topic:
        actions.do_sign_agreement(
            org,
            unit=unit,
            title="错类",
            signed_on=today,
            ends_on=today + dt.timedelta(days=9),
            promises=[actions.Promise("x", "nope", "skill")],
            actor=staff,
        )
    assert topic.value.field == "topic"
    assert Offer.objects.filter(title="x").count() == 0  # nothing half-written


def test_a_hard_case_from_plan_to_solved(actor):
    staff, leader = actor("community"), _leader()
    area = Area.objects.get(code=DEMO_COMMUNITY)
    with pytest.raises(InputError) as not_leader:
        actions.do_open_case(area=area, title="加装电梯", leader=actor("gridworker"), actor=staff)
    assert not_leader.value.field == "leader"
    case = actions.do_open_case(
        area=area, title="加装电梯意见不一", leader=leader, actor=staff, description="3号楼"
    )
    with pytest.raises(NotAllowed, match="请先制定方案"):
        actions.do_solve_case(case, result="已化解", actor=leader)
    today = timezone.localdate()
    first = actions.do_add_step(
        case, text="召开居民协商会", owner=actor("gridworker"), due_on=today, actor=leader
    )
    second = actions.do_add_step(
        case, text="联系电梯公司出方案", owner=staff, due_on=today + dt.timedelta(days=7), actor=staff
    )
    with pytest.raises(InputError) as outsider:
        actions.do_add_step(case, text="x", owner=_staff_elsewhere(), due_on=today, actor=staff)
    assert outsider.value.field == "owner"
    with pytest.raises(NotAllowed):
        actions.do_add_step(case, text="x", owner=staff, due_on=today, actor=actor("gridworker"))

    # tomorrow the first step is overdue while undone
    tomorrow = today + dt.timedelta(days=1)
    row = selectors.cases_in(DEMO_COMMUNITY, tomorrow).get(pk=case.pk)
    assert (row.step_count, row.done_count, row.overdue_count) == (2, 0, 1)  # type: ignore[attr-defined]
    assert first.overdue(tomorrow) and not second.overdue(tomorrow)
    assert case.pk in [c.pk for c in selectors.cases_led_by(leader)]

    with pytest.raises(NotAllowed):
        actions.do_finish_step(first, note="开了", actor=actor("party"))
    actions.do_finish_step(first, note="协商会开了，12户同意", actor=actor("gridworker"))
    with pytest.raises(NotAllowed, match="已完成"):
        actions.do_finish_step(first, note="again", actor=actor("gridworker"))
    with pytest.raises(NotAllowed, match="1项措施未完成"):
        actions.do_solve_case(case, result="已化解", actor=leader)
    actions.do_finish_step(second, note="方案已出", actor=staff)
    with pytest.raises(NotAllowed, match="包联领导"):
        actions.do_solve_case(case, result="已化解", actor=staff)
    solved = actions.do_solve_case(case, result="电梯已开工", actor=leader)
    assert solved.state == CaseState.SOLVED and solved.solved_at is not None
    with pytest.raises(NotAllowed):
        actions.do_add_step(solved, text="x", owner=staff, due_on=today, actor=leader)


def _staff_elsewhere() -> User:
    found = Membership.objects.filter(role=Role.COMMUNITY_STAFF, area__code__startswith=OTHER_STREET).first()
    assert found is not None
    return found.user


def _leader() -> User:
    found = Membership.objects.filter(role=Role.LEADER, area__code=DEMO_STREET).select_related("user").first()
    assert found is not None
    return found.user


def test_service_counts_back_to_the_unit_per_year(actor):
    staff = actor("community")
    registration = actions.do_enrol(
        name="郑在职",
        phone="13977778888",
        community=Area.objects.get(code=DEMO_COMMUNITY),
        actor=staff,
        workplace="区审计局",
    )[0]
    user = registration.member.user
    community = Area.objects.get(code=DEMO_COMMUNITY)
    now = timezone.now()
    activity = volunteering.do_publish_activity(
        area=community,
        title="清洁家园",
        place="广场",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        capacity=5,
        actor=staff,
    )  # held this morning:
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
    )
    SignUp.objects.create(
        activity=activity,
        user=user,
        state="signed",
        checked_in_at=now - dt.timedelta(hours=3),
        checked_out_at=now - dt.timedelta(hours=1),
        minutes=120,
    )
    rule = points.do_set_rule(
        area=community, key=RuleKey.DOUBLE_REPORT, name="双报到服务", points=10, monthly_cap=None, actor=staff
    )
    points.do_award_by_rule(
        rule=rule, account=points.person_account(user, community), ref="t:1", actor=None, note="服务"
    )
    rows = {r.member.user_id: r for r in selectors.service_report(DEMO_COMMUNITY, now.year)}
    assert rows[user.pk].minutes == 120 and rows[user.pk].points == 10 and rows[user.pk].hours == 2.0
    assert user.pk not in {r.member.user_id for r in selectors.service_report(DEMO_COMMUNITY, now.year - 1)}
