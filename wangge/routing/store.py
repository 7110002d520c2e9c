"""The active routers, kept in each process.

Every process asks the database at most once a minute which model is active for each target (one small
query) and loads a model's weights only when that answer changes, so a retrained router reaches every web
worker within a minute without reloading megabytes on every request.
"""

import logging

from wangge.lib.refreshed import Refreshed
from wangge.routing.classifier import Router, RouterError
from wangge.routing.models import RouterModel, Target

log = logging.getLogger(__name__)
CHECK_SECONDS = 60.0


def read_active(target: str, *, known: tuple[int, Router] | None = None) -> tuple[int, Router] | None:
    """(model id, router) of the active model, read from the database now. `known` comes back as it is
    when it is still the active model, without reading its weights again."""
    pk = RouterModel.objects.filter(target=target, active=True).values_list("pk", flat=True).first()
    if pk is None:
        return None
    if known is not None and known[0] == pk:
        return known
    blob = RouterModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
    try:
        return pk, Router.from_bytes(bytes(blob or b""))
    except RouterError as error:  # a model from another release: route nothing until it is retrained
        log.warning("router %s #%s not used: %s", target, pk, error)
        return None


class _Active:
    """One target's active router in this process, checked against the database at most every minute."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._last: tuple[int, Router] | None = None
        self._refreshed = Refreshed(self._load, seconds=CHECK_SECONDS)

    def _load(self) -> tuple[int, Router] | None:
        self._last = read_active(self.target, known=self._last)
        return self._last

    def get(self) -> tuple[int, Router] | None:
        return self._refreshed.get()

    def forget(self, *args: object, **kwargs: object) -> None:
        # The weights go too: a rolled-back model's id can come back for another model.
        self._last = None
        self._refreshed.forget()


ACTIVE = {target: _Active(target) for target in Target.values}


def active_router(target: str) -> tuple[int, Router] | None:
    """(model id, router) of the active model for `category` or `unit`, or None before the first training."""
    return ACTIVE[target].get()


def forget_routers(*args: object, **kwargs: object) -> None:
    for active in ACTIVE.values():
        active.forget()
