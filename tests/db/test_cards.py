"""Emulated My Number cards on a real database: PIN checks and the lock at exactly three."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from cryptography import x509
from sqlalchemy import Engine, text

from shomeisho.db.cards import SqlCardStore
from shomeisho.errors import InvalidError
from shomeisho.identity.cards import PinOutcome
from shomeisho.identity.enrolment import (
    card_key_and_certificate,
    create_card_authority,
    prove_possession,
)
from shomeisho.pki import IssuedKey
from tests.db.records_factory import CARD_HOLDER as HOLDER

SECRET = b"card-test-secret-with-32-bytes!!"


@pytest.fixture(scope="module")
def authority() -> IssuedKey:
    return create_card_authority()


@pytest.fixture
def cards(engine: Engine) -> SqlCardStore:
    return SqlCardStore(engine, SECRET)


def new_card(cards: SqlCardStore, authority: IssuedKey, pin: str = "1234") -> str:
    key, certificate = card_key_and_certificate(authority)
    return cards.create(HOLDER, pin, key, certificate).subject


def test_the_third_wrong_pin_locks_the_card(cards: SqlCardStore, authority: IssuedKey) -> None:
    subject = new_card(cards, authority)
    assert cards.try_pin(subject, "1234").outcome is PinOutcome.ACCEPTED
    first, second, third = (cards.try_pin(subject, "0000") for _ in range(3))
    assert (first.outcome, first.remaining) == (PinOutcome.WRONG, 2)
    assert (second.outcome, second.remaining) == (PinOutcome.WRONG, 1)
    assert third.outcome is PinOutcome.LOCKED_NOW
    assert cards.try_pin(subject, "1234").outcome is PinOutcome.LOCKED  # even the right PIN
    card = cards.get(subject)
    assert card is not None and card.locked and card.failed_attempts == 3


def test_a_right_pin_resets_the_count(cards: SqlCardStore, authority: IssuedKey) -> None:
    subject = new_card(cards, authority)
    cards.try_pin(subject, "9999")
    cards.try_pin(subject, "9999")
    assert cards.try_pin(subject, "1234").outcome is PinOutcome.ACCEPTED
    assert cards.try_pin(subject, "9999").remaining == 2


def test_fifty_concurrent_wrong_pins_lock_at_exactly_three(
    cards: SqlCardStore, authority: IssuedKey, engine: Engine
) -> None:
    subject = new_card(cards, authority)
    outcomes: list[PinOutcome] = []
    failures: list[BaseException] = []
    start = threading.Barrier(50)

    def attempt() -> None:
        try:
            start.wait()
            outcomes.append(cards.try_pin(subject, "0000").outcome)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    counted = Counter(outcomes)
    assert counted[PinOutcome.WRONG] == 2 and counted[PinOutcome.LOCKED_NOW] == 1
    assert counted[PinOutcome.LOCKED] == 47
    with engine.connect() as connection:
        attempts, locked = connection.execute(
            text("SELECT failed_attempts, locked FROM idp_cards WHERE subject = :s"),
            {"s": subject},
        ).one()
    assert attempts == 3 and locked
    assert cards.try_pin(subject, "1234").outcome is PinOutcome.LOCKED


def test_the_municipality_unlocks_with_a_new_pin(cards: SqlCardStore, authority: IssuedKey) -> None:
    subject = new_card(cards, authority)
    for _ in range(3):
        cards.try_pin(subject, "0000")
    cards.unlock(subject, "4321")
    assert cards.try_pin(subject, "1234").outcome is PinOutcome.WRONG
    assert cards.try_pin(subject, "4321").outcome is PinOutcome.ACCEPTED


@pytest.mark.parametrize("bad", ["123", "12345", "abcd", ""])
def test_malformed_pins_count_as_wrong(cards: SqlCardStore, authority: IssuedKey, bad: str) -> None:
    subject = new_card(cards, authority)
    assert cards.try_pin(subject, bad).outcome is PinOutcome.WRONG


def test_the_card_key_proves_possession(cards: SqlCardStore, authority: IssuedKey) -> None:
    subject = new_card(cards, authority)
    card = cards.get(subject)
    assert card is not None and card.holder == HOLDER
    now = datetime.now(UTC)
    prove_possession(cards.private_key(subject), card.certificate_pem, authority.certificate, now)
    other = create_card_authority()
    with pytest.raises(InvalidError):
        prove_possession(cards.private_key(subject), card.certificate_pem, other.certificate, now)
    subject_name = x509.load_pem_x509_certificate(card.certificate_pem.encode()).subject
    assert "髙橋" not in subject_name.rfc4514_string()  # the certificate names no one
