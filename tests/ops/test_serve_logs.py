"""``shomeisho serve`` itself writes JSON lines to standard error: uvicorn's own lines and one
access line per request, with the route template and a request id, never a query string."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.live_server import free_port

SHOMEISHO = Path(sys.executable).with_name("shomeisho")


def test_serve_writes_json_lines_without_query_strings(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(SHOMEISHO), "serve", "--demo", "--data-dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    ids = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:
                    assert json.load(answer)["status"] == "ready"
                    break
            except OSError:
                assert process.poll() is None, "serve stopped"
                assert time.monotonic() < deadline, "the service did not start in 120 s"
                time.sleep(0.5)
        query = urllib.parse.urlencode({"name": "髙橋", "birth_date": "1961-04-09"})
        for path in (f"/staff?{query}", "/status", f"/verify?{query}"):
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as answer:
                ids.append(answer.headers["X-Request-ID"])
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    lines = [json.loads(line) for line in errors.splitlines() if line.strip()]
    assert any(line["logger"] == "uvicorn.error" for line in lines)  # uvicorn's, as JSON too
    access = {line["request_id"]: line for line in lines if line["logger"] == "shomeisho.access"}
    assert [access[i]["route"] for i in ids] == ["/staff/sign-in", "/status", "/verify"]
    assert all(access[i]["status"] == 200 and access[i]["method"] == "GET" for i in ids)
    assert "髙橋" not in errors and "1961-04-09" not in errors and "%E9" not in errors
