"""The party organisation's actions and reads: 双报到 accepted and declined, a move that keeps the history,
包户 within the quota (also when two staff assign at once), one member per household, coverage against a
recount, the households waiting (special groups first), pledges, the organisation tree and 党员网格员."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET, race
from wangge.lib.errors import InputError, NotAllowed
from wangge.party import actions, selectors
from wangge.party.models import (
    AssignmentChange,
    AssignmentLog,
    OrgKind,
    PartyMember,
    PartyOrg,
    PledgeState,
    Registration,
    RegistrationState,
)
from wangge.people.models import Household, PartyMemberHousehold
from wangge.volunteering.models import Volunteer


def newcomer(name: str = "李党员") -> User:
    return User.objects.create_user(username=f"u{User.objects.count() + 1}", display_name=name)


def community(code: str = DEMO_COMMUNITY) -> Area:
    return Area.objects.get(code=code)


def free_households(code: str, n: int) -> list[Household]:
    """n occupied households under an area that no member looks after."""
    return list(
        Household.objects.filter(area__code__startswith=code, party_contacts=None)
        .exclude(housing="vacant")
        .select_related("area")
        .order_by("id")[:n]
    )


def registered(actor, name: str = "李党员", code: str = DEMO_COMMUNITY) -> Registration:  # type: ignore[no-untyped-def]
    """A member registered by the community's staff (accepted at once)."""
    return actions.do_register(
        user=newcomer(name), community=community(code), actor=actor("community"), workplace="区财政局"
    )


# --- 双报到 ----------------------------------------------------------------------------------------


def test_a_member_registers_and_the_community_accepts(actor):
    user = newcomer()
    registration = actions.do_register(
        user=user, community=community(), actor=user, workplace="区财政局", phone="13912345678", offer="周末"
    )
    assert registration.state == RegistrationState.PENDING
    assert not Membership.objects.filter(user=user, role=Role.PARTY_MEMBER).exists()
    with pytest.raises(NotAllowed, match="待社区确认"):
        actions.do_register(user=user, community=community(), actor=user, workplace="区财政局")

    accepted = actions.do_accept_registration(registration, actor=actor("community"))
    assert accepted.state == RegistrationState.ACCEPTED
    assert accepted.membership is not None and accepted.membership.role == Role.PARTY_MEMBER
    assert accepted.membership.area.code == DEMO_COMMUNITY
    assert user.pk in {r.member.user_id for r in selectors.registrations_in(DEMO_COMMUNITY)}
    # in the community's talent pool: they may sign up for its activities (双积分 counts the hours)
    assert Volunteer.objects.get(user=user).approved_at is not None
    with pytest.raises(NotAllowed, match="已报到"):
        actions.do_accept_registration(registration, actor=actor("community"))


def test_the_community_declines_with_a_reason(actor):
    user = newcomer()
    registration = actions.do_register(user=user, community=community(), actor=user, workplace="区财政局")
    with pytest.raises(InputError) as missing:
        actions.do_decline_registration(registration, reason="  ", actor=actor("community"))
    assert missing.value.field == "reason"
    declined = actions.do_decline_registration(
        registration, reason="不在本社区居住", actor=actor("community")
    )
    assert declined.state == RegistrationState.DECLINED and declined.membership is None
    assert not Membership.objects.filter(user=user, role=Role.PARTY_MEMBER).exists()
    # a declined member may register again
    again = actions.do_register(user=user, community=community(), actor=user, workplace="区财政局")
    assert again.state == RegistrationState.PENDING


def test_only_the_communitys_staff_decide(actor):
    user = newcomer()
    registration = actions.do_register(user=user, community=community(), actor=user, workplace="区财政局")
    for outsider in ("gridworker", "party", "resident", "unit"):
        with pytest.raises(NotAllowed):
            actions.do_accept_registration(registration, actor=actor(outsider))
    other = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.COMMUNITY).first()
    assert other is not None
    with pytest.raises(NotAllowed):
        actions.do_register(user=newcomer(), community=other, actor=actor("community"), workplace="x")


def test_bad_registrations_name_the_field(actor):
    user = newcomer()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"community": Area.objects.get(code=DEMO_GRID)}, "community"),
        ({"standing": "member"}, "standing"),
        ({"joined_on": timezone.localdate() + dt.timedelta(days=1)}, "joined_on"),
        ({"workplace": ""}, "workplace"),
        ({"phone": "12345"}, "phone"),
    ]
    for changes, field in cases:
        fields: dict[str, Any] = {"community": community(), "workplace": "区财政局", **changes}
        with pytest.raises(InputError) as refused:
            actions.do_register(user=user, actor=user, **fields)
        assert refused.value.field == field
    assert not Registration.objects.filter(member__user=user).exists()


def test_staff_enrol_a_member_without_an_account(actor):
    registration, password = actions.do_enrol(
        name="王在职",
        phone="139 1234 5678",
        community=community(),
        actor=actor("community"),
        workplace="区医院",
    )
    assert registration.state == RegistrationState.ACCEPTED
    user = User.objects.get(username="13912345678")
    assert password and user.check_password(password) and user.display_name == "王在职"
    assert registration.member.phone == "13912345678"
    # an existing account is never taken over from the desk: the person reports themselves
    settled = registration.member
    with pytest.raises(NotAllowed, match="已有账户"):
        actions.do_enrol(
            name="冒名",
            phone="13912345678",
            community=community(),
            actor=actor("community"),
            workplace="别处",
        )
    settled.refresh_from_db()
    assert settled.workplace == "区医院" and user.display_name == "王在职"
    with pytest.raises(InputError) as bad:
        actions.do_enrol(name="某", phone="0411-123", community=community(), actor=actor("community"))
    assert bad.value.field == "phone"


def test_a_member_who_moves_keeps_their_history(actor):
    first = registered(actor)
    taken = free_households(DEMO_COMMUNITY, 3)
    for h in taken:
        actions.do_assign_household(first, h, actor=actor("community"))
    member = first.member
    other = Area.objects.filter(level=Level.COMMUNITY).exclude(code=DEMO_COMMUNITY).order_by("code").first()
    assert other is not None and other.code.startswith(DEMO_COMMUNITY[:9])  # same street: street staff accept
    moved = actions.do_register(
        user=member.user, community=other, actor=member.user, workplace="新单位", standing="probationary"
    )
    member.refresh_from_db()  # what the first community checked stays until the new one accepts
    assert (member.workplace, member.standing) == ("区财政局", "full")
    assert moved.state == RegistrationState.PENDING
    actions.do_accept_registration(moved, actor=actor("street"))

    first.refresh_from_db()
    assert first.state == RegistrationState.ENDED and first.ended_at is not None
    assert "转至" in first.reason
    assert first.membership is not None and not first.membership.active
    assert not PartyMemberHousehold.objects.filter(membership=first.membership).exists()
    log = AssignmentLog.objects.filter(member=member)
    assert sorted(log.values_list("change", flat=True)) == sorted(
        [AssignmentChange.ASSIGN] * 3 + [AssignmentChange.END] * 3
    )
    assert set(log.values_list("household_id", flat=True)) == {h.pk for h in taken}
    # both registrations stay on the member's record; only the new one holds
    states = dict(member.registrations.values_list("community_code", "state"))
    assert states == {DEMO_COMMUNITY: RegistrationState.ENDED, other.code: RegistrationState.ACCEPTED}
    assert not any(r.member_id == member.pk for r in selectors.registrations_in(DEMO_COMMUNITY))


# --- 包户 ----------------------------------------------------------------------------------------


def test_households_within_the_quota(actor, settings):
    registration = registered(actor)
    staff = actor("community")
    households = free_households(DEMO_COMMUNITY, 9)
    for h in households[:8]:
        actions.do_assign_household(registration, h, actor=staff)
    with pytest.raises(NotAllowed, match="至多包8户，李党员已包8户"):
        actions.do_assign_household(registration, households[8], actor=staff)
    assert PartyMemberHousehold.objects.filter(membership=registration.membership).count() == 8

    settings.PARTY_HOUSEHOLDS = (3, 5)
    other = registered(actor, "赵党员")
    for h in free_households(DEMO_COMMUNITY, 5):
        actions.do_assign_household(other, h, actor=staff)
    with pytest.raises(NotAllowed, match="至多包5户"):
        actions.do_assign_household(other, free_households(DEMO_COMMUNITY, 1)[0], actor=staff)

    # an area's own quota is nearer than the default
    actions.do_set_quota(community(), minimum=2, maximum=6, actor=staff)
    assert selectors.quota_for(households[0].area) == (2, 6)
    actions.do_assign_household(other, free_households(DEMO_COMMUNITY, 1)[0], actor=staff)
    with pytest.raises(InputError) as bad:
        actions.do_set_quota(community(), minimum=5, maximum=4, actor=staff)
    assert bad.value.field == "maximum"


def test_one_member_per_household_and_only_in_their_community(actor):
    staff = actor("community")
    first, second = registered(actor), registered(actor, "赵党员")
    household = free_households(DEMO_COMMUNITY, 1)[0]
    actions.do_assign_household(first, household, actor=staff)
    with pytest.raises(NotAllowed, match="已由李党员包户"):
        actions.do_assign_household(second, household, actor=staff)
    elsewhere = (
        Household.objects.filter(area__code__startswith=DEMO_COMMUNITY[:9])
        .exclude(area__code__startswith=DEMO_COMMUNITY)
        .exclude(housing="vacant")
        .first()
    )
    assert elsewhere is not None
    with pytest.raises(InputError) as refused:
        actions.do_assign_household(first, elsewhere, actor=actor("street"))
    assert refused.value.field == "household"
    with pytest.raises(NotAllowed):
        actions.do_assign_household(first, free_households(DEMO_COMMUNITY, 1)[0], actor=actor("gridworker"))

    link = PartyMemberHousehold.objects.get(household=household)
    actions.do_unassign_household(link, reason="老人已随子女搬走", actor=staff)
    assert not PartyMemberHousehold.objects.filter(household=household).exists()
    assert (
        AssignmentLog.objects.filter(household=household, change=AssignmentChange.END).get().reason
        == "老人已随子女搬走"
    )
    actions.do_assign_household(second, household, actor=staff)


@pytest.mark.django_db(transaction=True)
def test_two_staff_assigning_the_ninth_household_at_once(committed_city):
    """The member holds 7; two staff each assign one more at the same moment: one is the 8th, the
    other would be the 9th and is refused."""
    staff = User.objects.get(username="community")
    registration = actions.do_register(
        user=newcomer(), community=community(), actor=staff, workplace="区财政局"
    )
    households = free_households(DEMO_COMMUNITY, 9)
    for h in households[:7]:
        actions.do_assign_household(registration, h, actor=staff)
    second_staff = (
        Membership.objects.filter(area__code=DEMO_COMMUNITY, role=Role.COMMUNITY_STAFF)
        .exclude(user=staff)
        .first()
    )
    assert second_staff is not None
    people = [staff, second_staff.user]

    def assign(i: int) -> str:
        fresh = Registration.objects.select_related("member__user").get(pk=registration.pk)
        link = actions.do_assign_household(
            fresh, Household.objects.select_related("area").get(pk=households[7 + i].pk), actor=people[i]
        )
        return f"assigned {link.household_id}"

    outcomes = race(2, assign)
    assert sorted(o.split(" ")[0] for o in outcomes) == ["assigned", "refused:"], outcomes
    assert any("至多包8户" in o for o in outcomes)
    assert PartyMemberHousehold.objects.filter(membership=registration.membership).count() == 8


@pytest.mark.django_db(transaction=True)
def test_two_staff_giving_one_household_to_two_members(committed_city):
    staff = User.objects.get(username="community")
    regs = [
        actions.do_register(user=newcomer(n), community=community(), actor=staff, workplace="区财政局")
        for n in ("甲", "乙")
    ]
    household = free_households(DEMO_COMMUNITY, 1)[0]

    def assign(i: int) -> str:
        fresh = Registration.objects.select_related("member__user").get(pk=regs[i].pk)
        actions.do_assign_household(
            fresh, Household.objects.select_related("area").get(pk=household.pk), actor=staff
        )
        return "assigned"

    outcomes = race(2, assign)
    assert sorted(outcomes)[0] == "assigned" and sorted(outcomes)[1].startswith("refused:"), outcomes
    assert PartyMemberHousehold.objects.filter(household=household).count() == 1


def test_coverage_equals_a_recount(actor):
    registration = registered(actor)
    waiting = selectors.candidates(DEMO_COMMUNITY, limit=3)
    for h in waiting:
        actions.do_assign_household(registration, h, actor=actor("community"))
    for code in (DEMO_COMMUNITY, DEMO_GRID, DEMO_COMMUNITY[:9]):
        found = selectors.coverage(code)
        occupied = list(Household.objects.filter(area__code__startswith=code).exclude(housing="vacant"))
        special = {h.pk for h in occupied if any(r.care_tags.exists() for r in h.residents.all())}
        covered = {h.pk for h in occupied if h.party_contacts.exists()}
        assert found.households == len(occupied)
        assert found.covered == len(covered)
        assert found.special == len(special)
        assert found.special_covered == len(special & covered)
        accepted = Registration.objects.filter(state=RegistrationState.ACCEPTED)
        assert found.members == sum(r.community_code.startswith(code) for r in accepted)
    before = selectors.coverage(DEMO_COMMUNITY)
    assert before.special_covered >= 3  # the three taken were special-group households


def test_special_groups_wait_first(actor):
    waiting = selectors.candidates(DEMO_COMMUNITY, limit=200)
    flags = [h.special for h in waiting]  # type: ignore[attr-defined]
    assert True in flags and flags == sorted(flags, reverse=True)
    assert all(h.tag_names for h in waiting if h.special)  # type: ignore[attr-defined]
    assert not any(h.party_contacts.exists() for h in waiting)


# --- the member's households, pledges, organisation, 党员网格员 ---------------------------------------------


def test_a_member_sees_their_households_with_what_is_due(actor):
    mine = selectors.my_households(actor("party"))
    expected = set(
        PartyMemberHousehold.objects.filter(membership__user__username="party").values_list(
            "household_id", flat=True
        )
    )
    assert {h.pk for h in mine} == expected and len(expected) == 6
    today = timezone.localdate()
    for h in mine:
        assert h.visit_due == (h.next_visit_on is not None and h.next_visit_on <= today)  # type: ignore[attr-defined]
    assert selectors.my_households(actor("volunteer")) == []


def test_pledges_made_kept_and_overdue(actor):
    registration = registered(actor)
    member = registration.member
    with pytest.raises(InputError) as early:
        actions.do_make_pledge(
            member=member, text="走访", due_on=timezone.localdate() - dt.timedelta(days=1), actor=member.user
        )
    assert early.value.field == "due_on"
    pledge = actions.do_make_pledge(
        member=member,
        text="每月走访包户家庭",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        actor=member.user,
    )
    with pytest.raises(NotAllowed):
        actions.do_keep_pledge(pledge, result="已完成", actor=actor("party"))
    kept = actions.do_keep_pledge(pledge, result="走访6户", actor=member.user)
    assert kept.state == PledgeState.KEPT and kept.result == "走访6户"
    with pytest.raises(NotAllowed, match="已兑现"):
        actions.do_keep_pledge(pledge, result="再次", actor=member.user)
    late = actions.do_make_pledge(
        member=member, text="清理楼道", due_on=timezone.localdate(), actor=member.user
    )
    assert not late.overdue()
    assert late.overdue(timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(NotAllowed):
        actions.do_make_pledge(
            member=PartyMember.objects.create(user=newcomer()),
            text="x",
            due_on=timezone.localdate(),
            actor=actor("community"),
        )


def test_phone_shown_only_by_choice(actor):
    registration = registered(actor)
    member = registration.member
    with pytest.raises(InputError):
        actions.do_show_phone(member, show=True, actor=member.user)
    member.phone = "13987654321"
    member.save()
    assert member.public_phone == "139****4321"
    with pytest.raises(NotAllowed):
        actions.do_show_phone(member, show=True, actor=actor("community"))
    actions.do_show_phone(member, show=True, actor=member.user)
    assert member.public_phone == "13987654321"


def test_the_organisation_on_the_tree(actor):
    staff = actor("community")
    tree = selectors.orgs_under(DEMO_COMMUNITY)
    kinds = [(o.kind, o.depth) for o in tree]  # type: ignore[attr-defined]
    assert kinds[0] == (OrgKind.COMMITTEE, 0)  # the street's 党工委 above
    assert (OrgKind.COMMITTEE, 1) in kinds and (OrgKind.BRANCH, 2) in kinds and (OrgKind.GROUP, 3) in kinds
    committee = next(o for o in tree if o.area_code == DEMO_COMMUNITY)
    grid = Area.objects.get(code=DEMO_GRID)
    with pytest.raises(InputError) as wrong_level:
        actions.do_found_org(name="x党委", kind=OrgKind.COMMITTEE, area=grid, actor=staff)
    assert wrong_level.value.field == "area"
    branch = next(o for o in tree if o.kind == OrgKind.BRANCH)
    with pytest.raises(InputError) as wrong_parent:
        actions.do_found_org(name="新支部", kind=OrgKind.BRANCH, area=grid, parent=branch, actor=staff)
    assert wrong_parent.value.field == "parent"
    made = actions.do_found_org(
        name="第二网格党支部", kind=OrgKind.BRANCH, area=grid, parent=committee, actor=staff
    )
    assert made.parent_id == committee.pk
    with pytest.raises(InputError) as twice:
        actions.do_found_org(
            name="第二网格党支部", kind=OrgKind.BRANCH, area=grid, parent=committee, actor=staff
        )
    assert twice.value.field == "name"
    with pytest.raises(NotAllowed):
        actions.do_found_org(name="y", kind=OrgKind.BRANCH, area=grid, actor=actor("gridworker"))
    assert PartyOrg.objects.filter(name="y").count() == 0


def test_party_grid_workers_flag_grids_without_one(db):
    rows = selectors.party_grid_workers(DEMO_COMMUNITY[:9])
    demo = next(r for r in rows if r.grid.code == DEMO_GRID)
    assert "董银成" in demo.party_workers and not demo.flagged
    for r in rows:
        members = PartyMember.objects.filter(
            user__memberships__area=r.grid, user__memberships__role__in=[Role.GRID_HEAD, Role.GRID_WORKER]
        )
        assert r.flagged == (not members.exists())
