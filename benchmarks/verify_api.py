"""Verifications per second through the HTTP API, next to the in-process rate in the same run.

Run:  .venv/bin/python benchmarks/verify_api.py [--seconds 20] [--connections 8] [--load wrk]

What it does, all on this machine:
1. a fresh data directory with the demo keys (``keys init`` layout), its SQLite database and an
   API key with a limit far above what the machine can reach;
2. 100 distinct certificates per format (SHC, DCC, VDS-NC; fresh ids and signatures), sent in
   turn as ``POST /api/v1/verify`` JSON bodies;
3. the service in a subprocess (uvicorn, one process, as ``shomeisho serve`` runs it), driven by
   a load generator in another process: ``wrk`` with a Lua script (``apt-get install wrk``), or
   ``--load httpx``, an asyncio httpx client with the same number of connections;
4. the same verifier object the service uses, called in-process on the same certificates, just
   before and just after the HTTP run; the ratio HTTP / in-process is what carries over between
   machines (the absolute rates depend on the machine and on its neighbours' load);
5. the same server answering ``GET /healthz`` (with wrk): the HTTP stack's floor;
6. after a clean shutdown, the usage totals the service wrote are compared with the number of
   answers the load generator received (none may be lost; requests still in flight when the
   generator stopped were verified and counted without their answer being read).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shomeisho.api_access.service import ApiKeyService
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.demo_record import demo_record
from shomeisho.formats import all_formats
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.model import new_certificate_id
from shomeisho.presented import Presented
from shomeisho.records.entities import Role, Staff
from shomeisho.settings import Settings

OPERATOR = Staff(0, "benchmark", "benchmark", Role.NATIONAL_OPERATOR, None)
PER_FORMAT = 100
WRK_SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sent = 0; answers = 0; not_valid = 0 end
function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1])
end
function response(status, headers, body)
  answers = answers + 1
  if status ~= 200 or not string.find(body, '"verdict":"valid"', 1, true) then
    not_valid = not_valid + 1
  end
end
function done(summary, latency, requests)
  local answered, bad = 0, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("answers"); bad = bad + thread:get("not_valid")
  end
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", answered, bad, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def prepare(folder: Path) -> tuple[list[str], str]:
    """Demo keys, the database, an API key; returns (certificate texts, the key)."""
    settings = Settings(demo=True, data_dir=folder)
    passphrase = settings.key_passphrase.get_secret_value()
    keys = folder / "keys"
    create_demo_trust_setup(
        keys, passphrase, country="JP", country_alpha3="JPN", shc_issuer=settings.shc_issuer_url
    )
    store, setup = FileKeyStore(keys, passphrase), IssuerSetup.load(keys)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    texts: list[str] = []
    for _ in range(PER_FORMAT):  # formats interleaved, so every window of the run mixes them
        record = replace(demo_record(), certificate_id=new_certificate_id())
        for name, fmt in all_formats().items():
            signer = store.signer(setup.signer_for(name))
            texts.append(
                fmt.issue(
                    record,
                    signer,
                    issuer=setup.issuer_for(name),
                    issued_at=now,
                    expires_at=now + timedelta(days=365),
                ).text
            )
    from shomeisho.web.app import create_app

    app = create_app(settings)
    made = ApiKeyService(SqlApiKeyStore(app.state.engine), app.state.secret).create(
        OPERATOR, "Benchmark", 1_000_000, burst=1_000_000
    )
    app.state.engine.dispose()
    return texts, made.token


def in_process_rate(folder: Path, texts: list[str], seconds: float) -> float:
    """Verifications a second by the service's own verifier object, called directly."""
    from shomeisho.web.app import create_app

    app = create_app(Settings(demo=True, data_dir=folder))
    verifier = app.state.verifier
    at = datetime.now(UTC)
    for text in texts[:3]:
        (outcome,) = verifier.verify([Presented("text", text=text)], at=at)
        assert outcome.verification.verdict.value == "valid", outcome.as_dict()
    done, cycle = 0, itertools.cycle(texts)
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(50):
            verifier.verify([Presented("text", text=next(cycle))], at=at)
        done += 50
    app.state.engine.dispose()
    return done / elapsed


def serve(folder: Path, port: int) -> None:
    """The child process: the service as ``shomeisho serve`` runs it."""
    import uvicorn

    from shomeisho.web.app import create_app

    uvicorn.run(
        create_app(Settings(demo=True, data_dir=folder)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder), "--port", str(port)]
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not start in 60 s")


def drive_wrk(
    url: str, key: str, bodies: Path, connections: int, seconds: float
) -> dict[str, float]:
    script = bodies.with_name("verify.lua")
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    env = os.environ | {"BODIES": str(bodies), "API_KEY": key}
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:.0f}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    answered, not_valid, duration_us, p50_us, p99_us, errors = map(int, line.split()[1:])
    return {
        "answered": answered,
        "not_valid": not_valid,
        "errors": errors,
        "rate": answered / (duration_us / 1e6),
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
    }


def http_floor(port: int, connections: int, seconds: float) -> float:
    """Requests a second the same server answers for its cheapest route: the HTTP stack's own
    cost (uvicorn, Starlette, FastAPI), against which the API's rate is read."""
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds:.0f}s",
        f"http://127.0.0.1:{port}/healthz",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("Requests/sec:"))
    return float(line.split()[1])


def drive_httpx(
    url: str, key: str, bodies: Path, connections: int, seconds: float
) -> dict[str, float]:
    """The fallback load generator, in its own process like wrk."""
    command = [
        sys.executable,
        __file__,
        "--drive",
        url,
        "--key",
        key,
        "--bodies",
        str(bodies),
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(output.splitlines()[-1])
    return result


async def httpx_load(
    url: str, key: str, bodies: list[str], connections: int, seconds: float
) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    counts = {"answered": 0, "not_valid": 0, "errors": 0}
    cycle = itertools.cycle(bodies)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def connection() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    answer = await client.post(url, content=next(cycle))
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                counts["answered"] += 1
                if answer.status_code != 200 or '"verdict":"valid"' not in answer.text:
                    counts["not_valid"] += 1

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        **counts,
        "rate": counts["answered"] / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def usage_total(folder: Path) -> int:
    from shomeisho.db.engine import make_engine, sqlite_url

    engine = make_engine(sqlite_url(folder))
    with engine.connect() as connection:
        from sqlalchemy import text

        total = connection.execute(text("SELECT coalesce(sum(total), 0) FROM api_usage")).scalar()
    engine.dispose()
    return int(total or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured HTTP run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--load", choices=("wrk", "httpx"), default=None, help="default: wrk if found"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--bodies", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    if args.drive:
        bodies = args.bodies.read_text(encoding="utf-8").splitlines()
        result = asyncio.run(
            httpx_load(args.drive, args.key, bodies, args.connections, args.seconds)
        )
        print(json.dumps(result))
        return

    load = args.load or ("wrk" if shutil.which("wrk") else "httpx")
    drive = drive_wrk if load == "wrk" else drive_httpx
    with tempfile.TemporaryDirectory(prefix="shomeisho-bench-") as scratch:
        folder = Path(scratch)
        texts, key = prepare(folder)
        bodies = folder / "bodies.jsonl"
        bodies.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), "utf-8")
        print(
            f"{len(texts)} certificates ({PER_FORMAT} each of SHC, DCC, VDS-NC); "
            f"{os.cpu_count()} CPUs; load: {load}, {args.connections} connections"
        )
        before = in_process_rate(folder, texts, args.seconds / 4)
        port = free_port()
        server = start_server(folder, port)
        url = f"http://127.0.0.1:{port}/api/v1/verify"
        try:
            warm = drive(url, key, bodies, args.connections, 3)
            measured = drive(url, key, bodies, args.connections, args.seconds)
            floor = http_floor(port, args.connections, args.seconds / 4) if load == "wrk" else 0
        finally:
            server.send_signal(signal.SIGINT)  # a clean shutdown: usage counts are written
            server.wait(timeout=60)
        after = in_process_rate(folder, texts, args.seconds / 4)
        counted = usage_total(folder)
    answered = int(warm["answered"] + measured["answered"])
    in_process = (before + after) / 2
    rate, answers = measured["rate"], measured["answered"]
    print(
        f"HTTP API       {rate:>7,.0f} verifications/s, p50 {measured['p50_ms']:.1f} ms, "
        f"p99 {measured['p99_ms']:.1f} ms"
    )
    print(
        f"               ({answers:,.0f} answers in {args.seconds:.0f} s, "
        f"{measured['not_valid']:,.0f} not valid, {measured['errors']:,.0f} socket errors)"
    )
    print(
        f"in-process     {in_process:>7,.0f} verifications/s (before {before:,.0f}, "
        f"after {after:,.0f})"
    )
    print(f"ratio          {rate / in_process:>7.2f} HTTP / in-process")
    if floor:
        print(
            f"HTTP floor     {floor:>7,.0f} GET /healthz a second on the same server "
            f"(verify API / floor {rate / floor:.2f})"
        )
    in_flight = counted - answered  # verified, but the answer came after the generator stopped
    consistent = 0 <= in_flight <= 2 * args.connections
    print(
        f"usage counted  {counted:,} for {answered:,} answers (warm-up included; "
        f"{in_flight} in flight when the generator stopped): {'ok' if consistent else 'LOST'}"
    )


if __name__ == "__main__":
    main()
