from django.conf import settings
from django.http import HttpRequest

from wangge.directives.models import Receipt
from wangge.notify.models import Notification
from wangge.web.navigation import nav_items, persona
from wangge.web.views import request_user


def unread(request: HttpRequest) -> dict:
    """Unread inbox messages and directives still to report back on, for the top bar and the tabs; the
    navigation of the user's persona with the current item marked (the longest link the path starts
    with). A request refused before authentication (a body that cannot be read) has no user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user = request_user(request)
    pending = Receipt.objects.filter(user=user, reported_at=None).count()
    items = nav_items(user)
    current = max((i.url for i in items if request.path.startswith(i.url)), key=len, default=None)
    return {
        "unread": Notification.objects.filter(user=user, read_at=None).count(),
        "directives_pending": pending,
        "persona": persona(user),
        "nav": [(i, i.url == current, pending if i.label == "指令" else 0) for i in items],
    }


def maps(request: HttpRequest) -> dict:
    """The deployment's own tile server for the map component, if any (settings.MAP_TILES)."""
    return {"map_tiles": settings.MAP_TILES, "map_attribution": settings.MAP_TILES_ATTRIBUTION}
