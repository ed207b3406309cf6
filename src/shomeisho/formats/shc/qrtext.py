"""The ``shc:/`` QR text: each JWS character as two digits of ``ord(c) - 45``.

We write one QR only (JWS of at most 1,195 characters, version 22 at ECC L). Chunked input
``shc:/C/N/<digits>`` (deprecated since SHC 1.3) is still read so that old multi-QR cards can be
examined, but it is an error (``invalid.qr.chunked``): the verdict says the card breaks the
current spec even when its signature is good. ``shc:/1/1/`` on a single QR is only a warning.
"""

from __future__ import annotations

import math
import re

from shomeisho.errors import EncodingError, InvalidError, MalformedError
from shomeisho.formats.shc import fastpath
from shomeisho.formats.shc.problems import MAX_CHUNK_JWS, MAX_SINGLE_QR_JWS, Sink
from shomeisho.wire import numeric

PREFIX = "shc:/"
MAX_CHUNKS = 99
_CHUNK_HEADER = re.compile(r"^([1-9][0-9]{0,5})/([1-9][0-9]{0,5})/")
_WHITESPACE = " \t\r\n\f\v\ufeff"


def encode(jws: str) -> str:
    """``shc:/`` plus the numeric encoding; refuses what would not fit one version-22 QR."""
    if len(jws) > MAX_SINGLE_QR_JWS:
        raise EncodingError(
            f"the JWS is {len(jws)} characters; one SHC QR holds at most {MAX_SINGLE_QR_JWS}",
            code="encoding.numeric.too_long",
        )
    return PREFIX + numeric.encode(jws)


def _strip(text: str, sink: Sink, what: str) -> str:
    stripped = text.strip(_WHITESPACE)
    if stripped != text:
        sink.errors.append(
            MalformedError(
                f"the {what} has spaces or line breaks around it",
                code="malformed.trailing",
                where=what,
            )
        )
    return stripped


def _digits(body: str, sink: Sink, what: str) -> str | None:
    try:
        return fastpath.numeric_decode(body)
    except EncodingError as exc:
        exc.where = exc.where or what
        sink.errors.append(exc)
        return None


def decode(text: str, sink: Sink) -> str | None:
    """The JWS in one ``shc:/`` text, or None (with the reason in ``sink``)."""
    text = _strip(text, sink, "QR text")
    if not text.startswith(PREFIX):
        sink.errors.append(
            EncodingError(
                "SHC QR text starts with 'shc:/'", code="encoding.numeric.header", where="QR text"
            )
        )
        return None
    body = text[len(PREFIX) :]
    header = _CHUNK_HEADER.match(body)
    if header:
        index, count = int(header[1]), int(header[2])
        if (index, count) != (1, 1):
            sink.errors.append(
                EncodingError(
                    f"this is part {index} of a {count}-part card; give all the parts together",
                    code="encoding.numeric.chunk_missing",
                    where="QR text",
                )
            )
            return None
        sink.warnings.append(
            EncodingError(
                "a single QR should start 'shc:/', not 'shc:/1/1/'",
                code="encoding.numeric.header",
                where="QR text",
            )
        )
        body = body[header.end() :]
    jws = _digits(body, sink, "QR text")
    if jws is not None and len(jws) > MAX_SINGLE_QR_JWS:
        sink.errors.append(
            InvalidError(
                f"the JWS is {len(jws)} characters; one SHC QR holds at most {MAX_SINGLE_QR_JWS}",
                code="invalid.qr.too_long",
                where="QR text",
            )
        )
    return jws


def assemble(texts: list[str], sink: Sink) -> str | None:
    """Join the (deprecated) chunks ``shc:/C/N/...`` of one card, given in any order."""
    if len(texts) == 1:
        return decode(texts[0], sink)
    count = len(texts)
    if count > MAX_CHUNKS:
        sink.errors.append(
            EncodingError(
                f"{count} QR chunks; the limit is {MAX_CHUNKS}",
                code="encoding.numeric.chunk_header",
            )
        )
        return None
    parts: dict[int, str] = {}
    for position, raw in enumerate(texts):
        what = f"QR chunk {position + 1}"
        text = _strip(raw, sink, what)
        header = _CHUNK_HEADER.match(text[len(PREFIX) :]) if text.startswith(PREFIX) else None
        if header is None:
            sink.errors.append(
                EncodingError(
                    "a chunk must start 'shc:/C/N/'", code="encoding.numeric.header", where=what
                )
            )
            return None
        index, declared = int(header[1]), int(header[2])
        if declared != count:
            sink.errors.append(
                EncodingError(
                    f"the chunk says the card has {declared} parts; {count} were given",
                    code="encoding.numeric.chunk_missing",
                    where=what,
                )
            )
            return None
        if not 1 <= index <= count or index in parts:
            sink.errors.append(
                EncodingError(
                    f"chunk index {index} is out of range or repeated",
                    code="encoding.numeric.chunk_header",
                    where=what,
                )
            )
            return None
        piece = _digits(text[len(PREFIX) + header.end() :], sink, what)
        if piece is None:
            return None
        if len(piece) > MAX_CHUNK_JWS:
            sink.errors.append(
                InvalidError(
                    f"the chunk carries {len(piece)} JWS characters; a "
                    f"chunk holds at most {MAX_CHUNK_JWS}",
                    code="invalid.qr.too_long",
                    where=what,
                )
            )
        parts[index] = piece
    jws = "".join(parts[i] for i in range(1, count + 1))
    sink.errors.append(
        InvalidError(
            f"the card is split into {count} QR codes; chunking is "
            "deprecated in SMART Health Cards 1.3",
            code="invalid.qr.chunked",
        )
    )
    if len(jws) <= MAX_SINGLE_QR_JWS:
        sink.warnings.append(
            InvalidError(
                f"the {len(jws)}-character JWS fits one QR; it did not need chunks",
                code="invalid.qr.unneeded_chunks",
            )
        )
    expected = len(jws) // count
    slack = math.ceil(expected * 0.005)
    if any(abs(len(p) - expected) > slack for p in parts.values()):
        sink.warnings.append(
            InvalidError(
                "the chunks have unbalanced sizes: "
                + ", ".join(str(len(parts[i])) for i in range(1, count + 1)),
                code="invalid.qr.unbalanced_chunks",
            )
        )
    return jws
