"""Figures as people read them: 81.9%, 2小时55分, 11月27日 14:05. Pages, exports and the big screen use
these; the API keeps raw numbers."""

import datetime as dt

from django.utils import timezone


def percent(ratio: float | None, digits: int = 1) -> str:
    """0.8192 -> "81.9%"; None (nothing to divide by) -> "—". A whole hundred stays "100%"."""
    if ratio is None:
        return "—"
    value = round(ratio * 100, digits)
    return f"{value:.0f}%" if value in (0, 100) else f"{value:.{digits}f}%"


def service_hours(minutes: int | None) -> str:
    """Volunteer time as it is banked, in hours however many: 2000 -> "33小时20分", 45 -> "45分钟"."""
    total = minutes or 0
    hours, mins = divmod(total, 60)
    if not hours:
        return f"{mins}分钟" if mins else "0小时"
    return f"{hours}小时{mins}分" if mins else f"{hours}小时"


def duration(minutes: float | None) -> str:
    """175.3 -> "2小时55分", 2000 -> "1天9小时", 0.4 -> "不到1分钟"; None -> "—"."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 1:
        return "不到1分钟"
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟"


def local_datetime(moment: dt.datetime | None, *, now: dt.datetime | None = None) -> str:
    """今天 14:05, 昨天 09:30, 11月27日 14:05, or 2025年3月2日 14:05 for another year."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"今天 {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"昨天 {clock}"
    if local.date() == today + dt.timedelta(days=1):
        return f"明天 {clock}"
    return f"{local_date(local.date(), today=today)} {clock}"


def local_date(day: dt.date | None, *, today: dt.date | None = None) -> str:
    """11月27日 this year, 2025年3月2日 otherwise."""
    if day is None:
        return "—"
    today = today or timezone.localdate()
    if day.year == today.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def time_left(deadline: dt.datetime | None, now: dt.datetime) -> tuple[str, bool]:
    """("剩2小时15分", False) before the deadline, ("超时1天3小时", True) after it."""
    if deadline is None:
        return "", False
    minutes = (deadline - now).total_seconds() / 60
    if minutes >= 0:
        return f"剩{duration(minutes)}", False
    return f"超时{duration(-minutes)}", True
