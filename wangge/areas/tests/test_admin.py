import json

from django.test import Client

from wangge.accounts.models import User
from wangge.areas.lookup import locate
from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.people.models import Resident


def test_admin_pages_open_and_mask_personal_numbers(db) -> None:  # type: ignore[no-untyped-def]
    admin = User.objects.create_superuser("setup", password="x")
    client = Client()
    client.force_login(admin)
    for url in (
        "/admin/areas/area/",
        "/admin/areas/unit/",
        "/admin/areas/membership/",
        "/admin/people/resident/",
        "/admin/people/caretag/",
        "/admin/people/registrychange/",
        "/admin/people/personaldataaccess/",
    ):
        assert client.get(url).status_code == 200, url
    resident = Resident.objects.exclude(phone_encrypted="").first()
    page = client.get(f"/admin/people/resident/{resident.pk}/change/").content.decode()  # type: ignore[union-attr]
    assert resident.masked_id_number in page and resident.id_number not in page  # type: ignore[union-attr]
    assert resident.phone not in page  # type: ignore[union-attr]


def test_admin_polygon_change_rebuilds_the_lookup(db) -> None:  # type: ignore[no-untyped-def]
    admin = User.objects.create_superuser("setup", password="x")
    client = Client()
    client.force_login(admin)
    grid = Area.objects.get(code=f"{DEMO_GRID[:-3]}003")
    square = {
        "type": "Polygon",
        "coordinates": [[[100, 10], [100.1, 10], [100.1, 10.1], [100, 10.1], [100, 10]]],
    }
    response = client.post(
        f"/admin/areas/area/{grid.pk}/change/",
        {
            "code": grid.code,
            "name": grid.name,
            "level": grid.level,
            "parent": grid.parent_id,
            "grid_kind": grid.grid_kind,
            "duties": json.dumps(grid.duties),
            "boundary": json.dumps(square),
            "lat": "",
            "lng": "",
        },
    )
    assert response.status_code == 302
    found = locate(10.05, 100.05)
    assert found is not None and found.grid.code == grid.code
