"""Masking of personal numbers for display (PRODUCT.md section 6): `2101**********1234`, `138****5678`."""

import re


def mask_id_number(value: str) -> str:
    """Keep the first 4 and last 4 characters of an ID number."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Keep the family name (the first character): 张**, for a wall everyone reads."""
    value = value.strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


# An ID number (15 or 18 characters) or a mainland mobile number, also written with spaces, dashes or +86.
_PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")


def has_personal_number(text: str) -> bool:
    """Whether typed text holds an ID or mobile number: public text (a notice, minutes, a matter) must not."""
    squeezed = re.sub(r"(?<=[0-9])[\s\-]+(?=[0-9])", "", text or "")
    squeezed = re.sub(r"(?:\+|00)?86(?=1[3-9][0-9]{9}(?![0-9]))", "", squeezed)
    return bool(_PERSONAL_NUMBER.search(squeezed))
