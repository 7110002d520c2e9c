"""The resident's H5 pages (指尖办): 我要反映 (submit), 我的诉求 (my requests) and one request's page.
Phone-first, large type (适老化), in the H5 frame (templates/web/h5/)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.tickets.actions import grid_of
from wangge.tickets.models import Channel
from wangge.tickets.queries import tickets_for
from wangge.web.directive_views import emergency_notice
from wangge.web.ticket_views import _intake, _ticket_context
from wangge.web.views import request_user


def _resident_home(user: User) -> tuple[int | None, Area | None]:
    resident = getattr(user, "resident", None)
    if resident is None:
        return None, None
    return resident.pk, resident.household.area


@login_required
def h5_submit(request: HttpRequest) -> HttpResponse:
    """指尖办: the resident's one-page request form, phone-first and in large type."""
    user = request_user(request)
    resident_id, home = _resident_home(user)
    grid = None
    if home is not None:
        grid = grid_of(home)
    if request.method == "POST":
        result = _intake(request, channel=Channel.H5, resident_id=resident_id, default_area=home)
        if "_ticket" in result:
            return redirect("web:my_ticket", ticket_id=result["_ticket"].pk)
        return render(
            request, "web/h5/submit.html", {"grid": grid, "errors": result, "form": request.POST}, status=422
        )
    resident = getattr(user, "resident", None)
    form = {
        "contact_name": resident.name if resident else user.shown_name,
        "contact_phone": resident.phone if resident else "",
    }
    notice = emergency_notice(home.code if home else None)
    return render(request, "web/h5/submit.html", {"grid": grid, "errors": {}, "form": form, **notice})


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    mine = (
        tickets_for(user)
        .filter(Q(submitted_by=user) | Q(resident__user=user))
        .select_related("area")
        .order_by("-submitted_at")[:100]
    )
    _resident_id, home = _resident_home(user)
    notice = emergency_notice(home.code if home else None)
    return render(request, "web/h5/mine.html", {"tickets": mine, **notice})


@login_required
def my_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = request_user(request)
    context = _ticket_context(user, ticket_id)
    return render(request, "web/h5/ticket.html", context)
