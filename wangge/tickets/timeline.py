"""The staff timeline of a ticket: who did what and when, with what each step decided written out (派给
安居物业, 上报至街道, 回访：满意) instead of codes."""

from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.accounts.models import User
from wangge.areas.models import Unit
from wangge.tickets.models import Kind, Level, TicketEvent, Verdict


@dataclass(frozen=True)
class Step:
    event: TicketEvent
    detail: str  # what the step decided, in words ("" when the action says it all)


def _names(events: list[TicketEvent]) -> tuple[dict[str, str], dict[str, str]]:
    unit_codes: set[str] = set()
    usernames: set[str] = set()
    for e in events:
        units = e.data.get("units")
        unit_codes |= set(units) if isinstance(units, list | dict) else set()
        if isinstance(e.data.get("unit"), str):
            unit_codes.add(e.data["unit"])
        if isinstance(e.data.get("assignee"), str):
            usernames.add(e.data["assignee"])
    units = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "name")) if unit_codes else {}
    people = (
        {u.username: u.shown_name for u in User.objects.filter(username__in=usernames)} if usernames else {}
    )
    return units, people


def _label(choices: type, value: object) -> str:
    return choices(value).label if value in choices.values else ""  # type: ignore[attr-defined]


def _detail(e: TicketEvent, units: dict[str, str], people: dict[str, str]) -> str:
    data = e.data or {}
    named = [units.get(c, c) for c in data.get("units") or []]
    match e.action:
        case "accept":
            return f"三事分流：{_label(Kind, data.get('kind'))}" if data.get("kind") else ""
        case "assign":
            to = [people.get(data["assignee"], data["assignee"])] if data.get("assignee") else []
            return "派给 " + "、".join(to + named) if to or named else ""
        case "summon":
            return "召集 " + "、".join(named) if named else ""
        case "escalate":
            return f"上报至{_label(Level, data.get('to_level'))}" if data.get("to_level") else ""
        case "return":
            return units.get(data.get("unit") or "", "")
        case "callback":
            if data.get("reached") is False:
                return "未联系上"
            return f"回访评价：{_label(Verdict, data.get('verdict'))}" if data.get("verdict") else ""
        case "rate":
            return f"{data['rating']}分" if data.get("rating") else ""
        case "review":
            return "审核通过" if data.get("approve") else "退回重办" if "approve" in data else ""
        case "resolve":
            return f"附办结照片{data['photos']}张" if data.get("photos") else ""
        case "close":
            return "免回访办结" if data.get("waiver") else ""
    return ""


def staff_timeline(events: QuerySet[TicketEvent]) -> list[Step]:
    """Every event, oldest first, with its decision in words; two queries for the names in it."""
    rows = list(events.order_by("at", "id"))
    units, people = _names(rows)
    return [Step(e, _detail(e, units, people)) for e in rows]
