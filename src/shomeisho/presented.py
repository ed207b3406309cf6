"""What a verifier is handed, turned into certificate texts: strings, files and QR images.

A person at a counter scans a phone screen, drops a photo of a paper certificate, or pastes text;
a private app passes a ``.smart-health-card`` file. Whatever it is, each certificate found gets its
own verdict, labelled with where it came from, so "the second code in photo.jpg is invalid" can be
said plainly. Several codes in one image are all verified and reported as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shomeisho import qr
from shomeisho.errors import (
    FormatNotRecognisedError,
    InputError,
    ShomeishoError,
    UnreadableError,
)
from shomeisho.formats import all_formats, detect
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore

MAX_INPUT_BYTES = 20 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SHC_CHUNK = re.compile(r"^shc:/(\d+)/(\d+)/")


@dataclass
class Presented:
    """One thing to verify: a certificate text, or a whole file a format reads itself."""

    source: str
    text: str | None = None
    file_bytes: bytes | None = None
    error: ShomeishoError | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """A verification with where its input came from."""

    source: str
    verification: Verification
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = self.verification.as_dict()
        out["source"] = self.source
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _looks_like_certificate(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith(("HC1:", "shc:/", "{", "[")) or detect(stripped) is not None


def read_input(argument: str, *, index: int = 1) -> list[Presented]:
    """Classify one command-line INPUT: a certificate string, or a path to a file holding some."""
    if _looks_like_certificate(argument):
        return [Presented(source=f"input {index}", text=argument.strip())]
    path = Path(argument)
    if not path.is_file():
        return [
            Presented(
                source=f"input {index}",
                error=InputError(
                    f"input {index} is neither a certificate (HC1:…, shc:/…, VDS-NC JSON) "
                    "nor a file "
                    f"that exists: {argument[:60]!r}",
                    code="input.not_found",
                ),
            )
        ]
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(
                f"{path} is {size} bytes; the limit is {MAX_INPUT_BYTES}", code="input.too_large"
            )
        data = path.read_bytes()
    except OSError as exc:
        return [
            Presented(
                source=str(path),
                error=InputError(
                    f"cannot read {path}: {exc.strerror}", code="input.unreadable_file"
                ),
            )
        ]
    except InputError as exc:
        return [Presented(source=str(path), error=exc)]
    return read_bytes(data, source=str(path), name=path.name)


def read_bytes(data: bytes, *, source: str, name: str = "") -> list[Presented]:
    """Classify file contents: image, SMART Health Card file, or certificate text."""
    if data.startswith(_PNG) or data.startswith(_JPEG):
        try:
            codes = qr.read_codes(data)
        except ShomeishoError as exc:
            return [Presented(source=source, error=exc)]
        if not codes:
            return [
                Presented(
                    source=source,
                    error=UnreadableError(
                        "no QR code could be read in the image; try a sharper, evenly lit picture",
                        code="unreadable.no_qr",
                    ),
                )
            ]
        if len(codes) == 1:
            return [Presented(source=source, text=codes[0].text)]
        return [
            Presented(
                source=f"{source} (code {i} of {len(codes)})",
                text=c.text,
                notes=[f"the image holds {len(codes)} QR codes"],
            )
            for i, c in enumerate(codes, 1)
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [
            Presented(
                source=source,
                error=FormatNotRecognisedError(
                    "the file is neither an image nor UTF-8 text", code="unreadable.format"
                ),
            )
        ]
    stripped = text.strip()
    if name.endswith(".smart-health-card") or (
        '"verifiableCredential"' in stripped and stripped.startswith("{")
    ):
        return [Presented(source=source, file_bytes=data)]
    lines = [line.strip() for line in stripped.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.startswith(("HC1:", "shc:/")) for line in lines):
        return [
            Presented(source=f"{source} (line {i})", text=line) for i, line in enumerate(lines, 1)
        ]
    return [Presented(source=source, text=stripped)]


def _is_fhir_parameters(data: bytes) -> bool:
    """Whether a JSON file holding health cards is a FHIR ``Parameters`` resource (what the
    ``$health-cards-issue`` operation answers) rather than a ``.smart-health-card`` file."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False  # the card-file reader names what is wrong with it
    return isinstance(doc, dict) and doc.get("resourceType") == "Parameters"


def verify_presented(items: list[Presented], trust: TrustStore, *, at: datetime) -> list[Outcome]:
    """Verify each item with the format that recognises it; SHC chunks are joined first."""
    from shomeisho.formats import shc

    outcomes: list[Outcome] = []
    chunks: list[Presented] = [i for i in items if i.text and _SHC_CHUNK.match(i.text)]
    for item in items:
        if item in chunks:
            continue
        if item.error is not None:
            outcomes.append(
                Outcome(
                    item.source, Verification(format="unknown", errors=[item.error]), item.notes
                )
            )
            continue
        if item.file_bytes is not None:
            if _is_fhir_parameters(item.file_bytes):  # a $health-cards-issue response
                cards = shc.verify_fhir_health_card(item.file_bytes, trust, at)
            else:
                cards = shc.verify_health_card_file(item.file_bytes, trust, at)
            for n, verification in enumerate(cards, 1):
                outcomes.append(Outcome(f"{item.source} (card {n})", verification, item.notes))
            continue
        assert item.text is not None
        fmt = detect(item.text)
        if fmt is None:
            known = ", ".join(all_formats())
            outcomes.append(
                Outcome(
                    item.source,
                    Verification(
                        format="unknown",
                        errors=[
                            FormatNotRecognisedError(
                                f"this is not a certificate in a supported format ({known})"
                            )
                        ],
                    ),
                    item.notes,
                )
            )
            continue
        outcomes.append(Outcome(item.source, fmt.verify(item.text, trust, at=at), item.notes))
    if chunks:
        verification = shc.verify_chunks([c.text for c in chunks if c.text], trust, at)
        sources = ", ".join(c.source for c in chunks)
        outcomes.append(Outcome(f"{sources} (SHC chunks joined)", verification))
    return outcomes
