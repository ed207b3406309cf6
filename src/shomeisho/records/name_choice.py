"""Which name the certificate shows, when the card and the vaccination record disagree.

In 2021 people whose My Number card showed an old surname (旧姓併記) or whose vaccination
record still had a former name could not get a certificate at all. Here the card proves who the
person is; the vaccination record is found through that identity, not by comparing names. When
the names differ, the person chooses which of the known names the certificate shows: the name
in the vaccination record, the old surname kept in it, or the name the card carries (signed by
the identity provider). The certificate keeps the others as alternate names so that a checker
comparing it with a passport or card in either name can match.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shomeisho.records.entities import ResidentDetails
from shomeisho.records.names import same_name


class NameSource(StrEnum):
    RECORD = "record"  # the vaccination record's current name
    FORMER = "former"  # the old surname the record keeps (旧姓)
    CARD = "card"  # the name on the card, as the identity provider signed it


@dataclass(frozen=True, slots=True)
class CardName:
    """The name as the card shows it (from the ID token)."""

    family: str
    given: str
    former_family: str = ""


@dataclass(frozen=True, slots=True)
class NameOption:
    source: NameSource
    family: str
    given: str

    @property
    def full(self) -> str:
        return f"{self.family} {self.given}".strip()


def name_options(details: ResidentDetails, card: CardName | None) -> list[NameOption]:
    """The names the person may choose from, the record's name first; one option means there
    is nothing to choose."""
    options = [NameOption(NameSource.RECORD, details.family_name, details.given_name)]
    if details.former_family_name:
        options.append(
            NameOption(NameSource.FORMER, details.former_family_name, details.given_name)
        )
    if card is not None and not any(
        same_name(o.family, card.family) and same_name(o.given, card.given) for o in options
    ):
        options.append(NameOption(NameSource.CARD, card.family, card.given))
    return options


def card_disagrees(details: ResidentDetails, card: CardName | None) -> bool:
    """Whether the card's name is not the record's current name (the case to explain)."""
    if card is None:
        return False
    return not (
        same_name(card.family, details.family_name) and same_name(card.given, details.given_name)
    )


def chosen_name(details: ResidentDetails, card: CardName | None, source: str | None) -> NameOption:
    """The option ``source`` names, or the record's name when it names none of them."""
    options = name_options(details, card)
    return next((o for o in options if o.source.value == source), options[0])
