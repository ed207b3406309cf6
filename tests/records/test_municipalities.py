"""Local government codes: the check digit rule, the shipped list, and what a bad code is told."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from shomeisho.errors import InputError
from shomeisho.records.municipalities import (
    HEADER,
    Municipality,
    check_digit,
    load_municipalities,
    municipality_by_code,
    validate_code,
)

HALF_WIDTH_KATAKANA = range(0xFF61, 0xFFA0)


def write_list(tmp_path: Path, *rows: str, header: str = ",".join(HEADER)) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_every_shipped_row_loads_and_obeys_the_check_digit() -> None:
    municipalities = load_municipalities()
    assert len(municipalities) == 1788
    assert sum(m.is_prefecture for m in municipalities) == 47
    assert len({m.code for m in municipalities}) == 1788
    for m in municipalities:
        assert validate_code(m.code) == m.code
        assert check_digit(m.code[:5]) == m.code[5], m


@pytest.mark.parametrize(
    ("first_five", "digit"),
    [
        ("01101", "1"),  # 6*0+5*1+4*1+3*0+2*1 = 11, remainder 0: 11 - 0 = 11, last digit 1
        ("01213", "1"),  # 苫小牧市 012131: 0+5+8+3+6 = 22, remainder 0
        ("01205", "0"),  # 室蘭市 012050: 0+5+8+0+10 = 23, remainder 1: 11 - 1 = 10, so 0
    ],
)
def test_check_digit_wraps_remainders_0_and_1(first_five: str, digit: str) -> None:
    assert check_digit(first_five) == digit


def test_check_digit_worked_example() -> None:
    # 13101: 1*6 + 3*5 + 1*4 + 0*3 + 1*2 = 27; 27 mod 11 = 5; 11 - 5 = 6.
    assert check_digit("13101") == "6"


@pytest.mark.parametrize("bad", ["1310", "131016", "1310a", "１３１０１"])
def test_check_digit_needs_five_ascii_digits(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        check_digit(bad)
    assert caught.value.code == "input.municipality_code"


@pytest.mark.parametrize(
    ("code", "prefecture", "name", "name_kana", "display"),
    [
        ("011002", "北海道", "札幌市", "サッポロシ", "北海道札幌市"),
        ("131016", "東京都", "千代田区", "チヨダク", "東京都千代田区"),
        ("271004", "大阪府", "大阪市", "オオサカシ", "大阪府大阪市"),
        ("141003", "神奈川県", "横浜市", "ヨコハマシ", "神奈川県横浜市"),
        ("401307", "福岡県", "福岡市", "フクオカシ", "福岡県福岡市"),
    ],
)
def test_known_municipalities(
    code: str, prefecture: str, name: str, name_kana: str, display: str
) -> None:
    m = municipality_by_code(code)
    assert (m.code, m.prefecture, m.name, m.name_kana) == (code, prefecture, name, name_kana)
    assert m.display_name == display
    assert not m.is_prefecture


def test_prefecture_rows() -> None:
    hokkaido = municipality_by_code("010006")
    assert hokkaido.is_prefecture
    assert hokkaido.name == "" and hokkaido.name_kana == ""
    assert hokkaido.display_name == "北海道"
    assert hokkaido.prefecture_kana == "ホッカイドウ"
    assert municipality_by_code("130001").display_name == "東京都"


def test_kana_is_stored_full_width() -> None:
    for m in load_municipalities():
        for kana in (m.prefecture_kana, m.name_kana):
            assert not any(ord(c) in HALF_WIDTH_KATAKANA for c in kana), m
            assert kana == unicodedata.normalize("NFKC", kana)
    assert municipality_by_code("011002").prefecture_kana == "ホッカイドウ"


@pytest.mark.parametrize(
    "typed", ["131016", " 131016 ", "１３１０１６", "\u3000１３１０１６\u3000", "\t131016\n"]
)
def test_full_width_and_spaced_codes_are_normalised(typed: str) -> None:
    assert validate_code(typed) == "131016"
    assert municipality_by_code(typed).name == "千代田区"


def test_wrong_check_digit_names_the_right_one() -> None:
    with pytest.raises(InputError) as caught:
        validate_code("131017")
    error = caught.value
    assert error.code == "input.municipality_code"
    assert "check digit 7" in error.message
    assert "check digit of 13101 is 6" in error.message
    assert "131016" in error.message


def test_five_digit_code_is_refused_with_the_full_code() -> None:
    with pytest.raises(InputError) as caught:
        validate_code("27100")
    assert "lacks its check digit" in caught.value.message
    assert "271004" in caught.value.message


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1310", "4 digits"),
        ("1310166", "7 digits"),
        ("13-016", "'-' at position 3"),
        ("13101六", "'六' at position 6"),
        ("١٣١٠١٦", "position 1"),  # Arabic-Indic digits are digits, but not ours
    ],
)
def test_malformed_codes_say_what_is_wrong(code: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_code(code)
    assert caught.value.code == "input.municipality_code"
    assert says in caught.value.message


def test_valid_code_missing_from_the_list_is_unknown() -> None:
    # 札幌市中央区 (011011): a real ward with a correct check digit, but wards of designated
    # cities are not in the shipped list.
    with pytest.raises(InputError) as caught:
        municipality_by_code("011011")
    assert caught.value.code == "input.municipality_unknown"
    assert "1,788" in caught.value.message


def test_lookup_in_a_given_list() -> None:
    ward = Municipality(
        "011011", "北海道", "札幌市中央区", "ホッカイドウ", "サッポロシチュウオウク"
    )
    assert municipality_by_code("011011", [ward]) is ward
    with pytest.raises(InputError) as caught:
        municipality_by_code("011002", [ward])
    assert caught.value.code == "input.municipality_unknown"


def test_the_cached_list_cannot_be_changed_by_a_caller() -> None:
    first = load_municipalities()
    first.clear()
    assert len(load_municipalities()) == 1788


def test_an_operator_list_loads(tmp_path: Path) -> None:
    path = write_list(
        tmp_path, "010006,北海道,,ﾎｯｶｲﾄﾞｳ,", "011011,北海道,札幌市中央区,ﾎｯｶｲﾄﾞｳ,ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ"
    )
    loaded = load_municipalities(path)
    assert [m.code for m in loaded] == ["010006", "011011"]
    assert loaded[1].name_kana == "サッポロシチュウオウク"


@pytest.mark.parametrize(
    ("bad_row", "says"),
    [
        ("131017,東京都,千代田区,ﾄｳｷｮｳﾄ,ﾁﾖﾀﾞｸ", "check digit of 13101 is 6"),
        ("13101,東京都,千代田区,ﾄｳｷｮｳﾄ,ﾁﾖﾀﾞｸ", "the full code is 131016"),
        ("131016,東京都,千代田区,ﾄｳｷｮｳﾄ", "expected 5 fields, found 4"),
        ("131016,,千代田区,ﾄｳｷｮｳﾄ,ﾁﾖﾀﾞｸ", "no prefecture name"),
        ("131016,東京都,,ﾄｳｷｮｳﾄ,", "do not agree"),
        ("011002,北海道,札幌市,ﾎｯｶｲﾄﾞｳ,ｻｯﾎﾟﾛｼ", "appears twice"),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, bad_row: str, says: str) -> None:
    path = write_list(
        tmp_path, "010006,北海道,,ﾎｯｶｲﾄﾞｳ,", "011002,北海道,札幌市,ﾎｯｶｲﾄﾞｳ,ｻｯﾎﾟﾛｼ", bad_row
    )
    with pytest.raises(InputError) as caught:
        load_municipalities(path)
    error = caught.value
    assert error.code == "input.municipality_list"
    assert "codes.csv row 4:" in error.message
    assert error.where == "codes.csv:4"
    assert says in error.message


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = write_list(tmp_path, "010006,北海道,,ﾎｯｶｲﾄﾞｳ,", header="code,pref,city,pk,ck")
    with pytest.raises(InputError) as caught:
        load_municipalities(path)
    assert caught.value.code == "input.municipality_list"
    assert "row 1" in caught.value.message


def test_an_unreadable_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_municipalities(tmp_path / "missing.csv")
    assert caught.value.code == "input.unreadable_file"
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(",".join(HEADER).encode() + b"\n010006,\xff,,x,\n")
    with pytest.raises(InputError) as caught:
        load_municipalities(latin1)
    assert caught.value.code == "input.unreadable_file"
