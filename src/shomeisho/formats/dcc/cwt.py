"""CWT claims (RFC 8392) of an HCERT: ``iss`` (1), ``iat`` (6), ``exp`` (4), ``hcert`` (-260).

The DCC payload sits at ``hcert`` -> ``1`` (eu_dgc_v1) as a CBOR map that must be JSON data.
``cbor2`` decodes RFC 3339 timestamps tagged 0 into ``datetime``; the schema's README says
validators MUST read tagged and untagged timestamps alike, so they are turned back into text
here. Any other non-JSON value (bytes, undefined, sets...) is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import cbor2

from shomeisho.errors import MalformedError, SchemaError
from shomeisho.wire import strict_cbor

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260
HCERT_EU_DCC_V1 = 1
_MAX_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z


class Claims(NamedTuple):
    """What the CWT says. ``payload`` is the DCC JSON object (plain dicts/lists/str/int...).

    A named tuple: immutable, and cheap to build on the verify hot path."""

    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    payload: dict[str, Any]


class RawClaims(NamedTuple):
    """The claims as :func:`read` finds them: ``payload`` is the decoded map, not yet checked
    to be JSON data (:func:`json_payload` does that)."""

    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    payload: Mapping[Any, Any]


def decode(data: bytes) -> Claims:
    """Decode the COSE payload into claims; structure errors are MalformedError (unreadable),
    a payload that is not JSON data is a SchemaError (``schema.payload``)."""
    raw = read(data)
    return Claims(raw.issuer, raw.issued_at, raw.expires_at, json_payload(raw.payload))


def json_payload(value: Mapping[Any, Any]) -> dict[str, Any]:
    """The DCC payload as JSON data: ``value`` itself when it is plain JSON already (the usual
    case, checked without copying), else :func:`to_json`'s copy or its SchemaError."""
    if type(value) is dict and _plain(value):
        return value
    converted: dict[str, Any] = to_json(value, "payload")
    return converted


def read(data: bytes) -> RawClaims:
    """:func:`decode` without the JSON check of the payload (same errors, same order)."""
    return read_decoded(strict_cbor.loads(data, what=WHAT, max_depth=strict_cbor.MAX_DEPTH))


WHAT = "the CWT claims map"  # how errors name it


def read_decoded(claims: Any) -> RawClaims:
    """:func:`read` of claims already decoded by :func:`strict_cbor.loads` (``max_depth`` as
    there), for a caller that decoded them itself (:func:`.typical.read_claims`)."""
    typical = _read_typical(claims)
    return typical if typical is not None else _read(claims)


def _read_typical(claims: Any) -> RawClaims | None:
    """The usual claims (integer labels only, ``iss`` text, whole-second ``iat``/``exp``, an
    ``hcert`` map holding only the DCC map) read with few Python calls; else None, and
    :func:`_read` decides. Yields exactly what :func:`_read` would."""
    if type(claims) is not dict:
        return None
    for label in claims:
        if type(label) is not int:
            return None
    # only integer labels: get() finds exactly them (no True or 1.0 answers for 1)
    hcert = claims.get(CLAIM_HCERT)
    if type(hcert) is not dict or len(hcert) != 1:
        return None
    ((label, dcc),) = hcert.items()
    issuer, iat, exp = claims.get(CLAIM_ISS), claims.get(CLAIM_IAT), claims.get(CLAIM_EXP)
    if (
        type(label) is not int
        or label != HCERT_EU_DCC_V1
        or type(dcc) is not dict
        or not (issuer is None or type(issuer) is str)
        or type(iat) is not int
        or type(exp) is not int
        or not 0 <= iat <= _MAX_NUMERIC_DATE
        or not 0 <= exp <= _MAX_NUMERIC_DATE
    ):
        return None
    fields = (issuer, datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC), dcc)
    return tuple.__new__(RawClaims, fields)  # RawClaims(*fields), without the Python __new__


def _read(claims: Any) -> RawClaims:
    """The general path of :func:`read`: any claims map, every error."""
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
    return RawClaims(
        issuer,
        _numeric_date(_claim(claims, CLAIM_IAT), "iat"),
        _numeric_date(_claim(claims, CLAIM_EXP), "exp"),
        dcc,
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


_SCALARS = frozenset({str, int, bool, float, type(None)})


def _plain(value: dict[Any, Any]) -> bool:
    """True when ``value`` holds only dicts with text keys, lists and JSON scalars (exact
    types), so :func:`to_json` would return an equal copy and the value can be used as is."""
    for key, item in value.items():
        if type(key) is not str:
            return False
        kind = type(item)
        if kind is str or kind is int:
            continue
        if kind is dict:
            if not _plain(item):
                return False
        elif kind is list:
            for element in item:
                element_kind = type(element)
                if element_kind is dict:
                    if not _plain(element):
                        return False
                elif element_kind is list:
                    if not _plain({"": element}):
                        return False
                elif element_kind not in _SCALARS:
                    return False
        elif kind not in _SCALARS:
            return False
    return True


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
