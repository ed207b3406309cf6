"""What the service publishes for verifiers, and the verifier it runs itself.

Published (public, no sign-in, nothing personal in any of it):

* ``/trust-list.json`` and ``/trust-list-key.pem``: the signed national trust list that
  verifiers sync (``shomeisho trust sync URL``) and the operator key they pin. A verifier should
  get the key out of band (a printed fingerprint, the operator's other channels); serving it here
  is for the demo and for checking a fingerprint;
* ``/issuer/.well-known/jwks.json`` and ``/issuer/.well-known/crl/{kid}.json``: the SMART Health
  Card issuer's keys and revocation lists, where the SHC specification puts them under ``iss``;
* ``/revocation/dcc.json``: the DCC revocation hashes of the certificates we revoked.

The service's own verifier (the ``/verify`` page and the API) uses the last trust list it
accepted plus our own revocations, rebuilt at most every :data:`REFRESH_SECONDS`, so that a new
list or a revocation reaches it without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from shomeisho.db.revocations import SqlRevocationStore
from shomeisho.errors import NotFoundError, ShomeishoError
from shomeisho.issuer_setup import OPERATOR_KEY_FILE, TRUST_LIST_FILE
from shomeisho.presented import Outcome, Presented
from shomeisho.procedure.revocation import PublishedRevocations, publishable_revocations
from shomeisho.trust.revocation import merge_shc_crls
from shomeisho.trust.store import load_trust_file
from shomeisho.trust.synced import SyncedTrustList, load_operator_keys
from shomeisho.trust.trust_list import TrustListContent
from shomeisho.verifier import Verifier

router = APIRouter(include_in_schema=False)
log = logging.getLogger("shomeisho.trust")
REFRESH_SECONDS = 30.0
_PUBLIC = {"Cache-Control": "public, max-age=300"}


class ServiceVerifier:
    """The service's :class:`Verifier`, rebuilt when it is older than ``refresh`` seconds.

    Offers the verifier's own questions (``verify``, ``rule_countries``, ``trust_list``), so
    routes use it as they would use a Verifier."""

    def __init__(self, build: Callable[[], Verifier | None], *, refresh: float = REFRESH_SECONDS):
        self._build = build
        self._refresh = refresh
        self._lock = threading.Lock()
        self._built_at = -1.0
        self._current: Verifier | None = None

    def current(self) -> Verifier | None:
        now = time.monotonic()
        if self._built_at < 0 or now - self._built_at > self._refresh:
            with self._lock:
                if self._built_at < 0 or now - self._built_at > self._refresh:
                    try:
                        self._current = self._build()
                    except ShomeishoError as exc:  # keep the verifier we had; say so loudly
                        log.error("trust list could not be loaded: %s (%s)", exc.code, exc)
                    self._built_at = now
        return self._current

    def verify(
        self, items: list[Presented], *, at: datetime, country: str | None = None
    ) -> list[Outcome]:
        verifier = self.current()
        if verifier is None:
            raise NotFoundError("this service has no trust list", code="not_found.trust_list")
        return verifier.verify(items, at=at, country=country)

    def rule_countries(self) -> list[str]:
        verifier = self.current()
        return verifier.rule_countries() if verifier is not None else []

    @property
    def trust_list(self) -> TrustListContent | None:
        verifier = self.current()
        return verifier.trust_list if verifier is not None else None


def service_verifier(keys: Path, state_dir: Path, revocations: SqlRevocationStore,
                     rid_secret: bytes) -> ServiceVerifier | None:  # fmt: skip
    """The verifier for a service whose keys are in ``keys`` (None without any trust)."""
    signed_list, key_file = keys / TRUST_LIST_FILE, keys / OPERATOR_KEY_FILE
    bundle = keys / "trust-bundle.json"
    if not (signed_list.exists() and key_file.exists()) and not bundle.exists():
        return None

    def build() -> Verifier:
        own = publishable_revocations(revocations.revoked_certificates(), rid_secret=rid_secret)
        if signed_list.exists() and key_file.exists():
            state = SyncedTrustList(state_dir)
            operator = load_operator_keys(key_file.read_bytes(), where=str(key_file))
            try:
                state.sync(signed_list.read_bytes(), operator_keys=operator, now=datetime.now(UTC))
            except ShomeishoError as exc:  # e.g. an older list: the one held stays in force
                log.warning("trust list in %s not taken: %s (%s)", keys, exc.code, exc)
            store, current = state.trust_store()
            _add_own(store.dcc_revocations, store.shc_crls, own)
            return Verifier.from_trust_list(store, current.content)
        store = load_trust_file(bundle)
        _add_own(store.dcc_revocations, store.shc_crls, own)
        return Verifier(store)

    return ServiceVerifier(build)


def _add_own(dcc: Any, shc: Any, own: PublishedRevocations) -> None:
    dcc.merge(own.dcc)
    merge_shc_crls(shc, own.shc)


def _keys(request: Request) -> Path:
    folder: Path = request.app.state.settings.data_dir / "keys"
    return folder


def _published(request: Request) -> PublishedRevocations:
    store: SqlRevocationStore = request.app.state.revocations
    return publishable_revocations(store.revoked_certificates(), rid_secret=request.app.state.rid)


def _file(path: Path, media_type: str) -> Response:
    if not path.exists():
        raise NotFoundError("this service publishes no such file", code="not_found.route")
    return FileResponse(path, media_type=media_type, headers=_PUBLIC)


@router.get("/trust-list.json")
def trust_list(request: Request) -> Response:
    return _file(_keys(request) / TRUST_LIST_FILE, "application/json")


@router.get("/trust-list-key.pem")
def trust_list_key(request: Request) -> Response:
    return _file(_keys(request) / OPERATOR_KEY_FILE, "application/x-pem-file")


@router.get("/issuer/.well-known/jwks.json")
def issuer_keys(request: Request) -> Response:
    return _file(_keys(request) / "shc" / ".well-known" / "jwks.json", "application/json")


@router.get("/issuer/.well-known/crl/{kid}.json")
def issuer_crl(request: Request, kid: str) -> JSONResponse:
    """The CRL of one issuer key: every rid revoked under it (an empty list for a key of ours
    with nothing revoked, so a verifier can tell "none revoked" from "no such key")."""
    for per_kid in _published(request).shc.values():
        if kid in per_kid:
            return JSONResponse(per_kid[kid], headers=_PUBLIC)
    jwks = _keys(request) / "shc" / ".well-known" / "jwks.json"
    if jwks.exists() and f'"{kid}"' in jwks.read_text(encoding="utf-8"):
        return JSONResponse({"kid": kid, "method": "rid", "ctr": 0, "rids": []}, headers=_PUBLIC)
    raise NotFoundError("no issuer key with that kid", code="not_found.route")


@router.get("/revocation/dcc.json")
def dcc_revocations(request: Request) -> JSONResponse:
    return JSONResponse({"dcc": _published(request).dcc.to_documents()}, headers=_PUBLIC)
