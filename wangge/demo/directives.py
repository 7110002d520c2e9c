"""The demo district's directives: the three community lists on the district, office phones for its
staff (亮电话), and three directives at different stages — this morning's cold-wave check that half the
grid workers have answered (董银成 not yet), last week's gas-safety campaign finished by everyone, and a
flood-stock count whose deadline passed with two streets still owing their report."""

import datetime as dt
import random

from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.directives.actions import NewDirective, do_send_directive, when_text
from wangge.directives.admission import load_duty_lists
from wangge.directives.models import Directive, Receipt
from wangge.notify.models import Notification

REPORTS = [
    "已逐户走访，老人取暖正常",
    "走访完毕，1户暖气不热已联系物业处理",
    "已电话联系子女，老人已接到子女家中",
    "已落实，独居老人均已留下网格员电话",
]


def _answer(
    receipts: list[Receipt], rng: random.Random, start: dt.datetime, end: dt.datetime, figures: list[str]
) -> None:
    """Each receipt signed for and reported back at some time between `start` and `end`."""
    span = (end - start).total_seconds()
    for i, receipt in enumerate(receipts):
        at = start + dt.timedelta(seconds=rng.uniform(0.2, 1.0) * span)
        Receipt.objects.filter(pk=receipt.pk).update(
            acknowledged_at=at - dt.timedelta(seconds=rng.uniform(0.0, 0.2) * span),
            reported_at=at,
            report=REPORTS[i % len(REPORTS)],
            figures={
                name: rng.randrange(0, 3) if "问题" in name else rng.randrange(8, 40) for name in figures
            },
        )


def _age(directive: Directive, days: float) -> None:
    """Move a directive (sent now) into the past, with the messages that announced it (their text
    names the deadline)."""
    shift = dt.timedelta(days=days)
    Directive.objects.filter(pk=directive.pk).update(
        created_at=F("created_at") - shift, deadline=F("deadline") - shift
    )
    said, says = when_text(directive.deadline), when_text(directive.deadline - shift)
    Notification.objects.filter(text__contains=f"「{directive.title}」").update(
        text=Replace("text", Value(said), Value(says)), created_at=F("created_at") - shift
    )


def build_demo_directives(rng: random.Random) -> int:
    district = Area.objects.get(parent=None)
    load_duty_lists(district)
    staff = list(User.objects.filter(memberships__isnull=False).distinct().values_list("pk", flat=True))
    for pk in staff:
        User.objects.filter(pk=pk).update(work_phone=f"024-8{rng.randrange(10**6, 10**7)}")
    now = timezone.now()
    chief, street = User.objects.get(username="district"), User.objects.get(username="street")

    cold = do_send_directive(
        NewDirective(
            title="寒潮降温：排查独居老人取暖情况",
            body="受强冷空气影响，今明两天最低气温降至零下18度。请各网格员今天内入户走访辖区独居、空巢老人，"
            "确认取暖、用电用气安全，发现问题立即上报。",
            area_codes=[district.code],
            roles=[Role.GRID_WORKER],
            deadline=now + dt.timedelta(days=1),
            figures=["走访户数", "发现问题"],
        ),
        actor=chief,
    )
    _age(cold, 0.15)
    answered = list(
        cold.receipts.exclude(user__username="gridworker").order_by("?")[: cold.receipts.count() // 2]
    )
    _answer(answered, rng, now - dt.timedelta(hours=3.5), now, cold.figures)

    demo_street = Area.objects.get(code=street.memberships.get().area.code)  # type: ignore[union-attr]
    gas = do_send_directive(
        NewDirective(
            title="燃气安全入户宣传",
            body="请各社区、网格长组织开展燃气安全入户宣传，发放宣传单，检查燃气灶具软管。",
            area_codes=[demo_street.code],
            roles=[Role.COMMUNITY_STAFF, Role.GRID_HEAD],
            deadline=now + dt.timedelta(days=3),
            figures=["宣传户数"],
        ),
        actor=street,
    )
    _answer(
        list(gas.receipts.all()), rng, now - dt.timedelta(days=9), now - dt.timedelta(days=6), gas.figures
    )
    _age(gas, 9)

    flood = do_send_directive(
        NewDirective(
            title="防汛应急物资盘点",
            body="请各街道盘点辖区防汛应急物资（沙袋、水泵、救生衣），报送数量。",
            area_codes=[district.code],
            roles=[Role.STREET_STAFF],
            deadline=now + dt.timedelta(days=2),
            figures=["沙袋（袋）", "水泵（台）"],
        ),
        actor=chief,
    )
    late = {a.code for a in Area.objects.filter(parent=district).order_by("-code")[:2]}
    owing = [r for r in flood.receipts.select_related("area") if r.area.code not in late]
    _answer(owing, rng, now - dt.timedelta(days=5), now - dt.timedelta(days=3), flood.figures)
    _age(flood, 5)
    return Directive.objects.count()
