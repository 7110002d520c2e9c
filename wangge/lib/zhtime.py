"""Times and durations in plain Chinese for residents' pages: `11月27日 14:05`, `2小时55分`."""

import datetime as dt


def datetime_zh(value: dt.datetime, *, today: dt.date) -> str:
    """A local time as `11月27日 14:05`, with the year when it is not this year's (`2024年11月27日 14:05`)."""
    day = f"{value.month}月{value.day}日 {value:%H:%M}"
    return day if value.year == today.year else f"{value.year}年{day}"


def duration_zh(seconds: float) -> str:
    """`3天2小时`, `2小时55分`, `40分钟`, `不到1分钟`: two units at most, the larger first."""
    minutes = int(max(seconds, 0)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分钟" if minutes else "不到1分钟"
