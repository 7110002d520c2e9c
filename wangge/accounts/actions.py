import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import ApiToken, User

LAST_USED_PRECISION = dt.timedelta(minutes=5)
# An integration calls with the same token many times a second: its user is kept this long per process.
# A revoked token or a deactivated user stops working at once in the process that saved the change
# (accounts/apps.py) and within this time in the others.
TOKEN_SECONDS = 10.0
MAX_TOKENS = 10_000
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_token_users: dict[str, tuple[float, tuple, str]] = {}


@dataclass(frozen=True)
class TokenHolder:
    user: User
    channel: str  # ApiToken.channel: the channel an integration's token is granted, or ""


def forget_tokens(*args: object, **kwargs: object) -> None:
    _token_users.clear()


@transaction.atomic
def do_issue_api_token(user: User, *, channel: str = "") -> str:
    """Create a token for `user` (an integration's, granted `channel`) and return it; it cannot be read
    back later."""
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(secret), prefix=secret[:8], channel=channel)
    return secret


def holder_of_token(secret: str) -> TokenHolder | None:
    """The token's user, a new instance each call (a request caches its scope on it), and its grant."""
    digest = ApiToken.digest_of(secret)
    kept = _token_users.get(digest)
    if kept is None or time.monotonic() - kept[0] > TOKEN_SECONDS:
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at=None, user__is_active=True)
            .first()
        )
        if token is None:
            _token_users.pop(digest, None)
            return None
        now = timezone.now()
        # Minute-level precision is enough for "last used", and skipping the write keeps busy clients off
        # the database's write lock.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if len(_token_users) >= MAX_TOKENS:
            _token_users.clear()
        kept = _token_users[digest] = (
            time.monotonic(),
            tuple(getattr(token.user, f) for f in _USER_FIELDS),
            token.channel,
        )
    return TokenHolder(User.from_db("default", _USER_FIELDS, kept[1]), kept[2])
