"""The points ledger (F10, issue 21): every movement two entries summing to zero, a holder's balance
never below zero, rules paid once per thing and up to their monthly cap, awards approved by a second
person, reversals once, and a pickup code handed over once, also when actions race."""

import pytest
from django.db.models import Sum

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET, race
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import Household
from wangge.points import actions as p
from wangge.points.models import Account, Currency, Entry, Item, Redemption, Rule, RuleKey, Store, Transfer
from wangge.points.selectors import economy, history


def community() -> Area:
    return Area.objects.get(code=DEMO_COMMUNITY)


def balanced() -> None:
    """The ledger's invariants: all entries and each transfer's sum to zero, every balance is the sum of
    its entries, no holder below zero, and a holder's balance is what it earned less what it spent."""
    assert (Entry.objects.aggregate(n=Sum("amount"))["n"] or 0) == 0
    assert not Transfer.objects.annotate(s=Sum("entries__amount")).exclude(s=0).exists()
    for account in Account.objects.all():
        assert account.balance == (account.entries.aggregate(n=Sum("amount"))["n"] or 0), account
        if account.kind in ("person", "household"):
            assert account.balance >= 0 and account.balance == account.earned - account.spent, account


@pytest.fixture
def clean_rule(db) -> Rule:  # type: ignore[no-untyped-def]
    """城口's 清洁户: 10 points for a household found clean, at most 20 a month."""
    return Rule.objects.create(
        area=community(), key=RuleKey.CLEAN_HOUSEHOLD, name="清洁户评比", points=10, monthly_cap=20
    )


@pytest.fixture
def shop(db, actor) -> Item:  # type: ignore[no-untyped-def]
    store = Store.objects.create(area=community(), name="幸福社区积分超市")
    store.keepers.add(actor("volunteer"))
    return Item.objects.create(store=store, name="洗衣液", price=15, stock=2)


def test_a_rule_pays_once_per_thing_and_up_to_its_cap(clean_rule, actor) -> None:  # type: ignore[no-untyped-def]
    staff = actor("community")
    home = Household.objects.filter(area__code__startswith=DEMO_COMMUNITY).earliest("pk")
    account = p.household_account(home)
    first = p.do_award_by_rule(rule=clean_rule, account=account, ref="inspection:1", actor=staff)
    again = p.do_award_by_rule(rule=clean_rule, account=account, ref="inspection:1", actor=staff)
    assert first is not None and again == first  # the same inspection pays once
    p.do_award_by_rule(rule=clean_rule, account=account, ref="inspection:2", actor=staff, quantity=2)
    account.refresh_from_db()
    assert account.balance == 20  # 10, then 20 asked and only the 10 left under the cap paid
    assert p.do_award_by_rule(rule=clean_rule, account=account, ref="inspection:3", actor=staff) is None
    fund = p.fund_account(community())
    fund.refresh_from_db()
    assert fund.balance == -20  # the fund issued them
    balanced()


def test_only_the_areas_staff_award_and_only_inside_it(clean_rule, actor) -> None:  # type: ignore[no-untyped-def]
    home = Household.objects.filter(area__code__startswith=DEMO_COMMUNITY).earliest("pk")
    with pytest.raises(NotAllowed):
        p.do_award_by_rule(
            rule=clean_rule, account=p.household_account(home), ref="x", actor=actor("gridworker")
        )
    outside = Household.objects.filter(area__code__startswith=OTHER_STREET).earliest("pk")
    with pytest.raises(NotAllowed):
        p.do_award_by_rule(
            rule=clean_rule, account=p.household_account(outside), ref="x", actor=actor("community")
        )
    assert not Transfer.objects.exists()


def test_a_manual_award_is_paid_when_a_second_person_approves(db, actor) -> None:  # type: ignore[no-untyped-def]
    account = p.person_account(actor("volunteer"), community())
    with pytest.raises(InputError) as bad:
        p.do_propose_award(account=account, amount=50, reason="  ", actor=actor("community"))
    assert bad.value.field == "reason"
    award = p.do_propose_award(account=account, amount=50, reason="抗洪抢险突击队", actor=actor("community"))
    with pytest.raises(NotAllowed, match="提出人以外"):
        p.do_decide_award(award=award, approve=True, actor=actor("community"))
    account.refresh_from_db()
    assert account.balance == 0
    p.do_decide_award(award=award, approve=True, actor=actor("street"))
    with pytest.raises(NotAllowed, match="已审批"):
        p.do_decide_award(award=award, approve=True, actor=actor("district"))
    account.refresh_from_db()
    assert account.balance == 50 and account.earned == 50
    transfer = Transfer.objects.get(kind="award")
    assert transfer.approved_by == actor("street") and transfer.actor == actor("community")
    balanced()


def test_a_reversal_undoes_once_and_never_takes_spent_points(clean_rule, shop, actor) -> None:  # type: ignore[no-untyped-def]
    staff, volunteer = actor("community"), actor("volunteer")
    account = p.person_account(volunteer, community())
    paid = p.do_award_by_rule(rule=clean_rule, account=account, ref="a", actor=staff)
    assert paid is not None
    p.do_reverse(transfer=paid, reason="评比有误", actor=staff)
    with pytest.raises(NotAllowed, match="已冲正"):
        p.do_reverse(transfer=paid, reason="再来一次", actor=staff)
    account.refresh_from_db()
    assert account.balance == 0 and account.earned == 0
    # Earned again (the cap counts the reversed award out), then spent: that award cannot be reversed.
    second = p.do_award_by_rule(rule=clean_rule, account=account, ref="b", actor=staff, quantity=2)
    assert second is not None and second.amount == 20
    p.do_redeem(item=shop, account=account, actor=volunteer)
    with pytest.raises(NotAllowed, match="余额不足"):
        p.do_reverse(transfer=second, reason="评比有误", actor=staff)
    account.refresh_from_db()
    assert account.balance == 5 and account.earned == 20 and account.spent == 15
    balanced()


def test_redeem_hand_over_once_and_cancel(clean_rule, shop, actor) -> None:  # type: ignore[no-untyped-def]
    staff, volunteer, resident = actor("community"), actor("volunteer"), actor("resident")
    account = p.person_account(volunteer, community())
    with pytest.raises(NotAllowed, match="余额不足：需要15分，现有0分"):
        p.do_redeem(item=shop, account=account, actor=volunteer)
    p.do_award_by_rule(rule=clean_rule, account=account, ref="a", actor=staff, quantity=2)
    with pytest.raises(NotAllowed):  # someone else's points
        p.do_redeem(item=shop, account=account, actor=resident)
    first = p.do_redeem(item=shop, account=account, actor=volunteer)
    assert len(first.code) == 8 and first.code.isdigit()
    with pytest.raises(NotAllowed, match="余额不足"):
        p.do_redeem(item=shop, account=account, actor=volunteer)
    with pytest.raises(NotAllowed):  # not a keeper
        p.do_hand_over(store=shop.store, code=first.code, actor=resident)
    with pytest.raises(InputError) as bad:
        p.do_hand_over(store=shop.store, code="12", actor=volunteer)
    assert bad.value.field == "code"
    handed = p.do_hand_over(store=shop.store, code=first.code, actor=volunteer)
    assert handed.state == Redemption.State.HANDED and handed.handed_by == volunteer
    with pytest.raises(NotAllowed, match="已领取"):
        p.do_hand_over(store=shop.store, code=first.code, actor=staff)
    with pytest.raises(NotAllowed):
        p.do_cancel_redemption(redemption=handed, actor=volunteer)
    # A second one, cancelled: the points and the item come back.
    meeting = Rule.objects.create(area=community(), key=RuleKey.MEETING, name="参加议事会", points=10)
    p.do_award_by_rule(rule=meeting, account=account, ref="meeting:1", actor=staff)
    second = p.do_redeem(item=shop, account=account, actor=volunteer)
    assert Item.objects.get(pk=shop.pk).stock == 0
    with pytest.raises(NotAllowed, match="已兑完"):
        p.do_redeem(item=shop, account=account, actor=volunteer)
    p.do_cancel_redemption(redemption=second, actor=volunteer)
    account.refresh_from_db()
    assert account.balance == 15 and account.spent == 15
    assert Item.objects.get(pk=shop.pk).stock == 1
    assert [e.amount for e in history(account)] == [15, -15, 10, -15, 20]
    assert economy(community()).spent == 15 and economy(community()).outstanding == 15
    balanced()


@pytest.mark.django_db(transaction=True)
def test_racing_redemptions_and_awards_keep_the_ledger_whole(committed_city) -> None:  # type: ignore[no-untyped-def]
    """Eight redemptions of 15 points and four awards of 10 on one account of 30 points at once: the
    balance never below zero, each redemption paid exactly once, the ledger balanced."""
    staff, volunteer = User.objects.get(username="community"), User.objects.get(username="volunteer")
    rule = Rule.objects.create(area=community(), key=RuleKey.VOLUNTEER_HOUR, name="志愿服务", points=10)
    store = Store.objects.create(area=community(), name="积分超市")
    item = Item.objects.create(store=store, name="大米", price=15, stock=100)
    account = p.person_account(volunteer, community())
    p.do_award_by_rule(rule=rule, account=account, ref="start", actor=staff, quantity=3)

    def work(i: int) -> str:
        if i % 3 == 0:
            p.do_award_by_rule(rule=rule, account=account, ref=f"hour:{i}", actor=staff)
            return "awarded"
        p.do_redeem(item=Item.objects.get(pk=item.pk), account=account, actor=volunteer)
        return "redeemed"

    outcomes = race(12, work)
    account.refresh_from_db()
    redeemed = outcomes.count("redeemed")
    assert outcomes.count("awarded") == 4
    assert all(o in ("awarded", "redeemed") or "余额不足" in o for o in outcomes), outcomes
    assert account.balance == 30 + 40 - 15 * redeemed >= 0
    assert Redemption.objects.count() == redeemed == 100 - Item.objects.get(pk=item.pk).stock
    balanced()


@pytest.mark.django_db(transaction=True)
def test_one_hand_over_per_code_and_one_payment_per_ref(committed_city) -> None:  # type: ignore[no-untyped-def]
    staff, volunteer = User.objects.get(username="community"), User.objects.get(username="volunteer")
    rule = Rule.objects.create(area=community(), key=RuleKey.MEETING, name="参加议事会", points=10)
    store = Store.objects.create(area=community(), name="积分超市")
    store.keepers.add(volunteer)
    item = Item.objects.create(store=store, name="毛巾", price=10, stock=5)
    account = p.person_account(volunteer, community())
    paid = race(
        4, lambda i: str(p.do_award_by_rule(rule=rule, account=account, ref="meeting:7", actor=staff).pk)
    )
    assert len(set(paid)) == 1 and Transfer.objects.filter(rule=rule).count() == 1, paid
    code = p.do_redeem(item=item, account=account, actor=volunteer).code
    keepers = [volunteer, staff, volunteer, staff]
    handed = race(4, lambda i: p.do_hand_over(store=store, code=code, actor=keepers[i]).state)
    assert handed.count("handed") == 1 and sum("已领取" in o for o in handed) == 3, handed
    balanced()


def test_the_love_bank_keeps_hours_apart_from_points(db, actor) -> None:  # type: ignore[no-untyped-def]
    """清河门's 爱心银行: service time banked once per service, spent on a service for the family, never
    below zero, and never mixed with points."""
    staff, volunteer = actor("community"), actor("volunteer")
    hours = p.person_account(volunteer, community(), Currency.HOURS)
    points = p.person_account(volunteer, community())
    first = p.do_bank_hours(account=hours, minutes=90, ref="service:1", reason="陪老人就医", actor=staff)
    assert p.do_bank_hours(account=hours, minutes=90, ref="service:1", reason="", actor=None) == first
    with pytest.raises(InputError) as bad:
        p.do_bank_hours(account=points, minutes=30, ref="service:2", reason="", actor=staff)
    assert bad.value.field == "account"
    with pytest.raises(InputError) as bad:
        p.do_bank_hours(account=hours, minutes=0, ref="service:3", reason="", actor=staff)
    assert bad.value.field == "minutes"
    with pytest.raises(NotAllowed):
        p.do_spend_hours(account=hours, minutes=30, reason="理发", actor=actor("resident"))
    with pytest.raises(NotAllowed, match="需要120分钟，现有90分钟"):
        p.do_spend_hours(account=hours, minutes=120, reason="家政保洁", actor=volunteer)
    p.do_spend_hours(account=hours, minutes=60, reason="为母亲预约上门理发", actor=volunteer)
    hours.refresh_from_db()
    points.refresh_from_db()
    assert (hours.balance, hours.earned, hours.spent, points.balance) == (30, 90, 60, 0)
    assert economy(community()).earned == 0  # the economy counts points, not hours
    balanced()


def test_nobody_pays_or_approves_points_to_themselves(clean_rule, actor) -> None:  # type: ignore[no-untyped-def]
    """A staff member's own account is out of their reach: no award by rule, no proposal, no approval."""
    staff, street = actor("community"), actor("street")
    own = p.person_account(staff, community())
    with pytest.raises(NotAllowed, match="自己"):
        p.do_award_by_rule(rule=clean_rule, account=own, ref="x", actor=staff)
    with pytest.raises(NotAllowed, match="自己"):
        p.do_propose_award(account=own, amount=10, reason="辛苦", actor=staff)
    award = p.do_propose_award(account=own, amount=10, reason="辛苦", actor=street)
    with pytest.raises(NotAllowed, match="自己"):
        p.do_decide_award(award=award, approve=True, actor=staff)
    with pytest.raises(InputError) as many:
        p.do_award_by_rule(
            rule=clean_rule,
            account=p.person_account(actor("volunteer"), community()),
            ref="y",
            actor=staff,
            quantity=50,
        )
    assert many.value.field == "quantity"
    assert not Transfer.objects.exists()
