"""Strict JSON and CBOR: the parser differentials that let one signed document mean two things."""

from __future__ import annotations

import cbor2
import pytest

from shomeisho.errors import MalformedError
from shomeisho.wire import strict_cbor, strict_json


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a":1,"a":2}', "malformed.duplicate_key"),
        ('{"a":{"b":1,"b":1}}', "malformed.duplicate_key"),
        ("[NaN]", "malformed.json.nan"),
        ('{"x":Infinity}', "malformed.json.nan"),
        ('{"a":1}xyz', "malformed.trailing"),
        ('{"a":1} {"b":2}', "malformed.trailing"),
        ("\ufeff{}", "malformed.json.bom"),
        ("[" * 30 + "]" * 30, "malformed.depth"),
        ("[" * 20000 + "]" * 20000, "malformed.depth"),
        ("[" * 100000 + "]" * 100000, "malformed.json.too_long"),
        ("{'a':1}", "malformed.json"),
    ],
)
def test_json_rejections(text: str, code: str) -> None:
    with pytest.raises(MalformedError) as info:
        strict_json.loads(text)
    assert info.value.code == code


def test_json_bytes_bom_and_utf8() -> None:
    with pytest.raises(MalformedError, match="byte order mark"):
        strict_json.loads(b"\xef\xbb\xbf{}")
    with pytest.raises(MalformedError, match="not UTF-8"):
        strict_json.loads(b'{"a":"\xff"}')
    assert strict_json.loads(b' {"a":"\xe9\xab\x99"} ') == {"a": "髙"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (bytes.fromhex("a201010102"), "malformed.duplicate_key"),
        (cbor2.dumps({1: 2}) + b"\x00", "malformed.trailing"),
        (cbor2.dumps([float("nan")]), "malformed.cbor.nan"),
        (b"\x9f" * 40, "malformed"),
        (b"\x5a\xff\xff\xff\xff", "malformed.cbor"),  # byte string claiming 4 GiB
        (b"", "malformed.cbor"),
    ],
)
def test_cbor_rejections(data: bytes, code: str) -> None:
    with pytest.raises(MalformedError) as info:
        strict_cbor.loads(data)
    assert info.value.code.startswith(code)


def test_cbor_accepts_plain_items() -> None:
    assert strict_cbor.loads(cbor2.dumps({1: "JP", 4: 1700000000})) == {1: "JP", 4: 1700000000}


def _non_finite_encodings() -> list[bytes]:
    import struct

    out = [b"\x81\xf9" + struct.pack(">H", b) for b in (0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFFFF)]
    out += [b"\x81\xfa" + struct.pack(">I", b) for b in (0x7F800000, 0xFF800000, 0x7FC00001)]
    out += [b"\x81\xfb" + struct.pack(">Q", b) for b in (0x7FF0000000000000, 0xFFF8000000000001)]
    return out


@pytest.mark.parametrize("data", _non_finite_encodings())
def test_every_half_single_double_nan_and_infinity_is_refused(data: bytes) -> None:
    with pytest.raises(MalformedError) as info:
        strict_cbor.loads(data)
    assert info.value.code == "malformed.cbor.nan"


def test_finite_floats_pass() -> None:
    assert strict_cbor.loads(cbor2.dumps([1.5, 65504.0, 1e300, -0.0])) == [1.5, 65504.0, 1e300, 0.0]
