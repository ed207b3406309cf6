"""The vaccines a vaccination record can name: Japan's COVID-19 vaccines and routine vaccines.

:mod:`shomeisho.vaccines` lists only what a certificate can be issued for. A municipality's
register holds more: every routine vaccination (定期接種) under the Preventive Vaccinations Act
and the Japanese COVID-19 vaccines no certificate format has codes for yet. This is that one value
set, each entry carrying the codes other systems use for it *where such a code exists*; a
missing code is ``None``, never a guess.

Where the codes come from:

* EU DCC codes (``eu_product``, ``eu_manufacturer`` and COVID ``snomed_vaccine``): the
  eu-dcc-valuesets files vaccine-medicinal-product, vaccine-mah-manf and vaccine-prophylaxis
  (the copy under ``data/dcc/valuesets``); a test checks every code against them.
* ``who_product``: the ICD-11 brand codes WHO DDCC maps COVID-19 vaccines to (ConceptMap
  vaccine-covid19-cvx-to-icd11). Daichirona and Kostaive have none there.
* Other SNOMED CT codes: diseases from the HL7 IPS value set "Vaccine Target Diseases - IPS"
  (plus 16814004 pneumococcal infectious disease and 4740000 herpes zoster, as used in Swiss
  eHealth vaccination value sets); vaccines from the SNOMED IPS free set and the eHDSI Vaccine
  value set, MR (871817003) and hepatitis B (871822003) from Swiss and Belgian vaccine sets.
  Where only an "antigen-containing" grouping concept could be confirmed (rubella, Japanese
  encephalitis, HPV, herpes zoster) that concept is used: it is true of the product, just less
  specific than an "only" concept would be.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from shomeisho.errors import InputError
from shomeisho.records.names import matching_key

COVID19 = ("840539006",)
DIPHTHERIA, PERTUSSIS, TETANUS, POLIO = "397430003", "27836007", "76902006", "398102009"
HIB, MEASLES, RUBELLA, PNEUMOCOCCAL = "709410003", "14189004", "36653000", "16814004"
COVID_DISEASE_EN, COVID_DISEASE_JA = "COVID-19", "新型コロナウイルス感染症"
SARS_COV_2_MRNA = "1119349007"
SARS_COV_2_VECTOR = "29061000087103"
SARS_COV_2_PROTEIN = "1162643001"
# Annual COVID-19 vaccination of older people (B類 since 2024) keeps adding doses; 20 leaves room
# for a decade of them after the 7 doses some received by 2023.
COVID_MAX_DOSE = 20


@dataclass(frozen=True, slots=True)
class RecordProduct:
    """One vaccine a clerk can record. ``code`` is ours: lowercase ASCII, never reused."""

    code: str
    name_ja: str
    name_en: str
    disease_en: str
    disease_ja: str
    covid19: bool
    snomed_diseases: tuple[str, ...]  # every disease targeted, in the order of disease_en
    snomed_vaccine: str | None
    max_dose: int
    eu_product: str | None = None  # EU DCC vaccine-medicinal-product (COVID-19 only)
    eu_manufacturer: str | None = None  # EU DCC vaccine-mah-manf
    who_product: str | None = None  # ICD-11 product code used by WHO DDCC / ICAO
    format_key: str | None = None  # key in shomeisho.vaccines.PRODUCTS: certificates can be issued

    @property
    def snomed_disease(self) -> str | None:
        """The targeted disease when there is exactly one; combination vaccines have several."""
        return self.snomed_diseases[0] if len(self.snomed_diseases) == 1 else None


def _covid(code: str, name_ja: str, name_en: str, vaccine: str, **codes: str) -> RecordProduct:
    return RecordProduct(
        code=code,
        name_ja=name_ja,
        name_en=name_en,
        disease_en=COVID_DISEASE_EN,
        disease_ja=COVID_DISEASE_JA,
        covid19=True,
        snomed_diseases=COVID19,
        snomed_vaccine=vaccine,
        max_dose=COVID_MAX_DOSE,
        **codes,
    )


def _routine(
    code: str,
    names: tuple[str, str],
    diseases: tuple[str, str],
    snomed_diseases: tuple[str, ...],
    vaccine: str,
    *,
    max_dose: int,
) -> RecordProduct:
    return RecordProduct(
        code=code,
        name_ja=names[0],
        name_en=names[1],
        disease_ja=diseases[0],
        disease_en=diseases[1],
        covid19=False,
        snomed_diseases=snomed_diseases,
        snomed_vaccine=vaccine,
        max_dose=max_dose,
    )


_DPT = ("ジフテリア・百日せき・破傷風", "diphtheria, pertussis, tetanus")
# fmt: off
_PRODUCTS = (
    _covid("comirnaty", "コミナティ", "Comirnaty", SARS_COV_2_MRNA, eu_product="EU/1/20/1528",
           eu_manufacturer="ORG-100030215", who_product="XM8NQ0", format_key="comirnaty"),
    _covid("spikevax", "スパイクバックス", "Spikevax", SARS_COV_2_MRNA, eu_product="EU/1/20/1507",
           eu_manufacturer="ORG-100031184", who_product="XM3DT5", format_key="spikevax"),
    _covid("vaxzevria", "バキスゼブリア", "Vaxzevria", SARS_COV_2_VECTOR,
           eu_product="EU/1/21/1529", eu_manufacturer="ORG-100001699", who_product="XM4YL8",
           format_key="vaxzevria"),
    _covid("nuvaxovid", "ヌバキソビッド", "Nuvaxovid", SARS_COV_2_PROTEIN,
           eu_product="EU/1/21/1618", eu_manufacturer="ORG-100032020", who_product="XM9T65",
           format_key="nuvaxovid"),
    _covid("jcovden", "ジェコビデン", "Jcovden", SARS_COV_2_VECTOR, eu_product="EU/1/20/1525",
           eu_manufacturer="ORG-100001417", who_product="XM6QV1", format_key="jcovden"),
    # Daiichi Sankyo's mRNA vaccine (approved 2023): no EU, WHO or certificate codes exist for it.
    _covid("daichirona", "ダイチロナ", "Daichirona", SARS_COV_2_MRNA),
    # Meiji Seika's self-amplifying mRNA vaccine (approved 2023): the EU prophylaxis value set has
    # no self-amplifying concept, so it is coded as an mRNA vaccine; no product codes in our sets.
    _covid("kostaive", "コスタイベ", "Kostaive", SARS_COV_2_MRNA),
    _routine("dpt-ipv-hib", ("5種混合ワクチン（DPT-IPV-Hib）", "DTaP-IPV-Hib vaccine (5-in-1)"),
             (_DPT[0] + "・急性灰白髄炎・Hib感染症", _DPT[1] + ", poliomyelitis, Hib infection"),
             (DIPHTHERIA, PERTUSSIS, TETANUS, POLIO, HIB), "871887006", max_dose=4),
    _routine("dpt-ipv", ("4種混合ワクチン（DPT-IPV）", "DTaP-IPV vaccine (4-in-1)"),
             (_DPT[0] + "・急性灰白髄炎", _DPT[1] + ", poliomyelitis"),
             (DIPHTHERIA, PERTUSSIS, TETANUS, POLIO), "871878002", max_dose=4),
    _routine("dpt", ("3種混合ワクチン（DPT）", "DTaP vaccine"), _DPT,
             (DIPHTHERIA, PERTUSSIS, TETANUS), "871876003", max_dose=5),
    _routine("dt", ("2種混合ワクチン（DT）", "DT vaccine"),
             ("ジフテリア・破傷風", "diphtheria, tetanus"), (DIPHTHERIA, TETANUS), "871826000",
             max_dose=4),
    _routine("ipv", ("不活化ポリオワクチン（IPV）", "Inactivated poliovirus vaccine (IPV)"),
             ("急性灰白髄炎（ポリオ）", "poliomyelitis"), (POLIO,), "871740006", max_dose=5),
    _routine("hib", ("ヒブワクチン", "Hib vaccine"),
             ("Hib感染症", "Haemophilus influenzae type b infection"), (HIB,), "871764007",
             max_dose=4),
    _routine("pcv", ("小児用肺炎球菌ワクチン", "Pneumococcal conjugate vaccine (PCV)"),
             ("小児の肺炎球菌感染症", "pneumococcal disease (children)"), (PNEUMOCOCCAL,),
             "1801000221105", max_dose=4),
    _routine("hepb", ("B型肝炎ワクチン", "Hepatitis B vaccine"), ("B型肝炎", "hepatitis B"),
             ("66071002",), "871822003", max_dose=4),
    _routine("rotavirus", ("ロタウイルスワクチン", "Rotavirus vaccine"),
             ("ロタウイルス感染症", "rotavirus infection"), ("18624000",), "1081000221109",
             max_dose=3),
    _routine("bcg", ("BCGワクチン", "BCG vaccine"), ("結核", "tuberculosis"), ("56717001",),
             "1861000221106", max_dose=1),
    _routine("mr", ("MRワクチン（麻しん風しん混合）", "Measles-rubella vaccine (MR)"),
             ("麻しん・風しん", "measles, rubella"), (MEASLES, RUBELLA), "871817003", max_dose=4),
    _routine("measles", ("麻しんワクチン", "Measles vaccine"), ("麻しん", "measles"), (MEASLES,),
             "871765008", max_dose=4),
    _routine("rubella", ("風しんワクチン", "Rubella vaccine"), ("風しん", "rubella"), (RUBELLA,),
             "836388000", max_dose=4),
    _routine("varicella", ("水痘ワクチン", "Varicella vaccine"), ("水痘", "varicella"),
             ("38907003",), "2221000221107", max_dose=2),
    _routine("je", ("日本脳炎ワクチン", "Japanese encephalitis vaccine"),
             ("日本脳炎", "Japanese encephalitis"), ("52947006",), "836378001", max_dose=4),
    _routine("hpv", ("HPVワクチン", "Human papillomavirus vaccine (HPV)"),
             ("ヒトパピローマウイルス感染症", "human papillomavirus infection"), ("240532009",),
             "836379009", max_dose=3),
    # Doses of influenza vaccine are numbered within one season (children under 13 get two).
    _routine("influenza", ("インフルエンザワクチン", "Influenza vaccine"),
             ("インフルエンザ", "influenza"), ("6142004",), "1181000221105", max_dose=2),
    # Only "Streptococcus pneumoniae antigen only vaccine product" could be confirmed; no concept
    # specific to the unconjugated 23-valent vaccine was.
    _routine("pneumococcal-ppsv23",
             ("高齢者の肺炎球菌ワクチン（PPSV23）", "Pneumococcal polysaccharide vaccine (PPSV23)"),
             ("高齢者の肺炎球菌感染症", "pneumococcal disease (older people)"), (PNEUMOCOCCAL,),
             "981000221107", max_dose=2),
    # Routine for older people since April 2025, live or recombinant: the concept covers both.
    _routine("herpes-zoster", ("帯状疱疹ワクチン", "Herpes zoster vaccine"),
             ("帯状疱疹", "herpes zoster"), ("4740000",), "836495005", max_dose=2),
)
# fmt: on

RECORD_PRODUCTS: dict[str, RecordProduct] = {p.code: p for p in _PRODUCTS}


def _lookup_keys(p: RecordProduct) -> list[str]:
    keys = [p.code, p.name_en, p.name_ja]
    if p.eu_product is not None:
        keys.append(p.eu_product)
    return [matching_key(k) for k in keys]


_BY_KEY: dict[str, RecordProduct] = {k: p for p in _PRODUCTS for k in _lookup_keys(p)}


def _unknown(given: str) -> InputError:
    close = difflib.get_close_matches(given.strip().lower(), list(RECORD_PRODUCTS), n=3)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(RECORD_PRODUCTS)}"
    return InputError(f"unknown vaccine product {given!r}; {hint}", code="input.product")


def product(code: str) -> RecordProduct:
    """The record product with this code of ours; an unknown code suggests the closest ones."""
    try:
        return RECORD_PRODUCTS[code]
    except KeyError:
        raise _unknown(code) from None


def product_from_any(code_or_name: str) -> RecordProduct:
    """The product named by our code, its EU product code, or its Japanese or English name.

    Imported registers name vaccines every way; comparing NFKC-folded, case-folded, spacing-free
    forms (with hiragana read as katakana) lets "ｺﾐﾅﾃｨ", "COMIRNATY" and "EU/1/20/1528" all
    find the same product without guessing at anything looser.
    """
    found = _BY_KEY.get(matching_key(code_or_name))
    if found is None:
        raise _unknown(code_or_name)
    return found
