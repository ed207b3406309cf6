"""Verify vaccination certificates through shomeisho's API for private apps (docs/api.md).

    shomeisho serve --demo                                    # in another terminal
    export SHOMEISHO_STAFF_PASSWORD=shomeisho-demo-password
    export SHOMEISHO_API_KEY=$(shomeisho api-keys create --org "Example Travel" --rate 60 \
        --as operator --demo | tail -n 1)
    python docs/examples/verify_client.py shomeisho-demo/certificates/*.png

Each argument is a certificate text (HC1:…, shc:/…), a text or .smart-health-card file, or a
PNG/JPEG image with QR codes. SHOMEISHO_API_URL changes the server (default the demo's).
Exit status 0 when every certificate is valid.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx

URL = os.environ.get("SHOMEISHO_API_URL", "http://127.0.0.1:8000").rstrip("/") + "/api/v1/verify"


def send(client: httpx.Client, argument: str) -> httpx.Response:
    if argument.startswith(("HC1:", "shc:/", "{")):
        return client.post(URL, json={"text": argument})
    path = Path(argument)
    if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
        return client.post(URL, files={"image": (path.name, path.read_bytes())})
    return client.post(URL, json={"text": path.read_text(encoding="utf-8")})


def verify(client: httpx.Client, argument: str) -> bool:
    response = send(client, argument)
    while response.status_code == 429:  # over the key's rate: wait as told, then again
        time.sleep(int(response.headers["Retry-After"]))
        response = send(client, argument)
    if response.status_code != 200:
        problem = response.json()
        print(f"{argument[:40]}: refused, {problem['code']}: {problem['detail']}")
        return False
    for result in response.json()["results"]:
        holder = f", {result['name']} born {result['date_of_birth']}" if result["name"] else ""
        reasons = ", ".join(error["code"] for error in result["errors"])
        print(f"{argument[:40]} ({result['source']}): {result['format']} {result['verdict']}"
              f"{holder}{f' ({reasons})' if reasons else ''}")  # fmt: skip
    return all(result["valid"] for result in response.json()["results"])


def main() -> None:
    key = os.environ.get("SHOMEISHO_API_KEY")
    if not key:
        sys.exit("set SHOMEISHO_API_KEY to the key from `shomeisho api-keys create`")
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        verdicts = [verify(client, argument) for argument in sys.argv[1:]]
    sys.exit(0 if verdicts and all(verdicts) else 1)


if __name__ == "__main__":
    main()
