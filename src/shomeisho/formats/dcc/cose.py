"""COSE_Sign1 (RFC 9052) as HCERT uses it: strict parsing, signing, and signature checks.

Rules, each from the HCERT specification or a hard rule of this project:

* The message is ``COSE_Sign1``: tag 18, or untagged, or tag 18 inside the CWT tag 61. Anything
  else is malformed.
* The algorithm comes **only** from the protected header and only from the allow-list
  ES256 (-7) / PS256 (-37). An ``alg`` that appears only in the unprotected header is refused:
  that header is not signed, so an attacker could rewrite it.
* The key identifier (``kid``, label 4) is read from the protected header; the unprotected
  header is used only when the protected one has none (HCERT allows both).
* ES256 signatures are raw ``r || s`` (64 bytes); DER is refused.

Speed (the verify hot path; ``benchmarks/codecs.py``): :func:`decode` reads the shape every HCERT
issuer writes (tag 18, a protected header holding only alg and kid, an unprotected header that is
empty or holds only the kid) with a few byte comparisons and hands anything else to the general
strict CBOR path, which alone decides errors; the ``Sig_structure`` is concatenated rather than
encoded; and ES256 under a P-256 key is checked with the key and algorithm objects made once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import cbor2

from shomeisho.errors import AlgorithmError, MalformedError
from shomeisho.wire import strict_cbor

TAG_COSE_SIGN1 = 18
TAG_CWT = 61
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
_UNDERSTOOD = {HEADER_ALG, HEADER_KID}  # labels a "crit" header may name (RFC 9052 3.1)
ES256 = -7
PS256 = -37
ALGORITHMS = {ES256: "ES256", PS256: "PS256"}
_ALLOWED_TEXT = "ES256 (-7) or PS256 (-37)"
_TAG_CHAINS = {(), (TAG_COSE_SIGN1,), (TAG_CWT, TAG_COSE_SIGN1)}


class Sign1(NamedTuple):
    """A decoded COSE_Sign1. ``protected_bytes`` are kept exactly as received: they are signed.

    A named tuple rather than a frozen dataclass: as immutable, and built in a third of the time
    on the verify hot path."""

    protected_bytes: bytes
    protected: dict[int | str, Any]
    unprotected: dict[int | str, Any]
    payload: bytes
    signature: bytes
    tags: tuple[int, ...]

    def to_be_signed(self) -> bytes:
        """The ``Sig_structure`` of RFC 9052 section 4.4 for a COSE_Sign1 without external AAD."""
        return sig_structure(self.protected_bytes, self.payload)


def sig_structure(protected_bytes: bytes, payload: bytes) -> bytes:
    """``["Signature1", protected, h'', payload]`` in CBOR, written directly (the bytes are
    exactly what ``cbor2.dumps`` gives: definite lengths in their shortest form)."""
    size = len(payload)
    if len(protected_bytes) < 24 and 24 <= size < 0x10000:  # every HCERT: heads from tables
        payload_head = _BSTR8[size] if size < 0x100 else _BSTR16[size >> 8] + _BYTE[size & 0xFF]
        protected_head = _SHORT_BSTR[len(protected_bytes)]
        return b"".join(
            (_SIG1_HEAD, protected_head, protected_bytes, b"\x40", payload_head, payload)
        )
    return b"".join(
        (_SIG1_HEAD, _bstr_head(len(protected_bytes)), protected_bytes, b"\x40",
         _bstr_head(size), payload)
    )  # fmt: skip


_SIG1_HEAD = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"
_BYTE = tuple(bytes((i,)) for i in range(256))
_SHORT_BSTR = tuple(bytes((0x40 + i,)) for i in range(24))  # bstr of 0..23 bytes
_BSTR8 = tuple(bytes((0x58, i)) for i in range(256))  # bstr with a one-byte length
_BSTR16 = tuple(bytes((0x59, i)) for i in range(256))  # ... two-byte length: first byte


def _bstr_head(length: int) -> bytes:
    """The CBOR head of a byte string of ``length`` bytes, shortest form (RFC 8949 4.2.1)."""
    if length < 24:
        return bytes((0x40 + length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    if length < 0x1_0000_0000:
        return b"\x5a" + length.to_bytes(4, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def _header(value: object, what: str) -> dict[int | str, Any]:
    if type(value) is dict and all(type(label) is int for label in value):
        return value  # the common case: a plain map with integer labels
    if not isinstance(value, Mapping):
        raise MalformedError(
            f"the COSE {what} header is a {type(value).__name__}, not a map",
            code="malformed.cose",
            where=f"COSE {what} header",
        )
    out: dict[int | str, Any] = {}
    for label, item in value.items():
        if isinstance(label, bool) or not isinstance(label, int | str):
            raise MalformedError(
                f"the COSE {what} header has the label {label!r}; labels are integers or text",
                code="malformed.cose",
                where=f"COSE {what} header",
            )
        out[label] = item
    return out


def _bstr(data: bytes, at: int) -> tuple[bytes, int] | None:
    """A definite-length byte string at ``data[at]`` and the offset after it, else None."""
    if at >= len(data):
        return None
    head = data[at]
    if 0x40 <= head <= 0x57:
        start, length = at + 1, head - 0x40
    elif head == 0x58 and at + 1 < len(data):
        start, length = at + 2, data[at + 1]
    elif head == 0x59:
        start, length = at + 3, int.from_bytes(data[at + 1 : at + 3], "big")
    else:
        return None
    end = start + length
    if end > len(data):
        return None
    return data[start:end], end


def _small_int(data: bytes, at: int) -> tuple[int, int] | None:
    """An integer in -256..23 (one- or two-byte head) at ``data[at]``, else None."""
    if at >= len(data):
        return None
    head = data[at]
    if head <= 0x17:
        return head, at + 1
    if 0x20 <= head <= 0x37:
        return 0x1F - head, at + 1
    if head == 0x38 and at + 1 < len(data):
        return -1 - data[at + 1], at + 2
    return None


_ES256_KID8 = b"\xa2\x01\x26\x04\x48"  # {1: -7, 4: h'<8 bytes>'}


def _common_header(data: bytes) -> dict[int | str, Any] | None:
    """A map of at most alg (1, a small integer) and kid (4, a byte string), in either order
    and each at most once, filling ``data`` exactly; else None (the general path decides)."""
    if len(data) == 13 and data.startswith(_ES256_KID8):
        return {HEADER_ALG: ES256, HEADER_KID: data[5:]}  # what nearly every issuer writes
    if not data or not 0xA0 <= data[0] <= 0xA2:
        return None
    out: dict[int | str, Any] = {}
    at = 1
    for _ in range(data[0] - 0xA0):
        label = data[at] if at < len(data) else None
        if label == HEADER_ALG and HEADER_ALG not in out:
            alg = _small_int(data, at + 1)
            if alg is None:
                return None
            out[HEADER_ALG], at = alg
        elif label == HEADER_KID and HEADER_KID not in out:
            kid = _bstr(data, at + 1)
            if kid is None:
                return None
            out[HEADER_KID], at = kid
        else:
            return None
    return out if at == len(data) else None


def _decode_common(data: bytes) -> Sign1 | None:
    """The usual HCERT shape, read without a CBOR decoder; None for anything else.

    Accepts only what the general path accepts and yields the same :class:`Sign1`: tag 18 (or
    61 then 18, or none), an array of four definite-length items, a protected header that
    :func:`_common_header` reads, an unprotected header ``{}`` or ``{4: kid}``, and nothing
    after the signature. Neither header can hold a float, a crit or a duplicate label."""
    if not 4 <= len(data) <= strict_cbor.MAX_CBOR:
        return None
    if data[0] == 0xD2:
        tags: tuple[int, ...] = (TAG_COSE_SIGN1,)
    elif data[0] == 0x84:
        tags = ()
    elif data.startswith(b"\xd8\x3d\xd2"):
        tags = (TAG_CWT, TAG_COSE_SIGN1)
    else:
        return None
    at = len(tags) + (len(tags) == 2)  # 0xd2 is one byte, 0xd8 0x3d 0xd2 three
    if data[at] != 0x84:
        return None
    protected_item = _bstr(data, at + 1)
    if protected_item is None:
        return None
    protected_bytes, at = protected_item
    if protected_bytes:
        protected = _common_header(protected_bytes)
        if protected is None:
            return None
    else:
        protected = {}
    if at >= len(data):
        return None
    unprotected: dict[int | str, Any]
    if data[at] == 0xA0:
        unprotected, at = {}, at + 1
    elif data[at] == 0xA1 and data[at + 1 : at + 2] == b"\x04":
        kid = _bstr(data, at + 2)
        if kid is None:
            return None
        unprotected, at = {HEADER_KID: kid[0]}, kid[1]
    else:
        return None
    payload_item = _bstr(data, at)
    if payload_item is None:
        return None
    payload, at = payload_item
    signature_item = _bstr(data, at)
    if signature_item is None or signature_item[1] != len(data):
        return None
    return Sign1(protected_bytes, protected, unprotected, payload, signature_item[0], tags)


# tag 18, array(4), bstr(13) holding {1: -7, 4: h'<8 bytes>'}: the first 8 bytes of most HCERTs
_TYPICAL_START = b"\xd2\x84\x4d" + _ES256_KID8
_TAGS_18 = (TAG_COSE_SIGN1,)


def _decode_typical(data: bytes) -> Sign1 | None:
    """The layout nearly every HCERT has: tag 18, ES256 and an 8-byte kid in the protected
    header, an empty unprotected header, a payload of 24 to 65535 bytes and a 64-byte
    signature; else None."""
    if len(data) < 86 or data[16] != 0xA0 or not data.startswith(_TYPICAL_START):
        return None  # (shorter messages, none of them real, take the general path)
    head = data[17]
    if head == 0x58:
        start, size = 19, data[18]
    elif head == 0x59:
        start, size = 20, data[18] << 8 | data[19]
    else:
        return None
    end = start + size
    if len(data) != end + 66 or data[end] != 0x58 or data[end + 1] != 0x40:
        return None
    unprotected: dict[int | str, Any] = {}
    fields = (
        data[3:16],
        {HEADER_ALG: ES256, HEADER_KID: data[8:16]},
        unprotected,
        data[start:end],
        data[end + 2 :],
        _TAGS_18,
    )
    return tuple.__new__(Sign1, fields)  # Sign1(*fields), without the Python-level __new__


def decode(data: bytes) -> Sign1:
    """Parse COSE_Sign1 bytes strictly (no duplicate keys, no trailing bytes, tags checked)."""
    if type(data) is bytes and len(data) <= strict_cbor.MAX_CBOR:
        found = _decode_typical(data) or _decode_common(data)
        if found is not None:
            return found
    return _decode_general(data)


def _decode_general(data: bytes) -> Sign1:
    value = strict_cbor.loads(data, what="the COSE message")
    tags: list[int] = []
    while isinstance(value, cbor2.CBORTag) and len(tags) < 3:
        tags.append(value.tag)
        value = value.value
    if tuple(tags) not in _TAG_CHAINS or isinstance(value, cbor2.CBORTag):
        raise MalformedError(
            f"the COSE message is tagged {tags}; expected COSE_Sign1 (tag 18), untagged, or "
            "inside a CWT tag (61)",
            code="malformed.cose",
            where="COSE tag",
        )
    if not isinstance(value, list | tuple) or len(value) != 4:
        if isinstance(value, list | tuple):
            shape = f"an array of {len(value)} items"
        else:
            shape = f"a {type(value).__name__}"
        raise MalformedError(
            f"COSE_Sign1 is an array of 4 items (protected, unprotected, payload, signature); "
            f"this is {shape}",
            code="malformed.cose",
            where="COSE_Sign1",
        )
    protected_bytes, unprotected, payload, signature = value
    if not isinstance(protected_bytes, bytes):
        raise MalformedError(
            "the COSE protected header must be a byte string holding a CBOR map",
            code="malformed.cose",
            where="COSE protected header",
        )
    if payload is None:
        raise MalformedError(
            "the COSE payload is detached (nil); an HCERT carries its payload",
            code="malformed.cose",
            where="COSE payload",
        )
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise MalformedError(
            "the COSE payload and signature must be byte strings",
            code="malformed.cose",
            where="COSE_Sign1",
        )
    if protected_bytes:
        protected = _header(
            strict_cbor.loads(protected_bytes, what="the COSE protected header"), "protected"
        )
    else:
        protected = {}
    _check_critical(protected)
    return Sign1(
        protected_bytes=protected_bytes,
        protected=protected,
        unprotected=_header(unprotected, "unprotected"),
        payload=payload,
        signature=signature,
        tags=tuple(tags),
    )


def _check_critical(protected: dict[int | str, Any]) -> None:
    """RFC 9052: a recipient must reject a message whose ``crit`` names a label it does not
    process; HCERT issuers never set ``crit``."""
    critical = protected.get(HEADER_CRIT)
    if critical is None:
        return
    labels = critical if isinstance(critical, list) else [critical]
    unknown = [label for label in labels if label not in _UNDERSTOOD or isinstance(label, bool)]
    if not labels or unknown:
        raise MalformedError(
            f"the COSE protected header marks {unknown or labels!r} as critical; this verifier "
            "processes only alg (1) and kid (4)",
            code="malformed.cose.crit",
            where="COSE protected header",
        )


def algorithm(message: Sign1) -> int:
    """The signature algorithm, from the protected header and the allow-list only."""
    alg = message.protected.get(HEADER_ALG)
    if alg is None:
        if HEADER_ALG in message.unprotected:
            raise AlgorithmError(
                f"COSE protected header has no alg; alg {message.unprotected[HEADER_ALG]!r} "
                "appears only in the unprotected header, which is not signed and is never "
                f"trusted; expected {_ALLOWED_TEXT} in the protected header",
                code="signature.algorithm.unprotected",
                where="COSE protected header",
            )
        raise AlgorithmError(
            f"COSE protected header has no alg; expected {_ALLOWED_TEXT}",
            code="signature.algorithm.missing",
            where="COSE protected header",
        )
    if type(alg) is not int or alg not in ALGORITHMS:
        raise AlgorithmError(
            f"COSE protected header: alg {alg!r} is not allowed; expected {_ALLOWED_TEXT}",
            code="signature.algorithm",
            where="COSE protected header",
        )
    return alg


def key_id(message: Sign1) -> bytes | None:
    """The kid: protected header first, then the unprotected header; None if neither has one."""
    kid = message.protected.get(HEADER_KID)
    if type(kid) is bytes and kid:
        return kid  # the usual case
    for where, header in (("protected", message.protected), ("unprotected", message.unprotected)):
        kid = header.get(HEADER_KID)
        if kid is None:
            continue
        if not isinstance(kid, bytes) or not kid:
            raise MalformedError(
                f"the kid in the COSE {where} header must be a non-empty byte string",
                code="malformed.cose.kid",
                where=f"COSE {where} header",
            )
        return kid
    return None
