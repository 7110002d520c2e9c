"""The KPIs of an area grouped four ways, each group named for people: by channel (渠道), by category
(the leaf 类别), by lead unit (主办单位) and by child area (下级). The API's `/stats?by=`, the statistics
page's tables and the big screen read them from here."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Sum

from wangge.areas.models import Area, Unit, subtree_q
from wangge.stats.kpis import Kpis, Selection, breakdown, next_month, ranking
from wangge.stats.models import DayRollup, MonthRollup
from wangge.tickets.models import Category, Channel

BY = ("channel", "category", "unit", "area")


@dataclass
class Group:
    key: str
    name: str
    kpis: Kpis

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, **self.kpis.as_dict()}


def groups(
    area: Area, selection: Selection, by: str, *, overdue: Mapping[str, int] | None = None
) -> list[Group]:
    """The selection's groups, the largest (受理量) first. `by=area` groups by the area's children (none
    for a grid without sub-grids). `overdue`: "overdue now" per group, when the caller has counted it."""
    if by == "area":
        children = {c.code: c for c in area.children.order_by("code")}
        if not children:
            return []
        ranked = ranking(selection, code_length=len(next(iter(children))), overdue=overdue)
        found = [Group(code, children[code].name, k) for code, k in ranked.items() if code in children]
    else:
        grouped = breakdown(selection, by, overdue=overdue)
        names = _names(by, grouped.keys())
        found = [Group(key, names.get(key, key), k) for key, k in grouped.items()]
    return sorted(found, key=lambda g: (-g.kpis.submitted, g.key))


def _names(by: str, keys: object) -> dict[str, str]:
    ids = [int(k) for k in keys if str(k).isdigit()]  # type: ignore[attr-defined]
    if by == "channel":
        return {str(c.value): str(c.label) for c in Channel}
    if by == "category":
        return {str(pk): c.name for pk, c in Category.objects.in_bulk(ids).items()}
    return {str(pk): u.name for pk, u in Unit.objects.in_bulk(ids).items()}


SERIES_COLUMNS = ("submitted", "accepted", "closed", "satisfied", "verdicts")


def series(selection: Selection, *, first: dt.date, last: dt.date, by_month: bool) -> list[dict]:
    """The area's counts per day (or per month) from `first` to `last`, days or months without a ticket
    included: the statistics page's trend. Read from the rollups."""
    if by_month:  # whole months from the month table, the days around them from the day table
        parts = Selection.days(area=selection.area, first=first, last=last).rollup_rows() or []
    else:
        days = DayRollup.objects.filter(day__gte=first, day__lte=last)
        parts = [days.filter(subtree_q(selection.area)) if selection.area else days]
    found: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SERIES_COLUMNS, 0))
    for part in parts:
        field_name = "month" if part.model is MonthRollup else "day"
        rows = part.values(field_name).order_by().annotate(**{c: Sum(c) for c in SERIES_COLUMNS})
        for row in rows:
            key = row.pop(field_name)
            key = key.replace(day=1) if by_month else key
            for c in SERIES_COLUMNS:
                found[key][c] += row[c] or 0
    keys: list[dt.date] = []
    moment = first.replace(day=1) if by_month else first
    while moment <= last:
        keys.append(moment)
        moment = next_month(moment) if by_month else moment + dt.timedelta(days=1)
    return [{"at": k, **found[k]} for k in keys]
