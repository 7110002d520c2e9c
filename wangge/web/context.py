from django.http import HttpRequest

from wangge.notify.models import Notification


def unread(request: HttpRequest) -> dict:
    """The number of unread inbox messages, for the top bar."""
    if not request.user.is_authenticated:
        return {}
    return {"unread": Notification.objects.filter(user=request.user, read_at=None).count()}
