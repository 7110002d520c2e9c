"""Where SMS and WeChat messages go. A deployment points `WANGGE_SMS_BACKEND` / `WANGGE_WECHAT_BACKEND`
at a class with `send(phone, text)`; the default writes the message to the log."""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from wangge.lib.masking import mask_phone

log = logging.getLogger("wangge.notify")


class Backend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Logs each message (with the number masked) instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.info("message to %s: %s", mask_phone(phone), text)


def backend_for(channel: str) -> Backend:
    path = settings.WANGGE_MESSAGE_BACKENDS[channel]
    return import_string(path)()
