"""The holder's name on a seal: the passport name in ICAO Doc 9303 form, at most 39 characters.

``pid.n`` is "the name of the holder as specified in Doc 9303-3": the passport's primary identifier
(family name) and secondary identifiers (given names), upper-case Latin letters. That is the MRZ
name field with its ``<`` fillers read as spaces, so family and given names are separated by two
spaces, as DFAT's seals do (``CITIZEN  JANE SUE``). We write that form.

Choosing the name: a record may carry a separate passport spelling (an alternate of kind
``passport``, because the name in the residents' register and in the passport can differ); it wins
over the primary name's romanised parts. A record without any romanised name cannot be issued.

Characters: the passport name should already be in Doc 9303 letters. As a convenience, diacritics
are removed (``Ō`` -> ``O``), a few letters are spelled out (``ß`` -> ``SS``, ``Æ`` -> ``AE``...),
hyphens become spaces and apostrophes vanish, as Doc 9303-3 does for the MRZ. Anything still outside
A-Z is refused rather than guessed.

Length: **truncate, do not refuse.** Doc 9303-3 section 4.6 truncates names that do not fit the
MRZ's 39 characters, and the passport the seal will be compared with carries that same truncated
MRZ name; refusing would leave exactly the people with long names without a certificate. Given
names are shortened first (at least their initial stays), then the family name; the result never
ends in a space. The truncated name is what a verifier sees, and ``carried_record`` says so.

Reading: split at the first double space when there is one (Doc 9303 form); otherwise at the first
single space, as the Japanese Digital Agency's seals write ``MIYAKE SHOTA`` (family first). That
second form cannot tell a two-word family name from a given name; it is taken as family then given.
"""

from __future__ import annotations

import re
import unicodedata

from shomeisho.errors import InputError
from shomeisho.model import Person, PersonName

NAME_LIMIT = 39
SEPARATOR = "  "

_SPELLED_OUT = str.maketrans(
    {
        "ß": "SS",
        "ẞ": "SS",
        "Æ": "AE",
        "Ø": "OE",
        "Œ": "OE",
        "Þ": "TH",
        "Ð": "D",
        "Đ": "D",
        "Ł": "L",
        "Ħ": "H",
        "Ŧ": "T",
        "Ŋ": "N",
        "ı": "I",
        "-": " ",
        "‐": " ",
        "'": "",
        "’": "",
        ",": " ",
        ".": "",
    }
)
_DOC9303_NAME = re.compile(r"^[A-Z]+(?: [A-Z]+)*$")


def romanised_parts(person: Person) -> tuple[str | None, str | None]:
    """The family and given names in Latin letters that should go on the seal."""
    candidates = [n for n in person.alternates if n.kind == "passport"] + [person.name]
    for name in candidates:
        if name.family_romanised or name.given_romanised:
            return name.family_romanised, name.given_romanised
    raise InputError(
        "VDS-NC carries the passport name in Latin letters, and this record has no "
        "romanised name (add family_romanised/given_romanised or a passport name)",
        code="input.vdsnc.name",
        where="pid.n",
    )


def to_doc9303(part: str) -> str:
    """One name part in Doc 9303 letters, or :class:`InputError` naming the character refused."""
    folded = "".join(
        c
        for c in unicodedata.normalize("NFKD", part.upper().translate(_SPELLED_OUT))
        if not unicodedata.combining(c)
    )
    folded = " ".join(folded.translate(_SPELLED_OUT).split())
    if not _DOC9303_NAME.match(folded):
        bad = next((c for c in folded if not ("A" <= c <= "Z" or c == " ")), None)
        detail = f"the character {bad!r}" if bad else "no letters"
        raise InputError(
            f"the passport name {part!r} has {detail}; Doc 9303 names use A-Z only",
            code="input.vdsnc.name",
            where="pid.n",
        )
    return folded


def seal_name(person: Person, limit: int = NAME_LIMIT) -> str:
    """``pid.n`` for ``person``: family, two spaces, given names; truncated per Doc 9303-3."""
    family, given = romanised_parts(person)
    primary = to_doc9303(family) if family else None
    secondary = to_doc9303(given) if given else None
    if primary is None:  # a single name is the primary identifier (Doc 9303-3 section 4.6)
        primary, secondary = secondary, None
    assert primary is not None  # romanised_parts returned at least one part
    return truncate(primary, secondary, limit)


def truncate(primary: str, secondary: str | None, limit: int = NAME_LIMIT) -> str:
    """Fit ``PRIMARY  SECONDARY`` into ``limit`` characters, cutting given names first."""
    if not secondary:
        return primary[:limit].rstrip()
    full = primary + SEPARATOR + secondary
    if len(full) <= limit:
        return full
    room = limit - len(primary) - len(SEPARATOR)
    if room >= 1:
        return primary + SEPARATOR + secondary[:room].rstrip()
    kept = primary[: limit - len(SEPARATOR) - 1].rstrip()
    return kept + SEPARATOR + secondary[0]


def split_name(text: str) -> PersonName:
    """Read ``pid.n`` back into family and given names (see the module docstring)."""
    stripped = text.strip()
    if SEPARATOR in stripped:
        family, given = stripped.split(SEPARATOR, 1)
    elif " " in stripped:
        family, given = stripped.split(" ", 1)
    else:
        family, given = stripped, ""
    return PersonName(
        family_romanised=" ".join(family.split()) or None,
        given_romanised=" ".join(given.split()) or None,
    )
