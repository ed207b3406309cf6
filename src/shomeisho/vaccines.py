"""The vaccine products a record can name, and each format's codes for them.

A municipality records "Comirnaty, lot FE8206"; each certificate format wants different codes for
that same product (SNOMED CT and EU product numbers in DCC, CVX in SMART Health Cards, ICD-11
in ICAO VDS-NC). Keeping the mapping in one table means one record yields every format, and a
decoded certificate maps back to the same product key so round trips compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from shomeisho.errors import InputError

COVID19_SNOMED = "840539006"
COVID19_ICD11 = "RA01.0"


@dataclass(frozen=True)
class VaccineProduct:
    """One product with the codes each format needs. ``key`` is ours and never changes."""

    key: str
    name: str
    name_ja: str
    manufacturer: str
    dcc_product: str  # EU DCC ``mp`` (vaccines-covid-19-names)
    dcc_manufacturer: str  # EU DCC ``ma`` (vaccines-covid-19-auth-holders)
    dcc_prophylaxis: str  # EU DCC ``vp`` (sct-vaccines-covid-19)
    cvx: str  # CDC CVX, used by SMART Health Cards
    icd11: str  # ICD-11 vaccine code for ICAO VDS-NC ``des``
    disease_snomed: str = COVID19_SNOMED
    disease_icd11: str = COVID19_ICD11
    # doses of the primary series: certificates write a booster after a one-dose primary
    # series as 2/1 (the EU DCC encoding guidance), after a two-dose one as 3/3
    primary_series_doses: int = 2


PRODUCTS: dict[str, VaccineProduct] = {
    p.key: p
    for p in (
        VaccineProduct(
            key="comirnaty",
            name="Comirnaty",
            name_ja="コミナティ（ファイザー）",
            manufacturer="BioNTech Manufacturing GmbH / Pfizer",
            dcc_product="EU/1/20/1528",
            dcc_manufacturer="ORG-100030215",
            dcc_prophylaxis="1119349007",
            cvx="208",
            icd11="XM0GQ8",
        ),
        VaccineProduct(
            key="spikevax",
            name="Spikevax",
            name_ja="スパイクバックス（モデルナ）",
            manufacturer="Moderna Biotech Spain S.L.",
            dcc_product="EU/1/20/1507",
            dcc_manufacturer="ORG-100031184",
            dcc_prophylaxis="1119349007",
            cvx="207",
            icd11="XM0GQ8",
        ),
        VaccineProduct(
            key="vaxzevria",
            name="Vaxzevria",
            name_ja="バキスゼブリア（アストラゼネカ）",
            manufacturer="AstraZeneca AB",
            dcc_product="EU/1/21/1529",
            dcc_manufacturer="ORG-100001699",
            dcc_prophylaxis="29061000087103",
            cvx="210",
            icd11="XM9QW8",
        ),
        VaccineProduct(
            key="nuvaxovid",
            name="Nuvaxovid",
            name_ja="ヌバキソビッド（武田／ノババックス）",
            manufacturer="Novavax CZ a.s.",
            dcc_product="EU/1/21/1618",
            dcc_manufacturer="ORG-100032020",
            dcc_prophylaxis="1162643001",
            cvx="211",
            icd11="XM5JC5",
        ),
        VaccineProduct(
            key="jcovden",
            name="Jcovden",
            name_ja="ジェコビデン（ヤンセン）",
            manufacturer="Janssen-Cilag International",
            dcc_product="EU/1/20/1525",
            dcc_manufacturer="ORG-100001417",
            dcc_prophylaxis="29061000087103",
            cvx="212",
            icd11="XM9QW8",
            primary_series_doses=1,
        ),
    )
}


def series_doses(first_product: str, dose_number: int) -> int:
    """The series length a certificate writes for a dose, given the product the person's series
    began with: one-dose series (Jcovden) stay 1 (so 1/1, then 2/1); two-dose series follow the
    Japanese n/n encoding of boosters (2/2, then 3/3)."""
    first = PRODUCTS.get(first_product)
    primary = first.primary_series_doses if first is not None else 2
    return 1 if primary == 1 else max(primary, dose_number)


def product(key: str) -> VaccineProduct:
    """Look a product up by our key; unknown keys are an input error, not a KeyError."""
    try:
        return PRODUCTS[key]
    except KeyError:
        known = ", ".join(sorted(PRODUCTS))
        raise InputError(
            f"unknown vaccine product {key!r}; known products: {known}", code="input.product"
        ) from None


def _index(attr: str) -> dict[str, VaccineProduct]:
    return {getattr(p, attr): p for p in PRODUCTS.values()}


_BY_DCC = _index("dcc_product")
_BY_CVX = _index("cvx")
_BY_NAME = {p.name.casefold(): p for p in PRODUCTS.values()}


def by_dcc_product(code: str) -> VaccineProduct | None:
    return _BY_DCC.get(code)


def by_cvx(code: str) -> VaccineProduct | None:
    return _BY_CVX.get(code)


def by_name(name: str) -> VaccineProduct | None:
    """VDS-NC carries a brand name (``nam``) beside a generic ICD-11 code; match on the name."""
    return _BY_NAME.get(name.strip().casefold())
