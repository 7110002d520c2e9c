"""The ticket loop as data (PRODUCT.md section 4): each action, from which states, by whom, to which state.

"Who" is a relation between a user and one ticket, not a global role:
- RESIDENT   the resident who raised it (or the person who typed it in for themselves);
- GRID       the grid head and grid workers of the ticket's grid, while it sits at grid level;
- DISPATCHER staff who dispatch at the ticket's current level or above: the grid head at grid level,
             community staff up to community level, street staff up to street level, district staff always;
- REVIEWER   community, street and district staff over the ticket (审单, 回访);
- SUMMONER   community, street and district staff over the ticket (吹哨);
- HANDLER    the person or a member of a unit the ticket is assigned to;
- SUMMONED   a member of a unit called by a summons on the ticket;
- SYSTEM     the deadline worker, and 智能分拨 when the router is sure of the unit (accept, assign).

`to` is the next status, `SAME` for no change, or a map from the action's outcome to the next status.
`when` names a condition on the ticket row beyond its status (see GUARDS), e.g. "not rated yet".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from wangge.tickets.models import Status, Ticket

RESIDENT = "resident"
GRID = "grid"
DISPATCHER = "dispatcher"
REVIEWER = "reviewer"
SUMMONER = "summoner"
HANDLER = "handler"
SUMMONED = "summoned"
SYSTEM = "system"

SAME = "same"

NEW, ACCEPTED, ASSIGNED, IN_PROGRESS = Status.NEW, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS
RESOLVED, CLOSED, RETURNED = Status.RESOLVED, Status.CLOSED, Status.RETURNED
OPEN = frozenset({NEW, ACCEPTED, ASSIGNED, IN_PROGRESS, RETURNED})
TERMINAL = frozenset({CLOSED, Status.MERGED, Status.WITHDRAWN, Status.REJECTED})
# Not finished (open, or 办结 and awaiting review), named rather than "not terminal": a list of values
# lets an index on (status, area) serve it, where NOT IN read every row of the area.
UNFINISHED = sorted(OPEN | {RESOLVED})

# How a verdict or a rating ends: closed, reopened once, or sent up to the street.
AFTER_VERDICT = {"closed": CLOSED, "reopened": IN_PROGRESS, "to_street": ACCEPTED, "not_reached": SAME}


@dataclass(frozen=True)
class Guard:
    holds: Callable[[Ticket], bool]
    refusal: str  # said to whoever tries while it does not hold


# One rating per result: `rating` is the resident's rating of the current result, and putting the ticket
# back into the handler's hands clears it (actions._back_to_handler), so a reopened ticket is rated again.
GUARDS = {
    "unrated": Guard(lambda ticket: ticket.rating is None, "这条诉求已评价过"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    to: str | dict[str, str]
    who: frozenset[str]
    label: str
    needs: tuple[str, ...] = field(default=())  # payload fields that must be given
    when: str = ""  # a key of GUARDS, or "" for none

    def holds_for(self, ticket: Ticket | None) -> bool:
        """Whether the row's condition holds on this ticket (always, for a row without one)."""
        return not self.when or ticket is None or GUARDS[self.when].holds(ticket)


def _t(
    action: str,
    sources: set[str] | frozenset[str],
    to: str | dict[str, str],
    who: set[str],
    label: str,
    needs: tuple[str, ...] = (),
    when: str = "",
) -> Transition:
    return Transition(action, frozenset(sources), to, frozenset(who), label, needs, when)


TRANSITIONS: list[Transition] = [
    _t("accept", {NEW}, ACCEPTED, {DISPATCHER, SYSTEM}, "受理", ("kind",)),  # SYSTEM: 智能分拨
    _t("reject", {NEW}, Status.REJECTED, {DISPATCHER}, "不予受理", ("note",)),
    _t("assign", {ACCEPTED, ASSIGNED, RETURNED, IN_PROGRESS}, ASSIGNED, {DISPATCHER, SYSTEM}, "派单"),
    _t("assign", {IN_PROGRESS}, ASSIGNED, {HANDLER}, "派单"),  # 转派: the handler hands it to units
    _t("claim", {ASSIGNED}, IN_PROGRESS, {HANDLER}, "接单"),
    _t("claim", {IN_PROGRESS}, SAME, {HANDLER}, "接单"),  # a co-unit takes its part
    _t("claim", {ACCEPTED}, IN_PROGRESS, {GRID}, "接单"),  # 秒认领: the grid takes it directly
    _t("return", {ASSIGNED, IN_PROGRESS}, {"lead": RETURNED, "co_unit": SAME}, {HANDLER}, "退单", ("note",)),
    _t("escalate", {NEW}, NEW, {GRID, DISPATCHER, SYSTEM}, "上报"),
    _t("escalate", {ACCEPTED, ASSIGNED, RETURNED}, ACCEPTED, {GRID, DISPATCHER, SYSTEM}, "上报"),
    _t("escalate", {IN_PROGRESS}, SAME, {HANDLER, DISPATCHER, SYSTEM}, "上报"),
    _t("summon", {ACCEPTED, ASSIGNED, IN_PROGRESS, RETURNED}, SAME, {SUMMONER}, "吹哨", ("units",)),
    _t("summon", {IN_PROGRESS}, SAME, {HANDLER}, "吹哨", ("units",)),  # the handler on site blows too
    _t("report", OPEN, SAME, {SUMMONED}, "报到"),
    _t("note", OPEN | {RESOLVED}, SAME, {GRID, DISPATCHER, REVIEWER, HANDLER, SUMMONED}, "进展"),
    _t("resolve", {IN_PROGRESS}, RESOLVED, {HANDLER}, "办结反馈", ("note",)),
    _t(
        "review",
        {RESOLVED},
        {"approved": RESOLVED, "sent_back": IN_PROGRESS},
        {REVIEWER},
        "审核",
        ("approve",),
    ),
    _t("callback", {RESOLVED}, AFTER_VERDICT, {REVIEWER, DISPATCHER}, "回访", ("reached",)),
    # From CLOSED too: a callback (满意) or a waiver may close the ticket before the resident rates it.
    _t(
        "rate",
        {RESOLVED, CLOSED},
        {**AFTER_VERDICT, "closed": CLOSED},
        {RESIDENT},
        "评价",
        ("rating",),
        "unrated",
    ),
    _t("close", {RESOLVED}, CLOSED, {REVIEWER}, "免回访办结", ("note",)),
    _t("reopen", {RESOLVED, CLOSED}, IN_PROGRESS, {REVIEWER}, "重新办理", ("note",)),
    _t("merge", OPEN, Status.MERGED, {DISPATCHER}, "合并", ("target",)),
    _t("withdraw", OPEN, Status.WITHDRAWN, {RESIDENT, DISPATCHER}, "撤回"),
]

ACTIONS: dict[str, str] = {t.action: t.label for t in TRANSITIONS}


def transitions_for(action: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.action == action]


def find(action: str, status: str, relations: set[str], ticket: Ticket | None = None) -> Transition | None:
    """The row that lets someone with these relations take this action in this status (on this ticket,
    when its condition is to be checked), if any."""
    for t in transitions_for(action):
        if status in t.sources and t.who & relations and t.holds_for(ticket):
            return t
    return None


def unmet_guard(action: str, status: str, relations: set[str], ticket: Ticket) -> Guard | None:
    """The condition that alone stops this action (the status and relation would allow it), if any."""
    for t in transitions_for(action):
        if status in t.sources and t.who & relations and not t.holds_for(ticket):
            return GUARDS[t.when]
    return None


def target(transition: Transition, status: str, outcome: str | None = None) -> str:
    """The next status, given the current one and (for actions with outcomes) the outcome."""
    to = transition.to
    if isinstance(to, dict):
        if outcome is None or outcome not in to:
            raise ValueError(f"{transition.action}: unknown outcome {outcome!r}")
        to = to[outcome]
    return status if to == SAME else to
