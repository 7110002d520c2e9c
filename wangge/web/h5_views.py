"""The resident's H5 pages (指尖办): 我要反映 (submit), 我的诉求 (my requests), one request's page with its
rating, and 消息 (the inbox). Phone-first, large type (适老化), in the H5 frame (templates/web/h5/). What a
resident sees of a ticket is decided in tickets.public, not here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.notify.actions import do_mark_read
from wangge.notify.models import Notification
from wangge.tickets import public
from wangge.tickets.actions import TicketInputError, WorkflowError, do_rate, do_withdraw, grid_of
from wangge.tickets.models import Channel, Ticket
from wangge.tickets.queries import get_own_ticket, own_tickets
from wangge.web.directive_views import emergency_notice
from wangge.web.ticket_views import _intake
from wangge.web.views import request_user

MY_TICKETS_SHOWN = 100
RATING_CHOICES = sorted(public.RATING_WORDS.items(), reverse=True)


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
    grid = grid_of(home) if home is not None else None
    if request.method == "POST":
        result = _intake(request, channel=Channel.H5, resident_id=resident_id, default_area=home)
        if "_ticket" in result:
            ticket: Ticket = result["_ticket"]
            messages.success(
                request, f"已提交，诉求编号 {ticket.number}。办理的每一步都会在这里和「消息」里告诉您。"
            )
            return redirect("web:my_ticket", ticket_id=ticket.pk)
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
    """我的诉求: the person's own requests as cards, newest first (one query, however many there are)."""
    user = request_user(request)
    mine = own_tickets(user).order_by("-submitted_at", "-id")[:MY_TICKETS_SHOWN]
    _resident_id, home = _resident_home(user)
    notice = emergency_notice(home.code if home else None)
    return render(request, "web/h5/mine.html", {"cards": [public.card(t) for t in mine], **notice})


def _ticket_page(
    request: HttpRequest, ticket: Ticket, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "t": public.present(ticket, request_user(request)),
        "rating_choices": RATING_CHOICES,
        "errors": errors or {},
        "posted": request.POST if errors else {},
    }
    return render(request, "web/h5/ticket.html", context, status=status)


@login_required
def my_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One of my requests as tickets.public shows it to its resident; anyone else's answers 404."""
    return _ticket_page(request, get_own_ticket(request_user(request), ticket_id))


@login_required
@require_POST
def my_ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """评价 (rate) or 撤回 (withdraw) one of my requests. Refusals come back on the page: 422 for a
    missing rating, 409 for what the ticket no longer allows (e.g. "这条诉求已评价过")."""
    user = request_user(request)
    ticket = get_own_ticket(user, ticket_id)
    try:
        if action == "rate":
            rating = request.POST.get("rating", "")
            if rating not in {str(n) for n in public.RATING_WORDS}:
                raise TicketInputError("rating", "请选择满意程度（1到5分）")
            do_rate(
                ticket.pk, actor=user, rating=int(rating), note=request.POST.get("note", "").strip()[:500]
            )
            messages.success(request, "谢谢您的评价！")
        elif action == "withdraw":
            do_withdraw(ticket.pk, actor=user)
            messages.success(request, "已撤回这条诉求。")
        else:
            raise Http404
    except TicketInputError as exc:
        return _ticket_page(
            request, ticket, errors={exc.field: exc.message, "action_name": action}, status=422
        )
    except WorkflowError as exc:
        ticket.refresh_from_db()
        return _ticket_page(request, ticket, errors={"action": str(exc), "action_name": action}, status=409)
    return redirect("web:my_ticket", ticket_id=ticket.pk)


@login_required
def h5_inbox(request: HttpRequest) -> HttpResponse:
    """消息 in the H5 frame: what happened to my requests, newest first."""
    user = request_user(request)
    if request.method == "POST":
        do_mark_read(user)
        return redirect("web:h5_inbox")
    items = Notification.objects.filter(user=user).order_by("-created_at", "-id")[:200]
    return render(request, "web/h5/inbox.html", {"items": items})
