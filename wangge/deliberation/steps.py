"""The six steps of a matter (大荔's 网格问事、商议说事、干部解事、跟踪督事、群众评事、归档完事, seed 001) as
data: each action, from which steps, to which step, by whom. Like the ticket loop's table
(tickets/workflow.py), the actions read it and the pages offer what it allows.

"Who" is a relation between a user and one matter:
- RAISER    the person who raised it (a resident, grid worker or party member);
- NEIGHBOUR a resident whose home lies in the matter's area (those affected: they second it and rate it);
- HOST      the meeting's host, or who hosts meetings over the matter's area (the grid head for a grid,
            community, street and district staff);
- OWNER     the person the decision names to carry it out (解事 and 督事 are theirs).
"""

from dataclasses import dataclass

from django.db import models


class Step(models.TextChoices):
    RAISED = "raised", "问事"
    AGENDA = "agenda", "定事"
    DECIDED = "decided", "解事"
    FOLLOWING = "following", "督事"
    RATING = "rating", "评事"
    ARCHIVED = "archived", "归档完事"
    DROPPED = "dropped", "不予议事"


# What each step means for the person reading a matter's page.
MEANING: dict[str, str] = {
    Step.RAISED: "网格问事：已提出，等待列入说事日议程",
    Step.AGENDA: "商议说事：已列入议程，在说事日上商议",
    Step.DECIDED: "干部解事：已形成决定，等待负责人接办",
    Step.FOLLOWING: "跟踪督事：负责人正在办理，社区跟踪督办",
    Step.RATING: "群众评事：已办完，请居民评价",
    Step.ARCHIVED: "归档完事：已归档",
    Step.DROPPED: "不予议事：说明见记录",
}
# The six steps in order, for the progress bar (不予议事 is a way out, not a step).
SIX = (Step.RAISED, Step.AGENDA, Step.DECIDED, Step.FOLLOWING, Step.RATING, Step.ARCHIVED)
OPEN = frozenset({Step.RAISED, Step.AGENDA, Step.DECIDED, Step.FOLLOWING, Step.RATING})
# Decided and not carried out yet: what 督事 follows, overdue when past the decision's deadline.
UNDER_WAY = frozenset({Step.DECIDED, Step.FOLLOWING})

RAISER, NEIGHBOUR, HOST, OWNER = "raiser", "neighbour", "host", "owner"
SAME = "same"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    to: str
    who: frozenset[str]
    label: str


def _t(action: str, sources: set[str], to: str, who: set[str], label: str) -> Transition:
    return Transition(action, frozenset(sources), to, frozenset(who), label)


TRANSITIONS: list[Transition] = [
    _t("second", {Step.RAISED}, SAME, {NEIGHBOUR}, "附议"),
    _t("schedule", {Step.RAISED}, Step.AGENDA, {HOST}, "列入议程"),
    _t("drop", {Step.RAISED, Step.AGENDA}, Step.DROPPED, {HOST}, "不予议事"),
    _t("decide", {Step.AGENDA}, Step.DECIDED, {HOST}, "记录商议和决定"),
    _t("take", {Step.DECIDED}, Step.FOLLOWING, {OWNER}, "接办"),
    _t("urge", {Step.DECIDED, Step.FOLLOWING}, SAME, {HOST}, "督办"),
    _t("complete", {Step.FOLLOWING}, Step.RATING, {OWNER}, "办结"),
    _t("redo", {Step.RATING}, Step.FOLLOWING, {HOST}, "退回重办"),
    _t("rate", {Step.RATING}, SAME, {RAISER, NEIGHBOUR}, "评价"),
    _t("archive", {Step.RATING}, Step.ARCHIVED, {HOST}, "归档"),
]
BY_ACTION = {t.action: t for t in TRANSITIONS}
# The timeline's words for the events that are not transitions.
EVENT_LABELS = {"raise": "提出", "vote": "表决计票", **{t.action: t.label for t in TRANSITIONS}}


def allowed(step: str, relations: set[str]) -> list[Transition]:
    """The actions a person with these relations may take on a matter at this step."""
    return [t for t in TRANSITIONS if step in t.sources and t.who & relations]
