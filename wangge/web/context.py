from django.http import HttpRequest

from wangge.directives.models import Receipt
from wangge.notify.models import Notification


def unread(request: HttpRequest) -> dict:
    """Unread inbox messages and directives still to report back on, for the top bar and the tabs."""
    if not request.user.is_authenticated:
        return {}
    return {
        "unread": Notification.objects.filter(user=request.user, read_at=None).count(),
        "directives_pending": Receipt.objects.filter(user=request.user, reported_at=None).count(),
    }
