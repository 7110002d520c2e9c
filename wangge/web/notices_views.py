"""公示 and 测评 pages (F15). At the desk they are two tabs of the 议事 page (deliberation_views): the
area's notices with their objections (publish one with its list pasted in), and the surveys (create
one, draw its sample); a survey's results page beside the ticket KPIs, with the phone-call entry.

On the phone: `/h5/notices/` the board of one's home (公示栏), a notice's page with its list (names
masked) and the objection form during the period, what came of each objection; `/h5/surveys/` the
surveys one is invited to, and the answer form in large type."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Unit, codes_above, subtree_q
from wangge.deliberation.selectors import home_of
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.ids import is_id
from wangge.lib.masking import mask_name
from wangge.notices import actions, selectors
from wangge.notices.actions import may_publish
from wangge.notices.models import Invite, NoticeKind, Survey
from wangge.web.forms import int_field, pick, required_date
from wangge.web.navigation import root_code
from wangge.web.views import request_user

DESK_ACTIONS = ("notice", "withdraw", "survey", "sample")
SHOWN = 50


def _units_serving(area: Area) -> list[Unit]:
    return list(
        Unit.objects.filter(area__code__in=[*codes_above(area.code), area.code], active=True).order_by(
            "area__code", "code"
        )[:100]
    )


def notices_tab(user: User, area: Area) -> dict:
    notices = list(selectors.notices_in(area.code)[:SHOWN])
    return {
        "notices": notices,
        "kinds": NoticeKind.choices,
        "units": _units_serving(area),
        "publish": may_publish(user, area.code),
        "today": timezone.localdate(),
    }


def surveys_tab(user: User, area: Area) -> dict:
    return {
        "surveys": list(selectors.surveys_in(area.code)[:SHOWN]),
        "units": _units_serving(area),
        "publish": may_publish(user, area.code),
        "today": timezone.localdate(),
    }


def desk_act(request: HttpRequest, user: User, area: Area, action: str) -> HttpResponse:
    post = request.POST
    tab = "surveys" if action in ("survey", "sample") else "notices"
    try:
        if action == "notice":
            place = pick(
                Area.objects.filter(subtree_q(area.code, "code")), post.get("area", ""), "area", "公示范围"
            )
            notice = actions.do_publish(
                area=place,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                body=post.get("body", ""),
                unit=pick(Unit.objects.filter(active=True), post.get("unit", ""), "unit", "发布单位"),
                starts_on=required_date(post.get("starts_on", ""), "starts_on", "公示开始日期"),
                ends_on=required_date(post.get("ends_on", ""), "ends_on", "公示截止日期"),
                lines=actions.parse_lines(post.get("lines", "")),
                people=post.get("items") != "1",
                actor=user,
            )
            messages.success(request, f"「{notice.title}」已公示，{notice.entries.count()}行。")
        elif action == "withdraw":
            notice = pick(selectors.notices_in(area.code), post.get("notice", ""), "notice", "公示")
            actions.do_withdraw_notice(notice, actor=user)
            messages.success(request, f"已撤回「{notice.title}」。")
        elif action == "survey":
            place = pick(
                Area.objects.filter(subtree_q(area.code, "code")), post.get("area", ""), "area", "测评范围"
            )
            units = {str(u.pk): u for u in _units_serving(place)}
            asks = []
            for i in range(1, 6):
                text = post.get(f"q{i}", "").strip()
                if text:
                    asks.append(
                        actions.Ask(
                            text,
                            scored=post.get(f"q{i}_text") != "1",
                            unit=units.get(post.get(f"q{i}_unit", "")),
                        )
                    )
            survey = actions.do_create_survey(
                area=place,
                title=post.get("title", ""),
                intro=post.get("intro", ""),
                starts_on=required_date(post.get("starts_on", ""), "starts_on", "开始日期"),
                ends_on=required_date(post.get("ends_on", ""), "ends_on", "截止日期"),
                questions=asks,
                actor=user,
            )
            size = int_field(post.get("size", ""), "size", "抽样人数", required=False)
            if size:
                actions.do_sample(survey, size=size, actor=user)
            return redirect("web:survey", survey.pk)
        else:
            survey = pick(selectors.surveys_in(area.code), post.get("survey", ""), "survey", "测评")
            added = actions.do_sample(
                survey, size=int_field(post.get("size", ""), "size", "抽样人数") or 0, actor=user
            )
            messages.success(request, f"又抽取了{added}位居民。")
            return redirect("web:survey", survey.pk)
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('web:talk', args=[area.code])}?t={tab}")


@login_required
def survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    """A survey's results per question, area and unit, beside the 诉求 KPIs; the phone-call entry for the
    residents of the sample who have not answered."""
    user = request_user(request)
    found = selectors.get_survey_for(user, survey_id)
    if not may_publish(user, found.area_code):  # results are for those who run the survey
        if Invite.objects.filter(survey=found, resident__user=user).exists():
            return redirect("web:h5_survey", found.pk)
        raise Http404
    scope = scoping.scope_of(user)
    mine = Q() if scope.everything else scoping.prefix_q("area_code", scope.registry_prefixes)
    waiting = (
        # Residents with an account answer on their phone; the call is for the others.
        Invite.objects.filter(mine, survey=found, answered_at=None, resident__user=None)
        .select_related("resident__household__area")
        .order_by("area_code", "id")[:SHOWN]
    )
    return render(
        request,
        "web/notices/survey.html",
        {
            "s": found,
            "r": selectors.results(found),
            "questions": list(found.questions.order_by("position")),
            "waiting": [(i, mask_name(i.resident.name)) for i in waiting],
            "rate": found.answered / found.invited if found.invited else None,
        },
    )


@login_required
@require_POST
def survey_phone(request: HttpRequest, survey_id: int) -> HttpResponse:
    """电话测评: staff enter a sampled resident's answers from a call."""
    user = request_user(request)
    found = selectors.get_survey_for(user, survey_id)
    try:
        invite = pick(
            Invite.objects.filter(survey=found), request.POST.get("invite", ""), "invite", "受访居民"
        )
        actions.do_answer(found, answers=_answers(request, found), actor=user, resident=invite.resident)
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已录入{mask_name(invite.resident.name)}的答卷。")
    return redirect("web:survey", found.pk)


def _answers(request: HttpRequest, survey: Survey) -> dict[int, tuple[int | None, str]]:
    found: dict[int, tuple[int | None, str]] = {}
    for q in survey.questions.all():
        raw = request.POST.get(f"q{q.pk}", "")
        score = int(raw) if raw in ("1", "2", "3", "4", "5") else None
        found[q.pk] = (score, request.POST.get(f"t{q.pk}", ""))
    return found


# --- the phone ----------------------------------------------------------------------------------------


@login_required
def h5_notices(request: HttpRequest) -> HttpResponse:
    """公示栏 of one's home: the notices in their period first, then those ended in the last month."""
    user = request_user(request)
    home = home_of(user)
    today = timezone.localdate()
    code = home.household.area.code if home else root_code(user)  # staff: the board of their post
    notices = list(selectors.board(code)[:SHOWN]) if code else []
    return render(
        request,
        "web/notices/h5_board.html",
        {"notices": notices, "today": today, "home": home, "invites": list(selectors.my_invites(user)[:10])},
    )


def _notice_page(
    request: HttpRequest, notice_id: int, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    notice = selectors.get_notice_for(user, notice_id)
    home = home_of(user)
    return render(
        request,
        "web/notices/h5_notice.html",
        {
            "n": notice,
            "entries": [(e, notice.shown_name(e.name)) for e in notice.entries.all()[:500]],
            "outcomes": selectors.outcomes(notice),
            "may_object": home is not None
            and home.household.area.code.startswith(notice.area_code)
            and notice.in_period(),
            "errors": errors or {},
            "form": request.POST if errors else {},
        },
        status=status,
    )


@login_required
def h5_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    return _notice_page(request, notice_id)


@login_required
@require_POST
def h5_notice_object(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = request_user(request)
    notice = selectors.get_notice_for(user, notice_id)
    entry = None
    picked = request.POST.get("entry", "")
    if picked:
        entry = notice.entries.filter(pk=int(picked)).first() if is_id(picked) else None
        if entry is None:
            return _notice_page(request, notice_id, errors={"entry": "请选择对哪一行有异议"}, status=422)
    try:
        objection = actions.do_object(notice, text=request.POST.get("text", ""), entry=entry, actor=user)
    except InputError as exc:
        return _notice_page(request, notice_id, errors={exc.field: exc.message}, status=422)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("web:h5_notice", notice.pk)
    messages.success(
        request, f"异议已提交，{notice.unit.name}会核实并答复。诉求编号 {objection.ticket.number}。"
    )
    return redirect("web:my_ticket", objection.ticket.pk)


@login_required
def h5_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The answer form of a survey one is invited to, or one's thanks once answered."""
    user = request_user(request)
    found = selectors.get_survey_for(user, survey_id)
    invite = Invite.objects.filter(survey=found, resident__user=user).first()
    if invite is None:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            actions.do_answer(found, answers=_answers(request, found), actor=user)
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("web:h5_survey", found.pk)
        else:
            messages.success(request, "谢谢您！您的意见会用于改进社区和各单位的工作。")
            return redirect("web:h5_notices")
    invite.refresh_from_db()
    return render(
        request,
        "web/notices/h5_survey.html",
        {
            "s": found,
            "invite": invite,
            "questions": list(found.questions.order_by("position")),
            "errors": errors,
            "form": request.POST,
            "scale": [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")],
        },
        status=422 if errors else 200,
    )
