import datetime as dt

from django.utils import timezone

from wangge.lib.humanize import duration, local_date, local_datetime, percent, time_left

NOW = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shenyang


def test_percent() -> None:
    assert percent(0.8192) == "81.9%"
    assert percent(0.7719) == "77.2%"
    assert percent(1.0) == "100%" and percent(0.0) == "0%"
    assert percent(0.9996) == "100%"
    assert percent(None) == "—"


def test_duration() -> None:
    assert duration(175.3) == "2小时55分"
    assert duration(120) == "2小时"
    assert duration(45) == "45分钟"
    assert duration(0.4) == "不到1分钟"
    assert duration(2000) == "1天9小时"
    assert duration(60 * 48) == "2天"
    assert duration(None) == "—"


def test_dates_in_chinese() -> None:
    with timezone.override("Asia/Shanghai"):
        assert local_datetime(NOW, now=NOW) == "今天 14:00"
        assert local_datetime(NOW - dt.timedelta(days=1), now=NOW) == "昨天 14:00"
        assert local_datetime(NOW + dt.timedelta(days=1), now=NOW) == "明天 14:00"
        assert local_datetime(NOW - dt.timedelta(days=3), now=NOW) == "11月24日 14:00"
    assert local_date(dt.date(2025, 3, 2), today=dt.date(2026, 11, 27)) == "2025年3月2日"
    assert local_date(dt.date(2026, 3, 2), today=dt.date(2026, 11, 27)) == "3月2日"


def test_time_left() -> None:
    assert time_left(NOW + dt.timedelta(hours=2, minutes=15), NOW) == ("剩2小时15分", False)
    assert time_left(NOW - dt.timedelta(days=1, hours=3), NOW) == ("超时1天3小时", True)
    assert time_left(None, NOW) == ("", False)
