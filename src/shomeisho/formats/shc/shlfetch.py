"""Following a SMART Health Link: manifest, files, decryption (see :mod:`.shl` for the link).

Flag ``U``: GET ``url`` (``?recipient=``) is the one encrypted file. Otherwise POST ``url`` with
``{recipient, [passcode]}`` answers a manifest ``{files: [{contentType, location | embedded}]}``.
Files are JWE compact (``alg: dir``, ``enc: A256GCM``, optional ``zip: DEF``) under the link key;
``application/smart-health-card`` files are verified card by card. The network is reached only
through the :data:`Fetcher` the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shomeisho.errors import (
    DecompressionError,
    EncodingError,
    InputError,
    InvalidError,
    MalformedError,
    ShomeishoError,
    UnreadableError,
)
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc.card import verify_health_card_file
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode
from shomeisho.wire.inflate import inflate_raw

Fetcher = Callable[[str, str, bytes | None], tuple[int, bytes]]
"""``fetch(method, url, json_body) -> (status, body)``; must not raise for HTTP errors."""

RECIPIENT = "shomeisho verifier"
MAX_FILE = 1 << 20
CONTENT_TYPES = frozenset(
    {"application/smart-health-card", "application/smart-api-access", "application/fhir+json"}
)


@dataclass
class ShlResult:
    """Problems with the link itself plus one Verification per card found behind it."""

    errors: list[ShomeishoError] = field(default_factory=list)
    warnings: list[ShomeishoError] = field(default_factory=list)
    cards: list[Verification] = field(default_factory=list)


def urllib_fetcher(
    *, allow_http_hosts: frozenset[str] = frozenset(), timeout: float = 10.0
) -> Fetcher:
    """A fetcher over urllib for callers who accept going online. Plain http is refused unless
    the host is listed (for a local test server)."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    def fetch(method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in allow_http_hosts
        ):
            raise UnreadableError(
                f"refusing to fetch {url} without https", code="unreadable.shl.fetch"
            )
        headers = {"Content-Type": "application/json"} if body is not None else {}
        # the scheme was checked above: https, or http to an allowed test host
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read(MAX_FILE + 1)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(MAX_FILE + 1)
        except (urllib.error.URLError, OSError, json.JSONDecodeError) as exc:
            raise UnreadableError(
                f"could not fetch {url}: {exc}", code="unreadable.shl.fetch"
            ) from None

    return fetch


def _https(url: str, what: str, result: ShlResult) -> None:
    if not url.startswith("https://"):
        kind = "manifest" if what == "manifest URL" else "file"
        result.errors.append(
            InvalidError(
                f"the {what} {url} does not use https",
                code=f"invalid.shl.not_https.{kind}",
                where=what,
            )
        )


def _fetch(
    fetch: Fetcher | None, method: str, url: str, body: bytes | None, result: ShlResult
) -> tuple[int, bytes] | None:
    if fetch is None:
        result.errors.append(
            UnreadableError(
                "following a SMART Health Link needs the network; no fetcher was given",
                code="unreadable.shl.fetch",
            )
        )
        return None
    try:
        status, content = fetch(method, url, body)
    except UnreadableError as exc:
        result.errors.append(exc)
        return None
    if len(content) > MAX_FILE:
        result.errors.append(
            UnreadableError(
                f"{url} answered more than {MAX_FILE} bytes", code="unreadable.shl.fetch"
            )
        )
        return None
    return status, content


def follow(
    payload: Mapping[str, Any],
    trust: TrustStore,
    at: datetime,
    result: ShlResult,
    *,
    fetch: Fetcher | None,
    passcode: str | None = None,
    crls: crlmod.CrlSet | None = None,
) -> None:
    """Retrieve and verify what a link payload points to."""
    url, key = payload["url"], payload["key"]
    exp = payload.get("exp")
    if isinstance(exp, int | float) and exp < at.timestamp():
        result.warnings.append(
            InvalidError("the link has expired", code="invalid.shl.expired", where="payload.exp")
        )
    if "U" in payload.get("flag", ""):
        _https(url, "file URL", result)
        import urllib.parse

        got = _fetch(fetch, "GET", f"{url}?recipient={urllib.parse.quote(RECIPIENT)}", None, result)
        if got is not None:
            _open_file(
                got,
                result,
                content_type="application/smart-health-card",
                key=key,
                where=url,
                trust=trust,
                at=at,
                crls=crls,
            )
        return
    _https(url, "manifest URL", result)
    body: dict[str, Any] = {"recipient": RECIPIENT}
    if "P" in payload.get("flag", ""):
        if passcode is None:
            result.errors.append(InputError("the link needs a passcode", code="input.shl.passcode"))
            return
        body["passcode"] = passcode
    got = _fetch(fetch, "POST", url, strict_json.dumps_compact(body).encode("utf-8"), result)
    if got is None:
        return
    status, content = got
    if status == 401:
        result.errors.append(
            InputError(
                "the SHL server refused the passcode", code="input.shl.passcode", where="passcode"
            )
        )
        return
    if status != 200:
        result.errors.append(
            UnreadableError(
                f"the manifest request failed (HTTP {status})",
                code="unreadable.shl.fetch",
                where=url,
            )
        )
        return
    read_manifest(content, key, trust, at, result, fetch=fetch, crls=crls)


def read_manifest(
    data: bytes,
    key: str,
    trust: TrustStore,
    at: datetime,
    result: ShlResult,
    *,
    fetch: Fetcher | None,
    crls: crlmod.CrlSet | None = None,
) -> None:
    try:
        manifest = strict_json.loads(data, what="SHL manifest")
    except MalformedError as exc:
        result.errors.append(MalformedError(exc.message, code="malformed.shl", where="manifest"))
        return
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not files:
        result.errors.append(
            MalformedError("the manifest has no files", code="malformed.shl", where="manifest")
        )
        return
    for entry in files:
        read_file_entry(entry, key, trust, at, result, fetch=fetch, crls=crls)


def read_file_entry(
    entry: object,
    key: str,
    trust: TrustStore,
    at: datetime,
    result: ShlResult,
    *,
    fetch: Fetcher | None,
    crls: crlmod.CrlSet | None = None,
) -> None:
    if not isinstance(entry, dict):
        result.errors.append(
            MalformedError(
                "a manifest file entry is not an object", code="malformed.shl", where="manifest"
            )
        )
        return
    content_type = entry.get("contentType")
    if type(content_type) is not str or content_type not in CONTENT_TYPES:
        result.errors.append(
            InvalidError(
                f"unknown file contentType {content_type!r}", code="invalid.shl", where="manifest"
            )
        )
        return
    location, embedded = entry.get("location"), entry.get("embedded")
    if isinstance(embedded, str):
        _open_file(
            (200, embedded.encode("ascii", "replace")),
            result,
            content_type=content_type,
            key=key,
            where="embedded",
            trust=trust,
            at=at,
            crls=crls,
        )
    elif isinstance(location, str):
        _https(location, "file location", result)
        got = _fetch(fetch, "GET", location, None, result)
        if got is not None:
            _open_file(
                got,
                result,
                content_type=content_type,
                key=key,
                where=location,
                trust=trust,
                at=at,
                crls=crls,
            )
    else:
        result.errors.append(
            MalformedError(
                "a manifest file needs 'location' or 'embedded'",
                code="malformed.shl",
                where="manifest",
            )
        )


def decrypt(jwe: str, key: str) -> bytes:
    """Open a JWE compact (``dir``, ``A256GCM``, optional ``zip: DEF``) with the link key."""
    parts = jwe.strip().split(".")
    if len(parts) != 5 or parts[1]:
        raise MalformedError("not a JWE compact with a direct key", code="malformed.shl.jwe")
    try:
        header = strict_json.loads(b64url_decode(parts[0], what="JWE header"), what="JWE header")
        iv, ciphertext, tag = (b64url_decode(p, what="JWE part") for p in parts[2:])
    except EncodingError as exc:
        raise MalformedError(exc.message, code="malformed.shl.jwe") from None
    if not isinstance(header, dict) or header.get("alg") != "dir" or header.get("enc") != "A256GCM":
        raise MalformedError("the JWE must use alg dir and enc A256GCM", code="malformed.shl.jwe")
    if len(iv) != 12 or len(tag) != 16:
        raise MalformedError("the JWE IV or tag has the wrong length", code="malformed.shl.jwe")
    try:
        plain = AESGCM(b64url_decode(key)).decrypt(iv, ciphertext + tag, parts[0].encode())
    except (InvalidTag, ValueError, EncodingError):
        raise MalformedError(
            "the file does not decrypt with the link key", code="malformed.shl.jwe"
        ) from None
    if header.get("zip") == "DEF":
        plain = inflate_raw(plain, what="SHL file")
    return plain


def _open_file(
    got: tuple[int, bytes],
    result: ShlResult,
    *,
    content_type: str,
    key: str,
    where: str,
    trust: TrustStore,
    at: datetime,
    crls: crlmod.CrlSet | None,
) -> None:
    status, content = got
    if status != 200:
        result.errors.append(
            UnreadableError(
                f"the file request failed (HTTP {status})", code="unreadable.shl.fetch", where=where
            )
        )
        return
    try:
        plain = decrypt(content.decode("ascii"), key)
    except (MalformedError, DecompressionError) as exc:
        exc.where = where
        result.errors.append(exc)
        return
    except UnicodeDecodeError:
        result.errors.append(
            MalformedError("the file is not a JWE", code="malformed.shl.jwe", where=where)
        )
        return
    if content_type == "application/smart-health-card":
        result.cards.extend(verify_health_card_file(plain, trust, at, crls=crls))
