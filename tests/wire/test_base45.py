"""Base45 against RFC 9285 section 4.3 examples, random round trips and the strictness rules."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shomeisho.errors import EncodingError
from shomeisho.wire import base45

RFC9285 = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]


@pytest.mark.parametrize(("raw", "text"), RFC9285)
def test_rfc9285_examples(raw: bytes, text: str) -> None:
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


@given(st.binary(max_size=600))
def test_round_trip(data: bytes) -> None:
    assert base45.decode(base45.encode(data)) == data


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("GGW", "above 65535"),  # RFC 9285 section 4.2: 65536 is not a valid triple
        ("ZZZZZZ", "above 65535"),
        ("AB", "above 255"),  # final pair over one byte
        ("A", "single character"),
        ("hel", "not in the base45 alphabet"),
        ("AB=", "not in the base45 alphabet"),
    ],
)
def test_invalid_input_names_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(EncodingError) as info:
        base45.decode(text)
    assert fragment in info.value.message
    assert info.value.code == "encoding.base45"


def test_size_cap() -> None:
    with pytest.raises(EncodingError, match="limit"):
        base45.decode("0" * (base45.MAX_TEXT + 3))


def test_accelerator_is_built_in_ci() -> None:
    """CI machines have a compiler, so a missing accelerator there means the build broke."""
    if not base45.ACCELERATED:
        if os.environ.get("CI"):
            pytest.fail("shomeisho.wire._accel was not built; see the pip install output")
        pytest.skip("the C accelerator is not built here (no compiler?); pure Python is in use")


needs_accelerator = pytest.mark.skipif(
    not base45.ACCELERATED, reason="the optional C accelerator is not built"
)


@needs_accelerator
@given(
    data=st.binary(max_size=400),
    text=st.text(base45.ALPHABET + "a\n\u00e9\U00020bb7", max_size=40),
)
def test_accelerator_agrees_with_the_python_fast_path(data: bytes, text: str) -> None:
    from shomeisho.wire import _accel

    encoded = base45.encode(data)
    assert _accel.base45_decode(encoded) == base45.decode_fast(encoded) == data
    assert _accel.base45_decode(text) == base45.decode_fast(text)


@needs_accelerator
@pytest.mark.parametrize(
    "text", ["GGW", "ZZZZZZ", "AB", "A", "hel", "AB=", "0" * (base45.MAX_TEXT + 2), "QED8WEX\u00e9"]
)
def test_accelerator_declines_what_python_explains(text: str) -> None:
    from shomeisho.wire import _accel

    assert _accel.base45_decode(text) is None
    with pytest.raises(EncodingError):
        base45.decode(text)


@needs_accelerator
def test_accelerator_refuses_what_is_not_text() -> None:
    from shomeisho.wire import _accel

    with pytest.raises(TypeError):
        _accel.base45_decode(b"QED8WEX0")  # type: ignore[arg-type]
