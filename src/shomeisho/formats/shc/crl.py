"""SHC revocation: the ``rid`` an issuer puts in a card and the Card Revocation Lists it publishes.

``rid = base64url(HMAC-SHA-256(secret || kid, certificate_id)[:8])`` as the SHC spec recommends:
11 characters, not reversible without the issuer's secret, so the public CRL reveals nothing about
the certificate id. CRLs (``{kid, method: "rid", ctr, rids: [...]}``, a rid optionally suffixed
``.<timestamp>`` meaning "cards issued before then") are given to the verifier offline, keyed by
issuer URL and kid; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shomeisho.errors import InputError, RevokedError, UntrustedError
from shomeisho.formats.shc.problems import Sink
from shomeisho.wire.b64 import b64url_encode

CrlSet = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""Issuer URL -> kid -> CRL document."""

_RID = re.compile(r"^[A-Za-z0-9_-]+$")
_CUTOFF = re.compile(r"^[0-9]{1,12}$")
MAX_RID = 24


def compute_rid(secret: bytes, kid: str, certificate_id: str) -> str:
    """The revocation id of a certificate (SHC spec, "Revocation")."""
    if len(secret) < 32:
        raise InputError("the rid secret must be at least 256 bits", code="input.rid_secret")
    mac = hmac.new(secret + kid.encode("ascii"), certificate_id.encode("utf-8"), hashlib.sha256)
    return b64url_encode(mac.digest()[:8])


def crl_document(kid: str, ctr: int, rids: list[str]) -> dict[str, Any]:
    return {"kid": kid, "method": "rid", "ctr": ctr, "rids": list(rids)}


def check_revocation(
    crls: CrlSet | None,
    sink: Sink,
    *,
    iss: str,
    kid: str,
    jwk: Mapping[str, Any] | None,
    rid: str | None,
    nbf: datetime | None,
) -> None:
    """Apply the issuer's CRL for ``kid`` if one is known; record a broken CRL as untrusted."""
    crl = (crls or {}).get(iss, {}).get(kid)
    version = jwk.get("crlVersion") if jwk is not None else None
    if crl is None:
        if version is not None:
            sink.warnings.append(
                UntrustedError(
                    f"the issuer publishes a revocation list for key {kid} (version {version}) but "
                    "none was loaded; revocation was not checked",
                    code="untrusted.crl.unavailable",
                )
            )
        return
    if not _crl_is_sound(crl, kid, version, sink):
        return
    if rid is None:
        return
    for entry in crl["rids"]:
        listed, _, cutoff = entry.partition(".")
        if listed != rid:
            continue
        if not cutoff or (nbf is not None and nbf.timestamp() < int(cutoff)):
            sink.errors.append(
                RevokedError("the issuer has revoked this card", code="revoked", where="vc.rid")
            )
            return


def _crl_is_sound(crl: Mapping[str, Any], kid: str, version: object, sink: Sink) -> bool:
    problems: list[str] = []
    if crl.get("kid") != kid:
        problems.append(f"it is for key {crl.get('kid')!r}, not {kid}")
    if crl.get("method") != "rid":
        problems.append(f'its method is {crl.get("method")!r}, not "rid"')
    ctr = crl.get("ctr")
    if version is not None and ctr != version:
        problems.append(f"its counter {ctr!r} differs from the key's crlVersion {version!r}")
    rids = crl.get("rids")
    if not isinstance(rids, list) or not all(isinstance(r, str) for r in rids):
        problems.append("its rids are not a list of strings")
        rids = []
    bad = [r for r in rids if not _valid_entry(r)]
    if bad:
        problems.append(f"rids {', '.join(map(repr, bad))} are not base64url")
    too_long = [r for r in rids if r not in bad and len(r.partition(".")[0]) > MAX_RID]
    if too_long:
        problems.append(f"rids {', '.join(map(repr, too_long))} are longer than {MAX_RID}")
    for problem in problems:
        sink.errors.append(
            UntrustedError(
                f"the revocation list for key {kid} is broken: {problem}", code="untrusted.crl"
            )
        )
    seen: set[str] = set()
    for entry in rids:
        base = entry.partition(".")[0]
        if base in seen:
            sink.errors.append(
                UntrustedError(
                    f"the revocation list for key {kid} lists rid {base} more than once",
                    code="untrusted.crl.duplicate",
                )
            )
        seen.add(base)
    return not problems


def _valid_entry(entry: str) -> bool:
    base, dot, cutoff = entry.partition(".")
    return bool(_RID.match(base)) and (not dot or bool(_CUTOFF.match(cutoff)))
