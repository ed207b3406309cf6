"""The table-driven base64url and DER fast paths against the standard library's reference."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from shomeisho import signing
from shomeisho.errors import EncodingError, SignatureFormatError
from shomeisho.formats.vdsnc import certificates as vdsnc_certificates
from shomeisho.formats.vdsnc.certificates import es256_der
from shomeisho.signing import raw_to_der
from shomeisho.wire.b64 import b64url_decode

URLSAFE = re.compile(r"^[A-Za-z0-9_-]*$")


def reference(text: str) -> bytes | None:
    """RFC 7515 base64url without padding, decoded the slow, obvious way."""
    if not URLSAFE.match(text) or len(text) % 4 == 1:
        return None
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@given(st.binary(max_size=200))
def test_round_trip(data: bytes) -> None:
    text = base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    assert b64url_decode(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "",
        "QQ",
        "QUI",
        "QUJD",
        "QUJDRA",
        "Q",
        "QUJDR",
        "QU+D",
        "QU/D",
        "QUJD=",
        "QQ==",
        "QU JD",
        "QUJD\n",
        "ÀÀÀÀ",
        "-_-_",
        "AB.C",
        "QR",
        "QUJ",
    ],
)
def test_agrees_with_reference(text: str) -> None:
    expected = reference(text)
    if expected is None:
        with pytest.raises(EncodingError):
            b64url_decode(text)
    else:
        assert b64url_decode(text) == expected


@given(st.text(alphabet="ABCab01-_+/= .", max_size=12))
def test_agrees_with_reference_on_random_text(text: str) -> None:
    expected = reference(text)
    try:
        got: bytes | None = b64url_decode(text)
    except EncodingError:
        got = None
    assert got == expected


@given(st.binary(min_size=64, max_size=64), st.integers(0, 33), st.integers(0, 33))
def test_der_matches_cryptography(raw: bytes, zeros_r: int, zeros_s: int) -> None:
    raw = (
        bytes(min(zeros_r, 32))
        + raw[min(zeros_r, 32) : 32]
        + bytes(min(zeros_s, 32))
        + raw[32 + min(zeros_s, 32) :]
    )
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    assert raw_to_der(raw) == encode_dss_signature(r, s)
    with pytest.MonkeyPatch.context() as patch:  # the byte-operation path, without C
        patch.setattr(signing, "_der_c", None)
        assert raw_to_der(raw) == encode_dss_signature(r, s)
    if signing._der_c is not None:  # the C accelerator's conversion, and VDS-NC's own
        assert signing._der_c(raw) == encode_dss_signature(r, s)
    assert es256_der(raw) == encode_dss_signature(r, s)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vdsnc_certificates, "_der_c", None)
        assert es256_der(raw) == encode_dss_signature(r, s)


@pytest.mark.skipif(signing._der_c is None, reason="the optional C accelerator is not built")
@pytest.mark.parametrize("raw", [b"", bytes(63), bytes(65), bytearray(64), "x" * 64, None])
def test_the_c_conversion_declines_other_input(raw: object) -> None:
    assert signing._der_c is not None
    assert signing._der_c(raw) is None  # type: ignore[arg-type]


def test_der_signature_given_as_raw_is_refused() -> None:
    with pytest.raises(SignatureFormatError, match="looks DER-encoded"):
        raw_to_der(b"\x30" + bytes(70))
