"""Bulk import of a 12345 hotline export (xlsx or csv) as tickets of the 12345 channel.

Columns are found by header through a mapping (field → column title) that defaults to the usual export:
工单编号, 来电时间, 来电人, 联系电话, 地址, 诉求内容, 诉求类型, 紧急程度 (and 标题 when present). Each row's
grid is found from its address (or `default_area` when the address names none). A row already imported
(same 工单编号) is skipped, so importing one file twice creates nothing twice. Bad rows are reported with
row, column and reason; by default nothing is written when any row is bad, with `skip_bad` the good rows are.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.people.transfer import FileReport, ImportFileError, RowError, mapped_rows, read_table
from wangge.tickets.actions import NewTicket, TicketInputError, clean_phone, do_submit_ticket
from wangge.tickets.intake import area_for_address, category_for
from wangge.tickets.models import Category, Channel, Ticket, Urgency

DEFAULT_MAPPING = {
    "external_id": "工单编号",
    "submitted_at": "来电时间",
    "contact_name": "来电人",
    "contact_phone": "联系电话",
    "address": "地址",
    "description": "诉求内容",
    "category": "诉求类型",
    "urgency": "紧急程度",
    "title": "标题",
}
REQUIRED = ("external_id", "description", "address")
# What the ticket can hold; a longer value is a bad row, never cut: a cut 工单编号 would not match itself on
# the next import, and a cut description loses what the caller said.
LIMITS: dict[str, int] = {
    f.name: f.max_length
    for f in Ticket._meta.concrete_fields
    if f.name in DEFAULT_MAPPING and f.max_length is not None
}
URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


@dataclass
class HotlineReport(FileReport):
    created: int = 0
    already_imported: int = 0
    uncategorised: int = 0


@dataclass
class _Row:
    number: int
    new: NewTicket


def parse_time(text: str) -> dt.datetime:
    for fmt in TIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text.strip(), fmt))
        except ValueError:
            continue
    raise ValueError(text)


def _check(
    number: int,
    values: dict[str, str],
    mapping: dict[str, str],
    default_area: Area | None,
    now: dt.datetime,
    within: Sequence[str] | None,
) -> tuple[NewTicket | None, list[RowError], bool]:
    errors: list[RowError] = []

    def bad(f: str, reason: str) -> None:
        errors.append(RowError(number, mapping.get(f, f), reason))

    for f in REQUIRED:
        if not values.get(f):
            bad(f, "不能为空")
    for f, limit in LIMITS.items():
        if len(values.get(f, "")) > limit:
            bad(f, f"不能超过{limit}个字（此行{len(values[f])}个字）")
    submitted = now
    if values.get("submitted_at"):
        try:
            submitted = parse_time(values["submitted_at"])
        except ValueError:
            bad("submitted_at", "时间格式应为 2026-11-20 09:15")
        else:
            if submitted > now + dt.timedelta(minutes=5):
                bad("submitted_at", "来电时间晚于现在")
    urgency = URGENCY_WORDS.get(values.get("urgency", "") or "一般") or (
        values["urgency"] if values.get("urgency") in Urgency.values else None
    )
    if urgency is None:
        bad("urgency", "应为一般、紧急或特急")
    phone = ""
    try:
        phone = clean_phone(values.get("contact_phone", ""))
    except TicketInputError as exc:
        bad("contact_phone", exc.message.removeprefix("联系电话"))
    category: Category | None = None
    uncategorised = False
    if values.get("category"):
        try:
            category = category_for(values["category"].split("/")[-1])
        except TicketInputError:
            uncategorised = True  # the hotline's own type names need not match our tree
    area = area_for_address(values.get("address", "")) if values.get("address") else None
    if area is None:
        area = default_area
    if area is None and values.get("address"):
        bad("address", "无法从地址确定网格（请补充社区名称，或指定默认区域）")
    elif area is not None and within is not None and not any(area.code.startswith(p) for p in within):
        bad("address", f"{area.name}不在你的辖区内")
    if errors or area is None:
        return None, errors, uncategorised
    description = values["description"]
    title = values.get("title") or description.split("。")[0][:30]
    return (
        NewTicket(
            title=title,
            description=description,
            channel=Channel.HOTLINE,
            area=area,
            address=values.get("address", ""),
            category=category,
            urgency=str(urgency),
            contact_name=values.get("contact_name", ""),
            contact_phone=phone,
            external_id=values["external_id"],
            submitted_at=submitted,
        ),
        [],
        uncategorised,
    )


def import_hotline(
    *,
    name: str,
    content: bytes,
    actor: User | None,
    mapping: dict[str, str] | None = None,
    default_area: Area | None = None,
    skip_bad: bool = False,
    within: Sequence[str] | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> HotlineReport:
    """Rows become tickets of channel 12345; `within` (area codes) limits where they may land, for an
    import by staff of part of the district."""
    mapping = {**DEFAULT_MAPPING, **(mapping or {})}
    unknown = set(mapping) - set(DEFAULT_MAPPING)
    if unknown:
        raise ImportFileError("未知的字段：" + "、".join(sorted(unknown)))
    report = HotlineReport()
    now = timezone.now()
    rows = list(mapped_rows(read_table(name, content), mapping, REQUIRED, hint="（可用列名映射指定）"))
    report.rows = len(rows)
    seen = set(
        Ticket.objects.filter(
            source=Channel.HOTLINE, external_id__in=[v.get("external_id", "") for _, v in rows]
        )
        .exclude(external_id="")
        .order_by()
        .values_list("external_id", flat=True)
    )
    good: list[_Row] = []
    for number, values in rows:
        key = values.get("external_id", "")
        if key and key in seen:
            report.already_imported += 1
            continue
        new, errors, uncategorised = _check(number, values, mapping, default_area, now, within)
        report.errors += errors
        if new is not None:
            seen.add(key)
            report.uncategorised += uncategorised
            good.append(_Row(number, new))
    if report.errors and not skip_bad:
        return report
    try:
        with transaction.atomic():
            for row in good:
                do_submit_ticket(row.new, actor=actor)
                report.created += 1
                progress(1)
    except IntegrityError:  # another import wrote one of these 工单编号 between the check and now
        raise ImportFileError(
            "其中有工单刚刚已由另一次导入写入，本次未写入任何工单；请重新导入，已导入的会跳过"
        ) from None
    report.written = True
    return report
