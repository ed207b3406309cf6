"""/status and /status.json: version, commit, revision, certificates with the days they have left,
the trust list's age, the self-check's last run and 90 days of history, and the warnings that
come days before something stops working."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from shomeisho.db.engine import head_revision
from shomeisho.db.selfcheck import SqlSelfCheckLog
from shomeisho.model import JST
from tests.ops.service_fixtures import now, publish_trust_list, recertify, run, service


def warning_codes(body: dict[str, object]) -> dict[str, dict[str, object]]:
    return {w["subject"] + " " + w["code"]: w for w in body["warnings"]}  # type: ignore[attr-defined, operator]


def test_the_status_of_a_healthy_service(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine, commit="0123abcd")
    SqlSelfCheckLog(engine).record(run(now() - timedelta(minutes=20)))
    body = client.get("/status.json").json()
    assert body["status"] == "ok" and body["warnings"] == []
    assert body["version"] == "0.1.0" and body["commit"] == "0123abcd"
    assert body["migration"] == {"database": head_revision(), "code": head_revision()}
    assert body["readiness"]["status"] == "ready"
    keys = {k["key"]: k for k in body["signing_keys"]}
    assert keys["vdsnc-bsc"]["role"] == "vdsnc" and keys["dcc-dsc-vaccination"]["role"] == "dcc"
    assert keys["dcc-csca"]["role"] == "authority" and keys["trust-list"]["role"] == "trust_list"
    assert keys["shc-issuer"]["not_after"] is None  # a bare key, published as a JWK
    assert 700 < keys["vdsnc-bsc"]["days_left"] < 740 and keys["vdsnc-bsc"]["warning"] is None
    trust = body["trust_list"]
    assert trust["version"] == 1 and trust["stale"] is False and 0 <= trust["age_seconds"] < 600
    last = body["selfcheck"]["last"]
    assert last["ok"] is True and last["failed_step"] is None and len(last["steps"]) == 7
    days = body["selfcheck"]["days"]
    assert len(days) == 90 and days[-1]["state"] == "ok" and days[0]["state"] == "none"
    assert body["selfcheck"]["totals"] == {"ok": 1, "failed": 0, "none": 89}
    for secret in ("PRIVATE KEY", "passphrase", "TAKAHASHI"):
        assert secret not in str(body)


def test_a_certificate_expiring_in_ten_days_warns(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    ends = now() + timedelta(days=10, hours=1)
    recertify(
        tmp_path, "vdsnc-bsc", "vdsnc-csca", not_before=now() - timedelta(days=355), not_after=ends
    )
    assert client.get("/readyz").status_code == 200  # still usable: a warning, not a failure
    body = client.get("/status.json").json()
    assert body["status"] == "warning"
    warning = warning_codes(body)["vdsnc-bsc ops.certificate.expiring"]
    assert warning["days"] == 10.0 and warning["at"] == ends.replace(microsecond=0).isoformat()
    assert {k["key"]: k for k in body["signing_keys"]}["vdsnc-bsc"]["warning"] == "expiring"
    day = ends.astimezone(JST).date().isoformat()
    english = client.get("/status?lang=en").text
    assert f"The certificate of vdsnc-bsc expires on {day} (10 days left)" in english
    assert "Expiring soon" in english and "Working, with warnings to act on" in english
    japanese = client.get("/status?lang=ja").text
    assert f"vdsnc-bsc の証明書は {day} に有効期限が切れます（あと10日）" in japanese


def test_warning_days_are_a_setting(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine, warn_days=800)
    codes = warning_codes(client.get("/status.json").json())
    assert "vdsnc-bsc ops.certificate.expiring" in codes  # two years left, warned at 800 days
    assert "dcc-csca ops.certificate.expiring" not in codes  # ten years left


def test_a_stale_and_old_trust_list_warns(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)  # its verifier reads the list at the first request
    issued = now().replace(microsecond=0) - timedelta(days=20)
    publish_trust_list(tmp_path, version=2, issued_at=issued, next_update=issued + timedelta(7))
    body = client.get("/status.json").json()
    assert body["trust_list"]["version"] == 2 and body["trust_list"]["stale"] is True
    assert 20 * 86400 <= body["trust_list"]["age_seconds"] < 20 * 86400 + 600
    codes = warning_codes(body)
    assert codes["v2 ops.trust_list.stale"]["days"] == -13.0
    assert codes["v2 ops.trust_list.old"]["days"] == 20.0
    assert client.get("/readyz").status_code == 200  # stale is used, with a warning: not down
    english = client.get("/status?lang=en").text
    assert "Stale: past its update date" in english
    assert "Trust list v2 was issued 20 days ago." in english


def test_a_trust_list_due_soon_warns(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    issued = now().replace(microsecond=0) - timedelta(days=6)
    publish_trust_list(tmp_path, version=2, issued_at=issued, next_update=issued + timedelta(7))
    codes = warning_codes(client.get("/status.json").json())
    assert "v2 ops.trust_list.due" in codes and "v2 ops.trust_list.stale" not in codes


def test_the_last_self_check_and_its_history(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    log = SqlSelfCheckLog(engine)
    for days_ago in (40, 30, 2, 1):
        log.record(run(now() - timedelta(days=days_ago)))
    log.record(run(now() - timedelta(days=30, hours=1), failed_at="verify_dcc"))
    log.record(run(now() - timedelta(minutes=5), failed_at="sign_in"))
    body = client.get("/status.json").json()
    last = body["selfcheck"]["last"]
    assert last["ok"] is False and last["failed_step"] == "sign_in"
    assert [s["detail"] for s in last["steps"][:3]] == ["valid", "http_503", "not_run"]
    assert "sign_in ops.selfcheck.failed" in warning_codes(body)
    assert body["selfcheck"]["totals"]["failed"] >= 2 and body["selfcheck"]["totals"]["ok"] >= 2
    page = client.get("/status?lang=en").text
    cells = re.findall(r'<span class="day day-(ok|failed|none)" title="(\d{4}-\d\d-\d\d): ', page)
    assert len(cells) == 90  # the bar: one cell per day, each labelled with its date and state
    states = [state for state, _ in cells]
    assert states[-1] == "failed" and states.count("failed") == 2 and states.count("ok") >= 2
    assert "Failed (tall red striped bar)" in page  # the legend says it in words
    assert page.count('<tr><th scope="row">20') >= 90  # and the table lists every day
    assert "The newest self-check failed at the step “sign_in”." in page


def test_no_self_check_yet_and_an_overdue_one(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    assert "ops.selfcheck.never" in str(client.get("/status.json").json()["warnings"])
    SqlSelfCheckLog(engine).record(run(now() - timedelta(days=3)))
    assert "ops.selfcheck.overdue" in str(client.get("/status.json").json()["warnings"])


def test_json_by_content_negotiation_and_no_caching(tmp_path: Path, engine: Engine) -> None:
    client, _ = service(tmp_path, engine)
    answer = client.get("/status", headers={"Accept": "application/json"})
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["readiness"]["status"] == "ready"
    page = client.get("/status", headers={"Accept": "text/html,application/json;q=0.9"})
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    assert "<script" not in page.text
    assert '<html lang="ja">' in page.text and "稼働状況" in page.text
