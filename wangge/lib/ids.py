"""An id as a form sends it: ASCII digits only and at most 18 of them (a '²' or a 5,000-digit string is
not an id, and must give 404 or a named error, never a 500)."""

import re

ID = re.compile(r"[0-9]{1,18}")


def is_id(value: str) -> bool:
    return ID.fullmatch(value) is not None
