"""The bench's bare endpoint: a Django view that inserts one row and nothing else (no auth, no checks),
served beside the real URLs so that both run on the same server and database in the same run."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from wangge.notify.models import Notification
from wangge.urls import urlpatterns as real_urls


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    row = Notification.objects.create(user_id=int(request.GET.get("user", "1")), text="bench")
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path("bench/insert/", bare_insert), *real_urls]
