"""Country codes for VDS-NC: seals speak ICAO Doc 9303 three-letter codes, records speak alpha-2.

``hdr.is`` (issuing state) and ``ctr`` (country of vaccination) are Doc 9303 Part 3 codes: ISO
3166-1 alpha-3 plus a few of ICAO's own (``D`` for Germany, ``GBD``..., ``UTO`` for the specimen
state Utopia). :class:`~shomeisho.model.VaccinationEvent` keeps countries as alpha-2, the form DCC
uses, so decoding and issuing convert through the complete tables in ``shomeisho/data/vdsnc/``:
``countries.tsv`` (all 249 ISO 3166-1 entries) and ``doc9303-codes.tsv`` (the ICAO additions, with
the alpha-2 code of the same country where there is one; Utopia's certificates use ``C=UT``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class CountryTables:
    """Lookups in both directions; built once from the package data."""

    alpha2_by_code: dict[str, str]  # every Doc 9303 code -> alpha-2 ("" when none)
    alpha3_by_alpha2: dict[str, str]  # ISO alpha-2 -> ISO alpha-3
    names: dict[str, str]  # Doc 9303 code -> English name


def _rows(name: str) -> list[list[str]]:
    text = resources.files("shomeisho").joinpath("data", "vdsnc", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def tables() -> CountryTables:
    alpha2_by_code: dict[str, str] = {}
    alpha3_by_alpha2: dict[str, str] = {}
    names: dict[str, str] = {}
    for alpha2, alpha3, name in _rows("countries.tsv"):
        alpha2_by_code[alpha3] = alpha2
        alpha3_by_alpha2[alpha2] = alpha3
        names[alpha3] = name
    for code, alpha2, name in _rows("doc9303-codes.tsv"):
        alpha2_by_code[code] = "" if alpha2 == "-" else alpha2
        names[code] = name
    # Utopia is ICAO's specimen state: let an alpha-2 "UT" record map back to UTO for tests.
    alpha3_by_alpha2.setdefault("UT", "UTO")
    return CountryTables(alpha2_by_code, alpha3_by_alpha2, names)


def is_doc9303_code(code: str) -> bool:
    """True for a code that may stand in ``hdr.is``: ISO alpha-3 or one of ICAO's additions."""
    return code in tables().alpha2_by_code


def alpha2_for(code: str) -> str | None:
    """The ISO alpha-2 code of a Doc 9303 code (``JPN`` -> ``JP``, ``D`` -> ``DE``), if any."""
    return tables().alpha2_by_code.get(code) or None


def alpha3_for(alpha2: str) -> str | None:
    """The Doc 9303 code to write for an alpha-2 country (``JP`` -> ``JPN``), if known."""
    return tables().alpha3_by_alpha2.get(alpha2)


def country_name(code: str) -> str | None:
    return tables().names.get(code)
