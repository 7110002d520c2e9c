"""Figures for people on every page: `{% load wangge %}` then `ratio|percent`, `minutes|duration`,
`minutes|service_hours`, `moment|cn_datetime`, `day|cn_date` and `{% ticket_due ticket now %}`."""

import datetime as dt

from django import template
from django.utils.html import format_html

from wangge.lib import humanize
from wangge.tickets.models import Ticket

register = template.Library()
register.filter("percent", humanize.percent)
register.filter("duration", humanize.duration)
register.filter("service_hours", humanize.service_hours)


@register.filter
def cn_datetime(moment: dt.datetime | None) -> str:
    return humanize.local_datetime(moment)


@register.filter
def cn_date(day: dt.date | dt.datetime | None) -> str:
    if isinstance(day, dt.datetime):
        day = day.date()
    return humanize.local_date(day)


@register.filter
def time_left(deadline: dt.datetime | None, now: dt.datetime) -> tuple[str, bool]:
    """("剩2小时", False) or ("超时1天3小时", True): use `.0` for the words and `.1` for lateness."""
    return humanize.time_left(deadline, now)


@register.simple_tag
def ticket_due(ticket: Ticket, now: dt.datetime) -> str:
    """The deadline the ticket waits on and the time left, in red once past."""
    deadline = ticket.current_deadline
    if deadline is None:
        return format_html('<span class="muted">—</span>')
    left, late = humanize.time_left(deadline, now)
    return format_html(
        '<span class="nowrap">{}</span><span class="cell-sub {}">{}</span>',
        humanize.local_datetime(deadline, now=now),
        "late" if late else "",
        left,
    )
