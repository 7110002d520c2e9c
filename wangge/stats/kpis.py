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
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from wangge.areas.models import subtree_q
from wangge.stats.models import (
    BUCKET_EDGES,
    COUNT_COLUMNS,
    HANDLING_COLUMNS,
    RESPONSE_COLUMNS,
    TICKET_COLUMNS,
    DayRollup,
    Dimension,
    MonthRollup,
    MonthSliceRollup,
    SliceRollup,
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

    def _days(self) -> tuple[dt.date | None, dt.date | None] | None:
        """The period as local days [first, end), or None when a bound falls inside a day. An end after
        today is no end: nothing is submitted in the future, so "this month" is the month's row."""
        bounds: list[dt.date | None] = []
        for bound in (self.start, self.end):
            if bound is None:
                bounds.append(None)
                continue
            local = timezone.localtime(bound, timezone.get_default_timezone())
            if local.time() != dt.time.min:
                return None
            bounds.append(local.date())
        first, end = bounds
        if end is not None and end > timezone.localdate():  # through today at least
            end = None
        return first, end

    def _parts(self, months: QuerySet, days: QuerySet) -> list[QuerySet] | None:
        """The rows of this selection from a month table and a day table, or None when they cannot
        answer it. They answer a selection with no unit and no category whose period starts and ends at
        local midnight: whole months from the month table, the days before and after them from the day
        table."""
        bounds = self._days()
        if self.unit_id is not None or self.category_code or bounds is None:
            return None
        first, end = bounds
        whole_from = first if first is None or first.day == 1 else next_month(first)
        whole_to = end if end is None or end.day == 1 else end.replace(day=1)
        parts: list[QuerySet] = []
        if whole_from is None or whole_to is None or whole_from < whole_to:
            parts.append(_between(months, "month", whole_from, whole_to))
            edges = [(first, whole_from), (whole_to, end)]
        else:  # no whole month inside
            edges = [(first, end)]
        for a, b in edges:  # the days before and after the months, or all of them when no month is whole
            if a is not None and b is not None and a < b:
                parts.append(_between(days, "day", a, b))
        if self.area:
            parts = [p.filter(subtree_q(self.area)) for p in parts]
        return parts

    def rollup_rows(self) -> list[QuerySet] | None:
        """The KPI rollup rows of this selection (see _parts), or None."""
        return self._parts(MonthRollup.objects.all(), DayRollup.objects.all())

    def slice_rows(self, dimension: str) -> list[QuerySet] | None:
        """The slice rows of this selection for one dimension (see _parts), or None."""
        return self._parts(
            MonthSliceRollup.objects.filter(dimension=dimension),
            SliceRollup.objects.filter(dimension=dimension),
        )


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _between(rows: QuerySet, field_name: str, first: dt.date | None, end: dt.date | None) -> QuerySet:
    if first is not None:
        rows = rows.filter(**{f"{field_name}__gte": first})
    if end is not None:
        rows = rows.filter(**{f"{field_name}__lt": end})
    return rows


def _sum_parts(parts: list[QuerySet], columns: tuple[str, ...]) -> dict[str, int]:
    """The columns summed over every part. Written as SQL around each part's own WHERE: the ORM took
    tens of milliseconds to build an aggregate of 124 sums, longer than the database took to run it."""
    sums = dict.fromkeys(columns, 0)
    select = ", ".join(f"COALESCE(SUM({connection.ops.quote_name(c)}), 0)" for c in columns)
    for part in parts:
        where, params = part.query.get_compiler(using=part.db).compile(part.query.where)
        table = connection.ops.quote_name(part.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {table}" + (f" WHERE {where}" if where else ""), params)
            for name, n in zip(columns, cursor.fetchone(), strict=True):
                sums[name] += n
    return sums


def kpis(
    selection: Selection,
    *,
    now: dt.datetime | None = None,
    overdue: int | None = None,
    handling: bool = True,
) -> Kpis:
    """`overdue`: "overdue now" when the caller has counted it already (it is the same for every period
    of one area and unit, see Selection.current); `handling=False` leaves the median handling time out
    (None) for a reader that does not show it (the big screen)."""
    now = now or timezone.now()
    rows = selection.rollup_rows()
    tickets = selection.tickets()
    if rows is None:
        return scan_kpis(tickets, now=now, current=selection.current())
    sums = _sum_parts(rows, COUNT_COLUMNS + RESPONSE_COLUMNS + HANDLING_COLUMNS)
    counts = {c: sums[c] for c in COUNT_COLUMNS}
    counts["overdue"] = selection.current().filter(overdue_q(now)).count() if overdue is None else overdue
    return _from_counts(
        counts,
        summons=(counts["summons_on_time"], counts["summoned"]),
        response=_median_from_histogram(tickets, "response_seconds", [sums[c] for c in RESPONSE_COLUMNS]),
        handling=_median_from_histogram(tickets, "handling_seconds", [sums[c] for c in HANDLING_COLUMNS])
        if handling
        else None,
    )


def _median_from_histogram(tickets: QuerySet[Ticket], field_name: str, histogram: list[int]) -> float | None:
    """The exact median: the histogram says which bucket holds the middle value(s) and how many values
    lie below that bucket; the tickets of that bucket alone are read in order (an index serves it)."""
    n = sum(histogram)
    if not n:
        return None
    first, last = (n - 1) // 2, n // 2  # the middle value, or the two around the middle
    middle = _nth_values(tickets, field_name, histogram, first, last)
    if len(middle) < last - first + 1:  # the rollup and the tickets disagree; trust the tickets
        return _median_minutes(tickets, field_name)
    return round(sum(middle) / len(middle) / 60, 1)


def _nth_values(
    tickets: QuerySet[Ticket], field_name: str, histogram: list[int], first: int, last: int
) -> list[int]:
    """The values ranked `first` to `last` (0-based, in order): read from the bucket holding `first`,
    both in one query when `last` is in it too (nearly always), else one query per bucket."""
    below = 0
    for i, count in enumerate(histogram):
        if first < below + count:
            in_bucket = tickets.filter(**{f"{field_name}__gte": BUCKET_EDGES[i]})
            if i + 1 < len(BUCKET_EDGES):
                in_bucket = in_bucket.filter(**{f"{field_name}__lt": BUCKET_EDGES[i + 1]})
            values = in_bucket.order_by(field_name).values_list(field_name, flat=True)
            end = min(last, below + count - 1)  # within this bucket
            found = list(values[first - below : end - below + 1])
            if end < last and len(found) == end - first + 1:
                found += _nth_values(tickets, field_name, histogram, end + 1, last)
            return found
        below += count
    return []


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


def ranking(
    selection: Selection,
    *,
    code_length: int,
    now: dt.datetime | None = None,
    overdue: Mapping[str, int] | None = None,
) -> dict[str, Kpis]:
    """The counts and rates of each child area (areas grouped by the first `code_length` characters of
    their code) in a few grouped queries. Medians are left to `kpis()` of one area. `overdue`: "overdue
    now" per child when the caller has counted it."""
    now = now or timezone.now()
    rows = selection.rollup_rows()
    child = Substr("area_code", 1, code_length)
    if overdue is None:
        current = selection.current().annotate(key=child).values("key").order_by("key")
        overdue = dict(current.filter(overdue_q(now)).annotate(n=Count("pk")).values_list("key", "n"))
    summed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_COLUMNS, 0))
    if rows is None:
        for r in (
            selection.tickets().annotate(key=child).values("key").order_by("key").annotate(**ticket_counts())
        ):
            summed[r.pop("key")].update(r)
        calls = SummonsCall.objects.filter(summons__ticket__in=selection.tickets().values("pk"))
        by_key = calls.annotate(key=Substr("summons__ticket__area_code", 1, code_length)).values("key")
        for r in by_key.order_by("key").annotate(
            summoned=Count("pk"), summons_on_time=Count("pk", filter=CALL_ON_TIME)
        ):
            summed[r.pop("key")].update(r)
    for part in rows or []:
        grouped = part.annotate(key=child).values("key").order_by("key")
        for r in grouped.annotate(**{c: Sum(c) for c in COUNT_COLUMNS}):
            for c in COUNT_COLUMNS:
                summed[r["key"]][c] += r[c]
    return {key: _grouped_kpis(r, overdue.get(key, 0)) for key, r in sorted(summed.items())}


def _grouped_kpis(counts: dict[str, int], overdue: int, *, summons: bool = True) -> Kpis:
    return _from_counts(
        {**counts, "overdue": overdue},
        summons=(counts["summons_on_time"], counts["summoned"]) if summons else None,
        response=None,
        handling=None,
    )


# The ticket field each breakdown groups by; the slice value is this field as text.
BREAKDOWN_FIELDS = {
    Dimension.CHANNEL: "channel",
    Dimension.CATEGORY: "category_id",
    Dimension.UNIT: "lead_unit_id",
}


def breakdown(
    selection: Selection, by: str, *, now: dt.datetime | None = None, overdue: Mapping[str, int] | None = None
) -> dict[str, Kpis]:
    """The counts and rates of the selection per channel, category (leaf, by id) or lead unit (主办单位,
    by id): from the slice rollup for whole days, else counted over the tickets. Medians and summons
    are left out (a summons belongs to the unit called, see units.py). `overdue`: "overdue now" per
    group when the caller has counted it."""
    now = now or timezone.now()
    field_name = BREAKDOWN_FIELDS[Dimension(by)]
    if overdue is None:  # grouped over every overdue ticket (few): NULL is a group, not a filter
        late = selection.current().filter(overdue_q(now)).values(field_name).order_by(field_name)
        overdue = {
            str(k): n for k, n in late.annotate(n=Count("pk")).values_list(field_name, "n") if k is not None
        }
    rows = selection.slice_rows(by)
    summed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TICKET_COLUMNS, 0))
    if rows is None:
        counts = {k: v for k, v in ticket_counts().items() if k in TICKET_COLUMNS}
        scanned = selection.tickets().filter(**{f"{field_name}__isnull": False}).values(field_name)
        for r in scanned.order_by(field_name).annotate(**counts):
            summed[str(r.pop(field_name))].update(r)
    for part in rows or []:
        for r in part.values("value").order_by("value").annotate(**{c: Sum(c) for c in TICKET_COLUMNS}):
            for c in TICKET_COLUMNS:
                summed[r["value"]][c] += r[c]
    return {key: _grouped_kpis(r, overdue.get(key, 0), summons=False) for key, r in sorted(summed.items())}
