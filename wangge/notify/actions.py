"""Writes of notifications. Called inside the action that caused them; sending happens after commit."""

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from wangge.accounts.models import User
from wangge.lib import crypto
from wangge.lib.inserts import insert
from wangge.notify.models import MessageChannel, Notification, OutboundMessage
from wangge.notify.tasks import deliver_message


def do_notify_users(users: Iterable[User], text: str, *, ticket_id: int | None = None, url: str = "") -> int:
    rows = [
        Notification(user=u, ticket_id=ticket_id, text=text[:300], url=url)
        for u in {u.pk: u for u in users}.values()
    ]
    insert(rows)
    return len(rows)


def do_send_message(
    phone: str, text: str, *, ticket_id: int | None = None, channel: str = MessageChannel.SMS
) -> OutboundMessage | None:
    """Queue an SMS/WeChat message; the task worker delivers it once the transaction commits."""
    if not phone:
        return None
    message = OutboundMessage(
        channel=channel,
        phone_encrypted=crypto.encrypt(phone, key=settings.FIELD_ENCRYPTION_KEY),
        ticket_id=ticket_id,
        text=text[:300],
    )
    insert([message])
    if isinstance(deliver_message.get_backend(), DatabaseBackend):
        deliver_message.enqueue(message.pk)  # a row in the same transaction: queued if and only if it commits
    else:
        transaction.on_commit(partial(deliver_message.enqueue, message.pk))
    return message


def do_mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at=None)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
