"""Times for residents' pages in plain Chinese (`11月27日 14:05`), as tickets.public writes them."""

import datetime as dt

from django import template

from wangge.tickets.public import when

register = template.Library()


@register.filter
def zh_when(value: dt.datetime | None) -> str:
    return "" if value is None else when(value)
