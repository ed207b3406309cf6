"""``shomeisho api-keys ...`` as the national operator uses it: real processes against SQLite and
PostgreSQL, the key printed once, only the operator allowed, exit codes and no tracebacks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shomeisho.api_access.service import ApiKeyCheck
from shomeisho.api_access.usage import UsageKey, japan_day
from shomeisho.db import audit_log
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.db.staff import create_staff
from shomeisho.errors import AccessDeniedError
from shomeisho.records.entities import Role
from shomeisho.settings import DEMO_SECRET

EXE = shutil.which("shomeisho", path=str(Path(sys.executable).parent)) or "shomeisho"
PASSWORD = "a-test-password-for-the-cli"
TOKEN = re.compile(r"^shomeisho_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


@pytest.fixture()
def database(engine: Engine) -> Engine:
    for login, role, municipality in (
        ("operator", Role.NATIONAL_OPERATOR, None),
        ("clerk-131016", Role.CLERK, "131016"),
        ("admin-131016", Role.MUNICIPAL_ADMIN, "131016"),
    ):
        create_staff(
            engine,
            login=login,
            display_name=login,
            role=role,
            municipality_code=municipality,
            password=PASSWORD,
            created_by="test",
        )
    return engine


def run(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEISHO_")}
    env |= {
        "SHOMEISHO_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SHOMEISHO_STAFF_PASSWORD": PASSWORD,
        "COLUMNS": "200",
    }
    result = subprocess.run([EXE, "api-keys", *args, "--demo"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)  # fmt: skip
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def test_the_operator_creates_lists_reads_usage_and_revokes(database: Engine) -> None:
    organisation = "Example Travel 株式会社"
    made = run(database, "create", "--org", organisation, "--rate", "120", "--as", "operator")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    found = TOKEN.match(token)
    assert found is not None, made.stdout
    key_id = found.group(1)
    assert (
        f"{key_id} for Example Travel 株式会社: 120 requests a minute, bursts of 20" in made.stdout
    )
    check = ApiKeyCheck(SqlApiKeyStore(database), DEMO_SECRET.encode("utf-8"))
    assert check.authenticate(token).organisation == "Example Travel 株式会社"

    listed = run(database, "list", "--as", "operator")
    assert listed.returncode == 0 and key_id in listed.stdout and "Example Travel" in listed.stdout
    assert token not in listed.stdout and token.rsplit("_", 1)[1] not in listed.stdout

    today = japan_day(datetime.now(UTC))
    SqlApiKeyStore(database).add_usage({
        UsageKey(key_id, today, "dcc", "valid"): 1234,
        UsageKey(key_id, today, "", "rate_limited"): 5,
        UsageKey(key_id, date(2026, 1, 2), "shc", "invalid"): 7,
    })  # fmt: skip
    recent = run(database, "usage", "--as", "operator")
    assert recent.returncode == 0, recent.stderr
    assert "1,234" in recent.stdout and "rate_limited" in recent.stdout
    assert f"{key_id} (Example Travel 株式会社): 1,239 in all" in recent.stdout
    old = run(database, "usage", "--from", "2026-01-01", "--to", "2026-01-31", "--as", "operator")
    assert old.returncode == 0 and f"{key_id} (Example Travel 株式会社): 7 in all" in old.stdout

    revoked = run(database, "revoke", key_id, "--as", "operator")
    assert revoked.returncode == 0 and f"revoked API key {key_id}" in revoked.stdout
    again = run(database, "revoke", key_id, "--as", "operator")
    assert again.returncode == 0 and "already revoked" in again.stdout
    with pytest.raises(AccessDeniedError):
        ApiKeyCheck(SqlApiKeyStore(database), DEMO_SECRET.encode("utf-8")).authenticate(token)
    unknown = run(database, "revoke", "000000000000", "--as", "operator")
    assert unknown.returncode == 1 and "not_found.api_key" in unknown.stderr
    actions = [entry.record.action for entry in audit_log.entries(database)]
    assert actions[-2:] == ["api_key.create", "api_key.revoke"]


def test_only_the_national_operator_manages_keys_and_bad_input_is_refused(
    database: Engine,
) -> None:
    for login in ("clerk-131016", "admin-131016"):
        refused = run(database, "create", "--org", "Sneaky", "--rate", "60", "--as", login)
        assert refused.returncode == 2 and "access.role" in refused.stderr
        assert run(database, "list", "--as", login).returncode == 2
    assert SqlApiKeyStore(database).all_keys() == []
    bad_rate = run(database, "create", "--org", "Example", "--rate", "0", "--as", "operator")
    assert bad_rate.returncode == 2 and "input.rate" in bad_rate.stderr
    bad_day = run(database, "usage", "--from", "yesterday", "--as", "operator")
    assert bad_day.returncode == 2 and "input.date" in bad_day.stderr
    assert SqlApiKeyStore(database).all_keys() == []
