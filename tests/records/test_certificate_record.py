"""A resident's record becomes a certificate record that every format issues and verifies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shomeisho.errors import InputError, Verdict
from shomeisho.formats import all_formats
from shomeisho.records.certificate_record import TravelDetails, certificate_record
from shomeisho.records.entities import EventStatus, Resident, VaccinationEventRecord
from shomeisho.records.service import ResidentFile
from shomeisho.signing import LocalSigner
from shomeisho.trust.store import TrustStore
from tests.db.records_factory import event, resident

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def stored(
    details: object, number: int, status: EventStatus = EventStatus.ACTIVE
) -> VaccinationEventRecord:
    return VaccinationEventRecord(
        event_id=f"e{number}",
        resident_id="r1",
        municipality_code="131016",
        details=details,  # type: ignore[arg-type]
        status=status,
        version=1,
        status_reason="",
        changed_by="test",
        changed_at=NOW,
    )


def file_with(*events: VaccinationEventRecord) -> ResidentFile:
    person = Resident("r1", resident(), None, False, NOW, NOW)
    return ResidentFile(person, list(events))


def test_only_countable_covid_doses_in_date_order() -> None:
    file = file_with(
        stored(event("V-2", 2, administered_on=date(2021, 6, 22)), 2),
        stored(event("V-1", 1, administered_on=date(2021, 6, 1)), 1),
        stored(event("V-9", 3, administered_on=date(2022, 1, 5)), 9, EventStatus.VOIDED),
        stored(event("H-1", 1, product_code="hib"), 5),
        stored(event("V-3", 3, administered_on=date(2022, 2, 1), product_code="spikevax"), 3),
    )
    record = certificate_record(file)
    assert [(e.product, e.dose_number, e.series_doses) for e in record.events] == [
        ("comirnaty", 1, 2),
        ("comirnaty", 2, 2),
        ("spikevax", 3, 3),
    ]
    assert record.person.name.family == "髙橋" and record.person.birth_date is not None
    assert [a.kind for a in record.person.alternates] == ["former_surname", "kana"]


def test_a_one_dose_primary_series_is_written_as_the_eu_guidance_says() -> None:
    """Jcovden (Janssen) completes the primary series in one dose: 1/1, and a booster after it
    2/1 (not 1/2 and 2/2, which acceptance rules would read as an incomplete series)."""
    file = file_with(
        stored(event("J-1", 1, administered_on=date(2021, 8, 1), product_code="jcovden"), 1),
        stored(event("V-2", 2, administered_on=date(2022, 1, 10)), 2),
    )
    record = certificate_record(file)
    assert [(e.product, e.dose_number, e.series_doses) for e in record.events] == [
        ("jcovden", 1, 1),
        ("comirnaty", 2, 1),
    ]


def test_nothing_to_certify_is_said_plainly() -> None:
    with pytest.raises(InputError) as info:
        certificate_record(file_with(stored(event("H-1", 1, product_code="hib"), 1)))
    assert info.value.code == "input.events"


def test_the_passport_spelling_goes_abroad() -> None:
    travel = TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
    record = certificate_record(file_with(stored(event(), 1)), travel=travel)
    assert record.person.passport_number == "TK1234567" and record.person.nationality == "JPN"


def test_every_format_issues_and_verifies_it(
    dcc_signer: LocalSigner,
    vdsnc_signer: LocalSigner,
    shc_signer: LocalSigner,
    shc_issuer: str,
    trust: TrustStore,
) -> None:
    travel = TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
    second = event("V-2", 2, administered_on=date(2021, 6, 22))
    record = certificate_record(
        file_with(stored(event("V-1", 1), 1), stored(second, 2)), travel=travel
    )
    signers = {
        "dcc": (dcc_signer, "JP"),
        "vdsnc": (vdsnc_signer, "JPN"),
        "shc": (shc_signer, shc_issuer),
    }
    for name, fmt in all_formats().items():
        signer, issuer = signers[name]
        issued = fmt.issue(
            record,
            signer,
            issuer=issuer,
            issued_at=NOW - timedelta(days=1),
            expires_at=NOW + timedelta(days=365),
        )
        result = fmt.verify(issued.text, trust, at=NOW)
        assert result.verdict is Verdict.VALID, (name, [e.as_dict() for e in result.errors])
        shown = 1 if name == "dcc" else 2  # a DCC carries the latest dose only, by design
        assert result.record is not None and len(result.record.events) == shown, name
        assert result.record.events[-1].dose_number == 2, name
        assert result.record.person.birth_date == record.person.birth_date, name
