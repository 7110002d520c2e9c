"""Writes of the service directory: community, street and district staff keep their area's points."""

from django.db import transaction

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.areas.scoping import holds_over
from wangge.directory.models import ServiceKind, ServicePoint
from wangge.lib.errors import InputError, NotAllowed
from wangge.supplies.selectors import MANAGING_ROLES


@transaction.atomic
def do_add_service_point(
    *,
    area: Area,
    kind: str,
    name: str,
    phone: str,
    actor: User,
    address: str = "",
    hours: str = "",
    lat: float | None = None,
    lng: float | None = None,
    notes: str = "",
) -> ServicePoint:
    if not holds_over(actor, area.code, MANAGING_ROLES):  # the staff who keep an area's ledgers
        raise NotAllowed("只有社区、街道和区工作人员可以维护便民服务目录")
    if kind not in ServiceKind.values:
        raise InputError("kind", "请选择服务类别")
    name, phone = name.strip()[:100], phone.strip()[:30]
    if not name:
        raise InputError("name", "请填写名称")
    if not phone or not all(c.isdigit() or c in "-+ ()转" for c in phone):
        raise InputError("phone", "请填写联系电话")
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):  # type: ignore[operator]
        raise InputError("location", "位置坐标不完整或超出范围")
    return ServicePoint.objects.create(
        area=area,
        kind=kind,
        name=name,
        phone=phone,
        address=address.strip()[:200],
        hours=hours.strip()[:100],
        lat=lat,
        lng=lng,
        notes=notes.strip()[:200],
    )
