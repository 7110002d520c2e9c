"""四项清单 of an area (基础底数、居民诉求、紧缺物资、特殊群体) as a page and an Excel workbook, for whoever
sees the area's registry."""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.lib.masking import mask_phone
from wangge.lib.sheets import XLSX, write_book
from wangge.people.ledgers import base_counts, open_tickets, scarce_first, special_groups, special_residents
from wangge.tickets.models import Status, Ticket
from wangge.tickets.queries import overdue_q, tickets_for
from wangge.web.views import _breadcrumbs, request_user


def _area_with_registry(user: User, code: str) -> Area:
    area = scoping.get_area_for(user, code)
    if not scoping.scope_of(user).sees_registry_of(area.code):
        raise Http404
    return area


@login_required
def four_lists(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = _area_with_registry(user, code)
    tickets = open_tickets(area, tickets_for(user))
    labels = dict(Status.choices)
    by_status = list(tickets.values_list("status").annotate(n=Count("id")).order_by())
    return render(
        request,
        "web/four_lists.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(user, area),
            "base": base_counts(area, scoping.households_for(user), timezone.localdate()),
            "by_status": [(labels.get(s, s), n) for s, n in by_status],
            "open_count": sum(n for _status, n in by_status),
            "overdue_count": tickets.filter(overdue_q(timezone.now())).count(),
            "tickets": tickets.select_related("category").order_by("-submitted_at")[:30],
            "stocks": scarce_first(area),
            "groups": special_groups(area, scoping.residents_for(user)),
        },
    )


def _ticket_rows(tickets: Iterator[Ticket]) -> Iterator[list]:
    yield ["编号", "标题", "状态", "分类", "地点编码", "提交时间", "超时"]
    now = timezone.now()
    for t in tickets:
        yield [
            t.number,
            t.title,
            t.get_status_display(),
            t.category.path if t.category else "",
            t.area_code,
            timezone.localtime(t.submitted_at).strftime("%Y-%m-%d %H:%M"),
            "是" if t.is_overdue(now) else "",
        ]


@login_required
def four_lists_export(request: HttpRequest, code: str) -> HttpResponse:
    """The four lists as one workbook, one sheet each; phones masked (the full registry export with
    numbers is the registry's own, and logged)."""
    user = request_user(request)
    area = _area_with_registry(user, code)
    today = timezone.localdate()
    base = [["区域", "编码", "户数", "有人居住", "人口", "60岁以上", "80岁以上"]] + [
        [r.name, r.area.code, r.households, r.occupied, r.residents, r.aged_60, r.aged_80]
        for r in base_counts(area, scoping.households_for(user), today)
    ]
    tickets = open_tickets(area, tickets_for(user)).select_related("category").order_by("-submitted_at")
    stocks = [["存放", "物资", "库存", "单位", "紧缺线", "紧缺"]] + [
        [s.area.name, s.item.name, s.quantity, s.item.unit, s.low_mark, "是" if s.scarce else ""]
        for s in scarce_first(area)
    ]
    people = special_residents(area, scoping.residents_for(user))
    special = [["姓名", "性别", "年龄", "关爱标签", "关爱等级", "住址", "电话"]] + [
        [
            r.name,
            r.get_gender_display(),
            r.age(today),
            "、".join(t.name for t in r.care_tags.all()),
            r.get_care_level_display(),
            r.household.address,
            mask_phone(r.phone),
        ]
        for r in people.iterator(chunk_size=2000)
    ]
    content = write_book(
        [
            ("基础底数", base),
            ("居民诉求", _ticket_rows(tickets.iterator(chunk_size=2000))),
            ("紧缺物资", stocks),
            ("特殊群体", special),
        ]
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="four-lists-{area.code}-{today:%Y%m%d}.xlsx"'
    return response
