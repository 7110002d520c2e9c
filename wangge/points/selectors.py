"""Who may do what with points, and the reads: a balance with its history, a community's points economy.

- Community, street and district staff run the points of their area: rules, awards (one proposes, another
  approves), reversals, stores.
- A person spends their own account; a household's account is spent by its residents who log in, or for
  them by the grid workers and heads of its grid (an elderly resident without a phone).
- A store's keepers, and the community's staff, hand items over.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.areas.scoping import holds_over
from wangge.points.models import HOLDERS, Account, AccountKind, Entry, Redemption, Store

MANAGING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
HOUSEHOLD_HELPERS = frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.COMMUNITY_STAFF})


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
    """The account's entries, newest first, a page at a time (the history index serves it)."""
    entries = Entry.objects.filter(account=account)
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
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
        .select_related("user", "household")
        .order_by("-earned", "pk")[:limit]
    )
