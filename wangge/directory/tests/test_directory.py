"""便民服务 (F14): the points serving a place, the nearest of each kind to a household, the printable
handbook with the community's contacts, adding points, and who sees what."""

import json

import pytest

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.directory.actions import do_add_service_point
from wangge.directory.models import ServiceKind, ServicePoint
from wangge.directory.selectors import nearest_by_kind, point_of, serving
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.geo import metres
from wangge.people.models import Household


@pytest.mark.django_db
def test_the_nearest_of_each_kind_to_a_household(actor) -> None:  # type: ignore[no-untyped-def]
    household = Household.objects.filter(area__code__startswith=DEMO_GRID).order_by("id").first()
    assert household is not None
    home = point_of(household)
    assert home is not None
    nearby = nearest_by_kind(household.area.code, home)
    kinds = [n.point.kind for n in nearby]
    assert len(kinds) == len(set(kinds))  # one of each kind
    assert {ServiceKind.PHARMACY, ServiceKind.FEVER_CLINIC, ServiceKind.LEGAL_AID} <= set(kinds)
    candidates = list(serving(household.area.code))
    for n in nearby:
        same = [p for p in candidates if p.kind == n.point.kind and p.lat is not None]
        best = min(metres(home[0], home[1], p.lat, p.lng) for p in same)  # type: ignore[arg-type]
        assert n.distance_m == pytest.approx(best)
    # A closer pharmacy added next door becomes the one shown.
    community = Area.objects.get(code=DEMO_COMMUNITY)
    close = do_add_service_point(
        area=community,
        kind=ServiceKind.PHARMACY,
        name="楼下药店",
        phone="024-12345678",
        lat=home[0] + 0.0001,
        lng=home[1],
        actor=actor("community"),
    )
    pharmacy = next(
        n for n in nearest_by_kind(household.area.code, home) if n.point.kind == ServiceKind.PHARMACY
    )
    assert pharmacy.point == close and pharmacy.distance_m is not None and pharmacy.distance_m < 20
    # Points of other streets' communities never serve this household.
    assert not any(p.area.code.startswith(OTHER_STREET) for p in candidates)


@pytest.mark.django_db
def test_adding_points_names_bad_fields_and_needs_staff(actor) -> None:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    before = ServicePoint.objects.count()
    for change, field_name in [
        ({"kind": "spa"}, "kind"),
        ({"name": " "}, "name"),
        ({"phone": "打我"}, "phone"),
        ({"lat": 41.8}, "location"),
    ]:
        fields = {"kind": ServiceKind.CANTEEN, "name": "助餐点", "phone": "024-1"} | change
        with pytest.raises(InputError) as refused:
            do_add_service_point(area=community, actor=actor("community"), **fields)  # type: ignore[arg-type]
        assert refused.value.field == field_name
    with pytest.raises(NotAllowed):
        do_add_service_point(area=community, kind="canteen", name="x", phone="1", actor=actor("gridworker"))
    assert ServicePoint.objects.count() == before


@pytest.mark.django_db
def test_pages_handbook_and_api(client_for) -> None:  # type: ignore[no-untyped-def]
    community = client_for("community")
    page = community.get(f"/areas/{DEMO_COMMUNITY}/services/")
    assert page.status_code == 200 and "新增服务点" in page.content.decode()
    added = community.post(
        f"/areas/{DEMO_COMMUNITY}/services/",
        {"kind": "legal_aid", "name": "社区律师值班室", "phone": "024-66667777", "hours": "每周三下午"},
    )
    assert added.status_code == 302 and ServicePoint.objects.filter(name="社区律师值班室").exists()
    bad = community.post(
        f"/areas/{DEMO_COMMUNITY}/services/", {"kind": "legal_aid", "name": "", "phone": "1"}
    )
    assert bad.status_code == 422 and "请填写名称" in bad.content.decode()

    book = client_for("gridworker").get(f"/areas/{DEMO_GRID}/handbook/").content.decode()
    for part in (
        "便民服务手册",
        "发热门诊",
        "疫苗接种点",
        "法律援助",
        "家庭医生",
        "社区律师值班室",
        "社区对接服务联系表",
        "董银成",
    ):
        assert part in book, part
    assert client_for("street").get(f"/areas/{DEMO_STREET}/handbook/").status_code == 404  # per community

    household = Household.objects.filter(area__code__startswith=DEMO_GRID).order_by("id").first()
    assert household is not None
    assert "附近便民服务" in client_for("gridworker").get(f"/households/{household.pk}/").content.decode()
    h5 = client_for("resident").get("/h5/services/").content.decode()
    assert 'data-testid="nearby"' in h5 and "幸福大药房" in h5
    assert client_for("gridworker").get("/h5/services/").status_code == 404

    api = client_for("gridworker")
    near = api.get(f"/api/v1/service-points/near?household={household.pk}").json()
    assert len({p["kind"] for p in near}) == len(near) and all("distance_m" in p for p in near)
    listed = api.get(f"/api/v1/service-points?area={DEMO_GRID}&kind=fever_clinic").json()
    assert listed and {p["kind"] for p in listed} == {"fever_clinic"}
    assert api.get("/api/v1/service-points/near").status_code == 422
    assert api.get(f"/api/v1/service-points?area={OTHER_STREET}").status_code == 404
    outside = Household.objects.filter(area__code__startswith=OTHER_STREET).first()
    assert outside is not None
    assert api.get(f"/api/v1/service-points/near?household={outside.pk}").status_code == 404
    created = client_for("street").post(
        "/api/v1/service-points",
        json.dumps({"area": DEMO_STREET, "kind": "vaccination", "name": "临时接种点", "phone": "024-1234"}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["area"] == DEMO_STREET
    refused = api.post(
        "/api/v1/service-points",
        json.dumps({"area": DEMO_GRID, "kind": "canteen", "name": "x", "phone": "1"}),
        content_type="application/json",
    )
    assert refused.status_code == 409
