"""API keys and their usage totals on a real database, SQLite and PostgreSQL alike: only the
national operator manages keys, every change is audited, the key itself is never stored, and
usage totals add up under concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from shomeisho.api_access.service import ApiKeyCheck, ApiKeyService
from shomeisho.api_access.usage import UsageKey, UsageRecorder
from shomeisho.db import audit_log
from shomeisho.db.api_keys import KEYS, SqlApiKeyStore
from shomeisho.errors import AccessDeniedError, InputError, NotFoundError
from shomeisho.records.audit import verify_chain
from tests.db.records_factory import ADMIN_A, CLERK_A, OPERATOR

SECRET = b"the service secret, at least thirty-two bytes long"
DAY = date(2026, 11, 1)


def service(engine: Engine) -> ApiKeyService:
    return ApiKeyService(SqlApiKeyStore(engine), SECRET)


def test_the_operator_creates_keys_that_are_stored_only_as_a_keyed_hash(engine: Engine) -> None:
    keys = service(engine)
    first = keys.create(OPERATOR, "Example Travel 株式会社", 120)
    second = keys.create(OPERATOR, " Example Travel 株式会社 ", 6000, burst=50)
    assert first.key.key_id != second.key.key_id
    assert (first.key.rate_per_minute, first.key.burst) == (120, 20)
    with engine.connect() as connection:
        stored = connection.execute(select(KEYS)).all()
        organisations = connection.execute(text("SELECT name FROM api_organisations")).all()
    assert len(stored) == 2 and [tuple(o) for o in organisations] == [("Example Travel 株式会社",)]
    for row in stored:
        for value in row:
            assert first.token not in str(value) and first.token.split("_")[-1] not in str(value)
    listed = keys.keys(OPERATOR)
    assert [k.key_id for k in listed] == [first.key.key_id, second.key.key_id]
    assert all(k.active and k.organisation == "Example Travel 株式会社" for k in listed)
    check = ApiKeyCheck(SqlApiKeyStore(engine), SECRET)
    assert check.authenticate(first.token) == listed[0]
    entries = list(audit_log.entries(engine))
    assert [e.record.action for e in entries] == ["api_key.create", "api_key.create"]
    assert entries[0].record.subject == f"api_key:{first.key.key_id}"
    assert entries[1].record.details == {
        "organisation": "Example Travel 株式会社",
        "rate_per_minute": 6000,
        "burst": 50,
    }
    assert list(verify_chain(entries, audit_log.head(engine))) == []


@pytest.mark.parametrize("actor", [CLERK_A, ADMIN_A], ids=["clerk", "municipal_admin"])
def test_only_the_national_operator_manages_keys(engine: Engine, actor: object) -> None:
    keys = service(engine)
    made = keys.create(OPERATOR, "Example Travel", 60)
    for attempt in (
        lambda: keys.create(actor, "Sneaky Co", 60),  # type: ignore[arg-type]
        lambda: keys.keys(actor),  # type: ignore[arg-type]
        lambda: keys.revoke(actor, made.key.key_id),  # type: ignore[arg-type]
        lambda: keys.usage(actor, DAY, DAY),  # type: ignore[arg-type]
    ):
        with pytest.raises(AccessDeniedError) as refused:
            attempt()
        assert refused.value.code == "access.role"
    assert [k.key_id for k in keys.keys(OPERATOR)] == [made.key.key_id]
    assert keys.keys(OPERATOR)[0].active
    assert len(list(audit_log.entries(engine))) == 1


def test_a_revoked_key_is_refused_and_revoking_again_changes_nothing(engine: Engine) -> None:
    keys = service(engine)
    made = keys.create(OPERATOR, "Example Travel", 60)
    now = [0.0]
    check = ApiKeyCheck(SqlApiKeyStore(engine), SECRET, cache_seconds=5, clock=lambda: now[0])
    assert check.authenticate(made.token).key_id == made.key.key_id
    revoked, changed = keys.revoke(OPERATOR, made.key.key_id)
    assert changed and revoked.revoked_by == "operator" and revoked.revoked_at is not None
    assert check.authenticate(made.token).active  # remembered for up to 5 s ...
    now[0] = 5.0
    with pytest.raises(AccessDeniedError) as refused:  # ... then refused everywhere
        check.authenticate(made.token)
    assert refused.value.code == "access.api_key"
    again, changed = keys.revoke(OPERATOR, made.key.key_id)
    assert not changed and again.revoked_at == revoked.revoked_at
    assert [e.record.action for e in audit_log.entries(engine)] == [
        "api_key.create",
        "api_key.revoke",
    ]
    with pytest.raises(NotFoundError) as missing:
        keys.revoke(OPERATOR, "000000000000")
    assert missing.value.code == "not_found.api_key"


def test_wrong_missing_and_malformed_keys_are_refused_alike(engine: Engine) -> None:
    made = service(engine).create(OPERATOR, "Example Travel", 60)
    check = ApiKeyCheck(SqlApiKeyStore(engine), SECRET)
    forged = made.token[:-4] + ("AAAA" if not made.token.endswith("AAAA") else "BBBB")
    other_secret = ApiKeyCheck(SqlApiKeyStore(engine), b"another secret that is long enough!!")
    for attempt in (
        lambda: check.authenticate(None),
        lambda: check.authenticate(""),
        lambda: check.authenticate("not a key"),
        lambda: check.authenticate(forged),
        lambda: check.authenticate(made.token.replace(made.key.key_id, "000000000000")),
        lambda: other_secret.authenticate(made.token),
    ):
        with pytest.raises(AccessDeniedError) as refused:
            attempt()
        assert refused.value.code == "access.api_key"


def test_bad_names_and_limits_write_nothing(engine: Engine) -> None:
    keys = service(engine)
    with pytest.raises(InputError):
        keys.create(OPERATOR, "", 60)
    with pytest.raises(InputError):
        keys.create(OPERATOR, "Example Travel", 0)
    with pytest.raises(InputError):
        keys.usage(OPERATOR, date(2026, 11, 2), DAY)
    assert keys.keys(OPERATOR) == [] and list(audit_log.entries(engine)) == []


def test_usage_totals_add_up_across_batches_and_concurrent_writers(engine: Engine) -> None:
    keys = service(engine)
    first = keys.create(OPERATOR, "Example Travel", 60).key.key_id
    second = keys.create(OPERATOR, "Border Checks Inc.", 60).key.key_id
    store = SqlApiKeyStore(engine)
    store.add_usage({UsageKey(first, DAY, "dcc", "valid"): 3})
    store.add_usage(
        {UsageKey(first, DAY, "dcc", "valid"): 2, UsageKey(first, DAY, "", "rate_limited"): 1}
    )

    def writer(rounds: int) -> None:
        recorder = UsageRecorder(
            SqlApiKeyStore(engine),
            interval=3600,
            clock=lambda: datetime(2026, 11, 1, 3, tzinfo=UTC),
        )
        for _ in range(rounds):
            for key_id in (second, first):  # a different order in each batch than sorted
                recorder.count(key_id, "shc", "invalid")
                recorder.count(key_id, "vdsnc", "valid")
            recorder.flush()
        recorder.close()

    threads = [threading.Thread(target=writer, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = keys.usage(OPERATOR, DAY, DAY)
    totals = {(r.organisation, r.format, r.verdict): r.total for r in rows}
    assert totals == {
        ("Example Travel", "", "rate_limited"): 1,
        ("Example Travel", "dcc", "valid"): 5,
        ("Example Travel", "shc", "invalid"): 40,
        ("Example Travel", "vdsnc", "valid"): 40,
        ("Border Checks Inc.", "shc", "invalid"): 40,
        ("Border Checks Inc.", "vdsnc", "valid"): 40,
    }
    assert keys.usage(OPERATOR, date(2026, 11, 2), date(2026, 11, 30)) == []
    assert {r.day for r in keys.usage(OPERATOR, date(2026, 10, 1), DAY)} == {DAY}


def test_a_batch_that_fails_writes_nothing_and_is_kept(engine: Engine) -> None:
    made = service(engine).create(OPERATOR, "Example Travel", 60).key.key_id
    recorder = UsageRecorder(SqlApiKeyStore(engine), interval=3600)
    recorder.count(made, "dcc", "valid")
    recorder.count("ffffffffffff", "dcc", "valid")  # no such key: the batch fails as a whole
    with pytest.raises(IntegrityError):
        recorder.flush()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_usage")).scalar_one() == 0
    assert sum(recorder.pending().values()) == 2
