"""The H5 frame: times for residents' pages in plain Chinese (`11月27日 14:05`), as tickets.public writes
them, and its bottom bar."""

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse

from wangge.areas.models import Role
from wangge.areas.scoping import scope_of
from wangge.points.models import Store
from wangge.tickets.public import when
from wangge.web.navigation import FIELD, PARTICIPANT, RESIDENT
from wangge.web.templatetags.field import home_label

WALKERS = (FIELD, PARTICIPANT)

register = template.Library()


@register.filter
def zh_when(value: dt.datetime | None) -> str:
    return "" if value is None else when(value)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    icon: str
    url: str
    count: int = 0


MINE_PAGES = {"my_ticket": "h5_mine", "my_ticket_act": "h5_mine"}
TALK = (
    "h5_talk",
    "h5_talk_new",
    "h5_talk_matter",
    "h5_talk_matter_act",
    "h5_talk_meeting",
    "h5_talk_meeting_act",
    "h5_notices",
    "h5_notice",
    "h5_notice_object",
    "h5_survey",
)
NEIGHBOURS = (
    "h5_wishes",
    "h5_wish",
    "h5_wish_act",
    "h5_wish_new",
    "h5_redeem",
    "h5_activity_act",
    "h5_volunteer",
    "h5_roster",
    "h5_points",
    "h5_activities",
    "points_hand_over",
    "h5_party_board",
)


@register.inclusion_tag("web/h5/_nav.html", takes_context=True)
def h5_nav(context: template.Context) -> dict:
    """The H5 frame's bottom bar, fitted to the persona. A resident: 我要反映 · 我的诉求 · 邻里互助 ·
    议事 · 便民服务 · 消息. Anyone else reaches these pages from their own frame (a party member or
    volunteer from 我的包户, staff from the desk) and gets their home, 邻里互助 and 消息, so the way back
    is one tap."""
    user = context["user"]
    unread = int(context.get("unread") or 0)
    neighbours = NavLink("neighbours", "邻里互助", "❤", reverse("web:h5_wishes"))
    if context.get("persona") == RESIDENT:
        links = [
            NavLink("h5_submit", "我要反映", "✚", reverse("web:h5_submit")),
            NavLink("h5_mine", "我的诉求", "☰", reverse("web:h5_mine")),
            neighbours,
            NavLink("talk", "议事", "☷", reverse("web:h5_talk")),
            NavLink("h5_services", "便民服务", "☎", reverse("web:h5_services")),
            NavLink("h5_inbox", "消息", "✉", reverse("web:h5_inbox"), unread),
        ]
    else:
        kind = str(context.get("persona") or "")
        home = home_label(user, kind) if kind in WALKERS else "首页"
        links = [
            NavLink("home", home, "⌂", reverse("web:home")),
            neighbours,
            NavLink("inbox", "消息", "✉", reverse("web:inbox"), unread),
        ]
        if kind == PARTICIPANT and any(m.role == Role.PARTY_MEMBER for m in scope_of(user).memberships):
            links.insert(2, NavLink("h5_party", "党员服务", "★", reverse("web:h5_party")))
    request = context.get("request")
    here = request.resolver_match.url_name if request is not None and request.resolver_match else ""
    current = "neighbours" if here in NEIGHBOURS else "talk" if here in TALK else MINE_PAGES.get(here, here)
    return {"links": links, "current": current}


@register.inclusion_tag("web/h5/_neighbours_tabs.html", takes_context=True)
def neighbours_tabs(context: template.Context, current: str) -> dict:
    """邻里互助's own tabs: 心愿墙 · 志愿活动 · 我的积分, and 核销 for a store's keeper."""
    user = context["user"]
    tabs = [
        ("wishes", "心愿墙", reverse("web:h5_wishes")),
        ("activities", "志愿活动", reverse("web:h5_activities")),
        ("points", "我的积分", reverse("web:h5_points")),
        ("party", "党员", reverse("web:h5_party_board")),
    ]
    if user.is_authenticated and Store.objects.filter(keepers=user, active=True).exists():
        tabs.append(("hand_over", "核销", reverse("web:points_hand_over")))
    return {"tabs": tabs, "current": current}
