from ninja import NinjaAPI

from wangge.api.auth import AUTH
from wangge.api.views import router

api = NinjaAPI(
    title="Wangge API",
    version="1",
    description=(
        "网格化基层治理平台 Wangge 的接口。会话登录（页面）或 `Authorization: Bearer TOKEN`（集成）。"
    ),
    auth=AUTH,
    urls_namespace="api",
)
api.add_router("", router)
