"""Supplies (F9): stock, a distribution's list by rule, one item per person (also under concurrent
deliveries), the stock moving once per delivery, progress per grid, and who may do what."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import Resident
from wangge.supplies.actions import Rule, do_create_distribution, do_deliver, do_stock_in
from wangge.supplies.models import Delivery, Distribution, Entitlement, Item, Stock, StockEntry
from wangge.supplies.selectors import progress_by_grid


def _kits(actor, quantity: int = 500) -> Stock:  # type: ignore[no-untyped-def]
    item, _ = Item.objects.get_or_create(name="健康包", defaults={"unit": "份"})
    return do_stock_in(area=Area.objects.get(code=DEMO_COMMUNITY), item=item, quantity=quantity, actor=actor)


def _over_sixties(stock: Stock, community) -> Distribution:  # type: ignore[no-untyped-def]
    """A health kit for everyone 60 and over in the demo community."""
    return do_create_distribution(
        title="健康包",
        area=Area.objects.get(code=DEMO_COMMUNITY),
        stock=stock,
        rule=Rule(min_age=60),
        actor=community,
    )


def _age(r: Resident, today: dt.date) -> int:
    return r.age(today)


@pytest.mark.django_db
def test_the_list_is_everyone_the_rule_picks_and_nobody_else(actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    stock = _kits(community)
    area = Area.objects.get(code=DEMO_COMMUNITY)
    today = timezone.localdate()
    plan = do_create_distribution(
        title="80岁以上老人健康包", area=area, stock=stock, rule=Rule(min_age=80), actor=community
    )
    everyone = Resident.objects.filter(household__area__code__startswith=DEMO_COMMUNITY)
    expected = {r.pk for r in everyone if _age(r, today) >= 80}
    assert expected and set(plan.entitlements.values_list("resident_id", flat=True)) == expected
    assert plan.rule_text == "80周岁及以上"

    tags = do_create_distribution(
        title="低保特困户米面油",
        area=area,
        stock=stock,
        rule=Rule(care_tags=["dibao", "tekun"]),
        actor=community,
    )
    tagged = set(everyone.filter(care_tags__code__in=["dibao", "tekun"]).values_list("pk", flat=True))
    assert set(tags.entitlements.values_list("resident_id", flat=True)) == tagged
    assert tags.entitlements.count() == len(tagged)  # one row each, even with both tags

    picked = list(everyone.order_by("id").values_list("pk", flat=True)[:3])
    hand = do_create_distribution(
        title="退烧药", area=area, stock=stock, rule=Rule(resident_ids=picked), actor=community
    )
    assert sorted(hand.entitlements.values_list("resident_id", flat=True)) == sorted(picked)


@pytest.mark.django_db
def test_bad_plans_name_the_field(actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    stock = _kits(community)
    area = Area.objects.get(code=DEMO_COMMUNITY)
    outsider = Resident.objects.filter(household__area__code__startswith=OTHER_STREET).first()
    cases = [
        (dict(title=" ", rule=Rule(min_age=80)), "title"),
        (dict(title="x", rule=Rule()), "rule"),
        (dict(title="x", rule=Rule(min_age=130)), "min_age"),
        (dict(title="x", rule=Rule(care_tags=["rich"])), "care_tags"),
        (dict(title="x", rule=Rule(care_levels=["purple"])), "care_levels"),
        (dict(title="x", rule=Rule(resident_ids=[outsider.pk])), "resident_ids"),  # type: ignore[union-attr]
        (dict(title="x", rule=Rule(min_age=120)), "rule"),  # nobody is that old
    ]
    for kwargs, field in cases:
        with pytest.raises(InputError) as bad:
            do_create_distribution(area=area, stock=stock, actor=community, **kwargs)  # type: ignore[arg-type]
        assert bad.value.field == field, kwargs
    street_stock = do_stock_in(
        area=Area.objects.get(code=DEMO_STREET), item=stock.item, quantity=5, actor=actor("street")
    )
    with pytest.raises(InputError) as wrong:
        do_create_distribution(
            title="x",
            area=Area.objects.get(code=OTHER_STREET),
            stock=street_stock,
            rule=Rule(min_age=80),
            actor=actor("district"),
        )
    assert wrong.value.field == "stock"
    with pytest.raises(NotAllowed):
        do_create_distribution(
            title="x", area=area, stock=stock, rule=Rule(min_age=80), actor=actor("gridworker")
        )
    with pytest.raises(InputError) as short:
        do_stock_in(area=area, item=stock.item, quantity=-501, actor=community)
    assert short.value.field == "quantity" and Stock.objects.get(pk=stock.pk).quantity == 500


@pytest.mark.django_db
def test_each_person_once_and_the_stock_moves_once(actor) -> None:  # type: ignore[no-untyped-def]
    community, worker = actor("community"), actor("gridworker")
    stock = _kits(community, quantity=2)
    plan = _over_sixties(stock, community)
    in_grid = plan.entitlements.filter(area_code__startswith=DEMO_GRID).order_by("id")
    first, second, third = list(in_grid[:3])
    do_deliver(first, actor=worker)
    with pytest.raises(NotAllowed, match="由董银成发放"):
        do_deliver(first, actor=community)
    do_deliver(second, actor=worker, received_by="其子代领")
    with pytest.raises(NotAllowed, match="库存已用完"):
        do_deliver(third, actor=worker)
    assert Stock.objects.get(pk=stock.pk).quantity == 0
    assert Delivery.objects.filter(entitlement__distribution=plan).count() == 2
    assert StockEntry.objects.filter(stock=stock, delta=-1).count() == 2
    # Outside the worker's grid he cannot deliver; the progress counts per grid.
    elsewhere = plan.entitlements.exclude(area_code__startswith=DEMO_GRID).first()
    if elsewhere is not None:
        with pytest.raises(NotAllowed, match="不负责"):
            do_deliver(elsewhere, actor=worker)
    progress = {g.code: (n, done) for g, n, done in progress_by_grid(plan.entitlements.all(), plan.area)}
    assert progress[DEMO_GRID][1] == 2
    assert sum(n for n, _ in progress.values()) == plan.entitlements.count()


@pytest.mark.django_db(transaction=True)
def test_two_workers_recording_the_same_delivery_at_once(committed_city) -> None:  # type: ignore[no-untyped-def]
    from wangge.accounts.models import User

    community = User.objects.get(username="community")
    stock = _kits(community, quantity=100)
    plan = _over_sixties(stock, community)
    deliverers = [User.objects.get(username=n) for n in ("gridworker", "gridhead", "community", "volunteer")]
    targets = list(plan.entitlements.filter(area_code__startswith=DEMO_GRID).order_by("id")[:3])
    outcomes: list[str] = []
    lock = threading.Lock()
    for entitlement in targets:
        barrier = threading.Barrier(len(deliverers))

        def deliver(user: User, pk: int = entitlement.pk, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                do_deliver(
                    Entitlement.objects.select_related("distribution__stock", "resident").get(pk=pk),
                    actor=user,
                )
                result = "delivered"
            except NotAllowed as exc:
                result = str(exc)
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=deliver, args=(u,)) for u in deliverers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert outcomes.count("delivered") == len(targets), outcomes
    assert all(o == "delivered" or "发放" in o for o in outcomes), outcomes
    for entitlement in targets:
        assert Delivery.objects.filter(entitlement=entitlement).count() == 1
    assert Stock.objects.get(pk=stock.pk).quantity == 100 - len(targets)
    assert StockEntry.objects.filter(stock=stock, delta=-1).count() == len(targets)
