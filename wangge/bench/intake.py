"""Ticket intake in `make bench`: POST /api/v1/tickets from concurrent clients against a real gunicorn
server (token auth, grid lookup from lat/lng, routing and 智能分拨, SLA deadlines, timeline events, inbox
notifications), beside a bare Django view that only inserts one row, on the same server and database in
the same run, in rounds of one then the other; the ratio (the median round's) is the figure; a last round
of one client shows the same ratio with nothing to wait for (what a request costs, apart from contention).

BENCH_WORKERS and BENCH_THREADS set the gunicorn workers and threads (default 4 and 4).
"""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
ROUNDS = 5
ONE_BY_ONE = 300  # requests of the closing one-client round


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wangge.bench.settings", "WANGGE_DEMO": "True"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wangge.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.getenv("BENCH_WORKERS", "4"),
            "--threads",
            os.getenv("BENCH_THREADS", "4"),
            "--worker-class",
            "gthread",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the bench server did not start")


def _load(
    port: int, path: str, bodies: list[bytes], headers: dict, clients: int
) -> tuple[float, list[float]]:
    """POST every body, `clients` at a time over keep-alive connections; (seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [bodies[i::clients] for i in range(clients)]
    errors: list[str] = []

    def run(chunk: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for body in chunk:
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 201:
                errors.append(f"{response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return elapsed, latencies


def _ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"


def bench_intake(rows: list[tuple[str, str, str]], *, count: int, clients: int) -> None:
    from wangge.accounts.actions import do_issue_api_token
    from wangge.accounts.models import User
    from wangge.areas.models import Area, Level

    token = do_issue_api_token(User.objects.get(username="district"), channel="12345")  # the hotline's
    user_id = User.objects.get(username="district").pk
    grids = [
        (float(lat), float(lng))
        for lat, lng in Area.objects.filter(level=Level.GRID, lat__isnull=False).values_list("lat", "lng")
        if lat is not None and lng is not None
    ]
    rng = random.Random(5)
    titles = ["楼道灯不亮", "暖气不热", "下水道堵塞", "垃圾清运不及时", "楼顶漏水", "电梯故障"]
    bodies = [
        json.dumps(
            {
                "title": rng.choice(titles),
                "description": "居民反映的问题，请尽快处理",
                "lat": lat + rng.uniform(-0.001, 0.001),
                "lng": lng + rng.uniform(-0.001, 0.001),
                "contact_phone": "13800000000",
                "channel": "12345",
                "external_id": f"bench-{i}",
            }
        ).encode()
        for i, (lat, lng) in enumerate(rng.choice(grids) for _ in range(count + ONE_BY_ONE))
    ]
    bodies, one_by_one = bodies[:count], bodies[count:]
    port = _free_port()
    server = _serve(port)
    api_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bare_path = f"/bench/insert/?user={user_id}"
    api_seconds = bare_seconds = 0.0
    api_lat: list[float] = []
    bare_lat: list[float] = []
    ratios = []
    try:
        _load(port, "/api/v1/tickets", bodies[: clients * 2], api_headers, clients)  # warm up
        _load(port, bare_path, [b"{}"] * clients * 2, {}, clients)
        measured = bodies[clients * 2 :]
        # Rounds of intake then bare, back to back: a slow minute of a shared machine slows both sides of
        # a round alike, and the ratio is the median of the rounds'.
        for r in range(ROUNDS):
            batch = measured[r::ROUNDS]
            seconds, latencies = _load(port, "/api/v1/tickets", batch, api_headers, clients)
            bare, bare_latencies = _load(port, bare_path, [b"{}"] * len(batch), {}, clients)
            api_seconds, bare_seconds = api_seconds + seconds, bare_seconds + bare
            api_lat += latencies
            bare_lat += bare_latencies
            ratios.append(bare / seconds)
        # One client, one request at a time: what a request costs with nobody to wait for (no write lock
        # to queue for, no core to share), beside what it costs under load.
        alone, alone_lat = _load(port, "/api/v1/tickets", one_by_one, api_headers, 1)
        bare_alone, bare_alone_lat = _load(port, bare_path, [b"{}"] * len(one_by_one), {}, 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    n = len(api_lat)
    rows.append((f"ticket intake, API, {clients} clients", f"{n:,} tickets", f"{n / api_seconds:,.0f}/s"))
    rows.append(("  latency p50 / p95", "", f"{_ms(api_lat, 0.5)} / {_ms(api_lat, 0.95)}"))
    rows.append((f"bare insert view, {clients} clients", f"{n:,} rows", f"{n / bare_seconds:,.0f}/s"))
    rows.append(("  latency p50 / p95", "", f"{_ms(bare_lat, 0.5)} / {_ms(bare_lat, 0.95)}"))
    rows.append(
        (
            f"intake / bare ratio (aim >= 0.5), {ROUNDS} rounds",
            f"{min(ratios):.2f} .. {max(ratios):.2f}",
            f"median {statistics.median(ratios):.2f}",
        )
    )
    rows.append(
        (
            "  one client: intake / bare latency p50",
            f"{_ms(alone_lat, 0.5)} / {_ms(bare_alone_lat, 0.5)}",
            f"ratio {bare_alone / alone:.2f}",
        )
    )
