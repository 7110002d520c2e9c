"""The production shape on PostgreSQL (issue 19): two app servers and two of each worker on one database,
DEBUG off, real keys. The closed loop runs through both servers at once, one deadline worker is killed in
the middle of a sweep, and then nothing is lost or doubled and the KPIs equal a recount."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from wangge.ops.backup import _pg_tool

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
TICKETS, OVERDUE = 30, 10

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the production shape is PostgreSQL"
)

RECOUNT = """
import json, django
django.setup()
from wangge.stats.kpis import scan_kpis, select_tickets
print(json.dumps(scan_kpis(select_tickets(area="210104")).as_dict(), default=str))
"""
FACTS = """
import json, django
django.setup()
from wangge.accounts.actions import do_issue_api_token
from wangge.accounts.models import User
from wangge.areas.models import Unit
users = ("resident", "community", "unit", "district")
tokens = {u: do_issue_api_token(User.objects.get(username=u)) for u in users}
unit = Unit.objects.get(memberships__user__username="unit").code
print(json.dumps({"unit": unit, "tokens": tokens}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A database copied from the test run's (the demo district, migrated), with processes on it."""

    def __init__(self, tmp: Path, template: str) -> None:
        admin_url = os.environ["WANGGE_DATABASE_URL"]
        self.admin = admin_url
        self.name = f"cluster_{uuid.uuid4().hex[:8]}"
        # Copied by dump and restore: CREATE DATABASE … TEMPLATE needs every session on the test
        # database ended, and the live server's thread keeps one that later tests use.
        base = admin_url.rsplit("/", 1)[0]
        dump = tmp / "city.dump"
        subprocess.run([_pg_tool("pg_dump"), "-Fc", "-f", str(dump), f"{base}/{template}"], check=True)
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.name}"')
        restore = [_pg_tool("pg_restore"), "--no-owner", "-d", f"{base}/{self.name}", str(dump)]
        subprocess.run(restore, check=True)
        self.url = f"{base}/{self.name}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("WANGGE_", "DJANGO_ALLOW_ASYNC"))},
            "DJANGO_SETTINGS_MODULE": "wangge.settings",
            "WANGGE_DATABASE_URL": self.url,
            "WANGGE_SECRET_KEY": uuid.uuid4().hex * 2,
            "WANGGE_FIELD_KEY": Fernet.generate_key().decode(),
            "WANGGE_MEDIA_ROOT": str(tmp / "media"),
            "WANGGE_ALLOWED_HOSTS": "127.0.0.1",
            "WANGGE_ROUTER_DISPATCH_THRESHOLD": "2",  # every ticket waits for a dispatcher
            "WANGGE_LOG_LEVEL": "WARNING",
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = tmp

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def python(self, code: str) -> dict:
        done = subprocess.run(
            [str(BIN / "python"), "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            list(args), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self.processes[name]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with psycopg.connect(self.admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def sql(self, query: str, *args: object) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as db:
            cursor = db.execute(query, args)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []


def call(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path} -> {exc.code}: {exc.read()[:300]!r}") from None


def wait_for(check, what: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_and_two_of_each_worker(committed_city, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cluster = Cluster(tmp_path, template=connection.settings_dict["NAME"])
    try:
        # The demo's own backlog is not this test's: only its tickets come due.
        cluster.sql("UPDATE tickets_ticket SET next_escalation_at = NULL, remind_at = NULL")
        facts = cluster.python(FACTS)
        tokens, unit_code = facts["tokens"], facts["unit"]
        servers = []
        for name in ("a", "b"):
            port = free_port()
            cluster.start(
                f"web-{name}",
                str(BIN / "gunicorn"),
                "wangge.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
            )
            servers.append(f"http://127.0.0.1:{port}")
        for i in (1, 2):
            cluster.start(
                f"tasks-{i}", str(BIN / "python"), "manage.py", "db_worker", "--interval", "1", "--no-reload"
            )
            cluster.start(
                f"deadlines-{i}",
                str(BIN / "python"),
                "manage.py",
                "ticket_worker",
                "--interval",
                "1",
                "--pause-ms",
                "150",
            )

        def healthy(base: str) -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz/", timeout=2) as r:
                    return r.read() == b"ok"
            except OSError:
                return False

        wait_for(lambda: all(healthy(s) for s in servers), "both app servers")

        # Residents send through both servers at once.
        def submit(i: int) -> int:
            body = {
                "title": f"楼道灯不亮{i}",
                "description": "三单元楼道灯坏了",
                "area": "210104001001001",
                "external_id": f"C-{i}",
            }
            return call(servers[i % 2], tokens["resident"], "POST", "/tickets", body)["id"]

        with ThreadPoolExecutor(6) as pool:
            ids = list(pool.map(submit, range(TICKETS)))
        assert len(set(ids)) == TICKETS

        # The first ten wait too long: the deadline workers escalate them; one is killed mid-sweep.
        overdue, looped = ids[:OVERDUE], ids[OVERDUE:]
        cluster.sql(
            "UPDATE tickets_ticket SET claim_deadline = now() - interval '1 hour', "
            "next_escalation_at = now() - interval '1 hour' WHERE id = ANY(%s)",
            overdue,
        )

        def escalated() -> int:
            return cluster.sql(
                "SELECT count(*) FROM tickets_ticketevent WHERE action = 'escalate' AND ticket_id = ANY(%s)",
                overdue,
            )[0][0]

        wait_for(lambda: escalated() >= 1, "the first escalation")
        os.killpg(cluster.processes["deadlines-1"].pid, signal.SIGKILL)
        wait_for(lambda: escalated() >= OVERDUE, "every overdue ticket escalated", seconds=90)

        # The loop for the others, each step through the other server.
        def loop(n: int) -> None:
            ticket, first = ids[OVERDUE + n], n % 2
            steps: list[tuple[str, str, dict]] = [
                ("community", "accept", {"kind": "small"}),
                ("community", "assign", {"units": [unit_code]}),
                ("unit", "claim", {}),
                ("unit", "resolve", {"note": "已更换灯泡"}),
                ("community", "callback", {"reached": True, "verdict": "satisfied"}),
            ]
            for k, (who, action, body) in enumerate(steps):
                call(
                    servers[(first + k) % 2], tokens[who], "POST", f"/tickets/{ticket}/actions/{action}", body
                )

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(loop, range(len(looped))))

        # Nothing lost, nothing doubled.
        per_action = cluster.sql(
            "SELECT ticket_id, action, count(*) FROM tickets_ticketevent WHERE ticket_id = ANY(%s) "
            "GROUP BY ticket_id, action",
            ids,
        )
        counts = {(t, a): n for t, a, n in per_action}
        assert all(counts[(t, "submit")] == 1 for t in ids)
        assert all(counts.get((t, "escalate")) == 1 for t in overdue), (
            "an overdue ticket escalated twice or never"
        )
        for t in looped:
            assert [counts.get((t, a)) for a in ("accept", "assign", "claim", "resolve", "callback")] == [
                1
            ] * 5
        statuses = dict(cluster.sql("SELECT id, status FROM tickets_ticket WHERE id = ANY(%s)", ids))
        assert {statuses[t] for t in looped} == {"closed"} and {statuses[t] for t in overdue} == {"new"}
        assert (
            cluster.sql("SELECT count(*) FROM tickets_ticket WHERE external_id LIKE 'C-%%'")[0][0] == TICKETS
        )

        # The messages the loop queued are all sent once, by the surviving task workers.
        def tasks_left() -> int:
            return cluster.sql(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
            )[0][0]

        wait_for(lambda: tasks_left() == 0, "the task queue to drain")
        assert not cluster.sql("SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'")

        # The KPIs as the servers give them equal a recount of the ticket rows.
        served = [call(s, tokens["district"], "GET", "/stats?area=210104") for s in servers]
        recount = cluster.python(RECOUNT)
        for answer in served:
            assert {k: answer[k] for k in recount} == recount
        assert recount["closed"] >= len(looped)
    finally:
        cluster.stop()
