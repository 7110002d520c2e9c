"""Login throttling (issue 19, finding 5): a user name locks from one address after five wrong passwords,
even for the right one, until the cool-off ends; unknown API tokens lock their address; every failure is
recorded."""

import datetime as dt
import io

from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wangge.accounts.lockout import LOGIN_FAILURES, TOKEN_FAILURES
from wangge.demo.city import DEMO_PASSWORD

HOME, OTHER = "10.0.0.7", "10.0.0.8"


def login(username: str, password: str, ip: str = HOME):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})


def test_thirty_wrong_passwords_and_the_right_one_does_not_log_in(db) -> None:  # type: ignore[no-untyped-def]
    for _ in range(30):
        assert login("gridworker", "wrong-password").status_code in (200, 429)
    refused = login("gridworker", DEMO_PASSWORD)
    assert refused.status_code == 429 and "密码错误次数过多" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session
    attempt = AccessAttempt.objects.get(username="gridworker", ip_address=HOME)
    assert attempt.failures_since_start >= LOGIN_FAILURES
    assert AccessFailureLog.objects.filter(username="gridworker").count() >= LOGIN_FAILURES
    # Someone else at that address, and the same person elsewhere, still log in.
    assert login("community", DEMO_PASSWORD).status_code == 302
    assert login("gridworker", DEMO_PASSWORD, ip=OTHER).status_code == 302
    # After the cool-off the lock lifts.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=1))
    assert login("gridworker", DEMO_PASSWORD).status_code == 302


def test_a_few_wrong_passwords_do_not_lock(db) -> None:  # type: ignore[no-untyped-def]
    for _ in range(LOGIN_FAILURES - 1):
        assert login("gridworker", "wrong").status_code == 200
    assert login("gridworker", DEMO_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="gridworker").exists()  # reset on success


def test_unknown_tokens_lock_their_address(db) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("issue_token", "district", stdout=out)
    good = out.getvalue().split()[-1]

    def me(token: str, ip: str = HOME) -> int:
        return (
            Client(REMOTE_ADDR=ip).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
        )

    assert me(good) == 200
    answers = [me(f"wg_guess-{i}") for i in range(TOKEN_FAILURES + 5)]
    assert answers[: TOKEN_FAILURES - 1] == [401] * (TOKEN_FAILURES - 1) and answers[-1] == 429
    assert me(good) == 429  # the right token from a locked address waits too
    assert me(good, ip=OTHER) == 200
    assert AccessFailureLog.objects.filter(ip_address=HOME).count() >= TOKEN_FAILURES
