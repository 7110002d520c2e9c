"""The demo's co-producers (issue 21): every community with its rules, store, volunteers, activities held
and coming, wishes at every stage, lists and a project, and a points economy with redemptions; the
ledger balanced."""

import random

from django.db.models import Sum
from django.utils import timezone

from wangge.areas.models import Area, Level
from wangge.demo.participation import build_demo_participation
from wangge.lists.models import Need, Offer, Wish
from wangge.points.models import Account, Entry, Redemption, Store
from wangge.points.selectors import economy
from wangge.volunteering.models import Activity, SignUp, Team


def test_every_community_takes_part(db) -> None:  # type: ignore[no-untyped-def]
    report = build_demo_participation(random.Random(0))
    communities = Area.objects.filter(level=Level.COMMUNITY)
    assert report.stores == Store.objects.count() == communities.count()
    for community in communities:
        wishes = set(
            Wish.objects.filter(area_code__startswith=community.code).values_list("state", flat=True)
        )
        assert wishes == {"open", "claimed", "fulfilled", "confirmed"}, community
        assert Need.objects.filter(area_code=community.code).count() == 3
        assert Offer.objects.filter(area_code=community.code).count() == 3
        held = Activity.objects.filter(area=community, ends_at__lt=timezone.now())
        assert (
            held.count() == 2
            and SignUp.objects.filter(activity__in=held, checked_out_at__isnull=False).exists()
        )
        assert economy(community).earned > 0
        team = Team.objects.get(area=community)
        assert team.leader is not None and team.members.count() >= 1
    assert (
        Redemption.objects.filter(state="handed").exists()
        and Redemption.objects.filter(state="waiting").exists()
    )
    assert (Entry.objects.aggregate(n=Sum("amount"))["n"] or 0) == 0
    assert not Account.objects.filter(kind__in=["person", "household"], balance__lt=0).exists()
