"""The demo's 议事 and 公示 (`demo_city` builds them): meeting days everywhere, a matter at every one of the
six steps with one overdue in 督事 and one decided by a counted vote, a 低保 list with an objection, and a
survey with answers whose results add up."""

import random

from django.utils import timezone

from wangge.conftest import DEMO_COMMUNITY
from wangge.deliberation import selectors
from wangge.deliberation.models import MeetingDay, Motion, Proposal
from wangge.deliberation.steps import SIX
from wangge.demo.deliberation import MATTERS, build_demo_deliberation
from wangge.notices.models import Notice, NoticeKind, Objection, Survey
from wangge.notices.selectors import results


def test_the_demo_has_every_step(db):
    made = build_demo_deliberation(random.Random(1), timezone.localdate())
    assert made.days == MeetingDay.objects.count() > 1 and made.matters == len(MATTERS)
    steps = set(Proposal.objects.filter(area_code__startswith=DEMO_COMMUNITY).values_list("step", flat=True))
    assert steps == set(SIX)
    assert selectors.overdue_count(DEMO_COMMUNITY) == 1
    voted = Motion.objects.get()
    assert (
        voted.closed_at is not None
        and voted.passed
        and voted.cast >= voted.quorum
        and voted.closed_at < timezone.now()
    )
    benefit = Notice.objects.get(kind=NoticeKind.BENEFIT)
    assert benefit.objections == 1 == Objection.objects.filter(notice=benefit).count() and benefit.in_period()
    survey = Survey.objects.get()
    found = results(survey)
    assert found.overall.answered > 0 and found.by_phone == survey.answered == made.answers
    assert sum(a.invited for a in found.areas) == survey.invited
