from django.utils import timezone
from django_tasks import task

from wangge.notify.backends import backend_for
from wangge.notify.models import OutboundMessage


@task()
def deliver_message(message_id: int) -> None:
    """Send one outbound message once: the row is claimed before the backend is called."""
    claimed = OutboundMessage.objects.filter(pk=message_id, sent_at=None).update(sent_at=timezone.now())
    if not claimed:
        return
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        backend_for(message.channel).send(message.phone, message.text)
    except Exception as exc:  # the backend's failure is recorded on the row, not lost
        OutboundMessage.objects.filter(pk=message_id).update(sent_at=None, error=str(exc)[:2000])
        raise
