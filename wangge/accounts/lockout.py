"""Login throttling with django-axes: every failed password and every unknown API token is recorded
(axes' AccessAttempt and AccessFailureLog tables, in the database that every app server shares).

- A password login locks after LOGIN_FAILURES failures of one user name from one address, for COOL_OFF;
  a wrong guess from elsewhere does not lock the grid worker out of their phone.
  COOL_OFF is settings.AXES_COOLOFF_TIME (WANGGE_LOCKOUT_MINUTES, 15 by default).
- A bearer token locks its address after TOKEN_FAILURES unknown tokens: there is no user name to go by,
  and a client that tries many tokens is guessing.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOGIN_FAILURES = 5
TOKEN_FAILURES = 20
TOKEN = "api_token"  # the credentials key under which a bearer token's failure is recorded


def _is_token(credentials: dict | None) -> bool:
    return bool(credentials) and TOKEN in credentials  # type: ignore[operator]


def lockout_parameters(request: object, credentials: dict | None = None) -> list:
    return ["ip_address"] if _is_token(credentials) else [["username", "ip_address"]]


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    return TOKEN_FAILURES if _is_token(credentials) else LOGIN_FAILURES


def client_ip(request: HttpRequest) -> str:
    """The browser's address: behind our one proxy, the last address of X-Forwarded-For (the one the
    proxy added; those before it are whatever the client claimed); otherwise the connection's."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def locked_response(
    request: HttpRequest, original: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"失败次数过多，请{minutes}分钟后再试"}, status=429)
    return render(request, "web/locked.html", {"minutes": minutes}, status=429)
