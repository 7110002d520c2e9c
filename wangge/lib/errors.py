"""The two refusals every action may answer with, whatever the app: bad input naming the field (API
422, a form error on pages) and "not allowed now or not for you" with the reason (API 409)."""


class InputError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


class NotAllowed(Exception):
    """The reason is in Chinese, for the person who tried."""
