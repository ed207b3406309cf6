"""The self-check's synthetic resident: made on first use, marked, with two doses and a card.

Why a resident of its own, in the register like any other: the self-check must cross every part
a person crosses (the card, the record lookup, issuing from real register entries), so it needs
a record. It is marked ``synthetic`` so that every KPI leaves its traffic out, and it is made
through the record service, so its creation is audited under the actor ``selfcheck`` like any
staff change. Its emulated card's PIN is derived from the record secret
(:func:`shomeisho.ops.selfcheck.synthetic_pin`); the self-check compares it with the stored
digest *before* using it, so a wrong PIN is never tried and the self-check can never lock the
card (someone else can, in demo mode, by choosing it in the card reader: the run then says
``card_locked``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from shomeisho.db.cards import CARDS, SqlCardStore
from shomeisho.db.tables import IssuedCertificateRow, JourneyEventRow, ResidentRow, table_of
from shomeisho.errors import ConflictError
from shomeisho.identity.cards import CardHolder, pin_matches
from shomeisho.identity.enrolment import card_key_and_certificate
from shomeisho.ops.selfcheck import StepFailedError
from shomeisho.pki import IssuedKey
from shomeisho.records.entities import EventDetails, ResidentDetails, Role, Sex, Staff
from shomeisho.records.municipalities import municipality_by_code
from shomeisho.records.service import RecordService

RESIDENTS = table_of(ResidentRow)
ISSUED = table_of(IssuedCertificateRow)
JOURNEY_EVENTS = table_of(JourneyEventRow)
ACTOR = Staff(0, "selfcheck", "self-check / 自己診断", Role.NATIONAL_OPERATOR, None)
RESIDENT_NUMBER = "SELFCHECK"
FAMILY_NAME, GIVEN_NAME = "自己診断", "テスト"


@dataclass(frozen=True, slots=True)
class SyntheticCard:
    """The synthetic resident's card as the self-check needs it before signing in."""

    subject: str
    locked: bool
    pin_ok: bool  # the derived PIN is the card's (else the self-check must not try it)


def synthetic_details(municipality: str) -> ResidentDetails:
    return ResidentDetails(
        municipality_code=municipality,
        resident_number=RESIDENT_NUMBER,
        family_name=FAMILY_NAME,
        given_name=GIVEN_NAME,
        family_name_kana="ジコシンダン",
        given_name_kana="テスト",
        family_name_romaji="JIKOSHINDAN",
        given_name_romaji="TESUTO",
        birth_date="2000-01-01",
        sex=Sex.OTHER,
    )


DOSES = tuple(
    EventDetails(
        administered_on=day,
        product_code="comirnaty",
        lot="SELFCHECK",
        dose_number=number,
        site="self-check",
        source_system="selfcheck",
        source_record_id=f"SELFCHECK-{number}",
    )
    for number, day in ((1, date(2021, 6, 1)), (2, date(2021, 6, 22)))
)


def ensure_synthetic_resident(
    engine: Engine,
    records: RecordService,
    cards: SqlCardStore,
    authority: IssuedKey,
    *,
    pin: str,
    secret: bytes,
    municipality: str,
    new_card: bool = False,
) -> SyntheticCard:
    """The synthetic resident of ``municipality``, its doses and its card, made where missing
    (idempotent; a second self-check starting at the same moment finds what the first made).
    ``new_card`` gives it a new card (after its card was locked: there is no PIN to reset)."""
    resident_id, subject = _resident(engine, records, municipality)
    file = records.resident_file(ACTOR, resident_id)
    have = {event.details.source_record_id for event in file.events}
    for dose in DOSES:
        if dose.source_record_id not in have:
            records.record_vaccination(ACTOR, resident_id, dose)
    if new_card or subject is None or cards.get(subject) is None:
        details = file.resident.details
        holder = CardHolder(
            family_name=details.family_name,
            given_name=details.given_name,
            family_name_kana=details.family_name_kana,
            given_name_kana=details.given_name_kana,
            former_family_name="",
            birth_date=details.birth_date,
            sex=details.sex.value,
            municipality_code=municipality,
            address=municipality_by_code(municipality).display_name,
        )
        key, certificate = card_key_and_certificate(authority)
        subject = cards.create(holder, pin, key, certificate).subject
        records.link_identity(ACTOR, resident_id, subject)
    with engine.connect() as connection:
        row = connection.execute(
            select(CARDS.c.pin_digest, CARDS.c.locked).where(CARDS.c.subject == subject)
        ).one()
    return SyntheticCard(
        subject, bool(row.locked), pin_matches(subject, pin, row.pin_digest, secret)
    )


def _resident(engine: Engine, records: RecordService, municipality: str) -> tuple[str, str | None]:
    """(resident id, card subject) of the synthetic resident, added and marked if missing."""
    for _ in range(2):
        with engine.connect() as connection:
            row = connection.execute(
                select(
                    RESIDENTS.c.resident_id,
                    RESIDENTS.c.idp_subject,
                    RESIDENTS.c.synthetic,
                    RESIDENTS.c.family_name,
                ).where(
                    RESIDENTS.c.municipality_code == municipality,
                    RESIDENTS.c.resident_number == RESIDENT_NUMBER,
                )
            ).first()
        if row is not None:
            if not row.synthetic:
                if row.family_name != FAMILY_NAME:  # a real person holds the number: never touch
                    raise StepFailedError("resident_number_taken")
                mark_resident_synthetic(engine, row.resident_id)
            return row.resident_id, row.idp_subject
        try:
            added = records.add_resident(ACTOR, synthetic_details(municipality))
        except ConflictError:  # another self-check added it just now: read it
            continue
        mark_resident_synthetic(engine, added.resident_id)
        return added.resident_id, None
    raise StepFailedError("resident_not_created")


def mark_resident_synthetic(engine: Engine, resident_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(RESIDENTS).where(RESIDENTS.c.resident_id == resident_id).values(synthetic=True)
        )


KEEP_SYNTHETIC = timedelta(days=7)


def prune_synthetic(engine: Engine, *, now: datetime, keep: timedelta = KEEP_SYNTHETIC) -> int:
    """Delete the self-check's issuances and journey events older than ``keep``.

    Why: an hourly self-check issues three certificates and writes a journey each time (26,000
    certificates a year) that no KPI counts and no person needs; the runs themselves (with
    their timings) stay in ``selfcheck_runs``, and the audit log keeps its entries (it is
    append-only). Returns how many rows went."""
    before = now - keep
    synthetic = select(RESIDENTS.c.id).where(RESIDENTS.c.synthetic.is_(True))
    with engine.begin() as connection:
        issued = connection.execute(
            delete(ISSUED).where(ISSUED.c.resident_pk.in_(synthetic), ISSUED.c.issued_at < before)
        ).rowcount
        events = connection.execute(
            delete(JOURNEY_EVENTS).where(
                JOURNEY_EVENTS.c.synthetic.is_(True), JOURNEY_EVENTS.c.at < before
            )
        ).rowcount
    return int(issued or 0) + int(events or 0)
