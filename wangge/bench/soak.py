"""Load and soak in `make bench` (issue 19): 50 clients for 5 minutes against the production profile on
PostgreSQL: gunicorn as deploy/wangge-web.service runs it (DEBUG off), a task worker and a deadline worker
beside it, every request to 127.0.0.1.

The mix is what a district's day looks like: residents sending requests (intake), staff on the workbench
and ticket pages, dispatchers accepting new tickets and writing progress notes (actions), leaders on the
statistics page and the stats API. Printed: requests per second, p50/p95/p99 and errors per kind, and the
memory (RSS) of every process at the start and the end.

BENCH_SOAK_CLIENTS and BENCH_SOAK_SECONDS change the 50 clients and 300 seconds (after 30 s of warm-up).
"""

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from wangge.bench.intake import ROOT, _free_port

MIX = [  # (kind, weight)
    ("intake", 15),
    ("workbench", 25),
    ("ticket page", 20),
    ("accept", 10),
    ("note", 10),
    ("stats page", 10),
    ("stats api", 10),
]
DISTRICT = "210104"
WARM_SECONDS = 30


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _processes(roots: dict[str, subprocess.Popen]) -> dict[str, int]:
    """name -> pid of each process: the workers, gunicorn's master and each of its workers."""
    found = {name: p.pid for name, p in roots.items()}
    master = roots["gunicorn"].pid
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        for i, pid in enumerate(sorted(int(p) for p in children.read_text().split())):
            found[f"gunicorn worker {i + 1}"] = pid
    return found


def _session_cookie(username: str) -> str:
    """A signed-in session for a demo login, made the way login makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from wangge.accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class Client:
    def __init__(
        self, port: int, tally: Tally, context: dict, rng: random.Random, measuring: threading.Event
    ) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tally, self.context, self.rng, self.measuring = tally, context, rng, measuring

    def request(
        self, kind: str, method: str, path: str, *, body: dict | None = None, **headers: str
    ) -> dict | None:
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        error = None
        answer = None
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            if response.status >= 400:
                error = f"{response.status} {method} {path}"
            elif response.getheader("Content-Type", "").startswith("application/json"):
                answer = json.loads(raw)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__} {method} {path}"
            self.connection.close()
        if self.measuring.is_set():
            self.tally.add(kind, time.perf_counter() - started, error)
        return answer

    def one(self) -> None:
        c, rng = self.context, self.rng
        kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        bearer = {"Authorization": f"Bearer {c['tokens']['community']}"}
        if kind == "intake":
            grid = rng.choice(c["grids"])
            body = {
                "title": rng.choice(c["titles"]),
                "description": "居民反映的问题，请尽快处理",
                "area": grid,
            }
            made = self.request(
                kind, "POST", "/api/v1/tickets", body=body, Authorization=f"Bearer {c['tokens']['resident']}"
            )
            if made and made.get("status") == "new":  # 智能分拨 accepts and assigns the ones it is sure of
                with c["lock"]:
                    c["new"].append(made["id"])
        elif kind == "workbench":
            self.request(
                kind,
                "GET",
                rng.choice(["/tickets/", "/tickets/?queue=overdue", "/tickets/?queue=all"]),
                Cookie=c["cookies"]["community"],
            )
        elif kind == "ticket page":
            self.request(
                kind, "GET", f"/tickets/{rng.choice(c['tickets'])}/", Cookie=c["cookies"]["community"]
            )
        elif kind in ("accept", "note"):
            with c["lock"]:
                ticket = c["new"].pop() if kind == "accept" and c["new"] else None
            if ticket is not None:
                accept = f"/api/v1/tickets/{ticket}/actions/accept"
                self.request(kind, "POST", accept, body={"kind": "small"}, **bearer)
            else:  # a progress note; an accept too when no new ticket is waiting
                note = f"/api/v1/tickets/{rng.choice(c['tickets'])}/actions/note"
                self.request("note", "POST", note, body={"note": "已安排人员上门"}, **bearer)
        elif kind == "stats page":
            self.request(kind, "GET", f"/stats/{DISTRICT}/", Cookie=c["cookies"]["district"])
        else:
            self.request(
                kind,
                "GET",
                f"/api/v1/stats?area={DISTRICT}",
                Authorization=f"Bearer {c['tokens']['district']}",
            )


def _context() -> dict:
    from wangge.accounts.actions import do_issue_api_token
    from wangge.accounts.models import User
    from wangge.areas.models import Area, Level
    from wangge.tickets import workflow
    from wangge.tickets.models import Ticket

    community = User.objects.get(username="community")
    from wangge.tickets.queries import tickets_for

    mine = tickets_for(community).filter(status__in=workflow.UNFINISHED).order_by("-id")
    return {
        "tokens": {
            u: do_issue_api_token(User.objects.get(username=u)) for u in ("resident", "community", "district")
        },
        "cookies": {u: _session_cookie(u) for u in ("community", "district")},
        "grids": list(
            Area.objects.filter(level=Level.GRID, code__startswith="210104001001").values_list(
                "code", flat=True
            )
        ),
        "tickets": list(mine.values_list("pk", flat=True)[:2000])
        or list(Ticket.objects.values_list("pk", flat=True)[:2000]),
        "titles": ["楼道灯不亮", "暖气不热", "下水道堵塞", "垃圾清运不及时", "楼顶漏水", "电梯故障"],
        "new": [],
        "lock": threading.Lock(),
    }


def _start(port: int) -> dict[str, subprocess.Popen]:
    env = {**os.environ, "WANGGE_LOG_LEVEL": "WARNING"}

    def run(*args: str) -> subprocess.Popen:
        out = subprocess.DEVNULL
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=out)

    return {
        # As deploy/wangge-web.service, without --max-requests: growth is what this measures.
        "gunicorn": run(
            "-m", "gunicorn", "wangge.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4", "--threads", "4"
        ),
        "task worker": run("manage.py", "db_worker", "--interval", "2", "--no-reload"),
        "deadline worker": run("manage.py", "ticket_worker", "--interval", "30"),
    }


def _wait_up(port: int) -> None:
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz/")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the app server did not start")


def bench_soak(*, clients: int, seconds: float) -> None:
    port = _free_port()
    context = _context()
    processes = _start(port)
    tally = Tally()
    try:
        _wait_up(port)
        # The same clients warm up first (every gunicorn worker imports its code, fills its caches and
        # connection pool), unmeasured; memory is read when measuring starts and when it ends.
        measuring = threading.Event()
        warm_until = time.monotonic() + WARM_SECONDS
        stop = warm_until + seconds

        def run(i: int) -> None:
            client = Client(port, tally, context, random.Random(i), measuring)
            while time.monotonic() < stop:
                client.one()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(max(0.0, warm_until - time.monotonic()))
        pids = _processes(processes)
        before = {name: _rss_kb(pid) for name, pid in pids.items()}
        measuring.set()
        started = time.monotonic()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        after = {name: _rss_kb(pid) for name, pid in pids.items()}
    finally:
        for p in processes.values():
            p.send_signal(signal.SIGTERM)
        for p in processes.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    _print(tally, elapsed, clients, before, after)


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _row(name: str, times: list[float], elapsed: float, errors: int) -> str:
    q = "".join(f"{_ms(times, p):>9.0f}" for p in (0.5, 0.95, 0.99))
    return f"{name:<14}{len(times):>10}{len(times) / elapsed:>8.1f}{q}{errors:>8}"


def _print(tally: Tally, elapsed: float, clients: int, before: dict[str, int], after: dict[str, int]) -> None:
    errors = sum(len(v) for v in tally.errors.values())
    print(
        f"\nLoad and soak: {clients} clients for {elapsed:.0f} s on {_vendor()}, 127.0.0.1 "
        f"({os.cpu_count()} cores, clients and servers on the same machine)"
    )
    heads = ("requests", "per s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(
        f"{'request kind':<14}"
        + "".join(f"{h:>{w}}" for h, w in zip(heads, (10, 8, 9, 9, 9, 8), strict=True))
    )
    print("-" * 67)
    for kind, _ in MIX:
        if tally.seconds.get(kind):
            print(_row(kind, tally.seconds[kind], elapsed, len(tally.errors.get(kind, []))))
    print(_row("all", [s for v in tally.seconds.values() for s in v], elapsed, errors))
    for kind, said in tally.errors.items():
        for line in sorted(set(said))[:3]:
            print(f"  error ({kind}): {line}")
    print(f"\n{'process':<20}{'RSS start MB':>14}{'RSS end MB':>12}{'growth':>9}")
    print("-" * 55)
    for name, kb in before.items():
        end = after.get(name, 0)
        growth = (end - kb) / kb * 100 if kb else 0.0
        print(f"{name:<20}{kb / 1024:>14.1f}{end / 1024:>12.1f}{growth:>8.1f}%")


def _vendor() -> str:
    from django.db import connection

    return connection.vendor
