"""``shomeisho serve --demo`` (the README's main command) starts, answers, and stops."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from shomeisho.records.demo_residents import demo_rows
from tests.live_server import free_port

SHOMEISHO = Path(sys.executable).with_name("shomeisho")


def vaccinated_demo_residents(code: str) -> int:
    """Residents with at least one vaccination among the 200 generated (rows are vaccinations)."""
    return len({row["resident_number"] for row in demo_rows(code, 200, seed=2021)})


def test_serve_demo_starts_with_demo_data(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(SHOMEISHO), "serve", "--demo", "--data-dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    assert json.load(answer) == {"status": "ok"}
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the service did not start in 120 s"
                time.sleep(0.5)
        request = urllib.request.Request(
            f"{base}/api/v1/session",
            data=json.dumps(
                {"login": "clerk-131016", "password": "shomeisho-demo-password"}
            ).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            cookie = answer.headers["set-cookie"].split(";")[0]
        search = urllib.request.Request(
            f"{base}/api/v1/municipalities/131016/residents/count", headers={"cookie": cookie}
        )
        with urllib.request.urlopen(search, timeout=10) as answer:
            assert json.load(answer)["total"] == vaccinated_demo_residents("131016")
        discovery = f"{base}/idp/.well-known/openid-configuration"
        with urllib.request.urlopen(discovery, timeout=10) as answer:
            assert json.load(answer)["issuer"] == f"{base}/idp"  # the provider follows the port
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "valid" in output and f"http://127.0.0.1:{port}/staff" in output
    assert (tmp_path / "records.sqlite3").exists() and (tmp_path / "keys" / "issuer.json").exists()
