"""智能分拨 at intake: the category and the unit a new ticket most likely needs, with confidence."""

from dataclasses import dataclass, field
from functools import partial

from django.conf import settings

from wangge.areas.models import Unit
from wangge.lib.refreshed import Refreshed
from wangge.routing.classifier import Guess
from wangge.routing.models import Target
from wangge.routing.store import active_router
from wangge.tickets.models import Category

TOP = 3
SHOWN_FROM = 0.01  # runners-up below 1 % are noise on a page


@dataclass
class Suggestion:
    """The top guesses per target (labels are category and unit codes) and the models that made them."""

    guesses: dict[str, list[Guess]] = field(default_factory=dict)
    models: dict[str, int] = field(default_factory=dict)

    def best(self, target: str, threshold: float) -> str | None:
        """The first guess for `target` if its confidence reaches `threshold` (above 1: never)."""
        top = self.guesses.get(target) or []
        return top[0].label if top and top[0].confidence >= threshold else None

    def category_code(self) -> str | None:
        return self.best(Target.CATEGORY, settings.ROUTER_CATEGORY_THRESHOLD)

    def dispatch_unit_code(self) -> str | None:
        return self.best(Target.UNIT, settings.ROUTER_DISPATCH_THRESHOLD)

    def as_json(self) -> dict:
        """What the ticket keeps, so that its page can say why it was routed as it was."""
        return {
            target: {"model": self.models[target], "top": [[g.label, g.confidence] for g in guesses]}
            for target, guesses in self.guesses.items()
        }


def _load_active_units() -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(active=True).select_related("area")}


# The active units by code, with their areas: what the router may pick and intake assigns to. Shared by
# the threads of a process and set on new tickets as their lead unit, so only ever read: nothing saved on
# them, nothing prefetched through them (routing/apps.py forgets them when a unit or area is saved).
active_units = Refreshed(_load_active_units)


def serves(code: str, *, area_code: str) -> bool:
    """Whether the active unit with this code serves the place."""
    unit = active_units.get().get(code)
    return unit is not None and area_code.startswith(unit.area.code)


def suggest(title: str, description: str, *, area_code: str) -> Suggestion:
    """Guesses for a ticket at `area_code`. Units are guessed among those that serve that area only: many
    units share a kind of work (each community has its own property company), and the text alone cannot
    tell which one's patch the ticket is on."""
    suggestion = Suggestion()
    serves_here = partial(serves, area_code=area_code)
    for target in Target.values:
        active = active_router(target)
        if active is None:
            continue
        model_id, router = active
        allowed = serves_here if target == Target.UNIT else None
        guesses = router.predict(title, description, k=TOP, allowed=allowed)
        if guesses:
            suggestion.guesses[target] = guesses
            suggestion.models[target] = model_id
    return suggestion


@dataclass(frozen=True)
class ShownGuess:
    code: str
    name: str
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def explain(routing: dict) -> dict[str, list[ShownGuess]]:
    """A ticket's kept suggestion with names, for its page and the API ("why was it routed so")."""
    names = {
        Target.CATEGORY: dict(
            Category.objects.filter(code__in=_codes(routing, Target.CATEGORY)).values_list("code", "path")
        ),
        Target.UNIT: dict(
            Unit.objects.filter(code__in=_codes(routing, Target.UNIT)).values_list("code", "name")
        ),
    }
    return {
        target: [
            ShownGuess(code, names[Target(target)].get(code, code), confidence)
            for rank, (code, confidence) in enumerate(routing[target]["top"])
            if rank == 0 or confidence >= SHOWN_FROM
        ]
        for target in Target.values
        if routing.get(target, {}).get("top")
    }


def _codes(routing: dict, target: str) -> list[str]:
    return [code for code, _ in routing.get(target, {}).get("top", [])]
