"""How the change history names fields and values: in Chinese, as the forms do."""

from django import template

from wangge.people.models import CareLevel
from wangge.people.registry import FIELD_LABELS, OTHER_LABELS

register = template.Library()
LABELS = FIELD_LABELS | OTHER_LABELS | {"household": "住户"}


@register.filter
def field_label(name: str) -> str:
    return LABELS.get(name, name)


@register.filter
def field_value(value: object, name: str) -> object:
    if name == "care_level" and isinstance(value, str) and value in CareLevel.values:
        return CareLevel(value).label
    return value


@register.filter
def distance(metres: float | None) -> str:
    """850米 or 1.5千米."""
    if metres is None:
        return ""
    return f"{metres:.0f}米" if metres < 1000 else f"{metres / 1000:.1f}千米"
