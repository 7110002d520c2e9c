"""The two refusals every action may answer with, whatever the app: bad input naming the field (API
422, a form error on pages) and "not allowed now or not for you" with the reason (API 409)."""


class InputError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


class NotAllowed(Exception):
    """The reason is in Chinese, for the person who tried."""


def clean_text(
    value: str, field: str, label: str, limit: int, *, required: bool = True, one_line: bool = False
) -> str:
    """Typed text, trimmed (and its runs of white space made one space when `one_line`); InputError
    naming the field when it is required and empty, or longer than `limit`."""
    value = " ".join((value or "").split()) if one_line else (value or "").strip()
    if required and not value:
        raise InputError(field, f"请填写{label}")
    if len(value) > limit:
        raise InputError(field, f"{label}最多{limit}个字")
    return value
