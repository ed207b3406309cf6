"""Residents' names: the form a name is stored in, and the key two spellings are compared by.

Two jobs that must not be confused. *Storing* keeps a name as the person writes it: Unicode NFC
(canonical composition, which never changes how a name looks), whitespace tidied, and nothing
else, so rare kanji such as 髙 (U+9AD9), 﨑 (U+FA11) and 𠮷 (U+20BB7) survive exactly.
*Matching* decides whether two records name the same person, so it folds every difference a
clerk or an input method introduces: full-width and half-width forms, letter case, spacing, and
hiragana against katakana (やまざき, ヤマザキ and ﾔﾏｻﾞｷ all match).

What NFC does to CJK compatibility ideographs (U+F900-U+FAFF), checked against Python's Unicode
database: most of them have a canonical decomposition to a unified ideograph, so NFC replaces
them (U+F91D 欄 becomes U+6B04 欄); a stored name therefore never holds those code points. Twelve
of the block (U+FA0E, FA0F, FA11, FA13, FA14, FA1F, FA21, FA23, FA24, FA27, FA28, FA29) are
unified ideographs despite their block and name, have no decomposition, and survive NFC and
NFKC unchanged: 﨑 (U+FA11) is one of them, so it is stored, and matched, as written.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from shomeisho.errors import InputError

MAX_NAME_LENGTH = 100
# Whitespace a person may type between the parts of a name; other C0/C1 controls are refused.
_LAYOUT_CONTROLS = frozenset("\t\n\v\f\r")
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
}
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {
    0x309D: 0x30FD,  # ゝ -> ヽ
    0x309E: 0x30FE,  # ゞ -> ヾ
}
_PLAIN_ROMAJI = re.compile(r"[A-Za-z'-]+(?: [A-Za-z'-]+)*")
_ROMAJI_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -'")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _is_space(char: str) -> bool:
    return char.isspace() and (char in _LAYOUT_CONTROLS or unicodedata.category(char) != "Cc")


def _tidy(text: str) -> str:
    """Strip the ends and turn each run of whitespace (U+3000 included) into one ASCII space."""
    words = "".join(" " if _is_space(c) else c for c in text).split(" ")
    return " ".join(word for word in words if word)


def _refuse_if_too_long(text: str, field: str) -> None:
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(
            f"{field} is {len(text)} characters long; a name may have at most {MAX_NAME_LENGTH}",
            code="input.name",
            where=field,
        )


def stored_form(text: str, *, field: str) -> str:
    """The name as it is kept on the record: NFC, whitespace tidied, nothing unprintable.

    Refuses control and formatting characters, private-use and unassigned code points (a name
    holding them cannot be printed on a certificate or read back reliably) and names over 100
    characters; the message names the field and the offending position.
    """
    if text.isprintable() and unicodedata.is_normalized("NFC", text):
        # Fast path (imports check millions of names): printable means no C* category and no
        # whitespace but the ASCII space, so only spaces may need tidying; same result.
        stored = text if "  " not in text else _tidy(text)
        stored = stored.strip(" ")
        if len(stored) <= MAX_NAME_LENGTH:
            return stored
    return _stored_form_general(text, field)


def _stored_form_general(text: str, field: str) -> str:
    """:func:`stored_form` character by character, with the message for what is wrong."""
    for position, char in enumerate(text, start=1):
        if _is_space(char):
            continue
        problem = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if problem is not None:
            raise InputError(
                f"{field} has {problem} ({_describe(char)}) at position {position}; "
                "a name may hold only printable characters",
                code="input.name",
                where=field,
            )
    stored = _tidy(unicodedata.normalize("NFC", text))
    _refuse_if_too_long(stored, field)
    return stored


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in text if not c.isspace())
    return unicodedata.normalize("NFKC", text.translate(_HIRAGANA_TO_KATAKANA))


@functools.lru_cache(maxsize=65536)
def matching_key(text: str) -> str:
    """The form two names are compared in; equal keys mean the same written name.

    NFKC (half-width kana and full-width letters fold to their usual forms), case folding, no
    whitespace at all, hiragana folded to katakana. The long-vowel mark ー and the middle dot ・
    are kept, since ヨーコ and ヨコ are different names. Folding is repeated until it settles
    (folding can expose a new composition, e.g. わ + combining dakuten becomes ヷ only after
    the kana fold), so the key of a key is the key itself.
    """
    key = _fold(text)
    for _ in range(8):
        again = _fold(key)
        if again == key:
            break
        key = again
    return key


def same_name(a: str, b: str) -> bool:
    """Whether two spellings are the same name once input-method differences are folded away."""
    return matching_key(a) == matching_key(b)


def romaji_form(text: str, *, field: str = "romanised name") -> str:
    """A romanised name as a passport prints it: A-Z, spaces, hyphen and apostrophe only.

    Full-width letters are folded (NFKC) and the result upper-cased; anything else, macrons
    (Ō) and kana included, is refused rather than silently transliterated, because the name must
    match the passport letter for letter.
    """
    if len(text) <= MAX_NAME_LENGTH and _PLAIN_ROMAJI.fullmatch(text):  # usual; same result
        return text.upper()
    return _romaji_form_general(text, field)


def _romaji_form_general(text: str, field: str) -> str:
    folded = _tidy(unicodedata.normalize("NFKC", text))
    for position, char in enumerate(folded, start=1):
        if char not in _ROMAJI_ALLOWED:
            raise InputError(
                f"{field} has {char!r} ({_describe(char)}) at position {position}; a romanised "
                "name may hold only the letters A-Z, spaces, hyphens and apostrophes",
                code="input.name",
                where=field,
            )
    _refuse_if_too_long(folded, field)
    return folded.upper()
