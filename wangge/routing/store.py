"""The active routers, kept in each process.

Every process asks the database at most once a minute which model is active for each target (one small
query) and loads a model's weights only when that answer changes, so a retrained router reaches every web
worker within a minute without reloading megabytes on every request.
"""

import logging
import threading
import time

from wangge.routing.classifier import Router, RouterError
from wangge.routing.models import RouterModel, Target

log = logging.getLogger(__name__)
CHECK_SECONDS = 60.0


class _Active:
    def __init__(self, target: str) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._checked = -CHECK_SECONDS
        self._model: tuple[int, Router] | None = None

    def get(self) -> tuple[int, Router] | None:
        now = time.monotonic()
        if now - self._checked <= CHECK_SECONDS:
            return self._model
        with self._lock:
            if now - self._checked > CHECK_SECONDS:
                self._model = self._load()
                self._checked = time.monotonic()
        return self._model

    def _load(self) -> tuple[int, Router] | None:
        pk = RouterModel.objects.filter(target=self.target, active=True).values_list("pk", flat=True).first()
        if pk is None:
            return None
        if self._model is not None and self._model[0] == pk:
            return self._model
        blob = RouterModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
        try:
            return pk, Router.from_bytes(bytes(blob or b""))
        except RouterError as error:  # a model from another release: route nothing until it is retrained
            log.warning("router %s #%s not used: %s", self.target, pk, error)
            return None

    def forget(self, *args: object, **kwargs: object) -> None:
        self._checked = -CHECK_SECONDS
        self._model = None


ACTIVE = {target: _Active(target) for target in Target.values}


def active_router(target: str) -> tuple[int, Router] | None:
    """(model id, router) of the active model for `category` or `unit`, or None before the first training."""
    return ACTIVE[target].get()


def forget_routers(*args: object, **kwargs: object) -> None:
    for active in ACTIVE.values():
        active.forget()
