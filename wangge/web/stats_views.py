"""The statistics page of an area: its KPIs, its child areas ranked, the units that served it, and for
a community's own staff the 以下评上 form that rates those units."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Unit
from wangge.lib.sheets import XLSX, write_book
from wangge.routing.actions import do_plan_hotspot
from wangge.routing.proactive import hotspots_in, may_plan
from wangge.stats.actions import can_assess, current_period, do_assess_unit
from wangge.stats.groups import groups, series
from wangge.stats.kpis import Kpis, Selection, kpis, ranking
from wangge.stats.screen import may_watch
from wangge.stats.units import unit_table
from wangge.tickets.actions import TicketInputError, WorkflowError
from wangge.tickets.models import Category, UnitAssessment
from wangge.web.views import request_user


def _selection(area: Area, year: bool) -> tuple[Selection, int, dt.date, dt.date]:
    days = 365 if year else 30
    last = timezone.localdate()
    first = last - dt.timedelta(days=days - 1)
    return Selection.days(area=area.code, first=first), days, first, last


def _stats_context(user: User, area: Area, *, year: bool, errors: dict | None = None) -> dict:
    selection, days, first, last = _selection(area, year)
    children = {c.code: c for c in area.children.order_by("code")}
    rows = []
    if children:
        ranked = ranking(selection, code_length=len(next(iter(children))))
        rows = [(children[k], v) for k, v in ranked.items() if k in children]
        rows.sort(key=lambda r: (-(r[1].closure_rate or 0), -(r[1].satisfaction_rate or 0)))
    units = unit_table(area, start=selection.start)
    assessing = can_assess(user, area)
    period = current_period()
    rating_rows = []
    if assessing:  # beside each rating, the unit's record over the period shown
        facts = {r.unit.pk: r for r in units}
        mine = {
            a.unit_id: a
            for a in UnitAssessment.objects.filter(area=area, period=period).select_related("unit")
        }
        served = {r.unit.pk: r.unit for r in units if r.assigned or r.summoned} | {
            pk: a.unit for pk, a in mine.items()
        }
        rating_rows = [
            (u, facts.get(u.pk), mine.get(u.pk))
            for u in sorted(served.values(), key=lambda u: (u.kind, u.code))
        ]
    return {
        "area": area,
        "kpi": kpis(selection),
        "rows": rows,
        "chart": [
            {"name": a.name, "closure": k.closure_rate, "satisfaction": k.satisfaction_rate} for a, k in rows
        ],
        "channels": (channels := groups(area, selection, "channel")),
        "categories": (categories := groups(area, selection, "category")[:TOP_CATEGORIES]),
        "charts": {
            "trend": [
                {"at": p["at"].isoformat(), "submitted": p["submitted"], "closed": p["closed"]}
                for p in series(selection, first=first, last=last, by_month=year)
            ],
            "by_month": year,
            "channels": [{"name": g.name, "n": g.kpis.submitted} for g in channels],
            "categories": [{"name": g.name, "n": g.kpis.submitted} for g in categories],
        },
        "units": units,
        "days": days,
        "year": year,
        "breadcrumbs": [(a, scoping.scope_of(user).sees_area(a.code)) for a in area.ancestors()],
        "assessing": assessing,
        "watches": may_watch(user, area),
        "period": period,
        "rating_rows": rating_rows,
        "errors": errors or {},
    }


@login_required
def stats_page(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    context = _stats_context(user, area, year=request.GET.get("period") == "year")
    return render(request, "web/stats.html", context)


@login_required
@require_POST
def assess_unit(request: HttpRequest, code: str) -> HttpResponse:
    """以下评上: save one rating, then back to the page (or the page again with the error beside the form)."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    unit_id = request.POST.get("unit", "")
    score = request.POST.get("score", "")
    try:
        do_assess_unit(
            area=area,
            unit=Unit.objects.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None,
            period=request.POST.get("period", ""),
            score=int(score) if score.isdigit() else None,
            comment=request.POST.get("comment", ""),
            actor=user,
        )
    except TicketInputError as exc:
        errors = {"unit": unit_id, exc.field: exc.message}
        return render(
            request, "web/stats.html", _stats_context(user, area, year=False, errors=errors), status=422
        )
    except WorkflowError as exc:
        errors = {"unit": unit_id, "action": str(exc)}
        return render(
            request, "web/stats.html", _stats_context(user, area, year=False, errors=errors), status=403
        )
    return redirect("web:stats", code=area.code)


TOP_CATEGORIES = 15


@login_required
def stats_export(request: HttpRequest, code: str) -> HttpResponse:
    """导出Excel: every table of the statistics page, one sheet each, for the period shown."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    year = request.GET.get("period") == "year"
    selection, _days, first, last = _selection(area, year)
    kpi = kpis(selection)
    head = [
        "受理量",
        "办结率(%)",
        "按时办结率(%)",
        "满意率(%)",
        "回访率(%)",
        "退单率(%)",
        "网格内解决率(%)",
        "当前超时",
    ]

    def rates(k: Kpis) -> list:
        shown = [k.closure_rate, k.on_time_rate, k.satisfaction_rate, k.callback_rate, k.return_rate]
        return [k.accepted, *(_pct(r) for r in shown), _pct(k.solved_in_grid_rate), k.overdue]

    period = f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"
    summary: list[list] = [
        ["区域", area.name, "期间", period],
        ["指标", "数值"],
        ["提交量", kpi.submitted],
        *[[name, value] for name, value in zip(head, rates(kpi), strict=True)],
        ["响应时长(中位，分钟)", kpi.response_minutes],
        ["办理时长(中位，分钟)", kpi.handling_minutes],
        ["吹哨报到率(%)", _pct(kpi.summons_rate)],
    ]
    sheets: list[tuple[str, list[list]]] = [("主要指标", summary)]
    for title, by in (("下级区域", "area"), ("渠道", "channel"), ("类别", "category"), ("主办单位", "unit")):
        table: list[list] = [[title[:4], "提交量", *head]]
        table += [[g.name, g.kpis.submitted, *rates(g.kpis)] for g in groups(area, selection, by)]
        sheets.append((title, table))
    units: list[list] = [
        ["单位", "派单", "退单", "退单率(%)", "吹哨", "按时报到", "迟到", "未报到", "社区评分", "评分次数"]
    ]
    units += [
        [
            r.unit.name,
            r.assigned,
            r.returned,
            _pct(r.return_rate),
            r.summoned,
            r.reported_on_time,
            r.reported_late,
            r.missed,
            r.score,
            r.ratings,
        ]
        for r in unit_table(area, start=selection.start)
    ]
    sheets.append(("承办单位（以下评上）", units))
    response = HttpResponse(write_book(sheets), content_type=XLSX)
    name = f"stats-{area.code}-{'year' if year else 'month'}-{last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


HOTSPOTS_SHOWN = 12


@login_required
def hotspots(request: HttpRequest, code: str) -> HttpResponse:
    """未诉先办 on the statistics page (loaded after the page, htmx): the area's hotspots, strongest first,
    with their evidence and, for those who may, the button that turns one into a planned action."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    found = hotspots_in(area)
    rows = [(s, may_plan(user, s.area)) for s in found[:HOTSPOTS_SHOWN]]
    return render(request, "web/_hotspots.html", {"area": area, "rows": rows, "total": len(found)})


@login_required
@require_POST
def plan_hotspot(request: HttpRequest, code: str) -> HttpResponse:
    """立项: one hotspot becomes a ticket of channel 未诉先办; then to that ticket. Errors come back on the
    statistics page, above the list."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    grid = scoping.get_area_for(user, request.POST.get("grid", ""))
    category = get_object_or_404(Category, code=request.POST.get("category", ""))
    try:
        ticket = do_plan_hotspot(area=grid, category=category, actor=user, note=request.POST.get("note", ""))
    except TicketInputError as exc:
        return _stats_with_error(request, user, area, exc.message, status=422)
    except WorkflowError as exc:
        return _stats_with_error(request, user, area, str(exc), status=409)
    return redirect("web:ticket", ticket_id=ticket.pk)


def _stats_with_error(
    request: HttpRequest, user: User, area: Area, message: str, *, status: int
) -> HttpResponse:
    context = {**_stats_context(user, area, year=False), "hotspot_error": message}
    return render(request, "web/stats.html", context, status=status)
