"""The KPIs of PRODUCT.md section 5, defined once. Pages, the API and exports call `kpis()`.

The set of tickets is chosen by area subtree, unit, category and period of submission. Every count is a
conditional aggregate over the ticket table (one scan); the two medians and the summons rate are one
query each. Interpretations where section 5 leaves room:
- 按时办结: a closed ticket whose last result (resolved_at) came no later than its resolve deadline;
- 回访率 / 满意率 count tickets, with the latest callback verdict of each;
- 退单率 counts a ticket returned by any of its units (lead or co-unit).
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.tickets.models import Status, SummonsCall, Ticket, Verdict
from wangge.tickets.queries import overdue_q


def subtree_q(code: str, field_name: str = "area_code") -> Q:
    """Codes under `code` as a range (digits sort before ':'), so an index on the code serves it."""
    return Q(**{f"{field_name}__gte": code, f"{field_name}__lt": code + ":"})


@dataclass
class Kpis:
    submitted: int
    accepted: int  # 受理量
    closed: int
    closure_rate: float | None  # 办结率 = closed / accepted
    on_time_rate: float | None  # 按时办结率 = closed on time / closed
    response_minutes: float | None  # 响应时长: median submit -> claim
    handling_minutes: float | None  # 办理时长: median submit -> resolved
    callback_rate: float | None  # 回访率 = closed with a successful callback / closed
    satisfaction_rate: float | None  # 满意率 = (满意 + 基本满意) / callbacks with a verdict
    return_rate: float | None  # 退单率 = returned at least once / assigned
    summons_rate: float | None  # 吹哨报到率 = reported on time / summoned
    solved_in_grid_rate: float | None  # 网格内解决率 = closed never above grid level / closed
    overdue: int  # open now and past their deadline

    def as_dict(self) -> dict:
        return asdict(self)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class _Median(Aggregate):
    """PostgreSQL's exact median."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_minutes(qs: QuerySet[Ticket], field_name: str) -> float | None:
    values = qs.filter(**{f"{field_name}__isnull": False})
    if connection.vendor == "postgresql":
        median = values.aggregate(m=_Median(field_name))["m"]
    else:
        n = values.count()
        if not n:
            return None
        ordered = values.order_by(field_name).values_list(field_name, flat=True)
        middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
        median = sum(middle) / len(middle)
    return None if median is None else round(median / 60, 1)


def select_tickets(
    *,
    base: QuerySet[Ticket] | None = None,
    area: str | None = None,
    unit_id: int | None = None,
    category_code: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Ticket]:
    """The set a KPI is computed over: area subtree, unit (assigned to it), category subtree, and the
    period of submission [start, end)."""
    qs = base if base is not None else Ticket.objects.all()
    if area:
        qs = qs.filter(subtree_q(area))
    if unit_id is not None:
        qs = qs.filter(assignments__unit_id=unit_id).distinct()
    if category_code:
        qs = qs.filter(subtree_q(category_code, "category__code"))
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lt=end)
    return qs


def _counts(now: dt.datetime) -> dict[str, Count]:
    closed = Q(status=Status.CLOSED)
    return dict(
        submitted=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        closed=Count("pk", filter=closed),
        on_time=Count("pk", filter=closed & Q(on_time=True)),
        called_back=Count("pk", filter=closed & Q(callback_reached=True)),
        verdicts=Count("pk", filter=~Q(verdict="")),
        satisfied=Count("pk", filter=Q(verdict__in=[Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED])),
        assigned=Count("pk", filter=Q(assigned_at__isnull=False)),
        returned=Count("pk", filter=Q(assigned_at__isnull=False, ever_returned=True)),
        in_grid=Count("pk", filter=closed & Q(ever_escalated=False)),
        overdue=Count("pk", filter=overdue_q(now)),
    )


def kpis(tickets: QuerySet[Ticket], *, now: dt.datetime | None = None) -> Kpis:
    c = tickets.aggregate(**_counts(now or timezone.now()))
    calls = SummonsCall.objects.filter(summons__ticket__in=tickets.values("pk"))
    summons = calls.aggregate(
        issued=Count("pk"),
        on_time=Count("pk", filter=Q(reported_at__isnull=False, reported_at__lte=F("summons__deadline"))),
    )
    return _from_counts(
        c,
        summons=(summons["on_time"], summons["issued"]),
        response=_median_minutes(tickets, "response_seconds"),
        handling=_median_minutes(tickets, "handling_seconds"),
    )


def _from_counts(
    c: dict, *, summons: tuple[int, int] | None, response: float | None, handling: float | None
) -> Kpis:
    return Kpis(
        submitted=c["submitted"],
        accepted=c["accepted"],
        closed=c["closed"],
        closure_rate=_ratio(c["closed"], c["accepted"]),
        on_time_rate=_ratio(c["on_time"], c["closed"]),
        response_minutes=response,
        handling_minutes=handling,
        callback_rate=_ratio(c["called_back"], c["closed"]),
        satisfaction_rate=_ratio(c["satisfied"], c["verdicts"]),
        return_rate=_ratio(c["returned"], c["assigned"]),
        summons_rate=_ratio(*summons) if summons else None,
        solved_in_grid_rate=_ratio(c["in_grid"], c["closed"]),
        overdue=c["overdue"],
    )


def ranking(
    tickets: QuerySet[Ticket], *, code_length: int, now: dt.datetime | None = None
) -> dict[str, Kpis]:
    """The counts and rates of each child area (tickets grouped by the first `code_length` characters of
    their area code) in one grouped query. Medians and summons are left to `kpis()` of one area."""
    rows = (
        tickets.annotate(key=Substr("area_code", 1, code_length))
        .values("key")
        .annotate(**_counts(now or timezone.now()))
        .order_by("key")
    )
    return {r["key"]: _from_counts(r, summons=None, response=None, handling=None) for r in rows}
