"""The PDF of an overseas certificate (three codes): our rendering against issuing it.

Run:  .venv/bin/python benchmarks/paper.py [--rounds 10]

Measured in the same run on one core:
- **issue**: signing the three formats of one overseas issuance (SHC, VDS-NC, DCC) with the demo
  keys, which the resident waits for on the last page of the procedure;
- **pdf**: laying out the A4 sheet and embedding the font subset and three vector QR codes
  (what "save the PDF" costs, on demand, after the certificate page is shown).
The ratio pdf / issue is what carries over between machines. The PDF is not part of the timed
procedure (it is downloaded after the certificate is on screen), but a counter printing for a
queue of residents waits for it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.paper.pdf import render_certificate_pdf
from shomeisho.paper.sheet import sheet_for
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.entities import (
    EventDetails,
    EventStatus,
    Resident,
    ResidentDetails,
    Sex,
    VaccinationEventRecord,
)
from shomeisho.records.service import ResidentFile

PASSPHRASE = "benchmark-passphrase"


def resident_file() -> ResidentFile:
    names = ("髙橋", "𠮷子", "タカハシ", "ヨシコ", "TAKAHASHI", "YOSHIKO")
    details = ResidentDetails("131016", "B1", *names, "1961-04-09", Sex.FEMALE, "山﨑")
    now = datetime.now(UTC)
    events = [
        VaccinationEventRecord(
            f"E{n}",
            "R1",
            "131016",
            EventDetails(day, "comirnaty", "FA4597", n, "千代田区役所", "vrs", f"V-{n}"),
            EventStatus.ACTIVE,
            1,
            "",
            "benchmark",
            now,
        )
        for n, day in enumerate((date(2021, 6, 1), date(2021, 6, 22), date(2022, 1, 20)), 1)
    ]
    return ResidentFile(Resident("R1", details, None, False, now, now), events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        keys = Path(folder) / "keys"
        create_demo_trust_setup(keys, PASSPHRASE, country="JP", country_alpha3="JPN",
                                shc_issuer="https://demo.shomeisho.example.jp/issuer")  # fmt: skip
        issuer = CertificateIssuer(FileKeyStore(keys, PASSPHRASE), IssuerSetup.load(keys),
                                   with_dcc=True)  # fmt: skip
        file = resident_file()
        travel = TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
        issue_times, pdf_times, sizes = [], [], []
        render_certificate_pdf(sheet_for(file, use="overseas", certificate_id="warm-up",
                                         issued_at=datetime.now(UTC), codes=[]))  # fmt: skip
        for _ in range(rounds):
            started = time.perf_counter()
            issued = issuer.issue(file, Use.OVERSEAS, travel)
            issue_times.append(time.perf_counter() - started)
            sheet = sheet_for(file, use="overseas", certificate_id=issued.certificate_id,
                              issued_at=issued.issued_at,
                              codes=[(c.format, c.text) for c in issued.certificates])  # fmt: skip
            started = time.perf_counter()
            sizes.append(len(render_certificate_pdf(sheet)))
            pdf_times.append(time.perf_counter() - started)
    issue, pdf = statistics.median(issue_times), statistics.median(pdf_times)
    print(f"rounds: {rounds} (medians)")
    print(f"issue three formats: {issue * 1000:8.1f} ms")
    print(f"render the PDF:      {pdf * 1000:8.1f} ms  ({statistics.median(sizes) / 1024:.0f} KiB)")
    print(f"pdf / issue:         {pdf / issue:8.1f}")


if __name__ == "__main__":
    main()
