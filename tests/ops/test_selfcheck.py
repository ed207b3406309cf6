"""The self-check against a real service: green, then broken three ways, each named and alerted.

Each break is a real failure of a part, not a mock: the database file gone from its path, a
signing key file damaged, the trust list damaged on disk. For each, the run turns red at the step
a resident would have got stuck at, ``/readyz`` says 503 naming the part, the webhook gets the
alert with that step, a ``selfcheck_failed`` log line names it, and the run is stored.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select
from typer.testing import CliRunner

from shomeisho.cli.main import app as command
from shomeisho.db.journey import EVENTS, RESIDENTS
from shomeisho.db.selfcheck import SqlSelfCheckLog
from shomeisho.db.synthetic import FAMILY_NAME, ISSUED, prune_synthetic
from shomeisho.identity.cards import Card
from shomeisho.keys import FileKeyStore
from shomeisho.ops.selfcheck import step_names, synthetic_pin
from shomeisho.records.ports import ResidentQuery
from shomeisho.trust.store import load_trust_file
from shomeisho.trust.trust_list import TrustListContent, sign_trust_list
from shomeisho.web.alerting import send_warnings
from tests.db.records_factory import OPERATOR
from tests.live_server import free_port
from tests.ops.live_selfcheck import Live, live_service, postgres_behind_proxy

STEPS = list(step_names(("shc", "vdsnc", "dcc")))
KEY = Path("keys") / "keys" / "dcc-dsc-vaccination.key.pem"


@pytest.fixture
def live(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Live]:
    with live_service(tmp_path, caplog) as service:
        yield service


def assert_red(live: Live, step: str, detail: str, *, stored: bool = True) -> None:
    """The run failed at ``step``; alerted, logged and (unless the database is what broke)
    stored, all naming that step."""
    run = live.run()
    assert not run.ok and run.failed_step == step, run.steps
    failed = next(s for s in run.steps if s.step == step)
    assert failed.detail == detail
    after = STEPS[STEPS.index(step) + 1 :]
    assert [s.detail for s in run.steps if s.step in after] == ["not_run"] * len(after)
    alert = live.hook.wait_for(1)[-1]
    assert alert["event"] == "selfcheck_failed" and alert["status"] == "red"
    assert alert["failed_step"] == step and alert["detail"] == detail
    assert [s["step"] for s in alert["steps"]] == STEPS
    line = live.failure_logged()
    assert line["step"] == step and line["detail"] == detail
    if stored:
        last = SqlSelfCheckLog(live.engine).last()
        assert last is not None and last.failed_step == step


def test_a_green_run_passes_every_step_and_is_kept_with_its_times(live: Live) -> None:
    run = live.run()
    assert run.ok, run.steps
    assert [s.step for s in run.steps] == STEPS
    assert all(s.ms > 0 for s in run.steps)
    assert {s.step: s.detail for s in run.steps} == {
        "service": "http_200", "sign_in": "signed_in", "issue": "shc+vdsnc+dcc",
        "download": "3_png", "verify_shc": "valid", "verify_vdsnc": "valid", "verify_dcc": "valid",
    }  # fmt: skip
    stored = SqlSelfCheckLog(live.engine).recent()
    assert len(stored) == 1 and stored[0].ok and stored[0].trigger == "schedule"
    assert [round(s.ms, 1) for s in stored[0].steps] == [round(s.ms, 1) for s in run.steps]
    assert live.hook.received == []  # green after nothing: no alert
    assert live.run().ok  # the second run reuses the synthetic resident and its card


def test_its_resident_and_journey_are_marked_synthetic(live: Live) -> None:
    """What keeps the self-check out of the KPIs: its resident, and every event of its journey
    (marked when its resident signs in; the events after that are born marked)."""
    assert live.run().ok
    with live.engine.connect() as connection:
        residents = connection.execute(
            select(RESIDENTS.c.resident_number, RESIDENTS.c.municipality_code,
                   RESIDENTS.c.synthetic)
        ).all()  # fmt: skip
        events = connection.execute(select(EVENTS.c.journey_id, EVENTS.c.step,
                                           EVENTS.c.synthetic)).all()  # fmt: skip
    assert [tuple(r) for r in residents] == [("SELFCHECK", "131016", True)]
    assert len({e.journey_id for e in events}) == 1
    assert {e.step for e in events} == {"start", "sign_in", "use", "travel", "check", "certificate"}
    assert all(e.synthetic for e in events)
    assert _synthetic_card(live).failed_attempts == 0
    # staff never list it, and the emulated card reader does not offer its card
    records = live.app.state.records
    assert records.count_residents(OPERATOR, "131016") == 0
    assert records.search_residents(OPERATOR, "131016", ResidentQuery(name=FAMILY_NAME)) == []
    offered = {card.subject for card in live.app.state.card_store.cards(limit=100)}
    assert _synthetic_card(live).subject not in offered
    # a person's journey is not marked, whoever else is signing in meanwhile
    journeys = live.app.state.journey_log
    journeys.record("f" * 32, "start", "started")
    journeys.mark_synthetic("f" * 32, "card-of-a-person")
    journeys.record("f" * 32, "sign_in", "submitted")
    with live.engine.connect() as connection:
        marks = connection.execute(
            select(EVENTS.c.synthetic).where(EVENTS.c.journey_id == "f" * 32)
        ).scalars()
        assert list(marks) == [False, False]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_database_stopped_turns_sign_in_red_and_the_outage_is_kept(
    database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL: the server stops answering (the relay in front of it closes, cutting the
    service's pooled connections). SQLite has no server to stop; what really happens to it is its
    file going away (a volume unmounted): the pool is emptied as a restart would, and a directory
    takes the file's place so nothing can open or silently recreate an empty database there.
    The first step that needs the database is the sign-in (card, record, journey events). The
    red run cannot be stored then; it is kept and stored when the database is back."""
    with ExitStack() as stack:
        engine = None
        if database == "postgresql":
            engine, proxy = stack.enter_context(postgres_behind_proxy())
        live = stack.enter_context(live_service(tmp_path, caplog, engine=engine))
        if database == "postgresql":
            stop, start = proxy.stop, proxy.start
        else:
            stop, start = _sqlite_outage(live)
        assert live.run().ok
        stop()
        try:
            live.not_ready("database")
            assert_red(live, "sign_in", "database_unavailable", stored=False)
        finally:
            start()
        recovered = live.run()
        assert recovered.ok, recovered.steps
        assert live.hook.wait_for(2)[-1]["event"] == "selfcheck_recovered"
        history = SqlSelfCheckLog(live.engine).recent()
        assert [run.ok for run in history] == [True, False, True]  # the red run, kept until now
        assert history[1].failed_step == "sign_in"


def _sqlite_outage(live: Live) -> tuple[Callable[[], None], Callable[[], None]]:
    database = live.data_dir / "records.sqlite3"
    aside = live.data_dir / "unmounted"

    def stop() -> None:
        aside.mkdir()
        live.engine.dispose()
        for file in live.data_dir.glob("records.sqlite3*"):
            file.rename(aside / file.name)
        database.mkdir()

    def start() -> None:
        database.rmdir()
        for file in aside.iterdir():
            file.rename(live.data_dir / file.name)
        aside.rmdir()
        live.engine.dispose()

    return stop, start


def test_a_damaged_signing_key_turns_issue_red(live: Live) -> None:
    """The DCC document signer's key file damaged on disk: issuing fails as the resident's
    "issue" press would, with the key store's error code on the page."""
    key = live.data_dir / KEY
    good = key.read_bytes()
    key.write_bytes(good[:40] + b"damaged" + good[60:])
    live.not_ready("signing_keys")
    assert_red(live, "issue", "http_400:keys.passphrase")
    key.write_bytes(good)
    assert live.run().ok
    assert live.hook.wait_for(2)[-1]["event"] == "selfcheck_recovered"


def test_a_damaged_trust_list_turns_verify_red(live: Live) -> None:
    """The published trust list and the verifier's synced copy damaged on disk. The running
    verifier keeps the list it already holds (by design: a bad file must not stop verifying),
    but ``/readyz`` says so at once; the next start has no list to verify with, and the self-check
    turns red at the first verification."""
    assert live.run().ok  # the service's verifier has synced the list into {data}/trust
    for path in (live.data_dir / "keys" / "trust-list.json",
                 live.data_dir / "trust" / "trust-list.json"):  # fmt: skip
        assert path.exists()
        path.write_bytes(path.read_bytes()[:-80] + b"damaged")
    live.not_ready("trust_list")
    live.restart()
    live.not_ready("trust_list")
    assert_red(live, "verify_shc", "http_404:not_found.trust_list")


def _synthetic_card(live: Live) -> Card:
    with live.engine.connect() as connection:
        subject = connection.execute(
            select(RESIDENTS.c.idp_subject).where(RESIDENTS.c.synthetic.is_(True))
        ).scalar_one()
    card = live.app.state.card_store.get(subject)
    assert card is not None and card.holder.family_name == FAMILY_NAME
    return card


def _wrong_pin(live: Live) -> str:
    return "0000" if synthetic_pin(live.app.state.secret) != "0000" else "1111"


def test_a_locked_card_is_reported_and_never_tried(live: Live) -> None:
    assert live.run().ok
    cards, card = live.app.state.card_store, _synthetic_card(live)
    for _ in range(3):  # someone else chose it in the demo card reader
        cards.try_pin(card.subject, _wrong_pin(live))
    assert_red(live, "sign_in", "card_locked")
    assert cards.get(card.subject).failed_attempts == 3  # no PIN was sent to the locked card
    argv = ["selfcheck", "--url", live.base, "--demo", "--data-dir", str(live.data_dir)]
    healed = CliRunner().invoke(command, [*argv, "--new-card"])  # what the operator does
    assert healed.exit_code == 0, healed.output
    assert _synthetic_card(live).subject != card.subject


def test_a_card_whose_pin_was_changed_is_never_given_a_wrong_pin(live: Live) -> None:
    assert live.run().ok
    cards, card = live.app.state.card_store, _synthetic_card(live)
    cards.unlock(card.subject, _wrong_pin(live))  # the counter set a new PIN
    assert_red(live, "sign_in", "pin_unknown")
    assert cards.get(card.subject).failed_attempts == 0


def test_an_unreachable_service_is_a_red_service_step(live: Live) -> None:
    check = live.app.state.selfcheck
    check.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert_red(live, "service", "unreachable")


def test_the_command_runs_against_the_service_and_exits_by_colour(live: Live) -> None:
    runner = CliRunner()
    argv = ["selfcheck", "--url", live.base, "--demo", "--data-dir", str(live.data_dir)]
    green = runner.invoke(command, [*argv, "--json"])
    assert green.exit_code == 0, green.output
    document = json.loads(green.output)
    assert document["ok"] is True and [s["step"] for s in document["steps"]] == STEPS
    (live.data_dir / KEY).write_bytes(b"damaged")
    red = runner.invoke(command, argv)
    assert red.exit_code == 1
    assert "FAILED" in red.output and "failed at step issue" in red.output
    history = SqlSelfCheckLog(live.engine).recent()
    assert [(r.trigger, r.failed_step) for r in history] == [("command", "issue"),
                                                             ("command", None)]  # fmt: skip


def test_the_service_runs_it_on_schedule(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The job waits ``selfcheck_first_delay`` after start (the port must be listening)."""
    options = {"background_jobs": True, "selfcheck_first_delay": 0.5}
    with live_service(tmp_path, caplog, **options) as live:
        runs = SqlSelfCheckLog(live.engine)
        deadline = time.monotonic() + 60
        while runs.last() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        last = runs.last()
        assert last is not None and last.ok and last.trigger == "schedule", last


def test_an_external_provider_is_said_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With SHOMEISHO_OIDC_ISSUER there is no emulated card to sign in with: the self-check says
    so (red at sign_in) rather than passing without having signed anyone in."""
    with live_service(tmp_path, caplog, oidc_issuer="https://auth.example.jp/oidc") as live:
        assert_red(live, "sign_in", "external_provider_not_supported")


def test_warnings_go_out_through_the_same_webhook(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Signing certificates within the warning window (here: all of them) are sent once by the
    daily warnings job, as the status page lists them."""
    with live_service(tmp_path, caplog, warn_days=100_000) as live:
        assert send_warnings(live.app, live.settings, live.app.state.selfcheck.alerter) > 0
        alert = live.hook.wait_for(1)[-1]
        assert alert["type"] == "shomeisho.warning"
        assert {w["code"] for w in alert["warnings"]} == {"ops.certificate.expiring"}
        assert "dcc-dsc-vaccination" in {w["subject"] for w in alert["warnings"]}


def test_a_revoked_signing_key_turns_verify_red(live: Live) -> None:
    """The DCC document signer revoked by its country signing CA (a CRL in a new trust list
    version): the key still signs, issuing succeeds, but every verifier refuses the DCC, so the
    run turns red at ``verify_dcc``, and ``/readyz`` names the signing keys."""
    assert live.run().ok
    keys_dir = live.data_dir / "keys"
    store = FileKeyStore(keys_dir, live.app.state.settings.key_passphrase.get_secret_value())
    signer_certificate = store.certificate("dcc-dsc-vaccination")
    csca = store.certificate("dcc-csca")
    assert signer_certificate is not None and csca is not None
    now = datetime.now(UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.subject)
        .last_update(now - timedelta(minutes=1))
        .next_update(now + timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(signer_certificate.serial_number)
            .revocation_date(now - timedelta(minutes=1))
            .build()
        )
        .sign(store.private_key("dcc-csca"), hashes.SHA256())
    )
    listed = load_trust_file(keys_dir / "trust-bundle.json")
    listed.crls.append(crl)
    content = TrustListContent.from_store(
        listed, version=2, issued_at=now, operator="test operator", next_update=now + timedelta(1)
    )
    (keys_dir / "trust-list.json").write_bytes(sign_trust_list(content, store.signer("trust-list")))
    live.app.state.verifier._built_at = -1.0  # skip the 30 s refresh: take the new list now
    body = live.not_ready("signing_keys")
    keys_check = next(c for c in body["checks"] if c["name"] == "signing_keys")
    assert keys_check["code"] == "keys.revoked"
    assert_red(live, "verify_dcc", "invalid:untrusted.revoked_signer")


def test_the_self_checks_old_issuances_and_journeys_are_pruned(live: Live) -> None:
    """A week on, its certificates and journey events go (the runs stay); a person's journey
    and certificates are never touched."""
    assert live.run().ok
    live.app.state.journey_log.record("p" * 32, "start", "started")  # a person's journey
    with live.engine.connect() as connection:
        issued = connection.execute(select(ISSUED.c.id)).all()
        synthetic_events = connection.execute(
            select(EVENTS.c.id).where(EVENTS.c.synthetic.is_(True))
        ).all()
    assert len(issued) == 3 and synthetic_events
    assert prune_synthetic(live.engine, now=datetime.now(UTC)) == 0  # nothing old enough yet
    gone = prune_synthetic(live.engine, now=datetime.now(UTC) + timedelta(days=8))
    assert gone == len(issued) + len(synthetic_events)
    with live.engine.connect() as connection:
        assert connection.execute(select(ISSUED.c.id)).all() == []
        left = connection.execute(select(EVENTS.c.journey_id)).scalars().all()
    assert left == ["p" * 32]
    assert len(SqlSelfCheckLog(live.engine).recent()) == 1
