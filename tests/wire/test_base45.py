"""Base45 against RFC 9285 section 4.3 examples, random round trips and the strictness rules."""

from __future__ import annotations

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
