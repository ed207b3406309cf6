"""The record vaccine value set: real codes only, consistent with the certificate table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shomeisho import vaccines
from shomeisho.errors import InputError
from shomeisho.records.products import RECORD_PRODUCTS, RecordProduct, product, product_from_any
from tests.conformance.conftest import corpus_root

COVID = [p for p in RECORD_PRODUCTS.values() if p.covid19]
ROUTINE = [p for p in RECORD_PRODUCTS.values() if not p.covid19]

# Verhoeff tables: every SNOMED CT identifier ends in a Verhoeff check digit.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]  # fmt: skip
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]  # fmt: skip


def verhoeff_valid(number: str) -> bool:
    check = 0
    for i, digit in enumerate(reversed(number)):
        check = _D[check][_P[i % 8][int(digit)]]
    return check == 0


def snomed_codes(p: RecordProduct) -> list[str]:
    return [*p.snomed_diseases, *([p.snomed_vaccine] if p.snomed_vaccine else [])]


def value_set(name: str) -> dict[str, Any]:
    path: Path = corpus_root() / "dcc-valuesets" / f"{name}.json"
    values: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["valueSetValues"]
    return values


def test_verhoeff_helper_catches_a_typo() -> None:
    assert verhoeff_valid("840539006")
    assert not verhoeff_valid("840539007")
    assert not verhoeff_valid("845039006")  # two digits swapped


def test_the_value_set_holds_the_japanese_covid_and_routine_vaccines() -> None:
    expected = {
        "comirnaty", "spikevax", "vaxzevria", "nuvaxovid", "jcovden", "daichirona", "kostaive",
        "mr", "dpt-ipv", "dpt-ipv-hib", "hib", "pcv", "hpv", "bcg", "varicella", "je", "hepb",
        "rotavirus", "influenza", "pneumococcal-ppsv23", "herpes-zoster",
    }  # fmt: skip
    assert expected <= set(RECORD_PRODUCTS)
    assert {p.code for p in COVID} == {
        "comirnaty", "spikevax", "vaxzevria", "nuvaxovid", "jcovden", "daichirona", "kostaive",
    }  # fmt: skip


@pytest.mark.parametrize("p", RECORD_PRODUCTS.values(), ids=lambda p: p.code)
def test_each_product_is_well_formed(p: RecordProduct) -> None:
    assert RECORD_PRODUCTS[p.code] is p
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", p.code)
    assert p.name_ja and p.name_en and p.disease_ja and p.disease_en
    assert p.snomed_diseases
    assert p.max_dose >= 1
    for code in snomed_codes(p):
        # SCTID: digits, Verhoeff check digit, partition 00 or 10 (a concept).
        assert re.fullmatch(r"[1-9][0-9]{5,17}", code), code
        assert verhoeff_valid(code), f"{p.code}: {code} fails the SNOMED CT check digit"
        assert code[-3:-1] in {"00", "10"}, f"{p.code}: {code} is not a concept identifier"
    if p.who_product is not None:
        assert re.fullmatch(r"XM[0-9A-Z]{4}", p.who_product)


@pytest.mark.parametrize("p", ROUTINE, ids=lambda p: p.code)
def test_routine_vaccines_have_no_covid_certificate_codes(p: RecordProduct) -> None:
    assert "840539006" not in p.snomed_diseases
    assert (p.eu_product, p.eu_manufacturer, p.who_product, p.format_key) == (None,) * 4


@pytest.mark.conformance
@pytest.mark.parametrize("p", COVID, ids=lambda p: p.code)
def test_covid_codes_are_in_the_eu_value_sets(p: RecordProduct) -> None:
    assert p.snomed_diseases == ("840539006",)
    assert p.snomed_disease in value_set("disease-agent-targeted")
    prophylaxis = value_set("vaccine-prophylaxis")
    assert p.snomed_vaccine in prophylaxis, f"{p.code}: {p.snomed_vaccine} not in prophylaxis"
    assert prophylaxis[p.snomed_vaccine]["active"]
    if p.eu_product is not None:
        products = value_set("vaccine-medicinal-product")
        assert p.eu_product in products, f"{p.code}: {p.eu_product} not a medicinal product"
        assert products[p.eu_product]["active"]
        assert products[p.eu_product]["display"] == p.name_en
    if p.eu_manufacturer is not None:
        assert p.eu_manufacturer in value_set("vaccine-mah-manf"), p.code


@pytest.mark.conformance
@pytest.mark.parametrize("p", [p for p in COVID if p.eu_product], ids=lambda p: p.code)
def test_covid_codes_follow_the_eu_encoding_instructions(p: RecordProduct) -> None:
    instructions = [
        i for i in value_set("vaccine-encoding-instructions").values()
        if i["vaccine-code"] == p.eu_product
    ]  # fmt: skip
    assert len(instructions) == 1, p.code
    assert instructions[0]["vaccine-manufacturer"] == p.eu_manufacturer
    assert p.snomed_vaccine in instructions[0]["sct-codes"]


@pytest.mark.parametrize("p", [p for p in COVID if p.format_key], ids=lambda p: p.code)
def test_format_key_agrees_with_the_certificate_table(p: RecordProduct) -> None:
    assert p.format_key is not None
    issued = vaccines.PRODUCTS[p.format_key]
    assert issued.name == p.name_en
    assert issued.dcc_product == p.eu_product
    assert issued.dcc_manufacturer == p.eu_manufacturer
    assert issued.dcc_prophylaxis == p.snomed_vaccine
    assert issued.disease_snomed == p.snomed_disease


def test_every_issuable_product_can_be_recorded() -> None:
    assert {p.format_key for p in RECORD_PRODUCTS.values() if p.format_key} == set(
        vaccines.PRODUCTS
    )


def test_products_without_certificate_codes() -> None:
    for code in ("daichirona", "kostaive"):
        p = product(code)
        assert p.covid19 and p.format_key is None and p.eu_product is None


def test_single_and_combination_diseases() -> None:
    assert product("hib").snomed_disease == "709410003"
    assert product("comirnaty").snomed_disease == "840539006"
    assert product("mr").snomed_disease is None
    assert product("mr").snomed_diseases == ("14189004", "36653000")
    assert len(product("dpt-ipv-hib").snomed_diseases) == 5


def test_max_doses() -> None:
    assert product("bcg").max_dose == 1
    assert product("dpt-ipv-hib").max_dose == 4
    assert all(p.max_dose >= 10 for p in COVID)


def test_unknown_product_suggests_close_matches() -> None:
    with pytest.raises(InputError) as caught:
        product("comirnaty2")
    assert caught.value.code == "input.product"
    assert "did you mean comirnaty?" in caught.value.message
    with pytest.raises(InputError) as caught:
        product("MR")
    assert "did you mean mr" in caught.value.message
    with pytest.raises(InputError) as caught:
        product("zzzz")
    assert "known: comirnaty" in caught.value.message and "herpes-zoster" in caught.value.message


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("comirnaty", "comirnaty"),
        ("COMIRNATY", "comirnaty"),
        ("ｺﾐﾅﾃｨ", "comirnaty"),
        ("こみなてぃ", "comirnaty"),
        ("EU/1/20/1528", "comirnaty"),
        ("eu/1/21/1618", "nuvaxovid"),
        (" スパイクバックス ", "spikevax"),
        ("ダイチロナ", "daichirona"),
        ("MRワクチン(麻しん風しん混合)", "mr"),
        ("measles-rubella vaccine (mr)", "mr"),
        ("帯状疱疹ワクチン", "herpes-zoster"),
        ("pneumococcal-ppsv23", "pneumococcal-ppsv23"),
    ],
)
def test_product_from_any(given: str, code: str) -> None:
    assert product_from_any(given).code == code


def test_every_name_and_code_finds_its_own_product() -> None:
    for p in RECORD_PRODUCTS.values():
        for key in (p.code, p.name_en, p.name_ja, p.eu_product):
            if key is not None:
                assert product_from_any(key) is p, key


def test_product_from_any_refuses_what_it_does_not_know() -> None:
    with pytest.raises(InputError) as caught:
        product_from_any("Sputnik-V")
    assert caught.value.code == "input.product"
    with pytest.raises(InputError):
        product_from_any("")
