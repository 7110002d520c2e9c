"""Checks for mainland resident ID numbers (居民身份证号码, GB 11643-1999) and phone numbers."""

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID number: 6-digit region, birth date, 3-digit sequence (odd = male), check digit."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)


def id_number_error(value: str) -> str | None:
    """Return why `value` is not a valid ID number (in Chinese), or None when it is valid."""
    if not _ID_RE.match(value):
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if check_digit(value[:17]) != value[17]:
        return "身份证号校验位不正确"
    return None


def birth_date_of(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_of(value: str) -> str:
    """'M' or 'F' from the sequence digit of a valid ID number."""
    return "M" if int(value[16]) % 2 else "F"


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value)


def phone_error(value: str) -> str | None:
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return None
    return "联系电话应为11位手机号或带区号的固定电话"
