from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from wangge.api.auth import AUTH
from wangge.api.deliberation import router as deliberation_router
from wangge.api.directives import router as directives_router
from wangge.api.directory import router as directory_router
from wangge.api.lists import router as lists_router
from wangge.api.notices import router as notices_router
from wangge.api.party import router as party_router
from wangge.api.points import router as points_router
from wangge.api.screen import router as screen_router
from wangge.api.statuses import document_errors
from wangge.api.supplies import router as supplies_router
from wangge.api.tickets import router as tickets_router
from wangge.api.views import router
from wangge.api.visits import router as visits_router
from wangge.api.volunteering import router as volunteering_router
from wangge.api.wishes import router as wishes_router
from wangge.directives.admission import AdmissionFlagged
from wangge.people.registry import RegistryError
from wangge.tickets.actions import TicketInputError, WorkflowError


class WanggeAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Every operation's refusals documented with their bodies (api/statuses.py)."""
        return document_errors(super().get_openapi_schema(**kwargs))


api = WanggeAPI(
    title="Wangge API",
    version="1",
    description=(
        "网格化基层治理平台 Wangge 的接口。会话登录（页面）或 `Authorization: Bearer TOKEN`（集成）。"
    ),
    auth=AUTH,
    urls_namespace="api",
)
api.add_router("", router)
api.add_router("", tickets_router)
api.add_router("", visits_router)
api.add_router("", supplies_router)
api.add_router("", directives_router)
api.add_router("", directory_router)
api.add_router("", screen_router)
api.add_router("", points_router)
api.add_router("", wishes_router)
api.add_router("", volunteering_router)
api.add_router("", lists_router)
api.add_router("", party_router)
api.add_router("", deliberation_router)
api.add_router("", notices_router)


@api.exception_handler(TicketInputError)
def bad_input(request: HttpRequest, exc: TicketInputError) -> HttpResponse:
    """Bad input that only an action can see (an unknown unit, a missing verdict): 422 naming the field,
    in the same shape as schema validation errors."""
    return api.create_response(
        request,
        {"detail": [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]},
        status=422,
    )


@api.exception_handler(WorkflowError)
def not_allowed(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
    """The action is not allowed in the ticket's state or for this user's role."""
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AdmissionFlagged)
def admission_flagged(request: HttpRequest, exc: AdmissionFlagged) -> HttpResponse:
    """社区事务准入: 409 with each flag, so the caller can show them and confirm."""
    return api.create_response(
        request, {"detail": str(exc), "flags": [f.as_json() for f in exc.flags]}, status=409
    )


@api.exception_handler(RegistryError)
def bad_registry_input(request: HttpRequest, exc: RegistryError) -> HttpResponse:
    """Registry input an action refused: 422 naming each field."""
    return api.create_response(
        request,
        {"detail": [{"loc": ["body", k], "msg": v, "type": "value_error"} for k, v in exc.errors.items()]},
        status=422,
    )
