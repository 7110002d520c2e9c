"""The KPIs of PRODUCT.md section 5, defined once. Pages, the API and exports call `kpis()`.

A `Selection` chooses the tickets: area subtree, unit, category and period of submission. Two readings
give the same numbers:
- `scan_kpis` counts over the ticket rows: one conditional aggregate for the counts, one query per median
  and one for the summons rate. It answers any selection and is the definition the tests check by hand.
- the rollup (models.DayRollup, kept by the ticket actions) answers a selection of whole days by area,
  which is what the statistics pages, the API and the big screen ask for: it sums a few rows per grid and
  day, and reads each median exactly from the one histogram bucket it falls in. `overdue` depends on the
  clock, so it is always counted from the open tickets.
Interpretations where section 5 leaves room:
- 按时办结: a closed ticket whose last result (resolved_at) came no later than its resolve deadline;
- 回访率 / 满意率 count tickets, with the latest callback verdict of each;
- 退单率 counts a ticket returned by any of its units (lead or co-unit).
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from wangge.areas.models import subtree_q
from wangge.stats.models import (
    BUCKET_EDGES,
    COUNT_COLUMNS,
    HANDLING_COLUMNS,
    RESPONSE_COLUMNS,
    DayRollup,
)
from wangge.tickets.models import Status, SummonsCall, Ticket, Verdict
from wangge.tickets.queries import overdue_q


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
    overdue: int  # 当前超时: open now and past their deadline, whenever submitted (not bound to the period)

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
    """Tickets by area subtree, unit (assigned to it), category subtree, and period of submission
    [start, end)."""
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


@dataclass(frozen=True)
class Selection:
    """The set a KPI is computed over."""

    area: str | None = None
    unit_id: int | None = None
    category_code: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    @classmethod
    def days(
        cls, *, area: str | None, first: dt.date | None = None, last: dt.date | None = None
    ) -> "Selection":
        """Tickets submitted from the local day `first` to the local day `last`, both included."""
        tz = timezone.get_default_timezone()
        return cls(
            area=area,
            start=dt.datetime.combine(first, dt.time.min, tz) if first else None,
            end=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz) if last else None,
        )

    def current(self) -> QuerySet[Ticket]:
        """The selection's tickets of any period: what "overdue now" is counted over, so that the
        statistics, the workbench's 超时 and the four lists give one number for one area."""
        return select_tickets(area=self.area, unit_id=self.unit_id, category_code=self.category_code)

    def tickets(self) -> QuerySet[Ticket]:
        return select_tickets(
            area=self.area,
            unit_id=self.unit_id,
            category_code=self.category_code,
            start=self.start,
            end=self.end,
        )

    def rollup_rows(self) -> QuerySet[DayRollup] | None:
        """The rollup rows of this selection, or None when the rollup cannot answer it. It answers a
        selection with no unit and no category whose period starts and ends at local midnight."""
        if self.unit_id is not None or self.category_code:
            return None
        rows = DayRollup.objects.all()
        if self.area:
            rows = rows.filter(subtree_q(self.area))
        for bound, lookup in ((self.start, "day__gte"), (self.end, "day__lt")):
            if bound is not None:
                local = timezone.localtime(bound, timezone.get_default_timezone())
                if local.time() != dt.time.min:
                    return None
                rows = rows.filter(**{lookup: local.date()})
        return rows


def kpis(selection: Selection, *, now: dt.datetime | None = None) -> Kpis:
    now = now or timezone.now()
    rows = selection.rollup_rows()
    tickets = selection.tickets()
    if rows is None:
        return scan_kpis(tickets, now=now, current=selection.current())
    columns = COUNT_COLUMNS + RESPONSE_COLUMNS + HANDLING_COLUMNS
    sums = rows.aggregate(**{c: Coalesce(Sum(c), 0) for c in columns})
    counts = {c: sums[c] for c in COUNT_COLUMNS}
    counts["overdue"] = selection.current().filter(overdue_q(now)).count()
    return _from_counts(
        counts,
        summons=(counts["summons_on_time"], counts["summoned"]),
        response=_median_from_histogram(tickets, "response_seconds", [sums[c] for c in RESPONSE_COLUMNS]),
        handling=_median_from_histogram(tickets, "handling_seconds", [sums[c] for c in HANDLING_COLUMNS]),
    )


def _median_from_histogram(tickets: QuerySet[Ticket], field_name: str, histogram: list[int]) -> float | None:
    """The exact median: the histogram says which bucket holds the middle value(s) and how many values
    lie below that bucket; the tickets of that bucket alone are read in order (an index serves it)."""
    n = sum(histogram)
    if not n:
        return None
    middle = [_nth_value(tickets, field_name, histogram, k) for k in sorted({(n - 1) // 2, n // 2})]
    if None in middle:  # the rollup and the tickets disagree; trust the tickets
        return _median_minutes(tickets, field_name)
    return round(sum(middle) / len(middle) / 60, 1)  # type: ignore[arg-type]


def _nth_value(tickets: QuerySet[Ticket], field_name: str, histogram: list[int], k: int) -> int | None:
    below = 0
    for i, count in enumerate(histogram):
        if k < below + count:
            in_bucket = tickets.filter(**{f"{field_name}__gte": BUCKET_EDGES[i]})
            if i + 1 < len(BUCKET_EDGES):
                in_bucket = in_bucket.filter(**{f"{field_name}__lt": BUCKET_EDGES[i + 1]})
            values = in_bucket.order_by(field_name).values_list(field_name, flat=True)
            return next(iter(values[k - below : k - below + 1]), None)
        below += count
    return None


def ticket_counts() -> dict[str, Count]:
    """The counts of section 5 as conditional aggregates over tickets (rollup.contribution is the same
    reading of one ticket in Python)."""
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
    )


# A summons call answered by its deadline (over SummonsCall rows).
CALL_ON_TIME = Q(reported_at__isnull=False, reported_at__lte=F("summons__deadline"))


def scan_kpis(
    tickets: QuerySet[Ticket], *, now: dt.datetime | None = None, current: QuerySet[Ticket] | None = None
) -> Kpis:
    """The KPIs counted over the ticket rows themselves; "overdue now" over `current` (the same
    selection in every period, see Selection.current), or over `tickets` when not given."""
    c = tickets.aggregate(**ticket_counts())
    c["overdue"] = (tickets if current is None else current).filter(overdue_q(now or timezone.now())).count()
    calls = SummonsCall.objects.filter(summons__ticket__in=tickets.values("pk"))
    summons = calls.aggregate(
        issued=Count("pk"),
        on_time=Count("pk", filter=CALL_ON_TIME),
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


def ranking(selection: Selection, *, code_length: int, now: dt.datetime | None = None) -> dict[str, Kpis]:
    """The counts and rates of each child area (areas grouped by the first `code_length` characters of
    their code) in one grouped query. Medians and summons are left to `kpis()` of one area."""
    now = now or timezone.now()
    rows = selection.rollup_rows()

    def by_child(tickets: QuerySet[Ticket]) -> QuerySet:
        return tickets.annotate(key=Substr("area_code", 1, code_length)).values("key").order_by("key")

    current = by_child(selection.current()).filter(overdue_q(now)).annotate(n=Count("pk"))
    overdue = dict(current.values_list("key", "n"))
    if rows is None:
        scanned = by_child(selection.tickets()).annotate(**ticket_counts())
        return {
            r["key"]: _from_counts(
                {**r, "overdue": overdue.get(r["key"], 0)}, summons=None, response=None, handling=None
            )
            for r in scanned
        }
    summed = (
        rows.annotate(key=Substr("area_code", 1, code_length))
        .values("key")
        .annotate(**{c: Sum(c) for c in COUNT_COLUMNS})
        .order_by("key")
    )
    return {
        r["key"]: _from_counts(
            {**r, "overdue": overdue.get(r["key"], 0)}, summons=None, response=None, handling=None
        )
        for r in summed
    }
