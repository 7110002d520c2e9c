"""社区事务准入 (F17): is this task one a community should be given?

Seed 000 (张掖): 社区职责事项清单 22 项、协助事项清单 28 项、负面事项清单 7 项; seed 004 names the same three
lists (依法自治、依法履职、依法协助). A task given to a community is flagged to whoever gives it, before it
is given, when it matches an item of a community's 负面清单, or matches nothing on its duty and assisted
lists. A community without any list (none on it, its street or the district) is not checked.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wangge.areas.models import Area, Level
from wangge.directives.models import DutyItem, DutyKind
from wangge.lib.errors import NotAllowed
from wangge.tickets.models import Category

COMMUNITY_CODE_LENGTH = 12
_SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass(frozen=True)
class Flag:
    kind: str  # DutyKind.FORBIDDEN, or "outside" (on no list)
    item: str  # the forbidden item's name; "" for outside
    communities: tuple[str, ...]

    @property
    def message(self) -> str:
        where = "、".join(self.communities[:3]) + (
            f"等{len(self.communities)}个社区" if len(self.communities) > 3 else ""
        )
        if self.kind == DutyKind.FORBIDDEN:
            return f"「{self.item}」在{where}的负面清单上，不应交由社区承办"
        return f"不在{where}的履职事项和协助事项清单内"

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "item": self.item,
            "communities": list(self.communities),
            "message": self.message,
        }


class AdmissionFlagged(NotAllowed):
    """The task is outside a receiving community's lists: the sender is shown why and may confirm."""

    def __init__(self, flags: list[Flag]):
        super().__init__("；".join(f.message for f in flags) + "。如确需交办，请确认后再发送")
        self.flags = flags


def _terms(item: DutyItem) -> list[str]:
    return [t for t in [item.name, *_SPLIT.split(item.keywords)] if t]


def matches(item: DutyItem, text: str, category_code: str | None) -> bool:
    if category_code and any(category_code.startswith(c) for c in item.categories):
        return True
    return any(term in text for term in _terms(item))


def community_codes_of(area_codes: Iterable[str]) -> set[str]:
    """The communities the places lie in (places above community level have none)."""
    return {c[:COMMUNITY_CODE_LENGTH] for c in area_codes if len(c) >= COMMUNITY_CODE_LENGTH}


def check_admission(
    *, community_codes: Iterable[str], text: str, category_code: str | None = None
) -> list[Flag]:
    """The flags for a task with this text (and ticket category) given to these communities."""
    communities = list(
        Area.objects.filter(code__in=set(community_codes), level=Level.COMMUNITY).order_by("code")
    )
    if not communities:
        return []
    owners = {c for a in communities for c in [*a.ancestor_codes, a.code]}
    items = list(DutyItem.objects.filter(area__code__in=owners).select_related("area"))
    found: dict[tuple[str, str], list[str]] = {}
    for community in communities:
        own = [i for i in items if community.code.startswith(i.area.code)]
        if not own:
            continue
        forbidden = [i for i in own if i.kind == DutyKind.FORBIDDEN and matches(i, text, category_code)]
        for item in forbidden:
            found.setdefault((DutyKind.FORBIDDEN, item.name), []).append(community.name)
        if not forbidden and not any(
            i.kind != DutyKind.FORBIDDEN and matches(i, text, category_code) for i in own
        ):
            found.setdefault(("outside", ""), []).append(community.name)
    return [Flag(kind, item, tuple(names)) for (kind, item), names in found.items()]


DUTY_LISTS_CSV = Path(__file__).parent / "data" / "duty_lists.csv"


@transaction.atomic
def load_duty_lists(area: Area, path: Path = DUTY_LISTS_CSV) -> int:
    """Put the shipped (or a given) three lists on an area, replacing the ones it had. The CSV names
    ticket categories by path (城乡建设/住房保障与房地产); unknown paths are left out of the item."""
    codes = dict(Category.objects.values_list("path", "code"))
    rows = []
    with path.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for kind, name, keywords, categories in reader:
            if kind not in DutyKind.values:
                raise ValueError(f"{path.name}: unknown list {kind!r}")
            wanted = [c.strip() for c in categories.split(";") if c.strip()]
            rows.append(
                DutyItem(
                    area=area,
                    kind=kind,
                    name=name.strip(),
                    keywords=keywords.strip(),
                    categories=[codes[c] for c in wanted if c in codes],
                )
            )
    DutyItem.objects.filter(area=area).delete()
    DutyItem.objects.bulk_create(rows)
    return len(rows)
