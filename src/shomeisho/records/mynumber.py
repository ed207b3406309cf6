"""My Number (個人番号): checked, then kept only as a keyed hash, never as the number.

A My Number is a lifelong identifier; a leaked table of them cannot be taken back. The record
system needs it only to match a resident the identity provider names by it, so it keeps
HMAC-SHA256(record secret, number): the same number always gives the same value (so it can be
looked up and made unique), and without the secret the value cannot be reversed by trying all
10^11 valid numbers. The check digit is verified first, so a mistyped number is refused instead
of silently matching nobody.
"""

from __future__ import annotations

import hashlib
import hmac

from shomeisho.errors import InputError

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def check_digit(first_eleven: str) -> int:
    """The check digit of the 個人番号 (総務省令 第五条): weights 2-7 from the right, mod 11."""
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def normalise(number: str) -> str:
    """Twelve ASCII digits with a correct check digit; spaces and hyphens are ignored."""
    digits = number.translate(_FULLWIDTH).replace(" ", "").replace("-", "")
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        raise InputError("a My Number has 12 digits", code="input.my_number", where="my_number")
    if check_digit(digits[:11]) != int(digits[11]):
        raise InputError(
            "this My Number's check digit is wrong: check it against the card",
            code="input.my_number",
            where="my_number",
        )
    return digits


def keyed_hash(number: str, secret: bytes) -> str:
    """The value stored for a My Number (hex HMAC-SHA256 under the record secret)."""
    if len(secret) < 32:
        raise InputError(
            "the record secret is too short for My Number hashes", code="input.settings"
        )
    return hmac.new(secret, normalise(number).encode("ascii"), hashlib.sha256).hexdigest()
