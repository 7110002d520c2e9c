from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from wangge.accounts.actions import user_for_token
from wangge.accounts.models import User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN` with a token from `manage.py issue_token USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]
