"""CWT claims (RFC 8392) of an HCERT: ``iss`` (1), ``iat`` (6), ``exp`` (4), ``hcert`` (-260).

The DCC payload sits at ``hcert`` -> ``1`` (eu_dgc_v1) as a CBOR map that must be JSON data.
``cbor2`` decodes RFC 3339 timestamps tagged 0 into ``datetime``; the schema's README says
validators MUST read tagged and untagged timestamps alike, so they are turned back into text
here. Any other non-JSON value (bytes, undefined, sets...) is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import cbor2

from shomeisho.errors import MalformedError, SchemaError
from shomeisho.wire import strict_cbor

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260
HCERT_EU_DCC_V1 = 1
_MAX_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class Claims:
    """What the CWT says. ``payload`` is the DCC JSON object (plain dicts/lists/str/int...)."""

    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    payload: dict[str, Any]


def decode(data: bytes) -> Claims:
    """Decode the COSE payload into claims; structure errors are MalformedError (unreadable)."""
    claims = strict_cbor.loads(data, what="the CWT claims map")
    if not isinstance(claims, Mapping):
        raise MalformedError(
            f"the COSE payload must be a CWT claims map; it is a {type(claims).__name__}",
            code="malformed.cwt",
            where="CWT",
        )
    hcert = _claim(claims, CLAIM_HCERT)
    if not isinstance(hcert, Mapping):
        raise MalformedError(
            "the CWT has no hcert claim (-260) holding a map; this is not a health certificate"
            if hcert is None
            else f"the CWT hcert claim (-260) is a {type(hcert).__name__}, not a map",
            code="malformed.cwt",
            where="CWT claim -260",
        )
    dcc = _claim(hcert, HCERT_EU_DCC_V1)
    if not isinstance(dcc, Mapping):
        raise MalformedError(
            "the hcert claim has no EU DCC (key 1) holding a map",
            code="malformed.cwt",
            where="CWT claim -260/1",
        )
    issuer = _claim(claims, CLAIM_ISS)
    if issuer is not None and not isinstance(issuer, str):
        raise MalformedError(
            f"the CWT iss claim (1) must be text; it is a {type(issuer).__name__}",
            code="malformed.cwt",
            where="CWT claim iss",
        )
    return Claims(
        issuer=issuer,
        issued_at=_numeric_date(_claim(claims, CLAIM_IAT), "iat"),
        expires_at=_numeric_date(_claim(claims, CLAIM_EXP), "exp"),
        payload=to_json(dcc, "payload"),
    )


def _claim(claims: Mapping[Any, Any], label: int) -> Any:
    """Look up an integer label exactly (``True``/``1.0`` are not the label 1)."""
    for key, value in claims.items():
        if type(key) is int and key == label:
            return value
    return None


def _numeric_date(value: Any, name: str) -> datetime | None:
    """CWT NumericDate: seconds since the epoch, integer or (as some issuers wrote) float."""
    if value is None:
        return None
    if isinstance(value, datetime):  # tag 1 epoch date, decoded by cbor2
        return value.astimezone(UTC)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedError(
            f"the CWT {name} claim must be a number of seconds; it is {value!r}",
            code="malformed.cwt",
            where=f"CWT claim {name}",
        )
    if not 0 <= value <= _MAX_NUMERIC_DATE:
        raise MalformedError(
            f"the CWT {name} claim {value} is outside the years 1970-9999",
            code="malformed.cwt",
            where=f"CWT claim {name}",
        )
    return datetime.fromtimestamp(value, UTC)


class _NotJsonError(Exception):
    """A non-JSON value; ``path`` is filled in (innermost first) as the error rises."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.path: list[str] = []


def to_json(value: Any, where: str) -> Any:
    """Turn decoded CBOR into JSON data; ``cbor2`` gives tuples/frozendicts inside tags.

    On the verify hot path, so plain ``dict``/``list``/``str``/``int`` take the fast branches."""
    try:
        return _json(value)
    except _NotJsonError as exc:
        pointer = "/".join([where, *reversed(exc.path)])
        raise SchemaError(
            f"{pointer} holds {exc.kind}; DCC payloads hold only JSON data",
            code="schema.payload",
            where=pointer,
        ) from None


def _json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                error = _NotJsonError(f"the map key {key!r} (keys are text)")
                raise error
            try:
                out[key] = item if type(item) is str else _json(item)
            except _NotJsonError as exc:
                exc.path.append(key)
                raise
        return out
    if kind is list or kind is tuple:
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_json(item))
            except _NotJsonError as exc:
                exc.path.append(str(index))
                raise
        return items
    if isinstance(value, datetime):  # tag 0 (RFC 3339 text) or tag 1, decoded by cbor2
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str):  # subclasses (IntEnum...) are still JSON
        return value
    if isinstance(value, bytes):
        raise _NotJsonError("a byte string")
    if isinstance(value, cbor2.CBORTag):
        raise _NotJsonError(f"a value with CBOR tag {value.tag}")
    raise _NotJsonError(f"a CBOR {type(value).__name__}")


def encode(*, issuer: str, issued_at: int, expires_at: int, payload: dict[str, Any]) -> bytes:
    """The CWT claims map, in the order the HCERT specification lists them."""
    return cbor2.dumps(
        {
            CLAIM_ISS: issuer,
            CLAIM_IAT: issued_at,
            CLAIM_EXP: expires_at,
            CLAIM_HCERT: {HCERT_EU_DCC_V1: payload},
        }
    )
