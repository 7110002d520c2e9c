"""The demo's day in progress (issue 20): while the demo is served, requests keep arriving through the
day by channel, as many per hour as the demo year has at that hour, and the district's staff work
some of them (accept, claim, resolve, call back) while others run late and the deadline worker escalates
them. So the big screen, opened at any hour, shows a district at work.

Everything goes through the ticket actions (rollups, routing and the timeline stay as they would be).
A pulse fills the time since the newest request, at most BACKLOG; `manage.py demo_pulse` runs one every
minute, and only on a demo database (WANGGE_DEMO=True).
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.areas.models import Level as AreaLevel
from wangge.demo.tickets import CHANNEL_WEIGHTS, DEMO_TICKETS, HOURS, TEMPLATES, details_of, people_by_area
from wangge.tickets import actions as a
from wangge.tickets.models import Category, Status, Ticket, Urgency, Verdict

PER_DAY = DEMO_TICKETS / 365
BACKLOG = dt.timedelta(hours=6)
STEPS = 4  # at most this many tickets moved on by each kind of work per pulse
HOUR_SHARE = {h: HOURS.count(h) / len(HOURS) for h in range(24)}


@dataclass
class PulseReport:
    arrived: int = 0
    accepted: int = 0
    claimed: int = 0
    resolved: int = 0
    called_back: int = 0


def expected_arrivals(start: dt.datetime, end: dt.datetime) -> float:
    """Requests the demo district receives between two moments, by the hour of day."""
    total, moment = 0.0, start
    while moment < end:
        local = timezone.localtime(moment, timezone.get_default_timezone())
        hour_end = (local + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        step = min(end, hour_end) - moment
        total += PER_DAY * HOUR_SHARE[local.hour] * step.total_seconds() / 3600
        moment += step
    return total


def do_pulse(*, now: dt.datetime | None = None, rng: random.Random | None = None) -> PulseReport:
    now = now or timezone.now()
    rng = rng or random.Random()
    report = PulseReport()
    newest = Ticket.objects.aggregate(at=Max("submitted_at"))["at"] or now - BACKLOG
    start = max(newest, now - BACKLOG)
    expected = expected_arrivals(start, now)
    count = int(expected) + (rng.random() < expected - int(expected))
    grids = list(Area.objects.filter(level=AreaLevel.GRID).order_by("code"))
    categories = {c.name: c for c in Category.objects.filter(children=None)}
    if grids:
        for at in sorted(start + (now - start) * rng.random() for _ in range(count)):
            _arrive(rng, at, rng.choice(grids), categories)
            report.arrived += 1
    _work(rng, now, report)
    return report


def _arrive(rng: random.Random, at: dt.datetime, grid: Area, categories: dict[str, Category]) -> Ticket:
    template = rng.choice(TEMPLATES)
    channel = rng.choices([c for c, _ in CHANNEL_WEIGHTS], weights=[w for _, w in CHANNEL_WEIGHTS])[0]
    text = details_of(template, rng)
    new = a.NewTicket(
        title=rng.choice(template.titles),
        description=text,
        channel=channel,
        area=grid,
        lat=grid.lat,
        lng=grid.lng,
        category=categories.get(template.category),
        urgency=rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], weights=[85, 12, 3])[0],
        submitted_at=at,
    )
    return a.do_submit_ticket(new, actor=None)  # as the hotline import: the system takes it in


def _someone(people: dict[str, list[User]], code: str, rng: random.Random) -> User | None:
    """A person posted at the area or the nearest area above it."""
    for n in range(len(code), 0, -3):
        if people.get(code[:n]):
            return rng.choice(people[code[:n]])
    return None


def _work(rng: random.Random, now: dt.datetime, report: PulseReport) -> None:
    """The staff at work on today's requests: some accepted, claimed, resolved and called back, never
    all of them (the rest run late, and the deadline worker escalates them)."""
    since = now - dt.timedelta(days=1)
    staff = people_by_area([Role.COMMUNITY_STAFF])
    workers = people_by_area([Role.GRID_WORKER, Role.GRID_HEAD])
    today = Ticket.objects.filter(submitted_at__gte=since).only("pk", "area_code", "status", "submitted_at")
    steps = (
        (Status.NEW, 10, "accepted", staff, lambda t, u: a.do_accept(t.pk, actor=u, kind="small")),
        (Status.ACCEPTED, 20, "claimed", workers, lambda t, u: a.do_claim(t.pk, actor=u)),
        (Status.ASSIGNED, 30, "claimed", workers, lambda t, u: a.do_claim(t.pk, actor=u)),
        (
            Status.IN_PROGRESS,
            60,
            "resolved",
            workers,
            lambda t, u: a.do_resolve(t.pk, actor=u, note="已现场处理"),
        ),
        (
            Status.RESOLVED,
            30,
            "called_back",
            staff,
            lambda t, u: a.do_callback(
                t.pk,
                actor=u,
                reached=True,
                verdict=rng.choices(
                    [Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED, Verdict.DISSATISFIED], [80, 14, 6]
                )[0],
            ),
        ),
    )
    for status, minutes, counted, people, act in steps:
        waiting = list(
            today.filter(status=status, submitted_at__lte=now - dt.timedelta(minutes=minutes))[:50]
        )
        for ticket in rng.sample(waiting, min(len(waiting), rng.randint(1, STEPS))):
            person = _someone(people, ticket.area_code, rng)
            if person is None:
                continue
            try:
                act(ticket, person)
            except (a.WorkflowError, a.TicketInputError):
                continue  # not theirs to take (a unit's ticket, say): leave it
            setattr(report, counted, getattr(report, counted) + 1)
