"""``shomeisho demo``: the embedded default's main job, end to end on this machine.

Creates demo keys (once), issues the demo resident's certificate in every format, writes the QR
PNG/SVG files, reads each PNG back with the QR decoder and verifies it against the trust bundle,
printing what it did and how long each step took. Exit status 1 if any step fails.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shomeisho import qr
from shomeisho.cli.context import load_settings
from shomeisho.demo_record import demo_record
from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.issued_files import write_issued
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.record_file import record_to_dict
from shomeisho.trust.store import load_trust_file

out = Console(highlight=False, soft_wrap=True)


def demo(
    out_dir: Path = typer.Option(
        Path("shomeisho-demo"), "--out", help="Folder for demo keys and certificates."
    ),
) -> None:
    """Issue the demo resident's certificate in every format, write the QR images, read them back
    and verify them, printing each step."""
    settings = load_settings(True)
    passphrase = settings.key_passphrase.get_secret_value()
    keys_dir = out_dir / "keys"
    if not (keys_dir / "issuer.json").exists():
        create_demo_trust_setup(
            keys_dir,
            passphrase,
            country=settings.country,
            country_alpha3=settings.country_alpha3,
            shc_issuer=settings.shc_issuer_url,
        )
        out.print(f"Created demo keys and trust bundle in [bold]{keys_dir}[/]")
    else:
        out.print(f"Using demo keys in [bold]{keys_dir}[/]")
    setup = IssuerSetup.load(keys_dir)
    store = FileKeyStore(keys_dir, passphrase)
    trust = load_trust_file(keys_dir / "trust-bundle.json")
    record = demo_record()
    record_path = out_dir / "record.json"
    record_path.write_text(
        json.dumps(record_to_dict(record), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    out.print(
        f"Demo resident: {record.person.name.display()} "
        f"({record.person.name.romanised_display()}), {len(record.events)} doses "
        f"-> {record_path}"
    )

    table = Table(title="Issue → QR PNG → read back → verify")
    for column in ("format", "QR", "files", "issue ms", "read ms", "verify ms", "verdict"):
        table.add_column(column)
    now = datetime.now(UTC).replace(microsecond=0)
    failures = 0
    for fmt in all_formats().values():
        started = time.perf_counter()
        issued = fmt.issue(
            record,
            store.signer(setup.signer_for(fmt.name)),
            issuer=setup.issuer_for(fmt.name),
            issued_at=now,
            expires_at=now + timedelta(days=365),
        )
        issue_ms = (time.perf_counter() - started) * 1000
        paths = write_issued(issued, out_dir / "certificates")
        png = next(p for p in paths if p.suffix == ".png")
        started = time.perf_counter()
        codes = qr.read_codes(png.read_bytes())
        read_ms = (time.perf_counter() - started) * 1000
        symbol = qr.make_symbol(issued.text, fmt.name)
        if len(codes) != 1 or codes[0].text != issued.text:
            failures += 1
            table.add_row(
                fmt.name,
                "",
                png.name,
                f"{issue_ms:.1f}",
                f"{read_ms:.1f}",
                "-",
                "[red]QR did not read back[/]",
            )
            continue
        started = time.perf_counter()
        result = fmt.verify(codes[0].text, trust, at=now + timedelta(minutes=1))
        verify_ms = (time.perf_counter() - started) * 1000
        same = (
            result.record is not None
            and result.record.person.birth_date == record.person.birth_date
        )
        ok = result.verdict is Verdict.VALID and same
        failures += 0 if ok else 1
        verdict = (
            "[green]valid[/]"
            if ok
            else f"[red]{result.verdict.value}[/] " + "; ".join(e.code for e in result.errors)
        )
        table.add_row(
            fmt.name,
            f"v{symbol.version}-{symbol.error}",
            paths[0].stem + ".{" + ",".join(p.name.split(".", 1)[1] for p in paths) + "}",
            f"{issue_ms:.1f}",
            f"{read_ms:.1f}",
            f"{verify_ms:.1f}",
            verdict,
        )
    out.print(table)
    out.print(
        f"Certificates and QR images are in [bold]{out_dir / 'certificates'}[/]. "
        f"Verify any of them with: shomeisho verify FILE --trust "
        f"{keys_dir / 'trust-bundle.json'}"
    )
    if failures:
        raise typer.Exit(1)
