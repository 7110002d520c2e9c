"""Settings for `make bench` only: the real settings plus a bare endpoint to compare intake against."""

from wangge.settings import *  # noqa: F403

ROOT_URLCONF = "wangge.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR", "handlers": []}}
