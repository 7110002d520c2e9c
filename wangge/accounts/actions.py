from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import ApiToken, User


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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
