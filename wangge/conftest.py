"""Shared fixtures: a small demo district built once per test session, and its named actors.

The fixed demo logins (district, street, community, gridhead, gridworker, unit, party, volunteer,
resident) all sit in street 001, community 001001 and grid 001001001 of district 210104; everything in
street 002 is outside the scope of every login but `district`.
"""

import io
import os
import shutil
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client
from PIL import Image

from wangge.accounts.actions import forget_tokens
from wangge.accounts.models import User
from wangge.areas.lookup import forget_index
from wangge.areas.models import Area, Unit
from wangge.demo.city import DEMO_USERNAMES, build_demo_city
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import Household, Resident
from wangge.routing.store import forget_routers
from wangge.routing.suggest import active_units
from wangge.tickets.actions import (
    NewTicket,
    categories_by_code,
    dispatcher_posts,
    do_accept,
    do_assign,
    do_claim,
    do_return,
    do_submit_ticket,
)
from wangge.tickets.categories import load_categories
from wangge.tickets.models import Category, Ticket
from wangge.tickets.queries import unit_posts
from wangge.tickets.sla import calendar_table, sla_table

TEST_HOUSEHOLDS = 600
TEST_SEED = 7
DEMO_GRID = "210104001001001"
DEMO_COMMUNITY = "210104001001"
DEMO_STREET = "210104001"
OTHER_STREET = "210104002"
LOGINS = DEMO_USERNAMES


def full_numbers(area_code: str) -> set[str]:
    """Every full ID and phone number of the residents under an area: none may appear on a masked page."""
    numbers = set()
    for r in Resident.objects.filter(household__area__code__startswith=area_code):
        numbers |= {r.id_number, r.phone} - {""}
    return numbers


def shows_any(body: str, numbers: set[str]) -> list[str]:
    return [n for n in numbers if n in body]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        build_demo_city(households=TEST_HOUSEHOLDS, seed=TEST_SEED)


@pytest.fixture
def actor(db):  # type: ignore[no-untyped-def]
    """actor("gridworker") -> that demo user."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_for(db):  # type: ignore[no-untyped-def]
    """client_for("gridworker") -> a test client logged in as that demo user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def outside_household(db) -> Household:  # type: ignore[no-untyped-def]
    """A household in street 002, outside every demo login's scope but `district`'s."""
    return Household.objects.filter(area__code__startswith=OTHER_STREET).order_by("id").first()  # type: ignore[return-value]


@pytest.fixture
def outside_resident(outside_household: Household) -> Resident:
    return outside_household.residents.order_by("id").first()  # type: ignore[return-value]


@pytest.fixture
def grid_resident(db) -> Resident:  # type: ignore[no-untyped-def]
    """A resident with a phone number in the demo grid (not one of the party member's households)."""
    resident = (
        Resident.objects.filter(household__area__code__startswith=DEMO_GRID)
        .exclude(phone_encrypted="")
        .exclude(household__party_contacts__membership__user__username="party")
        .order_by("id")
        .first()
    )
    assert resident is not None
    return resident


def race(n: int, work: Callable[[int], str]) -> list[str]:
    """Run `work(i)` for i in range(n) in n threads released together, each with its own database
    connection; what each returned, or the reason it was refused."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
        except (NotAllowed, InputError) as exc:
            result = f"refused: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def png_bytes(colour: tuple[int, int, int] = (200, 80, 60), size: int = 32) -> bytes:
    """A small real PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


def square(x0: float, y0: float, size: float) -> dict:
    """A GeoJSON square with its south-west corner at (x0, y0)."""
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]],
    }


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


def browser_required() -> bool:
    return os.getenv("WANGGE_REQUIRE_BROWSER", "0") == "1"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium through Playwright (never a downloaded browser); skipped without it, unless
    WANGGE_REQUIRE_BROWSER=1 makes that a failure."""
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail("chromium is required (WANGGE_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("no chromium: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def committed_city(transactional_db):  # type: ignore[no-untyped-def]
    """For transactional tests (threads, worker processes, the browser): the demo district, committed.

    Transactional tests run after all others and empty the database when they finish, so each one
    rebuilds the district when it is missing, and the category tree the migrations load with it."""
    if not Category.objects.exists():
        load_categories(Category)
    if not Area.objects.exists():
        build_demo_city(households=TEST_HOUSEHOLDS, seed=TEST_SEED)


@pytest.fixture
def new_ticket(db):  # type: ignore[no-untyped-def]
    """new_ticket(title=…, area_code=…, by=username, **NewTicket fields) -> a submitted ticket."""

    def make(
        title: str = "楼顶漏水",
        description: str = "下雨后顶楼卧室屋顶渗水",
        *,
        area_code: str = DEMO_GRID,
        by: str | None = "resident",
        channel: str = "h5",
        **extra: Any,
    ) -> Ticket:
        actor = User.objects.get(username=by) if by else None
        new = NewTicket(
            title=title,
            description=description,
            channel=channel,
            area=Area.objects.get(code=area_code),
            **extra,
        )
        return do_submit_ticket(new, actor=actor)

    return make


@pytest.fixture
def unit_that_served(new_ticket, actor):  # type: ignore[no-untyped-def]
    """-> 住建: assigned a ticket of the demo community beside the property company (which leads), it
    claimed the ticket and returned it."""
    ticket = new_ticket()
    community = actor("community")
    do_accept(ticket.pk, actor=community, kind="major")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    do_assign(ticket.pk, actor=community, units=[wy, zj])
    zj_staff = zj.memberships.all()[0].user
    do_claim(ticket.pk, actor=zj_staff)
    do_return(ticket.pk, actor=zj_staff, note="非本部门职责")
    return zj


@pytest.fixture(autouse=True)
def fresh_reference_tables():  # type: ignore[no-untyped-def]
    """The per-process copies of the SLA table, calendar, categories, dispatching and unit posts, active
    units, grid index and routers start empty in every test (a rolled-back test must not leave its rows
    behind in them), and so does the cache (the big screen keeps its registry and baselines there)."""
    tables = (categories_by_code, sla_table, calendar_table, dispatcher_posts, unit_posts, active_units)
    for table in tables:
        table.forget()
    forget_index()
    forget_routers()
    forget_tokens()
    cache.clear()
    yield
    for table in tables:
        table.forget()
    forget_index()
    forget_routers()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded photos go to a temporary directory, not the demo's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
