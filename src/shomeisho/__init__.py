"""shomeisho: issue, present and verify official digital certificates.

The library surface most callers need: a vaccination record, the formats, a trust store, and the
error tree. Formats live in :mod:`shomeisho.formats` (``all_formats()``, ``detect(text)``).
"""

from shomeisho.errors import ShomeishoError, Verdict
from shomeisho.model import (
    IssuedCertificate,
    PartialDate,
    Person,
    PersonName,
    VaccinationEvent,
    VaccinationRecord,
    Verification,
)
from shomeisho.trust.store import TrustStore

__all__ = [
    "IssuedCertificate",
    "PartialDate",
    "Person",
    "PersonName",
    "ShomeishoError",
    "TrustStore",
    "VaccinationEvent",
    "VaccinationRecord",
    "Verdict",
    "Verification",
]
__version__ = "0.1.0"
