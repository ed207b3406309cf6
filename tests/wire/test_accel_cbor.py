"""The C accelerator's CBOR decoder against cbor2's strict path: it may decline, never differ.

Whatever ``_accel.cbor_decode`` answers must be exactly (types included: ``1`` is not ``True``)
what :func:`strict_cbor.loads` returns with the accelerator switched off; whatever that path
rejects, the accelerator must decline.
"""

from __future__ import annotations

from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shomeisho.errors import MalformedError
from shomeisho.wire import strict_cbor

pytestmark = pytest.mark.skipif(
    not strict_cbor.ACCELERATED, reason="the optional C accelerator is not built"
)


def typed(value: Any) -> Any:
    """A form of ``value`` in which equal means equal in type too."""
    if isinstance(value, dict):
        return ("map", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, value)


def general(data: bytes, max_depth: int = strict_cbor.MAX_DEPTH) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strict_cbor, "_decode_c", None)
        try:
            return ("ok", typed(strict_cbor.loads(data, max_depth=max_depth)))
        except MalformedError as exc:
            return ("error", exc.code)


def accelerated(data: bytes, max_depth: int = strict_cbor.MAX_DEPTH) -> Any:
    from shomeisho.wire import _accel

    found = _accel.cbor_decode(data, max_depth)
    return None if found is None else ("ok", typed(found[0]))


def agrees(data: bytes, max_depth: int = strict_cbor.MAX_DEPTH) -> bool:
    fast = accelerated(data, max_depth)
    return fast is None or fast == general(data, max_depth)


keys = st.one_of(
    st.integers(-(2**63), 2**64 - 1), st.text(max_size=8), st.binary(max_size=8), st.booleans()
)
plain = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64 - 1),
        st.text(max_size=20),
        st.binary(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=plain, depth=st.integers(0, 6))
def test_plain_data_decodes_exactly_as_cbor2_does(value: Any, depth: int) -> None:
    data = cbor2.dumps(value)
    assert agrees(data, depth)
    assert agrees(data)


@settings(max_examples=400, deadline=None)
@given(value=plain, cut=st.integers(0, 200), extra=st.binary(max_size=3), flip=st.integers(0, 2000))
def test_mutated_data_is_declined_or_agreed(value: Any, cut: int, extra: bytes, flip: int) -> None:
    data = cbor2.dumps(value)
    assert agrees(data[:cut])  # truncated
    assert agrees(data + extra)  # trailing bytes
    if data:
        position = flip % len(data)
        flipped = bytearray(data)
        flipped[position] ^= 1 << (flip % 8)
        assert agrees(bytes(flipped))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_are_declined_or_agreed(data: bytes) -> None:
    assert agrees(data)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\xa2\x01\x01\x01\x02", "duplicate key"),
        (b"\xa2\x01\x01\xf5\x02", "1 and true are one key in Python, as in cbor2"),
        (b"\x01\x02", "trailing byte"),
        (b"\x82\x01", "array runs past the end"),
        (b"\x9f\x01\xff", "indefinite length"),
        (b"\xf9\x7e\x00", "a float (NaN)"),
        (b"\xc1\x1a\x00\x00\x00\x00", "a tag"),
        (b"\x62\xc3\x28", "invalid UTF-8"),
        (b"\xa1\x80\x01", "an array as a key"),
        (b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "a count no input can hold"),
        (b"\x1c", "reserved additional info"),
        (b"", "nothing at all"),
        (b"\x81" * 20 + b"\x01", "deeper than the limit"),
    ],
)
def test_the_accelerator_declines(data: bytes, why: str) -> None:
    assert accelerated(data) is None, why
    assert agrees(data)


def test_every_depth_limit_agrees_with_cbor2() -> None:
    for depth in range(0, 8):
        for nesting in range(0, 8):
            assert agrees(b"\x81" * nesting + b"\x01", depth)
            assert agrees(b"\xa1\x01" * nesting + b"\x01", depth)


def test_a_typical_dcc_payload_takes_the_accelerator() -> None:
    claims = {1: "JP", 6: 1_700_000_000, 4: 1_800_000_000, -260: {1: {"ver": "1.3.0", "v": []}}}
    data = cbor2.dumps(claims)
    assert accelerated(data) == general(data) == ("ok", typed(claims))
