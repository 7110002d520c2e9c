import datetime as dt

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import ApiToken, User

LAST_USED_PRECISION = dt.timedelta(minutes=5)


@transaction.atomic
def do_issue_api_token(user: User) -> str:
    """Create a token for `user` and return it; it cannot be read back later."""
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret), prefix=secret[:8])
    return secret


def user_for_token(secret: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Minute-level precision is enough for "last used", and skipping the write keeps busy clients off
    # the database's write lock.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
