"""The application factory: settings in, a FastAPI app out, no import-time globals.

``create_app`` opens (and migrates) the database named by the settings and keeps the engine and
the record service on ``app.state``; nothing is created when this module is imported, so tests
make as many independent apps as they need.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from shomeisho import __version__
from shomeisho.db.bootstrap import prepare
from shomeisho.db.cards import SqlCardStore
from shomeisho.db.engine import make_engine
from shomeisho.db.issued import SqlIssuedStore
from shomeisho.db.journey import SqlJourneyLog
from shomeisho.db.revocations import SqlRevocationStore
from shomeisho.db.store import SqlRecordStore
from shomeisho.identity.enrolment import load_or_create_card_authority
from shomeisho.identity.provider import Client, IdentityProvider
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.procedure.issuance import CertificateIssuer
from shomeisho.procedure.revocation import rid_secret
from shomeisho.records.service import RecordService
from shomeisho.settings import Settings
from shomeisho.web import (
    api_records,
    api_verify,
    certificate_pages,
    counter_pages,
    idp_routes,
    journey_pages,
    kpi_pages,
    operations,
    problems,
    publication,
    resident_auth,
    selfcheck,
    staff_pages,
    verify_pages,
)
from shomeisho.web.background import BackgroundJobs
from shomeisho.web.observability import RequestObserver
from shomeisho.web.oidc_client import RelyingParty


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The service for ``settings`` (or on ``engine``, already prepared, for tests)."""
    if engine is None:
        url = settings.resolved_database_url()
        if url.startswith("sqlite:"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        prepare(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.background_jobs:
            app.state.background.start()
        yield
        app.state.background.stop()
        api_verify.close(app)  # usage counts still in memory are written before the pool goes
        kpi_pages.close(app)  # and the public verify page's counts
        engine.dispose()

    app = FastAPI(
        title="shomeisho",
        version=__version__,
        summary="Vaccination records and certificates / 接種記録と接種証明書",
        description=(
            "Staff API of the vaccination record system. Sign in with `POST /api/v1/session`; "
            "the session cookie authorises later calls. Errors are `application/problem+json` "
            "with a stable `code` (see docs/errors.md). Private apps verify certificates with "
            "`POST /api/v1/verify` and an API key from the national operator (docs/api.md)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.background = BackgroundJobs()  # scheduled jobs register here (web/background.py)
    app.state.secret = settings.record_secret.get_secret_value().encode("utf-8")
    app.state.records = RecordService(SqlRecordStore(engine), my_number_secret=app.state.secret)
    _identity(app, settings, engine)
    _issuing(app, settings, engine)
    selfcheck.install(app, settings)  # the scheduled end-to-end self-check (docs/operations.md)
    operations.install(app, settings, engine)  # /readyz, /status, /metrics, request logs
    kpi_pages.install(app)  # /kpi, /staff/kpi, page verification counts, nightly roll-up
    problems.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(api_records.router)
    api_verify.install(app)
    app.include_router(staff_pages.router)
    app.include_router(counter_pages.router)
    app.add_exception_handler(staff_pages.SignInNeededError, staff_pages.to_sign_in)
    app.include_router(resident_auth.router)
    app.include_router(journey_pages.router)
    app.include_router(certificate_pages.router)
    app.include_router(verify_pages.router)
    app.include_router(publication.router)
    if app.state.idp is not None:
        app.include_router(idp_routes.router)
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/staff", status_code=303)

    return app


def create_provider_app(
    settings: Settings, *, issuer: str, redirect_uris: tuple[str, ...], engine: Engine | None = None
) -> FastAPI:
    """The demo identity provider alone (``shomeisho idp``), for relying parties elsewhere."""
    if engine is None:
        engine = make_engine(settings.resolved_database_url())
        prepare(engine)
    app = FastAPI(title="shomeisho demo identity provider", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.secret = settings.record_secret.get_secret_value().encode("utf-8")
    _demo_provider(app, settings, engine, issuer, redirect_uris)
    problems.install(app)
    app.add_middleware(RequestObserver)  # request ids and the access log line, no metrics
    app.include_router(idp_routes.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    return app


def _demo_provider(
    app: FastAPI, settings: Settings, engine: Engine, issuer: str, redirect_uris: tuple[str, ...]
) -> None:
    """The emulated card provider on ``app.state`` (inside the service or standalone)."""
    secret: bytes = app.state.secret
    app.state.card_store = SqlCardStore(engine, secret)
    authority = load_or_create_card_authority(settings.data_dir / "idp", secret)
    app.state.card_authority = authority
    client = Client(
        settings.oidc_client_id, settings.oidc_client_secret.get_secret_value(), redirect_uris
    )
    app.state.idp = IdentityProvider(
        issuer=issuer,
        cards=app.state.card_store,
        card_authority=authority.certificate,
        clients=[client],
    )


def _identity(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """The relying party, and the built-in demo provider unless an issuer is configured."""
    public = settings.public_url.rstrip("/")
    callback = f"{public}/auth/callback"
    app.state.card_store = SqlCardStore(engine, app.state.secret)
    app.state.idp = None
    issuer = settings.oidc_issuer
    if issuer is None:
        issuer = f"{public}/idp"
        _demo_provider(app, settings, engine, issuer, (callback,))
    app.state.relying_party = RelyingParty(
        issuer=issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        redirect_uri=callback,
        secret=app.state.secret,
    )


def _issuing(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Certificate issuing with the keys in ``{data_dir}/keys`` (made by ``keys init`` or
    ``serve --demo``); without them the journey says the service is not set up."""
    keys = settings.data_dir / "keys"
    app.state.issued_store = SqlIssuedStore(engine)
    app.state.journey_log = SqlJourneyLog(engine)
    app.state.issuer = None
    app.state.revocations = SqlRevocationStore(engine)
    app.state.rid = rid_secret(app.state.secret)
    app.state.verifier = publication.service_verifier(
        keys, settings.data_dir / "trust", app.state.revocations, app.state.rid
    )
    if (keys / "issuer.json").exists():
        passphrase = settings.key_passphrase.get_secret_value()
        app.state.issuer = CertificateIssuer(
            FileKeyStore(keys, passphrase),
            IssuerSetup.load(keys),
            with_dcc=settings.issue_dcc,
            rid_secret=app.state.rid,
        )
