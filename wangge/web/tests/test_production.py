"""The production profile (issue 19, finding 4): DEBUG off unless asked for, Chinese error pages without a
traceback or the URL list, `check --deploy` clean with deploy/wangge.env.example filled in, and a
Content-Security-Policy that lets our own files alone run."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(settings.BASE_DIR)


def environment(**extra: str) -> dict[str, str]:
    """The process environment without any WANGGE_ setting of this machine (nor the test run's
    DJANGO_ALLOW_ASYNC_UNSAFE), plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("WANGGE_", "DJANGO_ALLOW_ASYNC"))}
    return {**kept, "DJANGO_SETTINGS_MODULE": "wangge.settings", **extra}


def production_env() -> dict[str, str]:
    lines = (ROOT / "deploy" / "wangge.env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    values["WANGGE_SECRET_KEY"] = "k" * 8 + os.urandom(32).hex()
    values["WANGGE_FIELD_KEY"] = Fernet.generate_key().decode()
    return environment(**values)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_the_production_profile() -> None:
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_debug_is_off_unless_asked_and_the_public_keys_need_the_demo() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    demo = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment(WANGGE_DEMO="True"),
        capture_output=True,
        text=True,
    )
    assert demo.stdout.strip() == "False", demo.stderr
    bare = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert bare.returncode != 0 and "WANGGE_SECRET_KEY must be set" in bare.stderr


def test_a_missing_page_is_chinese_and_shows_no_url_list(client_for) -> None:  # type: ignore[no-untyped-def]
    for client in (client_for("resident"), client_for("community")):
        response = client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404 and "找不到这个页面" in body and "回到首页" in body
        assert "URLconf" not in body and "Traceback" not in body


def test_a_server_error_is_chinese_and_shows_no_traceback() -> None:
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and "系统出了点问题" in body and "Traceback" not in body


def test_pages_carry_a_policy_that_runs_our_own_scripts_alone(client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("community").get("/tickets/")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_no_template_carries_an_inline_script_or_handler() -> None:
    """What the policy would block: a <script> without src, an on…= handler, a javascript: link, a <style>."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"javascript:", r"<style"):
            found += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert not found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_break_no_rule_of_the_policy(committed_city, live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """Maps (Leaflet), charts (ECharts), htmx and the phone pages under the policy: no violation."""
    from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
    from wangge.web.tests.test_ticket_story import login

    pages = {
        "community": ["/tickets/", f"/areas/{DEMO_COMMUNITY}/", f"/stats/{DEMO_COMMUNITY}/", "/tickets/new/"],
        "gridworker": ["/field/", "/field/report/", f"/areas/{DEMO_GRID}/"],
        "resident": ["/h5/"],
    }
    for username, paths in pages.items():
        page = login(browser, live_server.url, username, phone=username != "community")
        page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__violations") == [], (username, path)
        page.context.close()


def test_a_body_that_cannot_be_read_is_a_400_not_a_500(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    client.raise_request_exception = False
    for path in ("/h5/", "/api/v1/tickets/similar"):
        response = client.post(path, data=b"abc", content_type="multipart/form-data")
        assert response.status_code == 400 and "boundary" in response.content.decode(), path


def test_an_api_parameter_given_twice_is_refused(client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("community").get("/api/v1/households?area=210104&area=210104001")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "area"]
