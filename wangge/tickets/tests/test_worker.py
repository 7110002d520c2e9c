"""The deadline worker: escalations and reminders, repeated sweeps, a killed worker, concurrent claims."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection, connections
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Unit
from wangge.notify.models import Notification
from wangge.tickets import actions as a
from wangge.tickets.models import Level, Status, Ticket, TicketEvent
from wangge.tickets.worker import sweep

ROOT = Path(__file__).resolve().parents[3]


def overdue(tickets: list[Ticket], minutes: int = 5) -> None:
    past = timezone.now() - dt.timedelta(minutes=minutes)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(next_escalation_at=past, claim_deadline=past)


def escalations(ticket: Ticket) -> int:
    return TicketEvent.objects.filter(ticket=ticket, action="escalate").count()


def test_overdue_tickets_go_one_rung_up_and_a_second_sweep_does_nothing(new_ticket) -> None:  # type: ignore[no-untyped-def]
    late, on_time = new_ticket(), new_ticket()
    overdue([late])
    report = sweep()
    assert report.escalated == 1
    late.refresh_from_db()
    assert late.level == Level.COMMUNITY and late.ever_escalated and late.next_escalation_at > timezone.now()
    assert TicketEvent.objects.get(ticket=late, action="escalate").note == "超时未处理，自动上报"
    assert Notification.objects.filter(
        user__username="community", ticket=late, text__contains="上报"
    ).exists()
    assert sweep().escalated == 0
    assert escalations(late) == 1 and escalations(on_time) == 0


def test_a_sweep_stopped_half_way_is_finished_by_the_next_without_doubling(new_ticket) -> None:  # type: ignore[no-untyped-def]
    tickets = [new_ticket(title=f"路灯不亮{i}") for i in range(6)]
    overdue(tickets)
    calls = {"n": 0}

    def stop_after_three() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    assert sweep(should_stop=stop_after_three).escalated == 3
    assert sweep().escalated == 3
    assert [escalations(t) for t in tickets] == [1] * 6


def test_a_stale_due_time_is_not_escalated(new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    assert a.do_escalate(ticket.pk, actor=None, due_by=timezone.now()) is None  # not due yet
    assert escalations(ticket) == 0


def test_reminders_are_sent_once(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=actor("community"), kind="small")
    a.do_claim(ticket.pk, actor=actor("gridworker"))
    Ticket.objects.filter(pk=ticket.pk).update(remind_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep().reminded == 1
    assert sweep().reminded == 0
    assert (
        Notification.objects.filter(user__username="gridworker", ticket=ticket, text__contains="即将").count()
        == 1
    )


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(*args: str) -> subprocess.Popen:
    env = {**os.environ, "WANGGE_DATABASE_URL": _database_url(), "WANGGE_DEMO": "True"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "ticket_worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killing_the_worker_mid_sweep_loses_and_doubles_nothing(committed_city, new_ticket) -> None:  # type: ignore[no-untyped-def]
    tickets = [new_ticket(title=f"井盖缺失{i}") for i in range(40)]
    overdue(tickets)
    worker = _worker("--once", "--pause-ms", "50")
    ids = [t.pk for t in tickets]
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline:
        done = TicketEvent.objects.filter(ticket_id__in=ids, action="escalate").count()
        if done >= 5:
            break
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    killed_at = TicketEvent.objects.filter(ticket_id__in=ids, action="escalate").count()
    assert 5 <= killed_at < len(tickets), "the worker was not killed in the middle of its sweep"
    # Two workers restart at once: together they finish the sweep, and no ticket goes up twice.
    again = [_worker("--once"), _worker("--once")]
    for w in again:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()
    counts = [TicketEvent.objects.filter(ticket_id=pk, action="escalate").count() for pk in ids]
    assert counts == [1] * len(ids)
    assert set(Ticket.objects.filter(pk__in=ids).values_list("level", flat=True)) == {Level.COMMUNITY}


def test_two_people_claiming_at_once_one_wins(committed_city, new_ticket) -> None:  # type: ignore[no-untyped-def]
    community = User.objects.get(username="community")
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=community, kind="small")
    unit = Unit.objects.get(memberships__user__username="unit")
    a.do_assign(ticket.pk, actor=community, units=[unit])
    claimers = list(User.objects.filter(memberships__unit=unit).order_by("pk"))
    assert len(claimers) >= 2
    barrier = threading.Barrier(len(claimers))
    results: dict[str, str] = {}

    def claim(user: User) -> None:
        try:
            barrier.wait()
            a.do_claim(ticket.pk, actor=user)
            results[user.username] = "won"
        except a.WorkflowError as exc:
            results[user.username] = str(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [name for name, result in results.items() if result == "won"]
    assert len(winners) == 1, results
    winner = User.objects.get(username=winners[0])
    assert all(r == f"已被 {winner.shown_name} 接单" for n, r in results.items() if n != winners[0]), results
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket=ticket, action="claim").count() == 1
