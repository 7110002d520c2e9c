"""One step of a small state machine, decided by the database: the row moves from one of the states
it is expected in to the next in one conditional UPDATE, so of two people acting at once exactly one
wins, and the other is told the state the row is in now ("该心愿已认领", "该取货码已领取").

Wishes, bookings and redemptions use it; a ticket's workflow has its own (a version number, since a
ticket changes in more ways than its state)."""

from typing import TypeVar

from django.db import models

from wangge.lib.errors import NotAllowed

Row = TypeVar("Row", bound=models.Model)


def move(
    row: Row, before: tuple[str, ...], after: str, *, what: str, where: dict | None = None, **changes: object
) -> Row:
    """`row` from one of `before` to `after` with `changes`, if it still is in one of them (and still
    matches `where`); else NotAllowed naming `what` and its present state. The row is read again."""
    model = type(row)
    won = model._default_manager.filter(pk=row.pk, state__in=before, **(where or {})).update(
        state=after, **changes
    )
    row.refresh_from_db()
    if not won:
        raise NotAllowed(f"{what}{row.get_state_display()}")  # type: ignore[attr-defined]
    return row
