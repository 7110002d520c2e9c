"""Reference tables kept in each process for a short while.

Intake reads the same few small tables on every request (the SLA table, the holiday calendar, the
category names). `Refreshed` loads one of them at most once per `seconds` per process; the app clears it
at once when a row of the table is saved or deleted in this process (tickets/apps.py), so other processes
see an edit within `seconds`.
"""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Refreshed(Generic[T]):
    def __init__(self, load: Callable[[], T], *, seconds: float = 60) -> None:
        self._load = load
        self._seconds = seconds
        self._lock = threading.Lock()
        self._value: tuple[float, T] | None = None

    def get(self) -> T:
        value = self._value
        now = time.monotonic()
        if value is None or now - value[0] > self._seconds:
            with self._lock:
                value = self._value
                if value is None or now - value[0] > self._seconds:
                    value = (time.monotonic(), self._load())
                    self._value = value
        return value[1]

    def forget(self, *args: object, **kwargs: object) -> None:
        """Drop the value (the signature lets it serve directly as a signal receiver)."""
        self._value = None
