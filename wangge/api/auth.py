from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from wangge.accounts.actions import holder_of_token
from wangge.accounts.models import User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN` with a token from `manage.py issue_token USERNAME [--channel C]`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        holder = holder_of_token(token)
        if holder is None:
            return None
        request.user = holder.user
        request._wangge_token_channel = holder.channel  # type: ignore[attr-defined]
        return holder.user


def granted_channel(request: HttpRequest) -> str:
    """The channel the request's integration token is granted; "" for a session or a person's token."""
    return getattr(request, "_wangge_token_channel", "")


AUTH = [TokenAuth(), django_auth]
