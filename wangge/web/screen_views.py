"""一屏知全域: the big screen page of a district, street or community. The page is a frame; its figures
come from the API's `screen/{code}` on every refresh (static/wangge/screen.js)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wangge.areas import scoping
from wangge.stats.screen import REFRESH_SECONDS, may_watch
from wangge.web.views import request_user

# A screen may refresh faster for a demonstration or a test (?refresh=5), never faster than this.
FASTEST_REFRESH = 5


@login_required
def screen_page(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    if not may_watch(user, area):
        raise Http404
    asked = request.GET.get("refresh", "")
    refresh = REFRESH_SECONDS
    if asked.isdigit():
        refresh = min(max(int(asked), FASTEST_REFRESH), 300)
    return render(
        request,
        "web/screen.html",
        {
            "area": area,
            "refresh": refresh,
            "time_zone": settings.TIME_ZONE,
        },
    )
