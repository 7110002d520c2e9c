"""表决: one vote per household (or per resident) when several vote at once, on both databases; votes
outside the window refused; the count with its quorum, recorded on the matter's timeline; on-site votes
recorded by the host."""

import datetime as dt

import pytest
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID, race
from wangge.deliberation import actions
from wangge.deliberation.models import Motion, Per, Vote
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import Household, Resident


def grid() -> Area:
    return Area.objects.get(code=DEMO_GRID)


def meeting_today(host: User):  # type: ignore[no-untyped-def]
    return actions.do_add_meeting(
        area=grid(),
        title="网格说事",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="楼下",
        actor=host,
    )


def household_of_adults(n: int) -> Household:
    """A household of the demo grid with at least n adults and no H5 accounts yet."""
    born = dt.date(timezone.localdate().year - 20, 1, 1)
    found = (
        Household.objects.filter(area__code__startswith=DEMO_GRID, residents__birth_date__lte=born)
        .exclude(Exists(Resident.objects.filter(household=OuterRef("pk"), user__isnull=False)))
        .annotate(n=Count("residents"))
        .filter(n__gte=n)
        .order_by("id")
        .first()
    )
    assert found is not None
    return found


def accounts(household: Household, n: int) -> list[User]:
    born = dt.date(timezone.localdate().year - 20, 1, 1)
    users = []
    for r in household.residents.filter(birth_date__lte=born).order_by("id")[:n]:
        r.user = User.objects.create_user(username=f"v{r.pk}", display_name=r.name)
        r.save(update_fields=["user"])
        users.append(r.user)
    return users


def open_motion(host: User, per: str = Per.HOUSEHOLD, **times: dt.datetime) -> Motion:
    now = timezone.now()
    return actions.do_open_motion(
        meeting_today(host),
        text="同意在3号楼前加装充电桩",
        per=per,
        opens_at=times.get("opens_at", now - dt.timedelta(minutes=1)),
        closes_at=times.get("closes_at", now + dt.timedelta(hours=2)),
        actor=host,
    )


@pytest.mark.django_db(transaction=True)
def test_two_of_one_household_voting_at_once_make_one_vote(committed_city):
    host = User.objects.get(username="gridhead")
    motion = open_motion(host)
    voters = accounts(household_of_adults(2), 2)

    def vote(i: int) -> str:
        fresh = Motion.objects.select_related("meeting__area").get(pk=motion.pk)
        actions.do_vote(fresh, choice="yes", actor=User.objects.get(pk=voters[i].pk))
        return "voted"

    outcomes = race(2, vote)
    assert sorted(outcomes) == ["refused: 本户已投票", "voted"], outcomes
    motion.refresh_from_db()
    assert Vote.objects.filter(motion=motion).count() == 1 and motion.yes == 1


@pytest.mark.django_db(transaction=True)
def test_one_resident_voting_twice_at_once_counts_once(committed_city):
    host = User.objects.get(username="gridhead")
    motion = open_motion(host, per=Per.RESIDENT)
    (voter,) = accounts(household_of_adults(1), 1)

    def vote(i: int) -> str:
        fresh = Motion.objects.select_related("meeting__area").get(pk=motion.pk)
        actions.do_vote(fresh, choice=["yes", "no"][i], actor=User.objects.get(pk=voter.pk))
        return "voted"

    outcomes = race(2, vote)
    assert sorted(outcomes) == ["refused: 已投过票", "voted"], outcomes
    motion.refresh_from_db()
    assert motion.cast == 1 == Vote.objects.filter(motion=motion).count()


def test_votes_outside_the_window_are_refused(actor):
    host = actor("gridhead")
    now = timezone.now()
    later = open_motion(host, opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=3))
    (voter,) = accounts(household_of_adults(1), 1)
    with pytest.raises(NotAllowed, match="不在投票时间内"):
        actions.do_vote(later, choice="yes", actor=voter)
    open_now = open_motion(host)
    actions.do_vote(open_now, choice="yes", actor=voter, now=now)
    with pytest.raises(NotAllowed, match="不在投票时间内"):
        actions.do_vote(open_now, choice="yes", actor=voter, now=now + dt.timedelta(hours=3))


def test_outsiders_do_not_vote_and_the_host_records_on_site(actor, outside_resident):
    host = actor("gridhead")
    motion = open_motion(host, per=Per.RESIDENT)
    outsider = User.objects.create_user(username="outsider", display_name="外人")
    outside_resident.user = outsider
    outside_resident.save(update_fields=["user"])
    with pytest.raises(NotAllowed, match="投票范围"):
        actions.do_vote(motion, choice="yes", actor=outsider)
    with pytest.raises(NotAllowed, match="投票范围"):
        actions.do_vote(motion, choice="yes", actor=host, voter=outside_resident)
    with pytest.raises(NotAllowed):  # a resident does not record others' votes
        actions.do_vote(motion, choice="yes", actor=actor("resident"), voter=outside_resident)
    born = dt.date(timezone.localdate().year - 20, 1, 1)
    adult = Resident.objects.filter(household=household_of_adults(1), birth_date__lte=born).order_by("id")[0]
    vote = actions.do_vote(motion, choice="no", actor=host, voter=adult)
    assert vote.on_site and vote.recorded_by == host


def test_the_count_records_the_quorum_and_goes_on_the_timeline(actor):
    host = actor("community")
    proposal = actions.do_raise(title="加装充电桩", text="电动车充电难", actor=actor("resident"))
    meeting = actions.do_add_meeting(
        area=grid(),
        title="网格说事",
        date=timezone.localdate(),
        starts_at=dt.time(19),
        place="楼下",
        actor=host,
    )
    actions.do_schedule(proposal, meeting=meeting, actor=host)
    now = timezone.now()
    motion = actions.do_open_motion(
        meeting,
        text="同意加装",
        per=Per.HOUSEHOLD,
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=1),
        quorum=2,
        proposal=proposal,
        actor=host,
    )
    assert motion.eligible == Household.objects.filter(area__code__startswith=DEMO_GRID).count()
    voters = [accounts(household_of_adults(1), 1)[0] for _ in range(3)]
    for user, choice in zip(voters, ["yes", "yes", "no"], strict=True):
        actions.do_vote(motion, choice=choice, actor=user)
    with pytest.raises(InputError, match="先表决"):  # 未协商一致 needs a counted vote first
        actions.do_decide(
            proposal,
            actions.Decision("表决", False, "加装", actor("gridworker"), timezone.localdate()),
            actor=host,
        )
    with pytest.raises(NotAllowed, match="不能提前计票"):  # three of the grid's households have voted
        actions.do_close_motion(motion, actor=host)
    counted = actions.do_close_motion(motion, actor=host, now=motion.closes_at)
    assert counted is not None and (counted.yes, counted.no, counted.abstain) == (2, 1, 0) and counted.passed
    with pytest.raises(NotAllowed, match="已计票"):
        actions.do_close_motion(motion, actor=host)
    with pytest.raises(NotAllowed, match="已计票"):
        actions.do_vote(motion, choice="yes", actor=voters[0])
    note = proposal.events.get(action="vote").note
    assert "表决通过" in note and "有效票数下限2" in note
    decided = actions.do_decide(
        proposal,
        actions.Decision("表决通过", False, "加装", actor("gridworker"), timezone.localdate()),
        actor=host,
    )
    assert decided.consensus is False


def test_below_the_quorum_nothing_passes(actor):
    host = actor("gridhead")
    motion = open_motion(host)
    (voter,) = accounts(household_of_adults(1), 1)
    actions.do_vote(motion, choice="yes", actor=voter)
    actions.keep_calendar(now=motion.closes_at + dt.timedelta(seconds=1))
    motion.refresh_from_db()
    assert motion.closed_at is not None and motion.yes == 1 and motion.passed is False
