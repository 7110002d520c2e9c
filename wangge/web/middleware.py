"""Requests refused before they are read: bodies over the size limit (413), an API query parameter given
twice (422), and NUL characters in any input (400) before they reach the database: PostgreSQL cannot store
them in text and would answer with a server error (Schemathesis found this through the API)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestSizeMiddleware:
    """A body larger than MAX_REQUEST_BYTES is refused by its Content-Length, before a byte of it is read
    (Django's own limit leaves out uploaded files, and the photo limit applies only once a photo has
    been read). Six 5 MB photos or five 10 MB attachments fit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, "请求头Content-Length无效", 400)
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return _refuse(request, f"提交的内容超过{limit}MB，请减少照片或附件后重试", 413)
        return self.get_response(request)


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
    if b"\x00" in body:
        return True
    if content_type.startswith("application/x-www-form-urlencoded"):
        return b"%00" in body
    return b"\\u0000" in body  # JSON's escape (a "%00" in JSON is three characters of text)


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # Every API query parameter is one value; Django would quietly keep the last of several.
            repeated = sorted(k for k, values in request.GET.lists() if len(values) > 1)
            if repeated:
                error = {"loc": ["query", repeated[0]], "msg": "参数只能给一次", "type": "value_error"}
                return JsonResponse({"detail": [error]}, status=422)
        try:
            if _has_nul(request):
                return _refuse(request, MESSAGE, 400)
        except MultiPartParserError:
            return _refuse(request, "提交的表单格式无效（multipart 缺少或损坏的 boundary）", 400)
        return self.get_response(request)
