"""Questions a vaccination record must answer before a certificate can show it.

A certificate states "dose 2 of 2 on this date" to a border officer; a record that says dose 3
but no dose 2, two different doses 2, or a dose 2 before dose 1 is one the municipality is
still putting right (VRS data were keyed by hand at thousands of sites). Issuing from it would
print the mistake under a signature, so the resident is told what is being checked and who can
fix it, and staff see the same questions on the record's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from shomeisho.records.certificate_record import certifiable_events
from shomeisho.records.entities import VaccinationEventRecord


@dataclass(frozen=True, slots=True)
class RecordQuestion:
    """One thing to check: ``code`` names the rule, ``dose`` the dose number concerned."""

    code: str  # duplicate_dose | missing_dose | dose_order
    dose: int


def open_questions(events: list[VaccinationEventRecord]) -> list[RecordQuestion]:
    """What is inconsistent among the doses a certificate would show (empty when none)."""
    doses = certifiable_events(events)
    questions: list[RecordQuestion] = []
    numbers = [e.details.dose_number for e in doses]
    for number in sorted(set(numbers)):
        if numbers.count(number) > 1:
            questions.append(RecordQuestion("duplicate_dose", number))
    if numbers:
        questions += [
            RecordQuestion("missing_dose", n) for n in range(1, max(numbers)) if n not in numbers
        ]
    by_number = {e.details.dose_number: e.details.administered_on for e in doses}
    for number, day in sorted(by_number.items()):
        before = by_number.get(number - 1)
        if before is not None and day < before:
            questions.append(RecordQuestion("dose_order", number))
    return questions
