"""Any verified certificate as the EU DCC payload that business rules are written against.

Countries write their rules over the DCC data model (``payload.v.0.mp``, ``payload.dob``...), and
a traveller may show a SMART Health Card or an ICAO VDS-NC instead. So that one rule book judges
every format alike, :func:`rules_payload` gives rules a DCC payload for each:

* **DCC**: the signed payload itself (``Verification.payload``). Should a DCC verification carry
  no payload (a verifier that did not keep it), its record is mapped like the other formats.
* **SHC, VDS-NC** (any verification whose signature verified and that has a record): the
  neutral record mapped by :func:`record_payload`, which builds what a DCC issued for the same
  record carries: ``nam`` (``fn``/``gn`` as written, ``fnt``/``gnt`` in ICAO 9303 letters),
  ``dob`` and one vaccination entry ``v[0]`` for the **latest dose** with ``tg``, ``vp``,
  ``mp``, ``ma``, ``dn``, ``sd``, ``dt``, ``co``, ``is`` and ``ci``.

What cannot be mapped, and how rules see it:

* **Earlier doses.** A DCC holds one entry (schema: ``maxItems`` 1), so rules see the latest
  dose only; how many came before is what ``dn`` says, and a rule cannot see which products they
  were (Japan's "first two doses from list a" is thus checked on the latest dose's product only,
  in every format alike).
* **Series length.** SHC and VDS-NC do not carry ``sd``; their readers set every dose's series
  length to the number of doses seen, which reads as the Japanese ``n/n`` encoding (a third
  dose is ``3/3``). The one place that loses what rules need is a single-dose primary series:
  from the full dose list we know when the first dose was a single-dose vaccine (Jcovden), and
  then ``sd`` is 1, so a later dose reads ``2/1`` as the EU encoding guidance writes a booster
  after Janssen.
* **Products without DCC codes.** A product outside :mod:`shomeisho.vaccines` (a VDS-NC brand
  name we do not know) keeps its name as ``mp`` and has no ``tg``, ``vp`` or ``ma``: rules read
  ``null`` there, so a rule that lists accepted products or requires COVID-19 refuses it.
* **Names** with no Latin form (kanji only) have no ``fnt``/``gnt``; ``dob`` is ``""`` when the
  record has none. Passport number, sex, nationality, lot, performer and alternate names have no
  place in a DCC and are not shown to rules (Japan's "passport number instead of date of birth"
  cannot be expressed over the DCC model).
* **Country.** SHC carries no country of vaccination; its reader fills the record default (JP),
  so ``v[0].co`` says JP for every SHC. The issuing country that selects invalidation rules
  comes instead from the trust list, which names each SHC issuer's country; an issuer it does
  not name has none, and no country's invalidation rules apply to its cards. VDS-NC's issuing
  state is read from the seal header.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from shomeisho import vaccines
from shomeisho.errors import RuleFailedError, ShomeishoError
from shomeisho.formats.dcc.payload import (
    VERSION,
    VERSION_GIVEN_ONLY,
    holder_names,
    latest_event,
)
from shomeisho.formats.vdsnc.countries import alpha2_for
from shomeisho.model import VaccinationRecord, Verification
from shomeisho.rules.rulesets import RuleBook

#: Products whose primary series is one dose (the key of :mod:`shomeisho.vaccines`).
SINGLE_DOSE_PRIMARY: Final = frozenset(
    key for key, p in vaccines.PRODUCTS.items() if p.primary_series_doses == 1
)
#: Formats whose readers make up ``series_doses`` (they do not carry it).
_SERIES_NOT_CARRIED: Final = frozenset({"shc", "vdsnc"})
_DCC: Final = "dcc"


def rules_payload(verification: Verification) -> dict[str, Any] | None:
    """The DCC payload rules judge for ``verification``, or None when there is none to judge
    (the signature did not verify, or no record could be read)."""
    if not verification.signature_verified:
        return None
    if verification.format == _DCC and verification.payload is not None:
        return dict(verification.payload)
    record = _record(verification)
    if record is None:
        return None
    return record_payload(record, series_carried=verification.format not in _SERIES_NOT_CARRIED)


def record_payload(record: VaccinationRecord, *, series_carried: bool = True) -> dict[str, Any]:
    """The DCC payload for ``record`` as rules see it (module docstring); never raises.
    ``series_carried`` False says the record's ``series_doses`` were made up by a reader."""
    event = latest_event(record.events)
    product = vaccines.PRODUCTS.get(event.product)
    entry: dict[str, Any] = {}
    if product is not None:
        entry["tg"] = product.disease_snomed
        entry["vp"] = product.dcc_prophylaxis
        entry["mp"] = product.dcc_product
        entry["ma"] = product.dcc_manufacturer
    else:
        entry["mp"] = event.product
    first = min(record.events, key=lambda e: (e.date, e.dose_number))
    series = event.series_doses
    if not series_carried:  # SHC and VDS-NC: the series length is rebuilt from the doses
        series = vaccines.series_doses(first.product, event.dose_number)
    entry.update(
        dn=event.dose_number,
        sd=series,
        dt=event.date.isoformat(),
        co=event.country,
        ci=record.certificate_id,
    )
    entry["is"] = event.issuer
    birth = record.person.birth_date
    nam = holder_names(record.person.name, lenient=True)
    return {
        "ver": VERSION if "fnt" in nam or "gnt" not in nam else VERSION_GIVEN_ONLY,
        "nam": nam,
        "dob": birth.iso() if birth is not None else "",
        "v": [entry],
    }


def issuer_country(
    verification: Verification, issuer_countries: Mapping[str, str] | None = None
) -> str | None:
    """The issuing country (ISO alpha-2) whose invalidation rules apply, or None if unknown:
    DCC the CWT issuer (else the entry's ``co``), VDS-NC the seal's issuing state, SHC the
    country the trust list gives its issuer (``issuer_countries``: ``iss`` URL -> country).

    An SHC carries no country (its reader fills in a default), so without the trust list's
    word an SHC's issuing country is unknown: judging a foreign card by Japan's invalidation
    rules would refuse it for rules that were never meant for it."""
    if not verification.signature_verified:
        return None
    issuer = verification.issuer
    if verification.format == "shc":
        country = (issuer_countries or {}).get(issuer or "")
        return country if _alpha2(country) else None
    if verification.format == _DCC:
        if _alpha2(issuer):
            return issuer
        payload = rules_payload(verification)
        for group in ("v", "t", "r"):
            entries = payload.get(group) if payload is not None else None
            if isinstance(entries, list) and entries and isinstance(entries[0], dict):
                country = entries[0].get("co")
                return country if _alpha2(country) else None
        return None
    if verification.format == "vdsnc" and isinstance(issuer, str):
        state = alpha2_for(issuer)
        if state is not None:
            return state
    record = _record(verification)
    if record is None:
        return None
    country = latest_event(record.events).country
    return country if _alpha2(country) else None


def check_verification(
    book: RuleBook,
    verification: Verification,
    *,
    arrival: str,
    at: datetime,
    region: str | None = None,
    issuer_countries: Mapping[str, str] | None = None,
) -> list[RuleFailedError]:
    """The rules of ``book`` that a verified certificate does not meet on arrival in
    ``arrival`` at ``at``; empty when there is nothing to judge (see :func:`rules_payload`).
    ``issuer_countries`` names SHC issuers' countries (see :func:`issuer_country`)."""
    payload = rules_payload(verification)
    if payload is None:
        return []
    return book.check(
        payload,
        arrival=arrival,
        at=at,
        issuer_country=issuer_country(verification, issuer_countries),
        issued_at=verification.issued_at,
        expires_at=verification.expires_at,
        kid=verification.key_id,
        region=region,
    )


def _record(verification: Verification) -> VaccinationRecord | None:
    try:
        return verification.record
    except ShomeishoError:  # a deferred record that could not be built: nothing to judge
        return None


def _alpha2(value: object) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isascii() and value.isupper()


__all__ = [
    "SINGLE_DOSE_PRIMARY",
    "check_verification",
    "issuer_country",
    "record_payload",
    "rules_payload",
]
