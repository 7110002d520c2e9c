"""The shared real-text files (../shared/data beside the checkout, or WANGGE_SHARED_DATA)."""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("WANGGE_SHARED_DATA") or Path(__file__).resolve().parents[4] / "shared" / "data"
)


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared data lives beside the checkout)")
    return path


@pytest.fixture
def messages_csv() -> Path:
    """457 government-message-board messages, 7 first-level categories, with titles."""
    return shared_file("messages_dev_sample.csv")


@pytest.fixture
def complaints_tsv() -> Path:
    """2,400 telecom complaint work orders, 8 labels, no header and no titles."""
    return shared_file("complaints_cocc.tsv")
