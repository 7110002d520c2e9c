"""The default category tree (一级/二级/三级), shipped in data/categories.csv.

It is the urban-governance part of the three-level tree of government messages published with the 2020
TipDM competition (problem C), plus a 社区事务 branch written for Wangge (房屋漏水, 邻里纠纷 …).
Codes are two digits per level in file order: 01, 0103, 010302.
"""

import csv
from pathlib import Path
from typing import Any

CATEGORIES_CSV = Path(__file__).parent / "data" / "categories.csv"


def category_rows(path: Path = CATEGORIES_CSV) -> list[tuple[str, str, str, str | None]]:
    """(code, name, path, parent code) for every node, parents first."""
    codes: dict[tuple[str, ...], str] = {}
    rows: list[tuple[str, str, str, str | None]] = []
    with path.open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for line in reader:
            names = tuple(n.strip() for n in line[:3])
            for depth in range(1, 4):
                key = names[:depth]
                if key in codes:
                    continue
                parent = codes.get(key[:-1]) if depth > 1 else None
                siblings = sum(1 for k in codes if len(k) == depth and k[:-1] == key[:-1])
                code = (parent or "") + f"{siblings + 1:02d}"
                codes[key] = code
                rows.append((code, key[-1], "/".join(key), parent))
    return rows


def load_categories(category_model: Any) -> int:
    """Create the tree in an empty table (used by the data migration; a no-op when rows exist)."""
    if category_model.objects.exists():
        return 0
    saved: dict[str, Any] = {}
    for code, name, path, parent in category_rows():
        saved[code] = category_model.objects.create(
            code=code, name=name, path=path, parent=saved.get(parent) if parent else None
        )
    return len(saved)
