"""智能分拨 in the loop: trained on closed demo tickets, suggesting and dispatching at intake, retrained only
when the new model is no worse."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wangge.accounts.models import User
from wangge.areas.models import Membership, Role
from wangge.conftest import DEMO_GRID
from wangge.demo.tickets import build_demo_tickets
from wangge.notify.models import Notification, OutboundMessage
from wangge.routing.actions import (
    do_train_router,
    do_train_routers,
    retrain_due,
    retrain_if_due,
    training_examples,
)
from wangge.routing.models import RouterModel, Target
from wangge.routing.store import active_router
from wangge.stats.models import DayRollup
from wangge.tickets.models import Assignment, Category, Kind, Status, Ticket

COUNTED = ("submitted", "accepted", "assigned")
LIGHT = ("楼道灯不亮", "3号楼楼道灯坏了一个多星期，晚上老人上下楼不安全")


@pytest.fixture
def trained(db):  # type: ignore[no-untyped-def]
    build_demo_tickets(count=3000, seed=11)
    return {m.target: m for m in do_train_routers()}


def test_trains_both_routers_on_closed_tickets(trained):
    assert set(trained) == {Target.CATEGORY, Target.UNIT}
    closed = Ticket.objects.filter(status=Status.CLOSED)
    for target, model in trained.items():
        assert model.active and model.blob and model.previous_accuracy is None
        assert model.examples + model.held_back == len(training_examples(target))
        assert model.accuracy > 0.8, model.note
    assert trained[Target.CATEGORY].examples + trained[Target.CATEGORY].held_back == closed.count()
    active = active_router(Target.CATEGORY)
    assert active is not None and active[0] == trained[Target.CATEGORY].pk


def test_intake_takes_the_suggested_category_and_keeps_why(trained, new_ticket, settings):
    settings.ROUTER_DISPATCH_THRESHOLD = 1.1  # suggest only
    ticket = new_ticket(*LIGHT, by="community", channel="staff")
    assert ticket.category.name == "楼道照明"
    assert ticket.status == Status.NEW
    top = ticket.routing["category"]["top"]
    assert top[0][0] == ticket.category.code and top[0][1] >= settings.ROUTER_CATEGORY_THRESHOLD
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
    assert ticket.routing["category"]["model"] == trained[Target.CATEGORY].pk
    assert ticket.routing["unit"]["top"], "a unit is suggested too"


def test_a_chosen_category_wins_and_a_low_confidence_one_is_left_to_people(trained, new_ticket, settings):
    settings.ROUTER_DISPATCH_THRESHOLD = 1.1
    chosen = Category.objects.filter(children=None).exclude(name="楼道照明").first()
    assert new_ticket(*LIGHT, by="community", channel="staff", category=chosen).category == chosen
    settings.ROUTER_CATEGORY_THRESHOLD = 1.1
    left = new_ticket(*LIGHT, by="community", channel="staff")
    assert left.category is None and left.routing["category"]["top"][0][1] > 0


def test_a_sure_unit_is_dispatched_by_the_system(trained, new_ticket, settings, client_for):
    settings.ROUTER_DISPATCH_THRESHOLD = 0.0  # every suggestion is sure enough
    today = DayRollup.objects.filter(area_code=DEMO_GRID, day=timezone.localdate())
    before = today.values(*COUNTED).first() or dict.fromkeys(COUNTED, 0)
    ticket = new_ticket(*LIGHT, by="community", channel="staff", contact_phone="13800000000")
    unit_code = ticket.routing["unit"]["top"][0][0]
    assert ticket.status == Status.ASSIGNED and ticket.lead_unit.code == unit_code
    ticket.refresh_from_db()  # as saved, not only as returned
    assert (ticket.status, ticket.kind, ticket.lead_unit.code) == (Status.ASSIGNED, Kind.SMALL, unit_code)
    assert ticket.accepted_at and ticket.assigned_at and ticket.claim_deadline > ticket.assigned_at
    assert ticket.next_escalation_at == ticket.claim_deadline and ticket.remind_at < ticket.claim_deadline
    lead = Assignment.objects.get(ticket=ticket, active=True)
    assert (lead.unit.code, lead.lead, lead.claimed_at) == (unit_code, True, None)
    # The unit's staff are told to claim it; the dispatchers are not asked to accept it.
    staff = set(User.objects.filter(memberships__unit=ticket.lead_unit, memberships__active=True))
    told = Notification.objects.filter(ticket=ticket)
    assert staff and {n.user for n in told} == staff and all("派单给你" in n.text for n in told)
    # The caller hears 已受理, queued for the task worker in the same transaction.
    sms = OutboundMessage.objects.get(ticket=ticket)
    assert "已受理" in sms.text and sms.phone == "13800000000"
    assert DBTaskResult.objects.filter(args_kwargs__args=[sms.pk]).count() == 1
    after = today.values(*COUNTED).get()
    assert {k: after[k] - before[k] for k in COUNTED} == dict.fromkeys(COUNTED, 1)
    assert DEMO_GRID.startswith(ticket.lead_unit.area.code)  # only units serving the grid are guessed
    events = list(ticket.events.order_by("id").values_list("action", "actor_id", "note"))
    assert [(a, who) for a, who, _ in events] == [
        ("submit", ticket.submitted_by_id),
        ("accept", None),
        ("assign", None),
    ]
    assert "智能分拨" in events[2][2] and ticket.lead_unit.name in events[2][2]
    page = client_for("community").get(f"/tickets/{ticket.pk}/").content.decode()
    assert "智能分拨" in page and ticket.lead_unit.name in page and "%" in page


def test_dispatch_at_intake_sees_staff_and_units_changed_since(trained, new_ticket, settings):
    """Intake keeps the active units and the units' staff per process; a change saved here counts at once."""
    settings.ROUTER_DISPATCH_THRESHOLD = 0.0
    newcomer = User.objects.create_user("newcomer", password="x")
    first = new_ticket(*LIGHT, by="community", channel="staff")
    unit = first.lead_unit
    Membership.objects.create(user=newcomer, role=Role.UNIT_STAFF, unit=unit)
    second = new_ticket(*LIGHT, by="community", channel="staff")
    assert second.lead_unit == unit
    assert Notification.objects.filter(ticket=second, user=newcomer).exists()
    assert not Notification.objects.filter(ticket=first, user=newcomer).exists()
    unit.active = False
    unit.save()
    third = new_ticket(*LIGHT, by="community", channel="staff")
    assert third.lead_unit != unit  # another unit serving the grid, or none
    assert unit.code not in [code for code, _ in third.routing["unit"]["top"]]


def test_no_router_no_guess(db, new_ticket):
    ticket = new_ticket(*LIGHT, by="community", channel="staff")
    assert ticket.category is None and ticket.routing == {} and ticket.status == Status.NEW


def test_a_worse_model_is_refused_and_a_no_worse_one_replaces(trained):
    first = trained[Target.CATEGORY]
    again = do_train_router(Target.CATEGORY)
    assert again.active and again.previous_accuracy == pytest.approx(first.accuracy, abs=0.05)
    first.refresh_from_db()
    assert not first.active and first.blob is None
    # Scramble the categories of all but the newest closed tickets: a router learnt from them is worse
    # on the newest, which the active router routes well, so it must not replace it.
    closed = list(Ticket.objects.filter(status=Status.CLOSED).order_by("closed_at", "id"))
    newest = int(len(closed) * 0.15)
    leaves = list(Category.objects.filter(children=None).values_list("pk", flat=True))
    rng = random.Random(1)
    for t in closed[:-newest]:
        t.category_id = rng.choice(leaves)
    Ticket.objects.bulk_update(closed[:-newest], ["category"])
    refused = do_train_router(Target.CATEGORY)
    assert not refused.active and refused.blob is None and "未启用" in refused.note
    assert refused.accuracy < refused.previous_accuracy
    assert RouterModel.objects.get(target=Target.CATEGORY, active=True).pk == again.pk


def test_retraining_is_due_by_the_hours(trained, settings):
    now = timezone.now()
    settings.ROUTER_RETRAIN_HOURS = 24
    assert not retrain_due(now)
    assert retrain_due(now + dt.timedelta(hours=25))
    settings.ROUTER_RETRAIN_HOURS = 0
    assert not retrain_due(now + dt.timedelta(days=400))


def test_the_worker_step_trains_when_due(db, settings):
    build_demo_tickets(count=1500, seed=12)
    settings.ROUTER_RETRAIN_HOURS = 24
    assert {m.target for m in retrain_if_due()} == {Target.CATEGORY, Target.UNIT}
    assert RouterModel.objects.filter(active=True).count() == 2
    assert retrain_if_due() == []  # not due again within the day
    assert len(retrain_if_due(timezone.now() + dt.timedelta(hours=24))) == 2


def test_train_routers_command_says_when_there_is_nothing_to_learn(db):
    out = io.StringIO()
    call_command("train_routers", stdout=out)
    assert "没有足够" in out.getvalue() and not RouterModel.objects.exists()
