"""``trust build|show|sync`` and ``verify --bundle/--country``, as an operator and a verifier use
them: real processes, real files, a real HTTP server for the sync."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli.test_cli import issued, keys, record_file, run
from tests.rules.helpers import BASE_RULE

__all__ = ["issued", "keys", "record_file"]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on this machine, as the operator's web server would."""
    folder = tmp_path_factory.mktemp("published")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def build(keys: Path, out: Path, *extra: str | Path) -> None:
    result = run("trust", "build", "--keys", keys, "--out", out, "--demo", *extra)
    assert result.returncode == 0, result.stderr
    assert "Wrote trust list version" in result.stdout


def test_operator_builds_and_verifier_syncs_over_http(
    keys: Path,
    issued: dict[str, Path],
    published: tuple[Path, str],
    tmp_path: Path,
) -> None:
    folder, url = published
    list_file = folder / "trust-list.json"
    build(keys, list_file)
    build(keys, list_file)  # the next version
    state = tmp_path / "verifier"
    key = keys / "trust-list-key.pem"
    first = run("trust", "sync", f"{url}/trust-list.json", "--state", state, "--operator-key", key)
    assert first.returncode == 0, first.stderr
    assert "accepted version 2" in first.stdout
    shown = run("trust", "show", state, "--json")
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["version"] == 2 and summary["stale"] is False
    assert summary["counts"]["signers"] == 3 and summary["counts"]["authorities"] == 2
    assert "JP" in summary["rule_countries"]
    # an older list (version 1 kept by someone) is refused, the held one stays
    old = tmp_path / "old.json"
    build(keys, old)
    refused = run("trust", "sync", old, "--state", state)
    assert refused.returncode == 1
    assert "trust.rollback" in refused.stderr and "older than version 2" in refused.stderr
    # verifying offline with the synced folder: every format valid, with the list's age
    for image in issued.values():
        result = run("verify", image, "--bundle", state, "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        line = json.loads(result.stdout)
        assert line["verdict"] == "valid"
        assert line["trust_list"]["version"] == 2 and line["trust_list"]["age_seconds"] < 600


def test_a_list_from_another_operator_is_refused(
    keys: Path,
    tmp_path: Path,
) -> None:
    other_keys = tmp_path / "other-keys"
    assert run("keys", "init", other_keys, "--demo").returncode == 0
    foreign = tmp_path / "foreign.json"
    build(other_keys, foreign)
    state = tmp_path / "verifier"
    result = run(
        "trust", "sync", foreign, "--state", state, "--operator-key", keys / "trust-list-key.pem"
    )
    assert result.returncode == 1
    assert "trust.signature.key" in result.stderr
    assert not (state / "trust-list.json").exists()


THREE_DOSES = {
    **BASE_RULE,
    "Description": [
        {"lang": "en", "desc": "At least three doses."},
        {"lang": "ja", "desc": "3回以上の接種が必要です。"},
    ],
    "ValidFrom": "2025-01-01T00:00:00Z",
    "ValidTo": "2035-01-01T00:00:00Z",
    "AffectedFields": ["v.0.dn"],
    "Logic": {"if": [{"var": "payload.v.0"}, {">=": [{"var": "payload.v.0.dn"}, 3]}, True]},
}


def test_verify_with_a_signed_bundle_file_and_country_rules(
    keys: Path,
    issued: dict[str, Path],
    tmp_path: Path,
) -> None:
    """The operator adds a rule of a (made-up) country XX in force now; Japan's arrival rules
    ended on 2023-04-29, so naming JP today gives the technical verdict and says why."""
    rule_file = tmp_path / "xx-rules.json"
    rule_file.write_text(json.dumps([THREE_DOSES]))
    list_file = tmp_path / "trust-list.json"
    build(keys, list_file, "--rules", rule_file)
    (tmp_path / "trust-list-key.pem").write_bytes((keys / "trust-list-key.pem").read_bytes())
    technical = run("verify", issued["dcc"], "--bundle", list_file, "--json")
    assert json.loads(technical.stdout)["verdict"] == "valid", technical.stdout
    for fmt in ("dcc", "shc", "vdsnc"):  # the demo record has two doses
        judged = run("verify", issued[fmt], "--bundle", list_file, "--country", "XX", "--json")
        line = json.loads(judged.stdout)
        assert judged.returncode == 1, (fmt, line)
        assert line["verdict"] == "rules_failed"
        assert [(e["code"], e["rule_id"]) for e in line["errors"]] == [
            ("rules_failed", "VR-XX-0001")
        ]
    japan = run("verify", issued["dcc"], "--bundle", list_file, "--country", "JP", "--json")
    line = json.loads(japan.stdout)
    assert japan.returncode == 0 and line["verdict"] == "valid"
    assert [w["code"] for w in line["warnings"]] == ["rules.none_in_force"]
    table = run("verify", issued["dcc"], "--bundle", list_file, "--country", "XX")
    assert "VR-XX-0001" in table.stdout and "rules not met" in table.stdout
    unknown = run("verify", issued["dcc"], "--bundle", list_file, "--country", "ZZ")
    assert unknown.returncode == 2 and "ZZ" in unknown.stderr
