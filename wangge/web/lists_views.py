"""The three lists on the web: 导出Excel of an area's needs, offers and projects with their counts (the
pages themselves come with the rest of issue 21's screens)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from wangge.areas import scoping
from wangge.lib.sheets import XLSX, write_book
from wangge.lists.models import ItemState, Need, Offer, Project
from wangge.lists.selectors import counts, may_run_lists
from wangge.web.views import request_user


def _day(d: object) -> str:
    return "" if d is None else f"{d:%Y-%m-%d}"


@login_required
def lists_export(request: HttpRequest, code: str) -> HttpResponse:
    """三张清单 of an area as a workbook: a summary and one sheet per list, for its staff."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    if not may_run_lists(user, area.code):
        raise Http404
    figures = counts(area.code)
    states = [s.label for s in ItemState]
    summary: list[list[object]] = [["清单", "合计", *states]]
    for name, label in (("needs", "需求清单"), ("offers", "资源清单")):
        summary.append([label, figures[name]["total"], *(figures[name].get(s.value, 0) for s in ItemState)])
    summary.append(["项目清单", figures["projects"]["total"]])
    needs: list[list[object]] = [["编号", "区域", "类别", "需求", "惠及人数", "起", "止", "状态", "认领单位"]]
    needs += [
        [
            n.pk,
            n.area.name,
            n.get_topic_display(),
            n.title,
            n.people,
            _day(n.starts_on),
            _day(n.ends_on),
            n.get_state_display(),
            n.claimed_by_unit.name if n.claimed_by_unit else "",
        ]
        for n in Need.objects.filter(area_code__startswith=area.code)
        .select_related("area", "claimed_by_unit")
        .order_by("pk")
    ]
    offers: list[list[object]] = [
        ["编号", "区域", "类别", "资源", "类型", "提供单位", "可服务次数", "状态", "认领社区"]
    ]
    offers += [
        [
            o.pk,
            o.area.name,
            o.get_topic_display(),
            o.title,
            o.get_kind_display(),
            o.provider_unit.name if o.provider_unit else "",
            o.capacity,
            o.get_state_display(),
            o.claimed_by_area.name if o.claimed_by_area else "",
        ]
        for o in Offer.objects.filter(area_code__startswith=area.code)
        .select_related("area", "provider_unit", "claimed_by_area")
        .order_by("pk")
    ]
    projects: list[list[object]] = [
        ["编号", "项目", "需求编号", "负责人", "开始", "计划完成", "进度(%)", "状态", "成效"]
    ]
    projects += [
        [
            p.pk,
            p.title,
            p.need_id or "",
            p.owner.shown_name,
            _day(p.starts_on),
            _day(p.ends_on),
            p.progress,
            p.get_state_display(),
            p.result,
        ]
        for p in Project.objects.filter(area_code__startswith=area.code)
        .select_related("owner")
        .order_by("pk")
    ]
    book = write_book([("汇总", summary), ("需求清单", needs), ("资源清单", offers), ("项目清单", projects)])
    response = HttpResponse(book, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="lists-{area.code}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response
