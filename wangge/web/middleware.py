"""Refuse NUL characters in any input with a 400 before they reach the database: PostgreSQL cannot store
them in text and would answer with a server error (Schemathesis found this through the API)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

MESSAGE = "输入中含有不允许的空字符（NUL）"


def _has_nul(request: HttpRequest) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "").lower() or "\x00" in request.path:
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data"):  # files may hold NUL bytes; only fields matter
        return any("\x00" in v for values in request.POST.lists() for v in values[1])
    body = request.body
    return b"\x00" in body or b"\\u0000" in body.lower() or b"%00" in body.lower()


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
