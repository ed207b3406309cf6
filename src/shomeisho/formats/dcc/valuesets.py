"""The eHealth Network value sets that DCC codes come from, shipped in ``shomeisho/data/dcc``.

Value sets change more often than the schema (new vaccines, new rapid tests) and the schema itself
only *annotates* fields with a ``valueset-uri``; acceptance of a code is a business rule of the
verifying country. So an unknown code is reported as a **warning** (``schema.valueset``), never as
an error that changes the verdict; issuing, on the other hand, refuses codes that are not in the
value sets, so what we sign is always current.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from shomeisho.errors import SchemaError
from shomeisho.formats.dcc.schema import data_file

# value set name -> file in data/dcc/valuesets
FILES = {
    "disease-agent-targeted": "disease-agent-targeted.json",
    "vaccine-prophylaxis": "vaccine-prophylaxis.json",
    "vaccine-medicinal-product": "vaccine-medicinal-product.json",
    "vaccine-mah-manf": "vaccine-mah-manf.json",
    "country-2-codes": "country-2-codes.json",
    "test-type": "test-type.json",
    "test-result": "test-result.json",
}

# (group, field) -> value set; the rapid-test device list (t/ma) is published elsewhere and
# changes weekly, so it is not checked here.
FIELDS: dict[tuple[str, str], str] = {
    ("v", "tg"): "disease-agent-targeted",
    ("v", "vp"): "vaccine-prophylaxis",
    ("v", "mp"): "vaccine-medicinal-product",
    ("v", "ma"): "vaccine-mah-manf",
    ("v", "co"): "country-2-codes",
    ("t", "tg"): "disease-agent-targeted",
    ("t", "tt"): "test-type",
    ("t", "tr"): "test-result",
    ("t", "co"): "country-2-codes",
    ("r", "tg"): "disease-agent-targeted",
    ("r", "co"): "country-2-codes",
}


@cache
def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(data_file("valuesets", FILES[name]))
    values: dict[str, Any] = doc["valueSetValues"]
    return values


def codes(name: str) -> frozenset[str]:
    """Every code of a value set, active or not (old certificates carry retired codes)."""
    return frozenset(_load(name))


def display(name: str, code: str) -> str | None:
    """The human name of a code (``EU/1/20/1528`` -> ``Comirnaty``), or None if unknown."""
    entry = _load(name).get(code)
    if isinstance(entry, Mapping):
        text = entry.get("display")
        return text if isinstance(text, str) else None
    return None


def is_known(name: str, code: object) -> bool:
    return isinstance(code, str) and code in _load(name)


@cache
def _by_group() -> dict[str, tuple[tuple[str, str, frozenset[str]], ...]]:
    groups: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
    for (group, field), name in FIELDS.items():
        groups.setdefault(group, []).append((field, name, codes(name)))
    return {group: tuple(fields) for group, fields in groups.items()}


def check(payload: Mapping[str, Any]) -> list[SchemaError]:
    """Warnings (``schema.valueset``) for each coded field whose code is not in its value set."""
    warnings: list[SchemaError] = []
    for group, fields in _by_group().items():
        entries = payload.get(group)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                continue
            for field, name, known in fields:
                code = entry.get(field, _ABSENT)
                if code is _ABSENT or (isinstance(code, str) and code in known):
                    continue
                warnings.append(
                    SchemaError(
                        f"{group}[{index}].{field} is {code!r}, which is not in the {name} value "
                        "set",
                        code="schema.valueset",
                        where=f"payload /{group}/{index}/{field}",
                    )
                )
    return warnings


_ABSENT = object()


def require_known(name: str, code: str, what: str) -> None:
    """For issuing: refuse a code that is not in the shipped value set."""
    if code not in _load(name):
        raise SchemaError(
            f"{what} {code!r} is not in the {name} value set; update the value sets or the "
            "vaccine table",
            code="schema.valueset",
            where=what,
        )
