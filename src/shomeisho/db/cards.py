"""The identity provider's card table: creating cards and checking a PIN atomically.

A PIN attempt is three short steps so that the slow part never holds a database lock: read the
card, compare the PIN, then one conditional UPDATE that only applies while the card is unlocked.
A wrong PIN increments the counter and sets ``locked`` in the same statement when it reaches
three; a right PIN resets the counter under the same condition. Whatever the interleaving of
concurrent attempts (50 at once are tested on both databases), the counter stops at exactly 3
and no PIN is accepted after the lock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine, Row, case, exists, insert, select, update

from shomeisho.db.rows import as_utc
from shomeisho.db.tables import CardRow, ResidentRow, table_of
from shomeisho.identity.cards import (
    MAX_ATTEMPTS,
    Card,
    CardHolder,
    PinOutcome,
    PinResult,
    pin_digest,
    pin_matches,
)

CARDS = table_of(CardRow)
RESIDENTS = table_of(ResidentRow)


def _card(row: Row[Any]) -> Card:
    holder = CardHolder(
        family_name=row.family_name,
        given_name=row.given_name,
        family_name_kana=row.family_name_kana,
        given_name_kana=row.given_name_kana,
        former_family_name=row.former_family_name,
        birth_date=row.birth_date,
        sex=row.sex,
        municipality_code=row.municipality_code,
        address=row.address,
    )
    created = as_utc(row.created_at)
    return Card(row.subject, holder, row.certificate_pem, row.failed_attempts, row.locked, created)


class SqlCardStore:
    """Cards of the demo identity provider in the service's database."""

    def __init__(
        self, engine: Engine, secret: bytes, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.engine = engine
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(UTC))

    def create(
        self, holder: CardHolder, pin: str, key: ec.EllipticCurvePrivateKey, certificate_pem: str
    ) -> Card:
        subject = "card-" + secrets.token_hex(12)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._secret),
        ).decode("ascii")
        with self.engine.begin() as connection:
            connection.execute(
                insert(CARDS).values(
                    subject=subject,
                    pin_digest=pin_digest(subject, pin, self._secret),
                    failed_attempts=0,
                    locked=False,
                    locked_at=None,
                    certificate_pem=certificate_pem,
                    key_pem=key_pem,
                    created_at=self._clock(),
                    **{name: getattr(holder, name) for name in CardHolder.__dataclass_fields__},
                )
            )
        found = self.get(subject)
        assert found is not None
        return found

    def get(self, subject: str) -> Card | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(CARDS).where(CARDS.c.subject == subject)).first()
        return None if row is None else _card(row)

    def cards(self, *, limit: int = 50) -> list[Card]:
        """The cards the emulated reader offers; the self-check's synthetic card is not among
        them, so nobody can pick it by mistake (and lock it with wrong PINs)."""
        synthetic = exists().where(
            RESIDENTS.c.idp_subject == CARDS.c.subject, RESIDENTS.c.synthetic.is_(True)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(CARDS)
                .where(~synthetic)
                .order_by(CARDS.c.family_name_kana, CARDS.c.subject)
                .limit(limit)
            )
            return [_card(row) for row in rows]

    def private_key(self, subject: str) -> ec.EllipticCurvePrivateKey:
        """The card's own key (on a real card it never leaves the chip)."""
        with self.engine.connect() as connection:
            key_pem = connection.execute(
                select(CARDS.c.key_pem).where(CARDS.c.subject == subject)
            ).scalar_one()
        key = serialization.load_pem_private_key(key_pem.encode("ascii"), self._secret)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def try_pin(self, subject: str, pin: str) -> PinResult:
        """Compare ``pin`` with the card's; count a wrong one and lock at the third."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(CARDS.c.pin_digest, CARDS.c.locked).where(CARDS.c.subject == subject)
            ).first()
        if row is None:
            return PinResult(PinOutcome.UNKNOWN_CARD, 0)
        if row.locked:
            return PinResult(PinOutcome.LOCKED, 0)
        right = pin_matches(subject, pin, row.pin_digest, self._secret)
        usable = (CARDS.c.subject == subject) & CARDS.c.locked.is_(False)
        with self.engine.begin() as connection:
            if right:
                done = connection.execute(
                    update(CARDS).where(usable).values(failed_attempts=0).returning(CARDS.c.subject)
                ).first()
                return PinResult(PinOutcome.ACCEPTED, MAX_ATTEMPTS) if done else _locked()
            reaches = CARDS.c.failed_attempts + 1 >= MAX_ATTEMPTS
            done = connection.execute(
                update(CARDS)
                .where(usable)
                .values(
                    failed_attempts=CARDS.c.failed_attempts + 1,
                    locked=case((reaches, True), else_=False),
                    locked_at=case((reaches, self._clock()), else_=None),
                )
                .returning(CARDS.c.failed_attempts, CARDS.c.locked)
            ).first()
        if done is None:
            return _locked()
        if done.locked:
            return PinResult(PinOutcome.LOCKED_NOW, 0)
        return PinResult(PinOutcome.WRONG, MAX_ATTEMPTS - done.failed_attempts)

    def unlock(self, subject: str, new_pin: str) -> None:
        """What the municipality's counter does for a locked card: a new PIN, counter reset."""
        with self.engine.begin() as connection:
            connection.execute(
                update(CARDS)
                .where(CARDS.c.subject == subject)
                .values(
                    pin_digest=pin_digest(subject, new_pin, self._secret),
                    failed_attempts=0,
                    locked=False,
                    locked_at=None,
                )
            )


def _locked() -> PinResult:
    return PinResult(PinOutcome.LOCKED, 0)
