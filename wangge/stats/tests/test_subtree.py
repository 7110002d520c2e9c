"""An area's subtree as a range of codes holds the same areas in byte order and in a locale collation."""

import pytest
from django.db import connection
from django.db.models.functions import Collate

from wangge.areas.models import Area, next_code, subtree_q
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET


def test_next_code() -> None:
    assert [next_code(c) for c in ("2101", "2109", "2199", "0", "99")] == ["2102", "211", "22", "1", None]


def _locale_order(a: str, b: str) -> int:
    """As a locale collation orders codes: punctuation before digits, digits before letters."""

    def key(text: str) -> list[tuple[int, str]]:
        return [(0 if not c.isalnum() else 1 if c.isdigit() else 2, c) for c in text]

    return (key(a) > key(b)) - (key(a) < key(b))


@pytest.fixture
def locale_collation(db) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL's ICU root collation; on SQLite, one that orders as it does."""
    if connection.vendor == "postgresql":
        return "und-x-icu"
    connection.ensure_connection()
    connection.connection.create_collation("wangge_locale", _locale_order)
    return "wangge_locale"


@pytest.mark.parametrize("code", [DEMO_STREET, DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET[:4]])
def test_a_subtree_is_the_same_in_a_locale_collation(locale_collation: str, code: str) -> None:
    under = set(Area.objects.filter(code__startswith=code).values_list("pk", flat=True))
    assert len(under) > 1
    by_bytes = Area.objects.filter(subtree_q(code, "code"))
    in_locale = Area.objects.annotate(local=Collate("code", locale_collation))
    by_locale = in_locale.filter(subtree_q(code, "local"))
    assert set(by_bytes.values_list("pk", flat=True)) == under
    assert set(by_locale.values_list("pk", flat=True)) == under
