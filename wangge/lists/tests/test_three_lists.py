"""三张清单 (issue 21): needs and offers claimed both ways, once; matching that ranks the right offer first
and says why (category, distance, time); a project that uses an offer's capacity and closes its need;
the per-area counts."""

import datetime as dt

import pytest

from wangge.areas.models import Area, Level, Membership, Role, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_STREET
from wangge.lib.errors import InputError, NotAllowed
from wangge.lists import actions as a
from wangge.lists.matching import suggest_offers
from wangge.lists.models import ItemState, Offer
from wangge.lists.selectors import counts

DAY = dt.date(2026, 12, 1)


def here() -> Area:
    return Area.objects.get(code=DEMO_COMMUNITY)


def far_community() -> Area:
    """A community of the same district, as far from ours as the demo has."""
    ours = here()
    others = Area.objects.filter(level=Level.COMMUNITY, code__startswith=DEMO_COMMUNITY[:6]).exclude(
        pk=ours.pk
    )
    return max(
        others, key=lambda c: abs((c.lat or 0) - (ours.lat or 0)) + abs((c.lng or 0) - (ours.lng or 0))
    )


def offer(actor, area: Area, topic: str, title: str, *, starts_on=None, ends_on=None, capacity=3) -> Offer:  # type: ignore[no-untyped-def]
    return a.do_post_offer(
        area=area,
        topic=topic,
        kind="skill",
        title=title,
        actor=actor("community") if area.code.startswith(DEMO_COMMUNITY) else actor("district"),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
    )


def test_matching_ranks_the_right_offer_first_and_says_why(db, actor) -> None:  # type: ignore[no-untyped-def]
    need = a.do_post_need(
        area=here(),
        topic="elderly",
        title="独居老人周末陪护",
        actor=actor("community"),
        people=6,
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=6),
    )
    right = offer(
        actor,
        here(),
        "elderly",
        "护理志愿队上门陪护",
        starts_on=DAY - dt.timedelta(days=3),
        ends_on=DAY + dt.timedelta(days=30),
    )
    offer(
        actor, far_community(), "elderly", "远处的陪护队", starts_on=DAY, ends_on=DAY + dt.timedelta(days=30)
    )
    offer(
        actor,
        here(),
        "elderly",
        "只在下个月的陪护",
        starts_on=DAY + dt.timedelta(days=40),
        ends_on=DAY + dt.timedelta(days=60),
    )
    offer(actor, here(), "law", "法律咨询", starts_on=DAY, ends_on=DAY + dt.timedelta(days=30))
    suggested = suggest_offers(need)
    assert suggested[0].offer == right
    assert suggested[0].reasons[:3] == ["同为助老", "同一社区", "时间吻合"]
    assert all(s.offer.topic == "elderly" for s in suggested)  # no law offer for an elderly need
    far = next(s for s in suggested if s.offer.title == "远处的陪护队")
    assert far.reasons[1].startswith("距离") and far.reasons[1].endswith("公里")
    late = next(s for s in suggested if s.offer.title == "只在下个月的陪护")
    assert "时间不合" in late.reasons and late.score < suggested[0].score


def test_both_ways_claimed_once(db, actor) -> None:  # type: ignore[no-untyped-def]
    need = a.do_post_need(area=here(), topic="repair", title="楼道灯维修", actor=actor("community"))
    unit_staff = actor("unit")
    a.do_claim_need(need, actor=unit_staff)
    need.refresh_from_db()
    assert need.state == ItemState.CLAIMED and need.claimed_by_unit == Unit.objects.get(
        memberships__user=unit_staff
    )
    with pytest.raises(NotAllowed, match="已被认领"):
        a.do_claim_need(need, actor=unit_staff)
    with pytest.raises(NotAllowed):  # a community does not claim a need; a unit does
        a.do_claim_need(
            a.do_post_need(area=here(), topic="repair", title="修单车", actor=actor("community")),
            actor=actor("community"),
        )
    given = a.do_post_offer(
        area=here(), topic="venue", kind="venue", title="单位会议室周末开放", actor=unit_staff
    )
    assert given.provider_unit is not None
    a.do_claim_offer(given, actor=actor("community"), community=here())
    with pytest.raises(NotAllowed):
        a.do_claim_offer(given, actor=actor("street"), community=Area.objects.get(code=DEMO_STREET))
    with pytest.raises(InputError) as bad:
        a.do_post_offer(area=here(), topic="venue", kind="castle", title="x", actor=unit_staff)
    assert bad.value.field == "kind"
    assert not Membership.objects.filter(user=actor("resident"), role=Role.UNIT_STAFF).exists()
    with pytest.raises(NotAllowed):
        a.do_post_offer(area=here(), topic="venue", kind="venue", title="x", actor=actor("resident"))


def test_a_project_uses_capacity_and_closes_its_need(db, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    need = a.do_post_need(area=here(), topic="elderly", title="助餐送餐", actor=staff, people=20)
    riders = offer(actor, here(), "elderly", "骑手志愿送餐", capacity=1)
    project = a.do_start_project(
        need=need,
        offers=[riders],
        title="",
        owner=staff,
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=30),
        actor=staff,
    )
    assert project.title == "助餐送餐"
    riders.refresh_from_db()
    assert riders.capacity == 0
    with pytest.raises(NotAllowed, match="已用完"):
        a.do_start_project(
            need=need, offers=[riders], title="再来", owner=staff, starts_on=DAY, ends_on=DAY, actor=staff
        )
    with pytest.raises(InputError) as bad:
        a.do_report_project(project, actor=staff, progress=100)
    assert bad.value.field == "result"
    a.do_report_project(project, actor=staff, progress=100, result="每天为20位老人送餐")
    need.refresh_from_db()
    assert need.state == ItemState.DONE
    figures = counts(DEMO_COMMUNITY)
    assert figures["needs"] == {"done": 1, "total": 1}
    assert figures["projects"]["done"] == 1 and figures["offers"]["total"] == 1
