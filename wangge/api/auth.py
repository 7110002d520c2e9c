from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from wangge.accounts.actions import holder_of_token
from wangge.accounts.lockout import TOKEN
from wangge.accounts.models import User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN` with a token from `manage.py issue_token USERNAME [--channel C]`.
    An unknown token is recorded as a failed login (accounts/lockout.py); an address that sent too many
    answers 429 until its cool-off ends, whatever token it sends."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        credentials = {TOKEN: token[:8]}
        if AxesProxyHandler.is_locked(request, credentials):
            raise HttpError(429, "失败次数过多，请稍后再试")
        holder = holder_of_token(token)
        if holder is None:
            user_login_failed.send(sender=TokenAuth, credentials=credentials, request=request)
            return None
        request.user = holder.user
        request._wangge_token_channel = holder.channel  # type: ignore[attr-defined]
        return holder.user


def granted_channel(request: HttpRequest) -> str:
    """The channel the request's integration token is granted; "" for a session or a person's token."""
    return getattr(request, "_wangge_token_channel", "")


AUTH = [TokenAuth(), django_auth]
