"""The command line as a person uses it: real processes, real files, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shomeisho.demo_record import demo_record
from shomeisho.record_file import record_to_dict

EXE = shutil.which("shomeisho", path=str(Path(sys.executable).parent)) or "shomeisho"


def run(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEISHO_")}
    full_env.update(env or {})
    result = subprocess.run(
        [EXE, *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "keys"
    result = run("keys", "init", directory, "--demo")
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture(scope="module")
def record_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "record.json"
    path.write_text(json.dumps(record_to_dict(demo_record()), ensure_ascii=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def issued(
    keys: Path, record_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    for fmt in ("shc", "dcc", "vdsnc"):
        result = run("issue", record_file, "--format", fmt, "--keys", keys, "--out", out, "--demo")
        assert result.returncode == 0, result.stderr
    return {fmt: next(out.glob(f"{fmt}-*.png")) for fmt in ("shc", "dcc", "vdsnc")}


def test_help_explains_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("keys", "issue", "verify", "demo"):
        assert command in result.stdout
    assert "Verify certificates offline" in run("verify", "--help").stdout


def test_keys_init_writes_the_trust_setup(keys: Path) -> None:
    for name in ("dcc-csca", "dcc-dsc-vaccination", "vdsnc-csca", "vdsnc-bsc", "shc-issuer"):
        assert (keys / "keys" / f"{name}.key.pem").exists()
    assert json.loads((keys / "shc" / ".well-known" / "jwks.json").read_text())["keys"]
    assert json.loads((keys / "trust-bundle.json").read_text())["type"] == "shomeisho-trust-bundle"
    again = run("keys", "init", keys, "--demo")
    assert again.returncode == 2
    assert "already holds" in again.stderr


def test_keys_init_refuses_a_missing_passphrase(tmp_path: Path) -> None:
    result = run("keys", "init", tmp_path / "k")
    assert result.returncode == 2
    assert "SHOMEISHO_KEY_PASSPHRASE" in result.stderr


def test_issue_writes_every_artefact(issued: dict[str, Path]) -> None:
    folder = issued["shc"].parent
    for fmt in ("shc", "dcc", "vdsnc"):
        stem = issued[fmt].with_suffix("")
        for suffix in (".txt", ".png", ".svg"):
            assert stem.with_suffix(suffix).exists()
    card = next(folder.glob("shc-*.smart-health-card"))
    assert json.loads(card.read_text())["verifiableCredential"][0].count(".") == 2


def test_verify_images_json(keys: Path, issued: dict[str, Path]) -> None:
    result = run("verify", *issued.values(), "--trust", keys / "trust-bundle.json", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["format"] for line in lines) == ["dcc", "shc", "vdsnc"]
    for line in lines:
        assert line["verdict"] == "valid", line
        assert line["errors"] == []
        assert line["date_of_birth"] == "1961-04-09"
        assert line["name"]


def test_verify_text_and_card_file(keys: Path, issued: dict[str, Path]) -> None:
    dcc_text = issued["dcc"].with_suffix(".txt").read_text().strip()
    card = next(issued["shc"].parent.glob("shc-*.smart-health-card"))
    result = run("verify", dcc_text, card, "--trust", keys / "trust-bundle.json", "--json")
    assert result.returncode == 0, result.stdout
    assert [json.loads(x)["verdict"] for x in result.stdout.splitlines()] == ["valid", "valid"]


def test_verdicts_for_untrusted_expired_and_garbage(keys: Path, issued: dict[str, Path]) -> None:
    untrusted = run("verify", issued["dcc"], "--json")
    assert untrusted.returncode == 1
    assert json.loads(untrusted.stdout)["verdict"] == "untrusted"
    assert "name" not in json.loads(untrusted.stdout)
    expired = run(
        "verify",
        issued["dcc"],
        "--trust",
        keys / "trust-bundle.json",
        "--json",
        "--at",
        "2099-01-01T00:00:00Z",
    )
    assert expired.returncode == 1
    assert json.loads(expired.stdout)["verdict"] == "expired"
    garbage = run("verify", "HC1:not*base45", "--json")
    assert garbage.returncode == 1
    line = json.loads(garbage.stdout)
    assert line["verdict"] == "unreadable"
    assert line["errors"][0]["code"].startswith("encoding")


def test_table_output_is_readable(keys: Path, issued: dict[str, Path]) -> None:
    result = run("verify", issued["vdsnc"], "--trust", keys / "trust-bundle.json")
    assert result.returncode == 0
    assert "valid" in result.stdout
    assert "TAKAHASHI" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "HC1:X", "--at", "yesterday"),
        ("verify", "HC1:X", "--trust", "/nonexistent/trust.pem"),
        ("verify", "no-such-file.png"),
        ("issue",),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode in {1, 2}
    if args[0] == "verify" and args[1:] != ("no-such-file.png",):
        assert result.returncode == 2, result.stderr


def test_missing_file_input_is_reported(tmp_path: Path) -> None:
    result = run("verify", tmp_path / "nope.png", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "input.not_found"


def test_bad_record_names_the_field(keys: Path, tmp_path: Path) -> None:
    doc = record_to_dict(demo_record())
    doc["events"][1]["date"] = "2021/06/22"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), "utf-8")
    result = run("issue", path, "--format", "dcc", "--keys", keys, "--out", tmp_path, "--demo")
    assert result.returncode == 2
    assert "events[1].date" in result.stderr


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = run("demo", "--out", tmp_path / "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("valid") >= 3
    assert len(list((tmp_path / "demo" / "certificates").glob("*.png"))) == 3
