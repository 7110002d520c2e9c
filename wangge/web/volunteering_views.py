"""志愿活动 on the phone (F11): the activities of my community to come, sign-up or the waiting list,
check-in with the organiser's code, check-out; the organiser sees the code to show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.humanize import service_hours
from wangge.lib.ids import is_id
from wangge.points.selectors import home_area
from wangge.volunteering import actions
from wangge.volunteering.actions import CHECK_IN_EARLY
from wangge.volunteering.models import SignUp, SignUpState, Skill, Volunteer
from wangge.volunteering.selectors import (
    accepted,
    activities_for,
    get_activity_for,
    may_organise,
    upcoming,
)
from wangge.web.views import request_user

SHOWN = 50


@login_required
def h5_activities(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    now = timezone.now()
    signed = Count("sign_ups", filter=Q(sign_ups__state=SignUpState.SIGNED))
    # To come, and any already over that I checked in to and have not checked out of yet.
    open_ = SignUp.objects.filter(user=user, checked_in_at__isnull=False, checked_out_at=None)
    found = upcoming(user) | activities_for(user).filter(pk__in=open_.values("activity_id"))
    activities = list(found.annotate(signed=signed).order_by("starts_at", "id")[:SHOWN])
    mine = {
        s.activity_id: s
        for s in SignUp.objects.filter(activity__in=activities, user=user).exclude(
            state=SignUpState.CANCELLED
        )
    }
    rows = [
        {
            "a": a,
            "mine": mine.get(a.pk),
            "organiser": a.organiser_id == user.pk or may_organise(user, a.area_code),
            "left": max(a.capacity - a.signed, 0),  # type: ignore[attr-defined]
            "on_now": a.starts_at - CHECK_IN_EARLY <= now <= a.ends_at,
            "started": a.starts_at <= now,
        }
        for a in activities
    ]
    profile = Volunteer.objects.filter(user=user).first()
    return render(
        request,
        "web/volunteering/activities.html",
        {
            "rows": rows,
            "volunteer": accepted(user) is not None,
            "profile": profile,
            # staff who organise here are not asked to sign up as volunteers
            "invite": accepted(user) is None and not any(r["organiser"] for r in rows),
        },
    )


@login_required
def h5_register(request: HttpRequest) -> HttpResponse:
    """我要当志愿者: skills and when one can help, for the community of one's home to accept."""
    user = request_user(request)
    home = home_area(user)
    if home is None:
        raise Http404
    if Volunteer.objects.filter(user=user).exists():
        return redirect("web:h5_activities")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            actions.do_register_volunteer(
                user=user,
                area=home,
                skills=request.POST.getlist("skills"),
                availability=request.POST.get("availability", ""),
                bio=request.POST.get("bio", ""),
            )
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            errors["skills"] = str(exc)
        else:
            messages.success(request, f"已提交，{home.name}审核通过后就能报名志愿活动。")
            return redirect("web:h5_activities")
    return render(
        request,
        "web/volunteering/register.html",
        {
            "home": home,
            "skills": Skill.choices,
            "errors": errors,
            "chosen": request.POST.getlist("skills"),
            "form": request.POST,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def h5_activity_act(request: HttpRequest, activity_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    activity = get_activity_for(user, activity_id)
    sign_up = SignUp.objects.filter(activity=activity, user=user).exclude(state=SignUpState.CANCELLED).first()
    try:
        if action == "sign-up":
            done = actions.do_sign_up(activity, actor=user)
            messages.success(
                request,
                "报名成功。"
                if done.state == SignUpState.SIGNED
                else "名额已满，您在候补名单上，有人取消会自动补上。",
            )
        elif sign_up is None:
            raise Http404
        elif action == "cancel":
            actions.do_cancel_sign_up(sign_up, actor=user)
            messages.success(request, "已取消报名。")
        elif action == "check-in":
            actions.do_check_in(sign_up, actor=user, code=request.POST.get("code", ""))
            messages.success(request, "签到成功。活动结束后记得签退。")
        elif action == "check-out":
            done = actions.do_check_out(sign_up, actor=user)
            messages.success(request, f"签退成功，记服务时长{service_hours(done.minutes)}。")
        else:
            raise Http404
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("web:h5_activities")


@login_required
def h5_roster(request: HttpRequest, activity_id: int) -> HttpResponse:
    """签到名单, for the organiser on site: who signed up and who came; 代签到 for a volunteer without a
    phone, or one who typed the code wrong too often."""
    user = request_user(request)
    activity = get_activity_for(user, activity_id)
    if not (activity.organiser_id == user.pk or may_organise(user, activity.area_code)):
        raise Http404
    if request.method == "POST":
        picked = request.POST.get("sign_up", "")
        sign_up = (
            SignUp.objects.filter(pk=int(picked), activity=activity).select_related("activity").first()
            if is_id(picked)
            else None
        )
        if sign_up is None:
            raise Http404
        try:
            actions.do_check_in(sign_up, actor=user)
        except (InputError, NotAllowed) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已为{sign_up.user.shown_name}签到。")
        return redirect("web:h5_roster", activity_id=activity.pk)
    sign_ups = (
        SignUp.objects.filter(activity=activity)
        .exclude(state=SignUpState.CANCELLED)
        .select_related("user")
        .order_by("state", "at", "pk")
    )
    return render(
        request,
        "web/volunteering/roster.html",
        {
            "a": activity,
            "sign_ups": list(sign_ups),
            "on_now": activity.starts_at - CHECK_IN_EARLY <= timezone.now() <= activity.ends_at,
        },
    )
