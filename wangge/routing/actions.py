"""Training the routers on closed tickets, and keeping a new model only when it does no worse."""

import datetime as dt
import time
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.routing.classifier import Example, Router
from wangge.routing.hotspots import monday
from wangge.routing.models import RouterModel, Target
from wangge.routing.proactive import hotspots_in, may_plan
from wangge.routing.store import read_active
from wangge.routing.suggest import serves
from wangge.tickets.actions import NewTicket, TicketInputError, WorkflowError, do_submit_ticket
from wangge.tickets.models import Category, Channel, Status, Ticket

MIN_EXAMPLES = 50  # fewer closed tickets than this teach nothing worth acting on
HELD_BACK_SHARE = 0.1  # the newest tenth of closed tickets judges the new model against the active one
MIN_HELD_BACK = 20
LABEL_OF = {Target.CATEGORY: "category__code", Target.UNIT: "lead_unit__code"}


def _placed_examples(target: str, *, limit: int | None = None) -> list[tuple[Example, str]]:
    """Closed tickets with their final category or lead unit (as people corrected them) and where they
    were, oldest first."""
    label = LABEL_OF[Target(target)]
    rows = (
        Ticket.objects.filter(status=Status.CLOSED)
        .exclude(**{label: None})
        .order_by("-closed_at", "-id")
        .values_list("title", "description", label, "area_code")[: limit or settings.ROUTER_MAX_EXAMPLES]
    )
    return [
        (Example(title, description, code), area) for title, description, code, area in reversed(list(rows))
    ]


def training_examples(target: str, *, limit: int | None = None) -> list[Example]:
    return [example for example, _area in _placed_examples(target, limit=limit)]


def accuracy(router: Router, examples: Sequence[tuple[Example, str]], *, target: str) -> float:
    """How often the first guess is right, guessed as at intake: a unit among those serving the
    ticket's place (suggest.serves)."""
    right = 0
    for e, area_code in examples:
        allowed = partial(serves, area_code=area_code) if target == Target.UNIT else None
        guesses = router.predict(e.title, e.description, k=1, allowed=allowed)
        right += bool(guesses) and guesses[0].label == e.label
    return right / len(examples)


def do_train_router(target: str, *, limit: int | None = None) -> RouterModel | None:
    """Train on closed tickets, hold back the newest tenth, and activate the new model if it routes that
    tenth at least as well as the active one. None when there is not yet enough to learn from."""
    examples = _placed_examples(target, limit=limit)
    if len(examples) < MIN_EXAMPLES or len({e.label for e, _area in examples}) < 2:
        return None
    held = max(MIN_HELD_BACK, int(len(examples) * HELD_BACK_SHARE))
    learn, judge = [e for e, _area in examples[:-held]], examples[-held:]
    if len({e.label for e in learn}) < 2:
        return None
    started = time.perf_counter()
    candidate = Router.train(learn)
    seconds = time.perf_counter() - started
    score = accuracy(candidate, judge, target=target)
    current = read_active(target)  # a model this release cannot read loses to any new one
    previous = accuracy(current[1], judge, target=target) if current is not None else None
    keep = previous is None or score >= previous
    if previous is None:
        note = f"首个模型，留出准确率 {score:.1%}"
    elif keep:
        note = f"留出准确率 {score:.1%}，不低于原模型的 {previous:.1%}，已启用"
    else:
        note = f"留出准确率 {score:.1%}，低于原模型的 {previous:.1%}，未启用"
    with transaction.atomic():
        if keep:
            RouterModel.objects.filter(target=target, active=True).update(active=False, blob=None)
        model = RouterModel.objects.create(
            target=target,
            examples=len(learn),
            labels=len(candidate.labels),
            held_back=len(judge),
            accuracy=score,
            previous_accuracy=previous,
            train_seconds=round(seconds, 3),
            active=keep,
            note=note,
            blob=candidate.to_bytes() if keep else None,
        )
    return model  # saving it made this process forget the old router (routing/apps.py)


def do_train_routers(*, limit: int | None = None) -> list[RouterModel]:
    return [m for target in Target.values if (m := do_train_router(target, limit=limit)) is not None]


def retrain_due(now: dt.datetime | None = None) -> bool:
    """Whether the last training (kept or not) is older than ROUTER_RETRAIN_HOURS."""
    hours = settings.ROUTER_RETRAIN_HOURS
    if hours <= 0:
        return False
    last = RouterModel.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return last is None or (now or timezone.now()) - last >= dt.timedelta(hours=hours)


def retrain_if_due(now: dt.datetime | None = None) -> list[RouterModel]:
    """The worker's periodic step: train both routers when the last training is old enough."""
    return do_train_routers() if retrain_due(now) else []


def do_plan_hotspot(*, area: Area, category: Category, actor: User, note: str = "") -> Ticket:
    """未诉先办: turn a hotspot of one grid and category into a planned action, a ticket of channel
    "proactive" that runs the loop like any other, with the evidence in its description. Refused when
    the actor may not plan there, when the grid has no such hotspot today, or when one was planned in
    the last four weeks (also when two people plan it at the same moment: one ticket a week at most)."""
    if not may_plan(actor, area):
        raise WorkflowError("只有本区域的网格员、社区、街道工作人员和指挥中心可以立项")
    today = timezone.localdate()
    found = next(
        (s for s in hotspots_in(area, today=today) if s.area == area and s.category == category), None
    )
    if found is None:
        raise TicketInputError("category", f"{area.name}的「{category.name}」目前没有主动发现的依据")
    if found.planned is not None:
        raise WorkflowError(f"已立项：{found.planned.number}")
    plan = note.strip()[:500]
    description = "\n".join(["根据历史诉求主动发现：", *found.reasons, *([f"安排：{plan}"] if plan else [])])
    new = NewTicket(
        title=f"未诉先办：{category.name}"[:100],
        description=description,
        channel=Channel.PROACTIVE,
        area=area,
        category=category,
        external_id=f"hotspot-{area.code}-{category.code}-{monday(today).isoformat()}"[:60],
    )
    try:
        return do_submit_ticket(new, actor=actor)
    except IntegrityError:
        raise WorkflowError("刚刚已有人立项") from None
