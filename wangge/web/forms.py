"""Reading a posted form's values into the types actions take, with the error naming the field: dates
(年-月-日), times (时:分), local moments, whole numbers, and a row picked from a list offered on the page."""

import datetime as dt
import re
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from wangge.lib.errors import InputError
from wangge.lib.ids import is_id

M = TypeVar("M", bound=Model)


def date_field(value: str, field: str, label: str) -> dt.date | None:
    """A date, or None when the field was left empty."""
    return required_date(value, field, label) if value else None


def required_date(value: str, field: str, label: str) -> dt.date:
    if not value:
        raise InputError(field, f"请填写{label}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(field, f"{label}请按 年-月-日 填写") from None


def time_field(value: str, field: str, label: str) -> dt.time:
    try:
        found = dt.time.fromisoformat(value)
    except ValueError:
        found = None
    if found is None or found.tzinfo is not None:
        raise InputError(field, f"{label}请按 时:分 填写")
    return found


def moment_field(value: str, field: str, label: str) -> dt.datetime:
    """A local date and time (`datetime-local`), made aware in the project's zone."""
    try:
        found = dt.datetime.fromisoformat(value)
    except ValueError:
        found = None
    if found is None or found.tzinfo is not None or not 2000 <= found.year <= 2100:
        raise InputError(field, f"{label}请按 年-月-日 时:分 填写")
    return timezone.make_aware(found)


def int_field(value: str, field: str, label: str, *, required: bool = True) -> int | None:
    value = (value or "").strip()
    if not value and not required:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value):  # not str.isdigit(), which takes "²"
        raise InputError(field, f"{label}请填写整数")
    return int(value)


def pick(rows: QuerySet[M], value: str, field: str, label: str) -> M:
    """The row `value` names among `rows`, or InputError naming the field."""
    found = rows.filter(pk=int(value)).first() if is_id(value) else None
    if found is None:
        raise InputError(field, f"请选择{label}")
    return found
