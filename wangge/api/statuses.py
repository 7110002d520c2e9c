"""Every status an operation can answer, in the OpenAPI document, each error with its body's schema.

Handlers declare their successes and the refusals peculiar to them (a 403, a 409 with flags). The refusals
every operation shares are added here by rule, from what the layers in front of a handler do:

- 400: the body cannot be read (a NUL character, a broken multipart form, a bad Content-Length),
- 401: no session and no valid token; 429: too many unknown tokens from this address (accounts/lockout),
- 413: a body over WANGGE_MAX_REQUEST_MB, for operations that take one,
- 422: a parameter or body field that fails validation (schema or action), naming it, for operations that
  take any,
- 404: an object named in the path, the query or the body that does not exist or lies outside the
  caller's scope (the same answer for both), for operations that take any,
- 409: an action the state of things or the caller's role does not allow now, for operations that change
  something.
"""

from typing import Any

from ninja import Schema

ERROR = "Error"
VALIDATION = "ValidationErrors"
DESCRIPTIONS = {
    400: "请求无法读取（含NUL字符、表单或请求头损坏）",
    401: "未登录，或令牌无效",
    403: "角色不允许此操作",
    404: "对象不存在，或不在您的范围内",
    409: "当前状态或角色不允许此操作",
    413: "请求体过大",
    422: "参数或字段不合要求（指明字段）",
    429: "失败次数过多，请稍后再试",
}


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    found = {400, 401, 429}
    if "requestBody" in operation:
        found.add(413)
    if takes_input:
        found |= {404, 422}
    if method != "get":
        found.add(409)
    return found


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (ninja's OpenAPI document) with the shared refusals added to every operation and every
    error answer described by its body's schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Error, FieldError, ValidationErrors):
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        body.pop("$defs", None)
        components[model.__name__] = body
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            # ninja keys responses by int; the JSON document writes them as strings either way
            responses = {int(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status in _statuses(method, operation) | {s for s in responses if s >= 400}:
                answer = responses.setdefault(status, {})
                answer["description"] = DESCRIPTIONS.get(status, answer.get("description", ""))
                body = _ref(VALIDATION if status == 422 else ERROR)
                answer["content"] = {"application/json": {"schema": body}}
    return schema
