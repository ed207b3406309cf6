"""The DCC verify hot path with every shortcut switched off, for tests that compare the two.

Shared by ``tests/formats/test_dcc.py`` and ``tests/conformance/test_dgc_testdata.py``: each
shortcut must stand in for the general code without changing a thing (errors, warnings,
messages, record).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shomeisho.formats.dcc import FORMAT, cose, cosesig, cwt, typical
from shomeisho.trust.store import TrustStore
from shomeisho.wire import base45, strict_cbor

GENERAL_PATHS: list[tuple[object, str, object]] = [
    (base45, "decode_fast", lambda text: None),
    (base45, "_decode_c", None),
    (strict_cbor, "_decode_c", None),
    (cose, "_decode_typical", lambda data: None),
    (cose, "_decode_common", lambda data: None),
    (cosesig, "_key", lambda certificate: (certificate.public_key(), False)),
    (typical, "_claims_c", None),
    (cwt, "_read_typical", lambda claims: None),
    (cwt, "_plain", lambda value: False),
    (typical, "typical_vaccination", lambda value: False),
    (typical, "surely_a_record", lambda value: False),
]


def outcome(result: Any) -> tuple[Any, ...]:
    """Everything a verification says, the record included (built now if it was deferred)."""
    return (
        result.verdict,
        result.signature_verified,
        result.key_id,
        result.issuer,
        result.issued_at,
        result.expires_at,
        [(type(e), e.code, e.message, e.where) for e in result.errors],
        [(type(w), w.code, w.message, w.where) for w in result.warnings],
        result.record,
    )


def general_outcome(text: str, trust: TrustStore, at: datetime) -> tuple[Any, ...]:
    """The outcome with every shortcut switched off."""
    with pytest.MonkeyPatch.context() as patch:
        for owner, name, value in GENERAL_PATHS:
            patch.setattr(owner, name, value)
        return outcome(FORMAT.verify(text, trust, at=at))
