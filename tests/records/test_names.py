"""Residents' names: rare kanji kept as written, input-method variants matched, junk refused."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shomeisho.errors import InputError
from shomeisho.records import names
from shomeisho.records.names import (
    MAX_NAME_LENGTH,
    matching_key,
    romaji_form,
    same_name,
    stored_form,
)

# The twelve code points of the CJK Compatibility Ideographs block that are unified ideographs
# (Unicode's Unified_Ideograph property) and so have no decomposition.
UNIFIED_IN_COMPATIBILITY_BLOCK = {
    0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F, 0xFA21, 0xFA23, 0xFA24, 0xFA27, 0xFA28, 0xFA29,
}  # fmt: skip


def _half_width_katakana() -> dict[str, str]:
    """Full-width katakana -> the half-width spelling NFKC turns back into it."""
    singles = [chr(c) for c in range(0xFF66, 0xFF9E)]
    spellings = singles + [s + mark for s in singles for mark in ("\uff9e", "\uff9f")]
    table: dict[str, str] = {}
    for half in spellings:
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
    return table


HALF_WIDTH = _half_width_katakana()
# Hiragana whose katakana twin has a half-width spelling, so all three forms can be written.
HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097) if chr(c + 0x60) in HALF_WIDTH)


# --- what NFC does to rare kanji -------------------------------------------------------------


@pytest.mark.parametrize("kanji", ["\u9ad9", "\ufa11", "\U00020bb7"])  # 髙 﨑 𠮷
def test_rare_kanji_survive_storing_and_matching(kanji: str) -> None:
    name = f"{kanji}田"
    assert unicodedata.normalize("NFC", name) == name
    assert stored_form(name, field="family_name") == name
    assert matching_key(name) == name


def test_fa11_is_a_unified_ideograph_without_decomposition() -> None:
    assert unicodedata.decomposition("\ufa11") == ""
    assert unicodedata.normalize("NFKC", "\ufa11") == "\ufa11"
    assert not same_name("\ufa11", "\u5d0e")  # 﨑 and 崎 stay different names


def test_true_compatibility_ideographs_are_replaced_by_nfc() -> None:
    assert unicodedata.decomposition("\uf91d") == "6B04"
    assert stored_form("\uf91d", field="given_name") == "\u6b04"  # 欄 (F91D) -> 欄 (6B04)


def test_exactly_twelve_compatibility_ideographs_have_no_decomposition() -> None:
    assigned = [c for c in range(0xF900, 0xFB00) if unicodedata.category(chr(c)) != "Cn"]
    undecomposed = {c for c in assigned if unicodedata.decomposition(chr(c)) == ""}
    assert undecomposed == UNIFIED_IN_COMPATIBILITY_BLOCK
    for c in assigned:
        survives = unicodedata.normalize("NFC", chr(c)) == chr(c)
        assert survives == (c in UNIFIED_IN_COMPATIBILITY_BLOCK), hex(c)


# --- stored form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("\u3000山田\u3000\u3000太郎\u3000", "山田 太郎"),
        ("  Yamada \t\n Taro ", "Yamada Taro"),
        ("か\u3099ん", "がん"),  # NFC composes kana + combining dakuten
        ("Jose\u0301", "José"),
        ("葛\U000e0100飾", "葛\U000e0100飾"),  # an ideographic variation selector is kept
        ("", ""),
    ],
)
def test_stored_form(given: str, stored: str) -> None:
    assert stored_form(given, field="name") == stored


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("山\x00田", "control character (U+0000) at position 2"),
        ("山\x1f田", "control character (U+001F) at position 2"),  # isspace(), yet a control
        ("山\u200b田", "U+200B ZERO WIDTH SPACE) at position 2"),
        ("山\ue000", "private-use character (U+E000) at position 2"),
        ("\U000f0000", "private-use character (U+F0000) at position 1"),
        ("a\u0378", "unassigned code point (U+0378) at position 2"),
    ],
)
def test_unprintable_characters_are_refused(text: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        stored_form(text, field="family_name")
    assert caught.value.code == "input.name"
    assert caught.value.where == "family_name"
    assert caught.value.message.startswith("family_name has")
    assert says in caught.value.message


def test_length_limit() -> None:
    assert stored_form("あ" * MAX_NAME_LENGTH, field="given_name") == "あ" * MAX_NAME_LENGTH
    padded = "\u3000" + "あ" * MAX_NAME_LENGTH + " "  # surrounding spaces do not count
    assert stored_form(padded, field="given_name") == "あ" * MAX_NAME_LENGTH
    with pytest.raises(InputError) as caught:
        stored_form("あ" * (MAX_NAME_LENGTH + 1), field="given_name")
    assert caught.value.code == "input.name"
    assert "given_name is 101 characters long" in caught.value.message


# --- matching ------------------------------------------------------------------------------


def test_kana_variants_match() -> None:
    assert matching_key("やまざき") == matching_key("ヤマザキ") == matching_key("ﾔﾏｻﾞｷ")
    assert same_name("やまざき たろう", "ﾔﾏｻﾞｷ\u3000ﾀﾛｳ")
    assert same_name("ＹＡＭＡＤＡ　Ｔａｒｏ", "yamada taro")
    assert same_name("ゝ", "ヽ")


def test_long_vowel_and_middle_dot_are_kept() -> None:
    assert not same_name("ようこ", "よーこ")
    assert matching_key("よーこ") == "ヨーコ"
    assert matching_key("ジョン・スミス") == "ジョン・スミス"
    assert same_name("ｼﾞｮﾝ･ｽﾐｽ", "じょん・すみす")  # half-width ･ folds to ・
    assert not same_name("ジョン・スミス", "ジョンスミス")


def test_different_names_do_not_match() -> None:
    assert not same_name("やまだ", "やまざき")
    assert not same_name("髙橋", "高橋")  # variant kanji are a person's own spelling


def test_composition_exposed_by_the_kana_fold_settles() -> None:
    # わ + combining dakuten has no precomposed hiragana, but ワ + dakuten composes to ヷ.
    assert matching_key("わ\u3099") == "ヷ"
    assert matching_key(matching_key("わ\u3099")) == "ヷ"


# --- romaji --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Yamada Taro", "YAMADA TARO"),
        ("  ＯＨＮＯ　Ｋｅｎ ", "OHNO KEN"),
        ("o'brien-smith", "O'BRIEN-SMITH"),
        ("ｙａｍａ－ｄａ", "YAMA-DA"),
    ],
)
def test_romaji_form(given: str, expected: str) -> None:
    assert romaji_form(given) == expected


@pytest.mark.parametrize(
    ("text", "bad"), [("Ōno", "'Ō'"), ("やまだ", "'や'"), ("Taro2", "'2'"), ("O’Brien", "'’'")]
)
def test_romaji_refuses_anything_else(text: str, bad: str) -> None:
    with pytest.raises(InputError) as caught:
        romaji_form(text, field="passport_name")
    assert caught.value.code == "input.name"
    assert caught.value.message.startswith(f"passport_name has {bad}")


# --- properties ----------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=40))
def test_matching_key_is_idempotent(text: str) -> None:
    key = matching_key(text)
    assert matching_key(key) == key
    assert not any(c.isspace() for c in key)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(
    text=st.text(
        st.one_of(
            st.characters(exclude_categories=("Cc", "Cf", "Co", "Cn", "Cs")),
            st.sampled_from(" \u3000\t\n\u00a0"),
        ),
        max_size=120,
    )
)
def test_stored_form_is_idempotent(text: str) -> None:
    try:
        stored = stored_form(text, field="name")
    except InputError:
        assume(False)
    assert stored_form(stored, field="name") == stored
    assert stored == stored.strip() and "  " not in stored
    assert len(stored) <= MAX_NAME_LENGTH


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    kana=st.lists(st.text(alphabet=HIRAGANA, min_size=1, max_size=6), min_size=1, max_size=3),
    latin=st.text(alphabet=string.ascii_letters, max_size=8),
)
def test_hiragana_katakana_and_width_variants_match(kana: list[str], latin: str) -> None:
    hiragana = " ".join(kana) + latin
    katakana = "\u3000".join("".join(chr(ord(c) + 0x60) for c in word) for word in kana)
    katakana += "".join(chr(ord(c) + 0xFEE0) for c in latin)  # full-width letters
    half_width = "".join(HALF_WIDTH[chr(ord(c) + 0x60)] for c in "".join(kana)) + latin.upper()
    assert matching_key(hiragana) == matching_key(katakana) == matching_key(half_width)
    assert same_name(hiragana, half_width)


def _fast_and_general_agree(text: str) -> None:
    for fast, general in (
        (names.stored_form, names._stored_form_general),
        (names.romaji_form, names._romaji_form_general),
    ):
        try:
            expected: object = general(text, "f")
        except InputError as exc:
            expected = exc.code
        try:
            got: object = fast(text, field="f")
        except InputError as exc:
            got = exc.code
        assert got == expected, (fast.__name__, text)


@given(st.text(max_size=120))
def test_fast_paths_give_what_the_general_paths_give(text: str) -> None:
    """The import fast paths of stored_form and romaji_form change nothing but speed."""
    _fast_and_general_agree(text)


@given(st.text(alphabet="ABCabc -'\u3000 ", max_size=120))
def test_fast_paths_agree_on_spacing_and_length(text: str) -> None:
    _fast_and_general_agree(text)
