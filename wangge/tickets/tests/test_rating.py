"""评单: one rating per result. The first 不满意 reopens, the second goes to the street; a second rating of
the same result is refused and changes nothing (it used to reopen a closed ticket)."""

import threading

import pytest
from django.db import connections

from wangge.accounts.models import User
from wangge.tickets import actions as a
from wangge.tickets.models import Level, Status, Ticket, TicketEvent
from wangge.tickets.queries import allowed_actions


def _resolved(new_ticket, actor):  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=actor("community"), kind="small")
    a.do_claim(ticket.pk, actor=actor("gridworker"))
    a.do_resolve(ticket.pk, actor=actor("gridworker"), note="已处理")
    return ticket


def test_a_second_rating_of_a_closed_ticket_is_refused_and_changes_nothing(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    resident = actor("resident")
    closed = a.do_rate(ticket.pk, actor=resident, rating=5)
    assert closed.status == Status.CLOSED and closed.rating == 5
    events = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(a.WorkflowError, match="这条诉求已评价过"):  # it reopened the ticket before
        a.do_rate(ticket.pk, actor=resident, rating=1)
    closed.refresh_from_db()
    assert "rate" not in allowed_actions(resident, closed)
    assert (closed.status, closed.rating, closed.dissatisfied_count, closed.reopen_count) == (
        Status.CLOSED,
        5,
        0,
        0,
    )
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_resident_rates_a_ticket_the_callback_closed_once(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    resident = actor("resident")
    a.do_callback(ticket.pk, actor=actor("community"), reached=True, verdict="satisfied")
    rated = a.do_rate(ticket.pk, actor=resident, rating=4, note="修得很快")
    assert rated.status == Status.CLOSED and rated.rating == 4
    with pytest.raises(a.WorkflowError, match="这条诉求已评价过"):
        a.do_rate(ticket.pk, actor=resident, rating=2)


def test_each_result_is_rated_once_and_the_second_dissatisfied_goes_to_the_street(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    resident, worker = actor("resident"), actor("gridworker")
    reopened = a.do_rate(ticket.pk, actor=resident, rating=1, note="还在漏")
    assert reopened.status == Status.IN_PROGRESS and reopened.reopen_count == 1
    assert reopened.rating is None  # the result it judged is set aside; the timeline keeps the rating
    assert TicketEvent.objects.get(ticket=ticket, action="rate").data == {"rating": 1}
    assert "rate" not in allowed_actions(resident, reopened)
    with pytest.raises(a.WorkflowError, match="不能评价"):
        a.do_rate(ticket.pk, actor=resident, rating=1)
    a.do_resolve(ticket.pk, actor=worker, note="换了防水卷材")
    assert "rate" in allowed_actions(resident, Ticket.objects.get(pk=ticket.pk))
    street = a.do_rate(ticket.pk, actor=resident, rating=2)
    assert street.status == Status.ACCEPTED and street.level == Level.STREET
    assert street.dissatisfied_count == 2 and street.reopen_count == 1


def test_two_ratings_at_once_make_one(committed_city, new_ticket) -> None:  # type: ignore[no-untyped-def]
    """A double tap sends two ratings together: one is written, the other is told it was rated."""
    community, worker = User.objects.get(username="community"), User.objects.get(username="gridworker")
    resident = User.objects.get(username="resident")
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_claim(ticket.pk, actor=worker)
    a.do_resolve(ticket.pk, actor=worker, note="已处理")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def rate(stars: int) -> None:  # the same tap twice
        try:
            barrier.wait()
            a.do_rate(ticket.pk, actor=resident, rating=stars)
            results.append("rated")
        except a.WorkflowError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(5,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["rated", "这条诉求已评价过"], results
    assert TicketEvent.objects.filter(ticket=ticket, action="rate").count() == 1
