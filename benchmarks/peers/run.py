"""Our verification rate next to the Node libraries DIVOC uses, on the same inputs, on one core.

Run:  .venv/bin/python benchmarks/peers/run.py [--seconds 3] [--rounds 3] [--shc-cards 50]
                                               [--dcc-corpus DIR] [--verbose]

Peers: @pathcheck/dcc-sdk and @pathcheck/shc-sdk, pinned in package.json / package-lock.json here
and installed with ``npm ci`` on first use (the only download; the Node scripts refuse any
non-loopback connection). Without node/npm the comparison is skipped with exit status 0, so a
machine without Node is not a failure.

Both sides verify exactly the same strings, one at a time, on the same single core (this process
pins itself and the Node children inherit the affinity), and only inputs *both* accept are timed;
the inputs they disagree on are reported. Rounds alternate ours/theirs and the best round of each
counts, so a noisy neighbour does not decide the ratio. Ours is the full verdict (decode,
signature, trust, key usage, schema, value sets, validity); both peers check the signature and
little else, so the ratio flatters them. Target: ours >= 8 x theirs.

DCC: the dgc-testdata files with EXPECTEDVERIFY true, PREFIX and TESTCTX.CERTIFICATE; our trust is
that one signer certificate (trusted directly), ``at`` is the file's VALIDATIONCLOCK.
SHC: cards issued by shomeisho. shc-sdk cannot verify with a key it is handed, so it is measured
twice (see shc_peer.mjs): its own verification steps with the key in memory ("local", the fair
row), and as shipped, downloading the issuer's JWKS on every call from 127.0.0.1 ("fetch").
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from shomeisho.errors import Verdict
from shomeisho.trust.store import TrustStore

PEERS = Path(__file__).resolve().parent
REPO = PEERS.parents[1]
TARGET = 8.0
DEFAULT_DCC_CORPUS = REPO.parent / "shared" / "conformance" / "dgc-testdata"
SHC_ISSUER = "https://bench.shomeisho.example.jp/issuer"


@dataclass
class Disagreement:
    case: str
    ours: str  # verdict and error codes
    theirs: str  # the peer's status
    ours_accepts: bool


@dataclass
class Row:
    """One line of the table; ``ours`` is None when our format could not be run."""

    format: str
    peer: str
    cases: int
    theirs: float
    ours: float | None
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Settings:
    seconds: float
    rounds: int
    verbose: bool


# -- plumbing -----------------------------------------------------------------------------------


def pin_one_core() -> str:
    """Pin to one core, as benchmarks/codecs.py does; Node children inherit the affinity."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this OS)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core}"


def ensure_node_modules(npm: str) -> float | None:
    """``npm ci`` from the lock file when node_modules is missing; returns the seconds it took.

    --ignore-scripts: none of the pinned packages needs an install script, and a benchmark has no
    business running any. The .npmrc beside package.json keeps npm 6 peer-dependency behaviour.
    """
    if (PEERS / "node_modules").is_dir():
        return None
    print("installing peers: npm ci (once) ...", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=PEERS,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"npm ci failed ({proc.returncode}):\n{proc.stderr.strip()}")
    return time.perf_counter() - started


def run_node(node: str, *args: str) -> dict[str, Any]:
    """Run one peer script and return the JSON line it prints; its stderr is SDK chatter."""
    proc = subprocess.run(
        [node, *args], cwd=PEERS, capture_output=True, text=True, check=False, timeout=900
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"node {' '.join(args)} failed ({proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if result.get("refused_connections"):
        # The SDK tried to reach the network: its timing includes a refused connection.
        print(f"warning: {args[0]} tried to connect to {result['refused_connections']}")
    return result


def rate(items: Sequence[Any], work: Callable[[Any], object], seconds: float) -> float:
    """Calls per second cycling through ``items``, exactly as lib.mjs measures the peers: a
    warm-up, then at least ``seconds`` and at least one full pass."""
    if not items:
        return 0.0
    warm_until = time.perf_counter() + min(1.0, seconds / 4)
    i = 0
    while i < len(items) or time.perf_counter() < warm_until:
        work(items[i % len(items)])
        i += 1
    calls = 0
    started = now = time.perf_counter()
    deadline = started + seconds
    while calls < len(items) or now < deadline:
        work(items[calls % len(items)])
        calls += 1
        now = time.perf_counter()
    return calls / (now - started)


def load_format(name: str) -> Any | None:
    """Our format module, or None while it is not written yet (the peers are still measured)."""
    try:
        return importlib.import_module(f"shomeisho.formats.{name}").FORMAT
    except (ImportError, AttributeError):
        return None


def describe(check: Any) -> str:
    codes = [getattr(e, "code", type(e).__name__) for e in check.errors]
    return " ".join([check.verdict.value, ",".join(codes)]).strip()


# -- DCC ----------------------------------------------------------------------------------------


@dataclass
class DccCase:
    rel: str
    text: str
    trust: TrustStore
    at: datetime


def dcc_cases(root: Path) -> list[DccCase]:
    """The same selection dcc_peer.mjs makes, each with its own signer and clock."""
    cases = []
    for path in sorted(root.glob("*/2DCode/raw/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue  # a few corpus files are not JSON; they are not verification cases
        ctx = doc.get("TESTCTX") or {}
        expected = doc.get("EXPECTEDRESULTS") or {}
        if expected.get("EXPECTEDVERIFY") is True and doc.get("PREFIX") and ctx.get("CERTIFICATE"):
            rel = path.relative_to(root).as_posix()
            cases.append(DccCase(rel, doc["PREFIX"], signer_trust(ctx), clock(ctx)))
    return cases


def signer_trust(ctx: dict[str, Any]) -> TrustStore:
    """Trust exactly the file's signer. A few corpus certificates DER-encode a default value
    (BasicConstraints cA FALSE), which ``cryptography`` refuses when ``add_certificate`` asks
    whether it is an authority; those are signers, so they go straight into ``signers``, as the
    conformance tests do."""
    certificate = x509.load_der_x509_certificate(base64.b64decode(ctx["CERTIFICATE"]))
    trust = TrustStore()
    try:
        trust.add_certificate(certificate)
    except ValueError:
        trust.signers.append(certificate)
    return trust


def clock(ctx: dict[str, Any]) -> datetime:
    at = datetime.fromisoformat(ctx["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def compare_dcc(node: str, corpus: Path, settings: Settings, workdir: Path) -> Row:
    fmt = load_format("dcc")
    check = run_node(node, "dcc_peer.mjs", str(corpus), "--check")
    peer = f"{check['library']} {check['version']}"
    seconds = str(settings.seconds)
    if fmt is None:
        runs = [
            run_node(node, "dcc_peer.mjs", str(corpus), "--seconds", seconds)
            for _ in range(settings.rounds)
        ]
        best = max(r["rate"] for r in runs)
        return Row("dcc", peer, runs[0]["verified_ok"], best, None, notes=["no formats.dcc yet"])

    cases = dcc_cases(corpus)
    statuses: dict[str, str] = check["statuses"]
    notes = []
    if {c.rel for c in cases} != set(statuses):
        notes.append("the Python and Node selections differ")
    both, disagreements = [], []
    for case in cases:
        verdict = fmt.verify(case.text, case.trust, at=case.at)
        ours_ok = verdict.verdict is Verdict.VALID
        theirs = statuses.get(case.rel, "not selected")
        if ours_ok and theirs == "verified":
            both.append(case)
        elif ours_ok or theirs == "verified":
            disagreements.append(Disagreement(case.rel, describe(verdict), theirs, ours_ok))

    only = workdir / "dcc_cases.json"
    only.write_text(json.dumps([c.rel for c in both]))
    theirs_best = ours_best = 0.0
    for _ in range(settings.rounds):
        timed = run_node(
            node, "dcc_peer.mjs", str(corpus), "--only", str(only), "--seconds", seconds
        )
        if timed["verified_ok"] != len(both):
            notes.append(f"peer accepted {timed['verified_ok']} of {len(both)} when timed")
        theirs_best = max(theirs_best, timed["rate"])
        ours_best = max(
            ours_best, rate(both, lambda c: fmt.verify(c.text, c.trust, at=c.at), settings.seconds)
        )
    return Row("dcc", peer, len(both), theirs_best, ours_best, disagreements, notes)


# -- SHC ----------------------------------------------------------------------------------------


def loopback_tls(host: str) -> dict[str, str]:
    """A throwaway self-signed certificate for the issuer host, trusted only by shc_peer.mjs."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return {
        "cert": cert.public_bytes(serialization.Encoding.PEM).decode(),
        "key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    }


def shc_set(node: str, fmt: Any, count: int) -> tuple[dict[str, Any], TrustStore | None, datetime]:
    """``count`` cards issued by shomeisho, or by shc-sdk itself while formats.shc is missing."""
    now = datetime.now(UTC).replace(microsecond=0)
    if fmt is None:
        generated = run_node(node, "shc_peer.mjs", "--generate", str(count), "--issuer", SHC_ISSUER)
        return generated, None, now

    from shomeisho.demo_record import demo_record
    from shomeisho.formats.shc.jwk import issuer_jwks
    from shomeisho.signing import LocalSigner

    signer = LocalSigner("shc", ec.generate_private_key(ec.SECP256R1()))
    jwks = issuer_jwks([signer])
    trust = TrustStore()
    trust.add_jwks(SHC_ISSUER, jwks)
    cards = [
        fmt.issue(
            demo_record(),
            signer,
            issuer=SHC_ISSUER,
            issued_at=now - timedelta(seconds=i),
            expires_at=now + timedelta(days=365),
        ).text
        for i in range(count)
    ]
    return {"issuer": SHC_ISSUER, "jwks": jwks, "cards": cards}, trust, now + timedelta(minutes=1)


def compare_shc(node: str, count: int, settings: Settings, workdir: Path) -> list[Row]:
    fmt = load_format("shc")
    card_set, trust, at = shc_set(node, fmt, count)
    card_set["tls"] = loopback_tls(SHC_ISSUER.split("/")[2])
    notes: list[str] = []
    cards = card_set["cards"]
    if fmt is None or trust is None:
        notes.append("no formats.shc yet: cards signed by shc-sdk")
    else:
        verdicts = [fmt.verify(text, trust, at=at) for text in cards]
        rejected = [describe(v) for v in verdicts if v.verdict is not Verdict.VALID]
        if rejected:
            notes.append(f"ours rejected {len(rejected)} of our own cards: {rejected[0]}")
        cards = [t for t, v in zip(cards, verdicts, strict=True) if v.verdict is Verdict.VALID]
    set_path = workdir / "shc_set.json"
    set_path.write_text(json.dumps({**card_set, "cards": cards}))

    modes = ("local", "fetch")
    best = dict.fromkeys(modes, 0.0)
    last: dict[str, dict[str, Any]] = {}
    ours: float | None = None
    for _ in range(settings.rounds):
        for mode in modes:
            args = ("--mode", mode, "--seconds", str(settings.seconds))
            last[mode] = run_node(node, "shc_peer.mjs", str(set_path), *args)
            best[mode] = max(best[mode], last[mode]["rate"])
        if fmt is not None and trust is not None and cards:
            round_rate = rate(cards, lambda text: fmt.verify(text, trust, at=at), settings.seconds)
            ours = max(ours or 0.0, round_rate)

    rows = []
    for mode in modes:
        timed = last[mode]
        row_notes = list(notes)
        if timed["verified_ok"] != len(cards):
            row_notes.append(f"peer accepted {timed['verified_ok']} of {len(cards)}")
        if mode == "fetch":
            row_notes.append(f"{timed['jwks_downloads']} JWKS downloads over loopback, last round")
        peer = f"{timed['library']} {timed['version']} ({mode})"
        rows.append(Row("shc", peer, timed["verified_ok"], best[mode], ours, notes=row_notes))
    return rows


# -- report -------------------------------------------------------------------------------------


def print_table(rows: list[Row], settings: Settings) -> None:
    header = (
        f"{'format':<7}{'peer':<34}{'cases':>6}{'ours/s':>10}{'theirs/s':>10}"
        f"{'ours/theirs':>13}{'target':>8}  result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if row.ours is None:
            ours, ratio, result = "n/a", "n/a", "ours not ready"
        else:
            ours = f"{row.ours:,.0f}"
            ratio_value = row.ours / row.theirs if row.theirs else float("inf")
            ratio = f"{ratio_value:.1f}x"
            result = "meets" if ratio_value >= TARGET else "BELOW"
        print(
            f"{row.format:<7}{row.peer:<34}{row.cases:>6}{ours:>10}{row.theirs:>10,.0f}"
            f"{ratio:>13}{TARGET:>7.0f}x  {result}"
        )
    print(
        f"(rates: best of {settings.rounds} alternating rounds of {settings.seconds:g} s, "
        "one verification at a time)"
    )
    for row in rows:
        for note in row.notes:
            print(f"{row.format} / {row.peer}: {note}")
        print_disagreements(row, settings.verbose)


def print_disagreements(row: Row, verbose: bool) -> None:
    """Grouped by outcome: the long tail is corpus files whose signature is fine but whose
    certificate, key usage, schema or dates are not, which only the full verdict notices."""
    if not row.disagreements:
        return
    peer = row.peer.split()[0]
    print(f"\n{row.format}: {len(row.disagreements)} inputs where we and {peer} disagree")
    groups = Counter((d.ours_accepts, d.ours, d.theirs) for d in row.disagreements)
    for (ours_accepts, ours, theirs), count in sorted(groups.items(), key=lambda g: -g[1]):
        who = "we accept, it rejects" if ours_accepts else "it accepts, we reject"
        examples = [
            d.case
            for d in row.disagreements
            if (d.ours_accepts, d.ours, d.theirs) == (ours_accepts, ours, theirs)
        ]
        shown = examples if verbose or len(examples) <= 3 else [*examples[:3], "..."]
        print(f"  {count:>4}  {who}: ours {ours} / theirs {theirs}  ({', '.join(shown)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per timed round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best counts")
    parser.add_argument("--shc-cards", type=int, default=50, help="SHC cards to issue and verify")
    parser.add_argument("--dcc-corpus", type=Path, default=DEFAULT_DCC_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every disagreeing input")
    args = parser.parse_args()
    settings = Settings(args.seconds, max(1, args.rounds), args.verbose)

    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        print("node not installed: peer comparison skipped")
        return 0
    installed_in = ensure_node_modules(npm)
    if installed_in is not None:
        print(f"npm ci took {installed_in:.1f} s")
    pinning = pin_one_core()  # after npm ci, which need not be slowed down to one core
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    print(f"node {version.stdout.strip()}, python {sys.version.split()[0]}, {pinning}")

    rows = []
    with tempfile.TemporaryDirectory(prefix="shomeisho-peers-") as tmp:
        workdir = Path(tmp)
        if args.dcc_corpus.is_dir():
            rows.append(compare_dcc(node, args.dcc_corpus, settings, workdir))
        else:
            print(f"DCC corpus not found at {args.dcc_corpus}: DCC comparison skipped")
        rows.extend(compare_shc(node, args.shc_cards, settings, workdir))
    print_table(rows, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
