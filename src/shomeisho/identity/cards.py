"""Emulated My Number cards: what a card says about its holder, and how its PIN is checked.

What the card holds is the 基本4情報 (name, address, date of birth, sex), the old surname when it is
printed beside the name (旧姓併記), and the holder's user-authentication key and certificate
(here: a P-256 key and a certificate from the demo CA). The PIN is four digits; three wrong
PINs in a row lock the card, and only the municipality can unlock it. The PIN is kept as an HMAC
under the service's record secret: four digits are too few for any hash to hide, so the secret
and the lock are what protect it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shomeisho.errors import InputError

MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class CardHolder:
    """The holder's details as the card carries them (and the ID token passes on)."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    former_family_name: str  # 旧姓, "" when the card shows none
    birth_date: str  # YYYY-MM-DD
    sex: str  # male / female / other / unknown
    municipality_code: str
    address: str


@dataclass(frozen=True, slots=True)
class Card:
    """A card as the identity provider keeps it (no PIN, no key)."""

    subject: str  # the stable OIDC ``sub`` for this holder
    holder: CardHolder
    certificate_pem: str
    failed_attempts: int
    locked: bool
    created_at: datetime


class PinOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # and the card is still usable
    LOCKED_NOW = "locked_now"  # this wrong PIN was the third
    LOCKED = "locked"  # the card was already locked: the PIN was not even compared
    UNKNOWN_CARD = "unknown_card"


@dataclass(frozen=True, slots=True)
class PinResult:
    outcome: PinOutcome
    remaining: int  # attempts left before the card locks


def check_pin_format(pin: str) -> str:
    """Four ASCII digits (full-width digits are accepted and folded)."""
    folded = pin.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if len(folded) != 4 or not folded.isascii() or not folded.isdigit():
        raise InputError("the PIN is four digits", code="input.pin", where="pin")
    return folded


def pin_digest(subject: str, pin: str, secret: bytes) -> str:
    """What is stored for a card's PIN: HMAC-SHA256(secret, subject:PIN)."""
    message = f"{subject}:{check_pin_format(pin)}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def pin_matches(subject: str, pin: str, stored: str, secret: bytes) -> bool:
    try:
        return hmac.compare_digest(pin_digest(subject, pin, secret), stored)
    except InputError:
        return False
