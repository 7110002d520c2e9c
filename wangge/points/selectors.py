"""Who may do what with points, and the reads: a balance with its history, a community's points economy.

- Community, street and district staff run the points of their area: rules, awards (one proposes, another
  approves), reversals, stores.
- A person spends their own account; a household's account is spent by its residents who log in, or for
  them by the grid workers and heads of its grid (an elderly resident without a phone).
- A store's keepers, and the community's staff, hand items over.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.areas.scoping import codes_with, holds_over, prefix_q, scope_of, subtree_or_above_q
from wangge.areas.selectors import COMMUNITY_CODE_LENGTH
from wangge.people.models import Household
from wangge.points.models import HOLDERS, Account, AccountKind, Entry, Redemption, Rule, Store

MANAGING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
HOUSEHOLD_HELPERS = frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.COMMUNITY_STAFF})


def rule_for(area: Area, key: str) -> Rule | None:
    """The active rule for a matter that applies to an area: its own, else the nearest area's above it."""
    return (
        Rule.objects.filter(area__code__in=[*area.ancestor_codes, area.code], key=key, active=True)
        .order_by("-area__code")
        .first()
    )


def may_manage_points(user: User, area: Area) -> bool:
    return holds_over(user, area.code, MANAGING_ROLES)


def may_spend(user: User, account: Account) -> bool:
    if account.kind == AccountKind.PERSON:
        return account.user_id == user.pk
    if account.kind == AccountKind.HOUSEHOLD:
        household = account.household
        return bool(
            household is not None
            and (
                household.residents.filter(user=user).exists()
                or holds_over(user, household.area.code, HOUSEHOLD_HELPERS)
            )
        )
    return False


def may_hand_over(user: User, store: Store) -> bool:
    return store.keepers.filter(pk=user.pk).exists() or may_manage_points(user, store.area)


def history(account: Account, *, limit: int = 50, before_id: int | None = None) -> QuerySet[Entry]:
    """The account's entries, newest first, a page at a time after the entry `before_id` (the history
    index serves it); the page boundary is the (time, id) of that entry, the order of the page."""
    entries = Entry.objects.filter(account=account)
    if before_id is not None:
        last = Entry.objects.filter(account=account, pk=before_id).values_list("at", flat=True).first()
        if last is not None:
            entries = entries.filter(Q(at__lt=last) | Q(at=last, pk__lt=before_id))
    return entries.select_related("transfer").order_by("-at", "-id")[:limit]


@dataclass
class Economy:
    """积分经济 of an area: what its people earned and spent, and hold now."""

    accounts: int
    earned: int
    spent: int
    outstanding: int  # the holders' balances: points earned and not spent
    waiting: int  # redemptions not picked up yet


def economy(area: Area) -> Economy:
    """Summed from the accounts' running totals (one row per person or household), not from the entries:
    a community's economy is as fast at a million entries as at ten."""
    holders = Account.objects.filter(area_code__startswith=area.code, kind__in=HOLDERS, currency="points")
    totals = holders.aggregate(
        n=Count("pk"), earned=Sum("earned"), spent=Sum("spent"), outstanding=Sum("balance")
    )
    waiting = Redemption.objects.filter(
        item__store__area__code__startswith=area.code, state=Redemption.State.WAITING
    ).count()
    return Economy(
        accounts=totals["n"],
        earned=totals["earned"] or 0,
        spent=totals["spent"] or 0,
        outstanding=totals["outstanding"] or 0,
        waiting=waiting,
    )


def ranking(area: Area, *, limit: int = 20) -> QuerySet[Account]:
    """The holders of the area who earned the most."""
    return (
        Account.objects.filter(area_code__startswith=area.code, kind__in=HOLDERS, currency="points")
        .filter(~Q(earned=0))
        .select_related("user", "household__area__parent")
        .order_by("-earned", "pk")[:limit]
    )


def home_area(user: User) -> Area | None:
    """Where a person's points are counted: the community of the household they live in, else that of
    their first membership in an area (a volunteer's, a party member's)."""
    scope = scope_of(user)
    codes = []
    if scope.own_household_id is not None:
        household = Household.objects.select_related("area").get(pk=scope.own_household_id)
        codes.append(household.area.code)
    codes += [m.area.code for m in scope.memberships if m.area is not None]
    for code in codes:
        found = Area.objects.filter(code=code[:COMMUNITY_CODE_LENGTH]).first()
        if found is not None:
            return found
    return None


def accounts_for(user: User) -> QuerySet[Account]:
    """The accounts a user may look into: their own and their household's, and for staff every account
    of their area (holders, the fund, the stores)."""
    scope = scope_of(user)
    if scope.everything:
        return Account.objects.all()
    seen = Q(pk__in=own_accounts(user).values("pk"))
    managed = codes_with(user, MANAGING_ROLES)
    if managed:
        seen |= prefix_q("area_code", managed)
    return Account.objects.filter(seen)


def get_account_for(user: User, account_id: int) -> Account:
    found = accounts_for(user).filter(pk=account_id).select_related("household", "user").first()
    if found is None:
        raise Http404
    return found


def stores_for(user: User) -> QuerySet[Store]:
    """The stores of the communities a user lives or works in, and of their subtree for staff."""
    scope = scope_of(user)
    if scope.everything:
        return Store.objects.all()
    home = home_area(user)
    codes = [m.area.code for m in scope.memberships if m.area is not None]
    if home is not None:
        codes.append(home.code)
    if not codes:
        return Store.objects.none()
    return Store.objects.filter(subtree_or_above_q("area__code", codes))


def get_store_for(user: User, store_id: int) -> Store:
    found = stores_for(user).filter(pk=store_id).select_related("area").first()
    if found is None:
        raise Http404
    return found


def own_accounts(user: User) -> QuerySet[Account]:
    """A person's own accounts and those of the household they live in."""
    household_id = scope_of(user).own_household_id
    mine = Q(kind=AccountKind.PERSON, user=user)
    if household_id is not None:
        mine |= Q(kind=AccountKind.HOUSEHOLD, household_id=household_id)
    return Account.objects.filter(mine)


def get_redemption_for(user: User, redemption_id: int) -> Redemption:
    """A redemption of one of my accounts, or of a store I hand items over at."""
    found = Redemption.objects.filter(pk=redemption_id).select_related("item__store__area", "account").first()
    if found is None or not (
        own_accounts(user).filter(pk=found.account_id).exists() or may_hand_over(user, found.item.store)
    ):
        raise Http404
    return found
