"""The field frame's tab bar, fitted to the persona: `{% load field %}{% field_tabs %}`.

A grid worker or grid head gets 今日走访 · 上报问题 · 我的工单 · 指令 · 消息. A party member, volunteer or
building head gets their own first tab (我的包户, or 今日走访 for a round of households, else 首页),
邻里互助 (the wish wall, activities and their points), 我的工单 and 消息, and 指令 only while a directive
waits for their answer: 网格发现 is the grid staff's and the directives go to posts, so a tab that would
only ever be empty is left out.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from wangge.accounts.models import User
from wangge.areas.scoping import scope_of
from wangge.visits.selectors import visit_prefixes
from wangge.web.field_ticket_views import REPORTING_ROLES
from wangge.web.navigation import FIELD

register = template.Library()


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str
    count: int = 0


def home_label(user: User, persona: str) -> str:
    """The first tab's name: what the field page holds for this user."""
    if persona == FIELD:
        return "今日走访"
    if scope_of(user).party_membership_ids:
        return "我的包户"
    return "今日走访" if visit_prefixes(user) else "首页"


@register.inclusion_tag("web/field/_tabs.html", takes_context=True)
def field_tabs(context: template.Context) -> dict:
    user = context["user"]
    persona = str(context.get("persona") or "")
    pending = int(context.get("directives_pending") or 0)
    reports = any(m.role in REPORTING_ROLES for m in scope_of(user).memberships)
    tabs = [Tab("today", home_label(user, persona), reverse("web:field"))]
    if reports:
        tabs.append(Tab("report", "上报问题", reverse("web:field_report")))
    if persona != FIELD:
        tabs.append(Tab("neighbours", "邻里互助", reverse("web:h5_wishes")))
    if persona != FIELD and scope_of(user).party_membership_ids:
        tabs.append(Tab("party", "党员服务", reverse("web:h5_party")))
    tabs.append(Tab("tickets", "我的工单", reverse("web:field_tickets")))
    if persona == FIELD or pending:
        tabs.append(Tab("directives", "指令", reverse("web:field_directives"), pending))
    tabs.append(Tab("inbox", "消息", reverse("web:inbox"), int(context.get("unread") or 0)))
    return {"tabs": tabs, "current": context.get("tab", "")}
