"""``shomeisho issue``: sign one record in one format and write the text, QR images and files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from shomeisho.cli.context import load_settings
from shomeisho.errors import InputError
from shomeisho.formats import all_formats
from shomeisho.issued_files import write_issued
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.record_file import record_from_json

out = Console(highlight=False, soft_wrap=True)


class FormatChoice(StrEnum):
    shc = "shc"
    dcc = "dcc"
    vdsnc = "vdsnc"


def issue(
    record_file: Path = typer.Argument(
        ...,
        help="Vaccination record JSON (see docs/record.md).",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
    format_name: FormatChoice = typer.Option(..., "--format", "-f", help="Certificate format."),
    keys_dir: Path = typer.Option(
        ..., "--keys", help="Folder made by 'shomeisho keys init'.", exists=True, file_okay=False
    ),
    out_dir: Path = typer.Option(..., "--out", help="Folder to write the certificate into."),
    valid_days: int = typer.Option(365, help="Days the certificate stays valid (DCC, SHC)."),
    demo: bool = typer.Option(False, "--demo", help="Keys use the demo passphrase."),
) -> None:
    """Issue a signed certificate for RECORD_FILE and write its text, QR PNG/SVG and (SHC) the
    .smart-health-card file."""
    if valid_days < 1:
        raise InputError("--valid-days must be at least 1", code="input.option")
    settings = load_settings(demo)
    record = record_from_json(record_file.read_bytes())
    setup = IssuerSetup.load(keys_dir)
    store = FileKeyStore(keys_dir, settings.key_passphrase.get_secret_value())
    fmt = all_formats()[format_name.value]
    now = datetime.now(UTC).replace(microsecond=0)
    issued = fmt.issue(
        record,
        store.signer(setup.signer_for(fmt.name)),
        issuer=setup.issuer_for(fmt.name),
        issued_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    paths = write_issued(issued, out_dir)
    out.print(f"Issued a {fmt.name.upper()} certificate {record.certificate_id}")
    for path in paths:
        out.print(f"  wrote {path}")
