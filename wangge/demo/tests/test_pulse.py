"""The demo's day in progress (issue 20): a pulse fills the hours since the newest request with as many
requests as the demo year has at those hours, through the actions, and staff work some of them."""

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wangge.demo.pulse import PER_DAY, do_pulse, expected_arrivals
from wangge.stats import rollup
from wangge.stats.models import DayRollup, SliceRollup
from wangge.tickets.models import Status, Ticket

NOON = timezone.make_aware(dt.datetime(2026, 11, 27, 12, 0))


def test_arrivals_follow_the_hours() -> None:
    day = expected_arrivals(NOON - dt.timedelta(hours=12), NOON + dt.timedelta(hours=12))
    assert day == pytest.approx(PER_DAY)
    night = expected_arrivals(NOON.replace(hour=1), NOON.replace(hour=5))
    morning = expected_arrivals(NOON.replace(hour=8), NOON.replace(hour=12))
    assert night == 0 and morning > PER_DAY / 6


def test_a_pulse_fills_the_hours_since_the_newest_request(db, new_ticket) -> None:  # type: ignore[no-untyped-def]
    first = new_ticket(title="早上的第一件")
    Ticket.objects.filter(pk=first.pk).update(submitted_at=NOON - dt.timedelta(hours=3))
    rollup.rebuild()
    report = do_pulse(now=NOON, rng=random.Random(1))
    arrived = Ticket.objects.exclude(pk=first.pk)
    expected = expected_arrivals(NOON - dt.timedelta(hours=3), NOON)
    assert abs(report.arrived - expected) <= 1 and arrived.count() == report.arrived > 10
    assert all(NOON - dt.timedelta(hours=3) <= t.submitted_at <= NOON for t in arrived)
    assert len({t.channel for t in arrived}) >= 3
    assert report.accepted + report.claimed > 0
    assert arrived.exclude(status=Status.NEW).exists() and arrived.filter(status=Status.NEW).exists()
    # Through the actions: the rollups are what a recount gives.
    kept = sorted(DayRollup.objects.values_list("area_code", "day", "submitted", "accepted"))
    sliced = SliceRollup.objects.count()
    rollup.rebuild()
    assert kept == sorted(DayRollup.objects.values_list("area_code", "day", "submitted", "accepted"))
    assert sliced == SliceRollup.objects.count()
    newest = max(t.submitted_at for t in arrived)  # the next pulse fills only the minutes after it
    again = do_pulse(now=NOON, rng=random.Random(2)).arrived
    assert again <= expected_arrivals(newest, NOON) + 1 < 4


def test_only_a_demo_database_pulses(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO = False
    with pytest.raises(CommandError, match="WANGGE_DEMO"):
        call_command("demo_pulse", "--once")
