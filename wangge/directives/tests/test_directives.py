"""一键响应 (F12): a directive reaches exactly the posts in the chosen subtrees and roles, its completion
rate counts exactly those, receivers acknowledge and report back, the sender reminds with one click, and
who may send, read and answer what."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_STREET, OTHER_STREET
from wangge.directives.actions import (
    NewDirective,
    do_acknowledge,
    do_remind_receivers,
    do_report_back,
    do_send_directive,
)
from wangge.directives.models import Receipt
from wangge.directives.selectors import directives_for, progress, progress_by_place, receipts_for
from wangge.lib.errors import InputError, NotAllowed
from wangge.notify.models import Notification


def _new(**changes) -> NewDirective:  # type: ignore[no-untyped-def]
    fields: dict[str, Any] = {
        "title": "寒潮来袭，排查独居老人取暖",
        "body": "请各网格今晚前入户走访独居老人，确认取暖正常，发现问题立即上报。",
        "area_codes": [DEMO_STREET],
        "roles": [Role.GRID_WORKER],
        "deadline": timezone.now() + dt.timedelta(hours=6),
        "figures": ["走访户数", "发现问题"],
    }
    return NewDirective(**(fields | changes))


def _expected_posts(codes: list[str], roles: set[str]) -> set[tuple[int, int, str]]:
    """Worked out independently of the action: every active post, in Python, over all memberships."""
    posts = set()
    for m in Membership.objects.select_related("area", "unit__area", "user"):
        place = m.area or m.unit.area  # type: ignore[union-attr]
        if m.active and m.user.is_active and m.role in roles and any(place.code.startswith(c) for c in codes):
            posts.add((m.user_id, place.pk, m.role))
    return posts


@pytest.mark.django_db
def test_completion_rate_counts_exactly_the_receivers_in_the_chosen_subtrees_and_roles(actor) -> None:  # type: ignore[no-untyped-def]
    district = actor("district")
    other_community = Area.objects.filter(code__startswith=OTHER_STREET, level="community").order_by("code")[
        0
    ]
    codes = [DEMO_COMMUNITY, other_community.code]
    roles: set[str] = {Role.GRID_WORKER, Role.BUILDING_HEAD, Role.UNIT_STAFF}
    # A post that must not count (left its job), and a person holding two posts inside (counted twice).
    gone = Membership.objects.filter(area__code__startswith=DEMO_COMMUNITY, role=Role.BUILDING_HEAD).first()
    assert gone is not None
    Membership.objects.filter(pk=gone.pk).update(active=False)
    twice = actor("gridworker")
    second_grid = Area.objects.filter(code__startswith=other_community.code, level="grid").first()
    Membership.objects.create(user=twice, role=Role.GRID_WORKER, area=second_grid)
    expected = _expected_posts(codes, roles)
    assert len({p[1] for p in expected}) > 3 and any(p[2] == Role.UNIT_STAFF for p in expected)

    directive = do_send_directive(_new(area_codes=codes, roles=sorted(roles)), actor=district)

    got = set(directive.receipts.values_list("user_id", "area_id", "role"))
    assert got == expected
    assert (gone.user_id, gone.area_id, gone.role) not in got
    assert directive.receipts.filter(user=twice).count() == 2
    # Outside the chosen subtrees and roles: nobody else.
    assert (
        not directive.receipts.filter(area__code__startswith=DEMO_STREET)
        .exclude(area__code__startswith=DEMO_COMMUNITY)
        .exists()
    )
    assert not directive.receipts.filter(role=Role.COMMUNITY_STAFF).exists()

    # Someone joining after it was sent is not counted as missing.
    Membership.objects.create(
        user=User.objects.create(username="late-joiner"), role=Role.GRID_WORKER, area_id=second_grid.pk
    )
    receipts = list(directive.receipts.select_related("directive").order_by("id"))
    for r in receipts[::3]:
        do_report_back(r, actor=r.user, report="已全部走访", figures={"走访户数": 12, "发现问题": 1})
    reported = len(receipts[::3])
    result = progress(directive, directive.receipts.all())
    assert result.total == len(expected)
    assert result.reported == result.acknowledged == reported
    assert result.rate == round(reported / len(expected), 4)
    assert result.figures == {"走访户数": 12 * reported, "发现问题": reported}
    assert result.overdue == 0

    # By place: each chosen community on its own row, adding up to the whole.
    places = progress_by_place(directive, directive.receipts.all())
    assert {a.code[:12] for a, _ in places} == set(codes)
    assert sum(p.total for _, p in places) == result.total
    assert sum(p.reported for _, p in places) == reported

    # Past the deadline every receipt not reported back is overdue.
    directive.deadline = timezone.now() - dt.timedelta(minutes=1)
    directive.save(update_fields=["deadline"])
    assert progress(directive, directive.receipts.all()).overdue == len(expected) - reported


@pytest.mark.django_db
def test_a_receiver_acknowledges_then_reports_back_with_the_figures_asked_for(actor) -> None:  # type: ignore[no-untyped-def]
    directive = do_send_directive(_new(), actor=actor("street"))
    worker = actor("gridworker")
    receipt = directive.receipts.get(user=worker)
    assert receipt.status == "未签收"
    assert Notification.objects.filter(user=worker, text__contains="寒潮来袭").exists()

    receipt = do_acknowledge(receipt, actor=worker)
    first = receipt.acknowledged_at
    assert receipt.status == "已签收" and first is not None
    assert do_acknowledge(receipt, actor=worker).acknowledged_at == first  # a second tap changes nothing

    with pytest.raises(InputError) as missing:
        do_report_back(receipt, actor=worker, report="已走访", figures={"走访户数": 8})
    assert missing.value.field == "figures.发现问题"
    with pytest.raises(InputError) as negative:
        do_report_back(receipt, actor=worker, report="已走访", figures={"走访户数": -1, "发现问题": 0})
    assert negative.value.field == "figures.走访户数"
    with pytest.raises(InputError) as empty:
        do_report_back(receipt, actor=worker, report="  ", figures={"走访户数": 8, "发现问题": 0})
    assert empty.value.field == "report"
    with pytest.raises(NotAllowed):
        do_report_back(
            receipt, actor=actor("gridhead"), report="代报", figures={"走访户数": 8, "发现问题": 0}
        )
    receipt.refresh_from_db()
    assert receipt.reported_at is None  # nothing half-written

    receipt = do_report_back(
        receipt, actor=worker, report="走访8户，1户暖气不热已报修", figures={"走访户数": 8, "发现问题": 1}
    )
    assert receipt.status == "已反馈" and receipt.figures == {"走访户数": 8, "发现问题": 1}
    assert receipt.acknowledged_at == first


@pytest.mark.django_db
def test_one_click_remind_reaches_only_those_not_reported_and_not_twice_in_a_row(actor) -> None:  # type: ignore[no-untyped-def]
    street = actor("street")
    directive = do_send_directive(_new(figures=[]), actor=street)
    done = directive.receipts.get(user=actor("gridworker"))
    do_report_back(done, actor=done.user, report="已落实")
    pending_users = set(directive.receipts.filter(reported_at=None).values_list("user_id", flat=True))
    before = Notification.objects.count()

    assert do_remind_receivers(directive, actor=street) == directive.receipts.filter(reported_at=None).count()
    reminded = Notification.objects.filter(text__startswith="提醒：工作指令")
    assert set(reminded.values_list("user_id", flat=True)) == pending_users
    assert Notification.objects.count() - before == len(pending_users)
    assert not reminded.filter(user=done.user).exists()
    assert set(directive.receipts.values_list("reminded", flat=True)) == {0, 1}

    with pytest.raises(NotAllowed, match="提醒过"):
        do_remind_receivers(directive, actor=street)
    with pytest.raises(NotAllowed):
        do_remind_receivers(directive, actor=actor("gridworker"))  # a receiver does not remind the others


@pytest.mark.django_db
def test_bad_directives_are_refused_naming_the_field(actor) -> None:  # type: ignore[no-untyped-def]
    street = actor("street")
    before = Receipt.objects.count()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": " "}, "title"),
        ({"body": ""}, "body"),
        ({"area_codes": []}, "areas"),
        ({"area_codes": [OTHER_STREET]}, "areas"),  # not the street's to command
        ({"area_codes": ["999"]}, "areas"),
        ({"roles": []}, "roles"),
        ({"roles": ["mayor"]}, "roles"),
        ({"roles": [Role.DISTRICT_STAFF]}, "roles"),  # nobody at that post in the street
        ({"deadline": timezone.now() - dt.timedelta(hours=1)}, "deadline"),
        ({"deadline": None}, "deadline"),
        ({"figures": ["户数", "户数"]}, "figures"),
    ]
    for change, field_name in cases:
        with pytest.raises(InputError) as refused:
            do_send_directive(_new(**change), actor=street)
        assert refused.value.field == field_name, change
    assert Receipt.objects.count() == before
    with pytest.raises(InputError):
        do_send_directive(_new(), actor=actor("gridworker"))  # grid workers receive, they do not send


@pytest.mark.django_db
def test_who_sees_a_directive_and_its_receipts(actor) -> None:  # type: ignore[no-untyped-def]
    district = actor("district")
    directive = do_send_directive(
        _new(area_codes=[DEMO_STREET, OTHER_STREET], roles=[Role.GRID_WORKER, Role.COMMUNITY_STAFF]),
        actor=district,
    )
    street, worker, unit = actor("street"), actor("gridworker"), actor("unit")
    assert directives_for(street).filter(pk=directive.pk).exists()
    assert directives_for(worker).filter(pk=directive.pk).exists()
    assert not directives_for(unit).filter(pk=directive.pk).exists()
    # The street follows its own part only; the sender all of it; a worker only their own.
    mine = receipts_for(street, directive)
    assert (
        mine.count()
        == directive.receipts.filter(area__code__startswith=DEMO_STREET).count()
        < directive.receipts.count()
    )
    assert receipts_for(district, directive).count() == directive.receipts.count()
    assert set(receipts_for(worker, directive).values_list("user_id", flat=True)) == {worker.pk}
    other = directive.receipts.filter(area__code__startswith=OTHER_STREET).first()
    assert other is not None and not receipts_for(street, directive).filter(pk=other.pk).exists()
