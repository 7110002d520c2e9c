"""Photos over the API, sent after the JSON record they belong to: a visit's, a directive report's, a
delivery's proof. Only the person who made the record adds them; what is not an image is refused."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from wangge.areas.models import Area, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET
from wangge.directives.actions import NewDirective, do_send_directive
from wangge.people.models import Household
from wangge.supplies.actions import Rule, do_create_distribution, do_stock_in_named
from wangge.web.tests.test_ticket_pages import photo


@pytest.mark.django_db
def test_visit_photos(client_for) -> None:  # type: ignore[no-untyped-def]
    household = Household.objects.filter(area__code__startswith=DEMO_GRID).order_by("id").first()
    assert household is not None
    worker = client_for("gridworker")
    visit = worker.post(
        "/api/v1/visits",
        json.dumps({"household": household.pk, "findings": "老人身体状况稳定"}),
        content_type="application/json",
    ).json()
    url = f"/api/v1/visits/{visit['id']}/photos"
    added = worker.post(url, {"photos": [photo("a.png"), photo("b.png")]})
    assert added.status_code == 200 and added.json()["photos"] == 2
    assert worker.post(url, {"photos": [photo("x.png", b"not an image")]}).status_code == 422
    assert worker.post(url, {"photos": [photo(f"{i}.png") for i in range(5)]}).status_code == 422  # 7 > 6
    assert client_for("gridhead").post(url, {"photos": [photo()]}).status_code == 409  # not his visit
    assert client_for("unit").post(url, {"photos": [photo()]}).status_code == 404


@pytest.mark.django_db
def test_report_photos(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    directive = do_send_directive(
        NewDirective(
            title="排查",
            body="入户走访",
            area_codes=[DEMO_STREET],
            roles=[Role.GRID_WORKER],
            deadline=timezone.now() + dt.timedelta(hours=3),
        ),
        actor=actor("street"),
    )
    receipt = directive.receipts.get(user__username="gridworker")
    url = f"/api/v1/receipts/{receipt.pk}/photos"
    added = client_for("gridworker").post(url, {"photos": [photo()]})
    assert added.status_code == 200 and added.json()["photos"] == 1
    assert client_for("gridhead").post(url, {"photos": [photo()]}).status_code == 404  # someone else's


@pytest.mark.django_db
def test_delivery_photo(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    area = Area.objects.get(code=DEMO_COMMUNITY)
    stock = do_stock_in_named(area=area, name="健康包", quantity=200, actor=community)
    plan = do_create_distribution(
        title="高龄健康包", area=area, stock=stock, rule=Rule(min_age=80), actor=community
    )
    entitlement = plan.entitlements.filter(area_code__startswith=DEMO_GRID).first()
    assert entitlement is not None
    worker = client_for("gridworker")
    url = f"/api/v1/supplies/distributions/{plan.pk}/deliveries/{entitlement.pk}/photo"
    assert worker.post(url, {"photo": photo()}).status_code == 404  # not delivered yet
    worker.post(
        f"/api/v1/supplies/distributions/{plan.pk}/deliveries",
        json.dumps({"entitlement": entitlement.pk}),
        content_type="application/json",
    )
    assert client_for("gridhead").post(url, {"photo": photo()}).status_code == 409  # he did not hand it over
    assert worker.post(url, {"photo": photo("p.png", b"GIF? no")}).status_code == 422
    assert worker.post(url, {"photo": photo()}).status_code == 200
    assert worker.post(url, {"photo": photo()}).status_code == 409  # it has one
