"""My Number: check digit, normalisation, and a keyed hash that never reveals the number."""

from __future__ import annotations

import pytest

from shomeisho.errors import InputError
from shomeisho.records import mynumber

SECRET = b"k" * 32
VALID = "123456789018"  # check digit 8 by the ordinance's weights (worked out in the test below)


def test_the_check_digit_follows_the_ordinance() -> None:
    # digits from the right: 1 0 9 8 7 6 | 5 4 3 2 1, weights 2..7 then 2..6
    total = 1 * 2 + 0 * 3 + 9 * 4 + 8 * 5 + 7 * 6 + 6 * 7 + 5 * 2 + 4 * 3 + 3 * 4 + 2 * 5 + 1 * 6
    assert 11 - total % 11 == 8 == mynumber.check_digit("12345678901")
    assert mynumber.check_digit("00000000000") == 0  # remainder 0 gives 0, not 11


@pytest.mark.parametrize(
    "written", [VALID, "1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８"]
)
def test_spellings_normalise_to_the_same_number(written: str) -> None:
    assert mynumber.normalise(written) == VALID
    assert mynumber.keyed_hash(written, SECRET) == mynumber.keyed_hash(VALID, SECRET)


@pytest.mark.parametrize("bad", ["123456789017", "12345678901", "1234567890123", "abcdefghijkl"])
def test_mistyped_numbers_are_refused(bad: str) -> None:
    with pytest.raises(InputError) as info:
        mynumber.keyed_hash(bad, SECRET)
    assert info.value.code == "input.my_number"


def test_the_hash_depends_on_the_secret_and_hides_the_number() -> None:
    first = mynumber.keyed_hash(VALID, SECRET)
    assert first != mynumber.keyed_hash(VALID, b"j" * 32)
    assert VALID not in first and len(first) == 64
