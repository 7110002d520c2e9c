"""Who sends directives and switches areas to emergency, what each sees, and the counts a sender reads.

District staff (指挥中心), 包联 leaders, street staff and community staff send directives into their own
subtree. A sender sees every receipt under the areas they send to; a receiver sees their own receipts.
The completion rate (完成率) is the share of a directive's receipts that have reported back.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role, codes_above
from wangge.areas.scoping import codes_with, holds_over, prefix_q, scope_of, subtree_or_above_q
from wangge.directives.models import Directive, Emergency, Receipt

SENDING_ROLES = frozenset({Role.DISTRICT_STAFF, Role.LEADER, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
# Switching an area to its emergency roster is a street's or the district's call (seed 000: 县级领导包抓).
SWITCHING_ROLES = frozenset({Role.DISTRICT_STAFF, Role.LEADER, Role.STREET_STAFF})


def may_send_to(user: User, area: Area) -> bool:
    return holds_over(user, area.code, SENDING_ROLES)


def may_switch(user: User, area: Area) -> bool:
    return holds_over(user, area.code, SWITCHING_ROLES)


def directives_for(user: User) -> QuerySet[Directive]:
    """Directives I sent or received, and those sent to (or above) the areas I send to."""
    if scope_of(user).everything:
        return Directive.objects.all()
    q = (
        Q(sender=user)
        | Q(receipts__user=user)
        | subtree_or_above_q("areas__code", codes_with(user, SENDING_ROLES))
    )
    return Directive.objects.filter(pk__in=Directive.objects.filter(q).values("pk"))


def get_directive_for(user: User, directive_id: int) -> Directive:
    directive = directives_for(user).filter(pk=directive_id).select_related("sender").first()
    if directive is None:
        raise Http404
    return directive


def receipts_for(user: User, directive: Directive) -> QuerySet[Receipt]:
    """The receipts I may read: all for the sender, those under my areas for other senders, my own."""
    qs = directive.receipts.all()
    if scope_of(user).everything or directive.sender_id == user.pk:
        return qs
    return qs.filter(prefix_q("area__code", codes_with(user, SENDING_ROLES)) | Q(user=user))


def may_follow_up(user: User, directive: Directive) -> bool:
    """Sees receipts and reminds: the sender, or whoever sends to the directive's areas."""
    if scope_of(user).everything or directive.sender_id == user.pk:
        return True
    codes = codes_with(user, SENDING_ROLES)
    return any(a.code.startswith(c) for a in directive.areas.all() for c in codes)


def to_answer(user: User) -> QuerySet[Receipt]:
    """My receipts not yet reported back, the nearest deadline first."""
    return (
        Receipt.objects.filter(user=user, reported_at=None)
        .select_related("directive", "area", "unit")
        .order_by("directive__deadline", "id")
    )


def get_receipt_for(user: User, receipt_id: int) -> Receipt:
    receipt = (
        Receipt.objects.filter(pk=receipt_id, user=user)
        .select_related("directive__sender", "area", "unit")
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


@dataclass
class Progress:
    """A directive's receipts counted: the completion rate is reported / total."""

    total: int = 0
    acknowledged: int = 0
    reported: int = 0
    overdue: int = 0
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(self.reported / self.total, 4) if self.total else None

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.0%}"

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "acknowledged": self.acknowledged,
            "reported": self.reported,
            "overdue": self.overdue,
            "completion_rate": self.rate,
            "figures": self.figures,
        }


def progress(directive: Directive, receipts: QuerySet[Receipt]) -> Progress:
    now = timezone.now()
    counts = receipts.aggregate(
        total=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        reported=Count("id", filter=Q(reported_at__isnull=False)),
    )
    result = Progress(
        total=counts["total"],
        acknowledged=counts["acknowledged"],
        reported=counts["reported"],
        overdue=counts["total"] - counts["reported"] if now > directive.deadline else 0,
    )
    if directive.figures:
        totals = dict.fromkeys(directive.figures, 0)
        for figures in receipts.filter(reported_at__isnull=False).values_list("figures", flat=True):
            for name in totals:
                value = (figures or {}).get(name)
                totals[name] += value if isinstance(value, int) else 0
        result.figures = totals
    return result


def progress_by_place(directive: Directive, receipts: QuerySet[Receipt]) -> list[tuple[Area, Progress]]:
    """The progress under each area one level below the directive's top areas (street, community …)."""
    tops = sorted(a.code for a in directive.areas.all())
    width = (min(len(c) for c in tops) + 3) if tops else 9
    rows = receipts.values_list("area__code", "reported_at")
    grouped: dict[str, Progress] = {}
    late = timezone.now() > directive.deadline
    for code, reported_at in rows:
        key = code[:width]
        p = grouped.setdefault(key, Progress())
        p.total += 1
        p.reported += reported_at is not None
        p.overdue += late and reported_at is None
    places = {a.code: a for a in Area.objects.filter(code__in=grouped)}
    return [(places[c], grouped[c]) for c in sorted(grouped) if c in places]


def emergency_over(code: str) -> Emergency | None:
    """The open emergency covering a place (on it or an area above it)."""
    return (
        Emergency.objects.filter(area__code__in=[*codes_above(code), code], ended_at=None)
        .select_related("area")
        .order_by("area__code")
        .first()
    )
