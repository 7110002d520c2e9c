"""Loaded by rules' autodiscovery so the scoping permissions are registered at start-up."""

from wangge.areas import scoping  # noqa: F401
