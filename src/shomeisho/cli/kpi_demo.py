"""The demo's history of use (``shomeisho demo-data``): journeys, issuances and verifications of
the last N days, written once and rolled up, so ``serve --demo`` opens on a dashboard with
something in it.

Issuances are real: each is issued with the demo keys from a demo resident's register entries
and stored with its audit entry, exactly as the journey or the counter stores one, so the
residents' pages, the counter and revocation see ordinary certificates. They are signed now (the
demo keys are new, and a signer refuses to sign before its certificate is valid) and kept under
their historical time; their audit entries say ``demo_history``. Journeys are events only
(they carry no personal data); verifications are counts, the public page's and a demo API
key's.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, select

from shomeisho.api_access.service import ApiKeyService
from shomeisho.api_access.usage import UsageKey
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.db.issued import SqlIssuedStore
from shomeisho.db.kpi_facts import SqlKpiStore
from shomeisho.db.kpi_sources import EVENTS, SqlVerificationCounts, add_journey_events
from shomeisho.db.staff import staff_by_login
from shomeisho.db.store import SqlRecordStore
from shomeisho.errors import InputError
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.kpi.demo_history import DEMO_PREFIX, DemoDay, DemoIssuance, demo_history
from shomeisho.kpi.facts import japan_day
from shomeisho.kpi.rollup import roll_up
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.procedure.revocation import rid_secret
from shomeisho.records.audit import AuditRecord
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.consistency import open_questions
from shomeisho.records.entities import Staff
from shomeisho.records.ports import ResidentQuery
from shomeisho.records.service import RecordService, ResidentFile
from shomeisho.settings import Settings

DEMO_ORGANISATION = "デモ旅行アプリ株式会社 (demo)"


def has_demo_history(engine: Engine) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            select(EVENTS.c.id).where(EVENTS.c.journey_id.like(f"{DEMO_PREFIX}%")).limit(1)
        ).first()
    return found is not None


def write_demo_history(
    settings: Settings,
    engine: Engine,
    municipalities: list[str],
    *,
    days: int,
    seed: int,
    console: Console,
) -> int:
    """Write ``days`` days of demo history up to yesterday (once) and roll them up; returns
    the number of issuances written (0 when the history exists already or nobody can get one)."""
    if days <= 0 or has_demo_history(engine):
        return 0
    operator = staff_by_login(engine, "operator")
    assert operator is not None, "demo_staff() makes the operator first"
    secret = settings.record_secret.get_secret_value().encode("utf-8")
    records = RecordService(SqlRecordStore(engine), my_number_secret=secret)
    pools = {code: _eligible(records, operator, code) for code in municipalities}
    pools = {code: files for code, files in pools.items() if files}
    if not pools:
        return 0
    issuer = _issuer(settings, secret)
    store = SqlIssuedStore(engine)
    rng = random.Random(f"kpi-demo-residents:{seed}")  # noqa: S311 - reproducible on purpose
    key_id = (
        ApiKeyService(SqlApiKeyStore(engine), secret)
        .create(operator, DEMO_ORGANISATION, 600)
        .key.key_id
    )
    first, yesterday = history_window(days, japan_day(datetime.now(UTC)))
    issued = 0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("demo history", total=days)
        for day in demo_history(first, yesterday, seed=seed, municipalities=list(pools)):
            add_journey_events(engine, day.events)
            for planned in day.issuances:
                issued += _issue(store, issuer, rng.choice(pools[planned.municipality_code]),
                                 planned, rng)  # fmt: skip
            _count_verifications(engine, day, key_id)
            progress.advance(task)
        task = progress.add_task("KPI roll-up", total=days)
        every = [first + timedelta(days=n) for n in range(days)]
        roll_up(SqlKpiStore(engine), every, progress=lambda _day: progress.advance(task))
    return issued


def _eligible(records: RecordService, operator: Staff, code: str) -> list[ResidentFile]:
    """Residents of ``code`` a certificate can be issued for (doses on record, no open
    question about them)."""
    found = []
    for person in records.search_residents(operator, code, ResidentQuery(), limit=500):
        file = records.resident_file(operator, person.resident_id)
        if file.events and not open_questions(file.events):
            found.append(file)
    return found


def _issuer(settings: Settings, secret: bytes) -> CertificateIssuer:
    keys = settings.data_dir / "keys"
    passphrase = settings.key_passphrase.get_secret_value()
    if not (keys / "issuer.json").exists():  # the demo keys `serve --demo` would make
        create_demo_trust_setup(
            keys,
            passphrase,
            country=settings.country,
            country_alpha3=settings.country_alpha3,
            shc_issuer=settings.shc_issuer_url,
        )
    return CertificateIssuer(
        FileKeyStore(keys, passphrase),
        IssuerSetup.load(keys),
        with_dcc=settings.issue_dcc,
        rid_secret=rid_secret(secret),
    )


def _issue(
    store: SqlIssuedStore,
    issuer: CertificateIssuer,
    file: ResidentFile,
    planned: DemoIssuance,
    rng: random.Random,
) -> int:
    details = file.resident.details
    use = Use(planned.use)
    travel = None
    if use is Use.OVERSEAS:
        travel = TravelDetails(
            passport_number=f"TK{rng.randrange(10**7):07d}",
            nationality="JPN",
            family_name_romanised=details.passport_family_name or details.family_name_romaji,
            given_name_romanised=details.passport_given_name or details.given_name_romaji,
        )
    try:
        issued = issuer.issue(file, use, travel)
    except InputError:  # e.g. a name a VDS-NC cannot carry: this person gets no demo certificate
        return 0
    when = planned.at.astimezone(UTC)  # stored in UTC (SQLite keeps no offset)
    issued = replace(
        issued,
        issued_at=when,
        certificates=tuple(replace(c, issued_at=when) for c in issued.certificates),
    )
    counter = planned.channel == "counter"
    actor = f"clerk-{details.municipality_code}" if counter else "resident"
    consent = "signed_application" if counter else "online"
    facts: dict[str, object] = {
        "use": use.value,
        "formats": [c.format for c in issued.certificates],
        "resident": file.resident.resident_id,
        "consent": consent,
        "channel": planned.channel,
        "demo_history": True,
    }

    def audit(code: str) -> AuditRecord:
        return AuditRecord(
            issued.issued_at, actor, "certificate.issue", code, issued.certificate_id, facts
        )

    store.save(file.resident.resident_id, issued, actor, audit, channel=planned.channel,
               consent=consent)  # fmt: skip
    return 1


def _count_verifications(engine: Engine, day: DemoDay, key_id: str) -> None:
    page = {UsageKey("page", day.day, v.format, v.verdict): v.total
            for v in day.verifications if v.channel == "page"}  # fmt: skip
    api = {UsageKey(key_id, day.day, v.format, v.verdict): v.total
           for v in day.verifications if v.channel == "api"}  # fmt: skip
    SqlVerificationCounts(engine).add_usage(page)
    SqlApiKeyStore(engine).add_usage(api)


def history_window(days: int, today: date) -> tuple[date, date]:
    """The first and last day of a history of ``days`` days ending yesterday."""
    yesterday = today - timedelta(days=1)
    return yesterday - timedelta(days=days - 1), yesterday
