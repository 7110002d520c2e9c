"""The loop of a worker command (`manage.py ticket_worker`, `demo_pulse`): one step now and then one every
`interval` seconds, with fresh database connections, until SIGTERM or Ctrl-C; a stop lands between steps,
or inside one that asks `stopping()`."""

import signal
import time
from collections.abc import Callable
from types import FrameType

from django.db import close_old_connections


def run_until_stopped(
    step: Callable[[Callable[[], bool]], None], *, interval: float, once: bool = False
) -> None:
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        close_old_connections()
        step(lambda: stopping)
        if once:
            break
        slept = 0.0
        while not stopping and slept < interval:
            time.sleep(0.2)
            slept += 0.2
