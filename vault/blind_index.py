"""Blind indexes: keyed HMACs of normalised values, the only searchable form of personal data.

A digest is HMAC-SHA256 under the index key (kept apart from the KEKs), truncated to 64 bits and
stored as a signed BIGINT. 64 bits keeps accidental collisions negligible at national scale (about
1e7 distinct keys gives ~3e-6 expected collisions) while the key stops anyone holding only the
database from testing guesses. Callers pass low-entropy values only in compound form (e.g. phonetic
surname + date of birth), never a date of birth or gender alone.

`blind_token` is the printable form for the audit trail: a search's criteria, one token each
(`children.search.SearchCriteria.audit_tokens`), date of birth and gender included. Those group
searches, not children (no record is filed under them), so an auditor can see that two searches used
the same date without reading it; they stay unguessable without the index key.
"""

import hashlib
import hmac
from collections.abc import Iterable
from functools import lru_cache

from vault.providers import key_provider

DIGEST_BYTES = 8


def blind_index(purpose: str, value: str) -> int:
    mac = hmac.new(key_provider().index_key(), f"{purpose}\x1f{value}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:DIGEST_BYTES], "big", signed=True)


def blind_indexes(purpose: str, values: Iterable[str]) -> list[int]:
    """`blind_index` of each value, the index key fetched once (a child has ~20 blocking keys).

    The same digests as `blind_index`: the keyed HMAC is copied, not recomputed, for each value.
    """
    keyed = _keyed(key_provider().index_key(), purpose)
    digests = []
    for value in values:
        mac = keyed.copy()
        mac.update(value.encode())
        digests.append(int.from_bytes(mac.digest()[:DIGEST_BYTES], "big", signed=True))
    return digests


@lru_cache(maxsize=16)
def _keyed(index_key: bytes, purpose: str) -> "hmac.HMAC":
    """The HMAC under `index_key` with `purpose` and its separator already fed in (cached per key, so a
    new key file is picked up): each value's digest continues a copy of it."""
    mac = hmac.new(index_key, digestmod=hashlib.sha256)
    mac.update(f"{purpose}\x1f".encode())
    return mac


def blind_token(purpose: str, value: str) -> str:
    """A printable blind token, e.g. for audit criteria: comparable, not reversible without the key."""
    mac = hmac.new(key_provider().index_key(), f"token|{purpose}\x1f{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
