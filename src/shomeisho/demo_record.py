"""The demo resident of ``shomeisho demo``: rare kanji, an old surname, two doses.

髙 (the "ladder" taka), 𠮷 (outside the BMP) and 﨑 are exactly the characters that broke systems in
2021, so the demo exercises them every time it runs.
"""

from __future__ import annotations

from datetime import date

from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord


def demo_record() -> VaccinationRecord:
    return VaccinationRecord(
        person=Person(
            name=PersonName(
                family="髙橋", given="𠮷子", family_romanised="TAKAHASHI", given_romanised="YOSHIKO"
            ),
            alternates=(
                PersonName(family="山﨑", family_romanised="YAMAZAKI", kind="former_surname"),
            ),
            birth_date=PartialDate(1961, 4, 9),
            sex="F",
            passport_number="TK1234567",
            nationality="JPN",
        ),
        events=(
            VaccinationEvent(
                product="comirnaty",
                date=date(2021, 6, 1),
                dose_number=1,
                series_doses=2,
                lot="FC9880",
                performer="Setagaya Health Centre",
            ),
            VaccinationEvent(
                product="comirnaty",
                date=date(2021, 6, 22),
                dose_number=2,
                series_doses=2,
                lot="FE8206",
                performer="Setagaya Health Centre",
            ),
        ),
    )
