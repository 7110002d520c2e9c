"""Encryption at rest for personal numbers, and a keyed hash so they can still be looked up.

Fernet ciphertexts differ on every write, so equality searches go through `blind_index`, an HMAC of
the value under a key derived from the same secret.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@lru_cache(maxsize=4)
def _index_key(key: str) -> bytes:
    return hashlib.sha256(b"wangge-blind-index:" + base64.urlsafe_b64decode(key)).digest()


def encrypt(value: str, *, key: str) -> str:
    if not value:
        return ""
    return _fernet(key).encrypt(value.encode()).decode()


def decrypt(token: str, *, key: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "cannot decrypt a personal field: WANGGE_FIELD_KEY differs from the one used"
        ) from exc


def blind_index(value: str, *, key: str) -> str:
    if not value:
        return ""
    return hmac.new(_index_key(key), value.encode(), hashlib.sha256).hexdigest()
