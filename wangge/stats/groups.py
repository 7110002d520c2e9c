"""The KPIs of an area grouped four ways, each group named for people: by channel (渠道), by category
(the leaf 类别), by lead unit (主办单位) and by child area (下级). The API's `/stats?by=`, the statistics
page's tables and the big screen read them from here."""

from collections.abc import Mapping
from dataclasses import dataclass

from wangge.areas.models import Area, Unit
from wangge.stats.kpis import Kpis, Selection, breakdown, ranking
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
