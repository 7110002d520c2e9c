"""The supplies pages: stock in, plan by rule, hand over from the list, progress; scope and bad input."""

import pytest

from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET
from wangge.supplies.models import Delivery, Distribution, Item, Stock

pytestmark = pytest.mark.django_db


def test_community_stocks_plans_and_the_grid_worker_hands_over(client_for) -> None:  # type: ignore[no-untyped-def]
    community = client_for("community")
    url = f"/supplies/{DEMO_COMMUNITY}/"
    assert (
        community.post(
            url, {"form": "stock", "item": "健康包", "unit": "份", "quantity": "300", "low_mark": "20"}
        ).status_code
        == 302
    )
    stock = Stock.objects.get(item__name="健康包", area__code=DEMO_COMMUNITY)
    response = community.post(
        url, {"form": "plan", "title": "80岁以上老人健康包", "stock": stock.pk, "min_age": "80"}
    )
    assert response.status_code == 302
    plan = Distribution.objects.get(title="80岁以上老人健康包")
    worker = client_for("gridworker")
    page = worker.get(f"/distributions/{plan.pk}/").content.decode()
    mine = plan.entitlements.filter(area_code__startswith=DEMO_GRID)
    assert mine.exists() and "确认发放" in page
    first = mine.order_by("id").first()
    assert (
        worker.post(f"/distributions/{plan.pk}/deliver/{first.pk}/", {"received_by": ""}).status_code == 302
    )  # type: ignore[union-attr]
    again = community.post(f"/distributions/{plan.pk}/deliver/{first.pk}/", {})  # type: ignore[union-attr]
    assert again.status_code == 409 and "由董银成发放" in again.content.decode()
    assert Delivery.objects.filter(entitlement__distribution=plan).count() == 1
    assert Stock.objects.get(pk=stock.pk).quantity == 299
    overview = community.get(url).content.decode()
    assert "80岁以上老人健康包" in overview and f"1/{plan.entitlements.count()}" in overview


def test_bad_input_and_scope(client_for) -> None:  # type: ignore[no-untyped-def]
    community = client_for("community")
    url = f"/supplies/{DEMO_COMMUNITY}/"
    for form, message in [
        ({"form": "stock", "item": "", "quantity": "3"}, "请填写物资名称"),
        ({"form": "stock", "item": "口罩", "quantity": "many"}, "请填写整数"),
        ({"form": "stock", "item": "口罩", "quantity": "0"}, "数量应为非零整数"),
        ({"form": "plan", "title": "x", "stock": "999999"}, "请选择出库的库存"),
    ]:
        response = community.post(url, form)
        assert response.status_code == 422 and message in response.content.decode(), form
    assert not Item.objects.filter(name="口罩").exists()  # nothing half-written by a refused stock-in
    assert (
        client_for("gridworker")
        .post(f"/supplies/{DEMO_GRID}/", {"form": "stock", "item": "口罩", "quantity": "3"})
        .status_code
        == 403
    )
    assert client_for("gridworker").get(url).status_code == 404  # the community page is above his scope
    assert client_for("community").get(f"/supplies/{OTHER_STREET}/").status_code == 404
    community.post(url, {"form": "stock", "item": "健康包", "quantity": "5"})
    stock = Stock.objects.get(item__name="健康包")
    community.post(url, {"form": "plan", "title": "健康包", "stock": stock.pk, "min_age": "60"})
    plan = Distribution.objects.get(title="健康包")
    assert client_for("unit").get(f"/distributions/{plan.pk}/").status_code == 404
    other = plan.entitlements.exclude(area_code__startswith=DEMO_GRID).first()
    assert other is not None
    assert client_for("gridworker").post(f"/distributions/{plan.pk}/deliver/{other.pk}/").status_code == 404


def test_the_api_plans_delivers_once_and_reports_progress(client_for) -> None:  # type: ignore[no-untyped-def]
    import json

    def post(client, url: str, body: dict):  # type: ignore[no-untyped-def]
        return client.post(url, json.dumps(body), content_type="application/json")

    community, worker = client_for("community"), client_for("gridworker")
    made = post(
        community, "/api/v1/supplies/stock", {"area": DEMO_COMMUNITY, "item": "退烧药", "quantity": 50}
    )
    assert made.status_code == 201 and made.json()["quantity"] == 50
    body = {
        "title": "慢性病居民退烧药",
        "area": DEMO_COMMUNITY,
        "stock": made.json()["id"],
        "min_age": 70,
    }
    plan = post(community, "/api/v1/supplies/distributions", body)
    assert plan.status_code == 201, plan.content
    pid = plan.json()["id"]
    rows = worker.get(f"/api/v1/supplies/distributions/{pid}/list?pending=true").json()
    assert rows["count"] >= 1
    first = rows["items"][0]["id"]
    done = post(worker, f"/api/v1/supplies/distributions/{pid}/deliveries", {"entitlement": first})
    assert done.status_code == 201 and done.json()["delivered_by"] == "董银成"
    twice = post(community, f"/api/v1/supplies/distributions/{pid}/deliveries", {"entitlement": first})
    assert twice.status_code == 409 and "董银成" in twice.json()["detail"]
    progress = worker.get(f"/api/v1/supplies/distributions/{pid}").json()
    assert progress["delivered"] == 1 and progress["grids"]
    assert all(g["code"].startswith(DEMO_GRID) for g in progress["grids"])
    bad = post(community, "/api/v1/supplies/distributions", {**body, "care_tags": ["rich"]})
    assert bad.status_code == 422 and "care_tags" in bad.content.decode()
    assert (
        post(worker, "/api/v1/supplies/stock", {"area": DEMO_GRID, "item": "x", "quantity": 1}).status_code
        == 403
    )
    assert client_for("unit").get(f"/api/v1/supplies/distributions/{pid}").status_code == 404
