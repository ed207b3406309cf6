"""SHC numeric encoding and capped inflate."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shomeisho.errors import DecompressionError, EncodingError
from shomeisho.wire import inflate, numeric

JWS_CHARS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=300
)


def test_spec_example() -> None:
    # SMART Health Cards spec: "e" (101) -> 56, "y" (121) -> 76
    assert numeric.encode("ey") == "5676"
    assert numeric.decode("5676") == "ey"


@given(JWS_CHARS)
def test_round_trip(jws: str) -> None:
    assert numeric.decode(numeric.encode(jws)) == jws


@pytest.mark.parametrize(
    ("digits", "code"),
    [
        ("567", "encoding.numeric.odd"),
        ("5678", "encoding.numeric.range"),
        ("56a6", "encoding.numeric.character"),
        ("５６", "encoding.numeric.character"),
    ],
)
def test_bad_digits(digits: str, code: str) -> None:
    with pytest.raises(EncodingError) as info:
        numeric.decode(digits)
    assert info.value.code == code


def test_inflate_round_trips() -> None:
    data = b"vaccination " * 100
    assert inflate.inflate_raw(inflate.deflate_raw(data)) == data
    assert inflate.inflate_zlib(inflate.deflate_zlib(data)) == data


def test_bomb_is_refused_without_inflating_it() -> None:
    bomb = zlib.compress(b"\0" * 2_000_000, 9)  # > 1000:1
    assert len(bomb) * 1000 < 2_000_000
    with pytest.raises(DecompressionError) as info:
        inflate.inflate_zlib(bomb)
    assert info.value.code == "decompression.too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x78\x9c garbage", "decompression.invalid"),
        (zlib.compress(b"hello")[:-3], "decompression.truncated"),
        (zlib.compress(b"hello") + b"xx", "decompression.trailing"),
    ],
)
def test_broken_zlib(data: bytes, code: str) -> None:
    with pytest.raises(DecompressionError) as info:
        inflate.inflate_zlib(data)
    assert info.value.code == code
