"""Instructions per DCC verification against one raw ECDSA P-256 verify, counted by callgrind.

Run:  .venv/bin/python benchmarks/instructions.py [--calls 1000]      (needs valgrind)

Wall-clock rates on a shared machine move by 20 % within a minute; instruction counts do not.
Each figure is (instructions of a run with N calls - a run with none) / N, with a fixed hash
seed. Instructions are not time: OpenSSL's P-256 code runs about three instructions per cycle
and Python's interpreter about one, so the time ratio is lower than the instruction ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def workload(stage: str, calls: int) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from shomeisho import pki
    from shomeisho.demo_record import demo_record
    from shomeisho.formats import all_formats
    from shomeisho.formats.dcc import cose, transport
    from shomeisho.signing import LocalSigner, raw_to_der
    from shomeisho.trust.store import TrustStore

    now = datetime(2026, 11, 1, tzinfo=UTC)
    csca = pki.create_authority("JP", "bench CSCA", not_before=now - timedelta(days=1))
    dsc = pki.create_dcc_signer(csca, "JP", "bench DSC", not_before=now - timedelta(days=1))
    trust = TrustStore()
    trust.add_certificate(dsc.certificate)
    fmt = all_formats()["dcc"]
    signer = LocalSigner("dcc", dsc.key, dsc.certificate)
    text = fmt.issue(
        demo_record(), signer, issuer="JP", issued_at=now, expires_at=now + timedelta(days=365)
    ).text
    message = cose.decode(transport.decode(text))
    data = cose.sig_structure(message.protected_bytes, message.payload)
    signature, key = raw_to_der(message.signature), dsc.certificate.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())
    at = now + timedelta(minutes=1)
    stages = {
        "dcc_verify": lambda: fmt.verify(text, trust, at=at),
        "raw_ecdsa_verify": lambda: key.verify(signature, data, algorithm),
    }
    run = stages[stage]
    for _ in range(calls):
        run()


def count(stage: str, calls: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--run",
        stage,
        str(calls),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--run":
        workload(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    base = count("dcc_verify", 0)
    per_call = {
        stage: (count(stage, args.calls) - base) / args.calls
        for stage in ("raw_ecdsa_verify", "dcc_verify")
    }
    raw, ours = per_call["raw_ecdsa_verify"], per_call["dcc_verify"]
    print(f"raw ECDSA P-256 verify: {raw:>12,.0f} instructions")
    print(f"DCC full verification:  {ours:>12,.0f} instructions")
    print(f"ratio (raw / ours, as a rate ratio): {raw / ours:.3f}")


if __name__ == "__main__":
    main()
