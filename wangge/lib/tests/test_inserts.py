"""`insert` writes what save() and bulk_create() would, with its statements compiled once."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.lib.inserts import insert
from wangge.notify.models import Notification
from wangge.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_rows_come_back_as_written_with_their_ids() -> None:
    grid = Area.objects.get(code=DEMO_GRID)
    worker = User.objects.get(username="gridworker")
    at = timezone.now().replace(microsecond=123456) - dt.timedelta(days=2)
    ticket = Ticket(
        title="楼道灯不亮", description="三单元楼道灯坏了", area=grid, area_code=grid.code, submitted_at=at
    )
    # The events are built before the ticket has an id, as intake builds them before its transaction.
    events = [
        TicketEvent(
            ticket=ticket, action="submit", actor=worker, actor_name="网格员", at=at, data={"区": "沈河"}
        ),
        TicketEvent(ticket=ticket, action="note", actor=None, actor_name="系统", at=at, note="已记录"),
    ]
    with transaction.atomic():
        insert([ticket])
        insert(events)

    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.title, saved.area_code, saved.submitted_at) == ("楼道灯不亮", DEMO_GRID, at)
    assert saved.status == Ticket._meta.get_field("status").default  # defaults filled in as save() would
    assert not ticket._state.adding
    rows = list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("pk")
        .values("pk", "action", "actor", "data", "note")
    )
    assert rows == [
        {"pk": events[0].pk, "action": "submit", "actor": worker.pk, "data": {"区": "沈河"}, "note": ""},
        {"pk": events[1].pk, "action": "note", "actor": None, "data": {}, "note": "已记录"},
    ]


def test_more_rows_than_one_statement_takes_are_written_in_batches() -> None:
    user = User.objects.get(username="gridworker")
    fields = [f for f in Notification._meta.local_concrete_fields if not f.primary_key]
    many = connection.ops.bulk_batch_size(fields, [Notification()]) + 3
    before = Notification.objects.filter(user=user).count()

    rows = insert([Notification(user=user, text=f"第{i}条") for i in range(many)])

    assert Notification.objects.filter(user=user).count() == before + many
    ids = [r.pk for r in rows]
    assert len(set(ids)) == many
    assert dict(Notification.objects.filter(pk__in=ids).values_list("pk", "text")) == {
        r.pk: r.text for r in rows
    }


def test_an_expression_is_refused_and_nothing_is_written() -> None:
    user = User.objects.get(username="gridworker")
    before = Notification.objects.count()
    with pytest.raises(TypeError, match="text"):
        insert([Notification(user=user, text="好"), Notification(user=user, text=F("url"))])
    assert Notification.objects.count() == before


def test_nothing_to_insert_is_no_statement() -> None:
    assert insert([]) == []
