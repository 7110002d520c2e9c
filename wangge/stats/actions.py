"""以下评上: a community rates the units that served it (seed 002: the community judges whether a unit
"吹哨未报到" or pushed work back, and the result feeds the district's annual assessment of its departments).

One rating per community, unit and period (a year); rating again in the same period replaces the score
and keeps who rated last and when.
"""

import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit, subtree_q
from wangge.tickets.actions import TicketInputError, WorkflowError
from wangge.tickets.models import Assignment, SummonsCall, UnitAssessment

PERIOD = re.compile(r"^20\d\d$")
LOW_SCORE = 2  # at or below it the community must say why


def current_period() -> str:
    return str(timezone.localdate().year)


def can_assess(user: User, area: Area) -> bool:
    """Community staff of this community rate the units that served it."""
    return (
        area.level == Level.COMMUNITY
        and Membership.objects.filter(user=user, area=area, role=Role.COMMUNITY_STAFF, active=True).exists()
    )


def units_that_served(area: Area) -> list[Unit]:
    """Units assigned to, or summoned on, any ticket of the area's subtree."""
    assigned = Assignment.objects.filter(subtree_q(area.code, "area_code"), unit__isnull=False).values(
        "unit_id"
    )
    summoned = SummonsCall.objects.filter(subtree_q(area.code, "summons__area_code")).values("unit_id")
    return list(Unit.objects.filter(Q(pk__in=assigned) | Q(pk__in=summoned)).order_by("kind", "code"))


@transaction.atomic
def do_assess_unit(
    *, area: Area, unit: Unit | None, period: str, score: int | None, comment: str, actor: User
) -> UnitAssessment:
    if not can_assess(actor, area):
        raise WorkflowError("只有本社区的社区工作人员可以评价承办单位")
    if unit is None or unit.pk not in {u.pk for u in units_that_served(area)}:
        raise TicketInputError("unit", "请选择承办过本社区诉求的单位")
    period = (period or "").strip()
    if not PERIOD.match(period):
        raise TicketInputError("period", "考核期应为年份，如 2026")
    if score is None or not 1 <= score <= 5:
        raise TicketInputError("score", "评分为 1 到 5 分")
    comment = (comment or "").strip()
    if score <= LOW_SCORE and not comment:
        raise TicketInputError("comment", "评 2 分及以下请写明原因（如推诿拖延、吹哨未报到）")
    assessment, _ = UnitAssessment.objects.update_or_create(
        area=area,
        unit=unit,
        period=period,
        defaults={"score": score, "comment": comment[:1000], "assessor": actor, "at": timezone.now()},
    )
    return assessment
