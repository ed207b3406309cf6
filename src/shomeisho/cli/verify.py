"""``shomeisho verify``: a verdict for every certificate in the inputs, offline."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shomeisho.errors import InputError, Verdict
from shomeisho.presented import Outcome, read_input, verify_presented
from shomeisho.trust.store import TrustStore, load_trust_file

out = Console(highlight=False, soft_wrap=True)

_VERDICT_WORDS = {
    Verdict.VALID: "[bold green]valid 有効[/]",
    Verdict.INVALID: "[bold red]invalid 無効[/]",
    Verdict.UNTRUSTED: "[bold red]untrusted 発行元不明[/]",
    Verdict.EXPIRED: "[bold yellow]expired 期限切れ[/]",
    Verdict.NOT_YET_VALID: "[bold yellow]not yet valid 有効期間前[/]",
    Verdict.UNREADABLE: "[bold red]unreadable 読取不可[/]",
    Verdict.REVOKED: "[bold red]revoked 失効[/]",
    Verdict.RULES_FAILED: "[bold yellow]rules not met 入国条件に不適合[/]",
}


def parse_clock(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--at {text!r} is not an ISO-8601 date-time (e.g. 2026-11-22T09:00:00+09:00)",
            code="input.option",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify(
    inputs: list[str] = typer.Argument(
        ...,
        help="Certificate strings (HC1:…, shc:/…, VDS-NC "
        "JSON) or files (text, .smart-health-card, JSON, PNG, JPEG).",
    ),
    trust: list[Path] = typer.Option(
        [],
        "--trust",
        help="Trust file: certificate (PEM/DER), "
        "CRL, JWKS (with --issuer) or trust bundle. Repeatable.",
    ),
    issuer: str | None = typer.Option(
        None, "--issuer", help="The SHC iss URL a JWKS given with --trust belongs to."
    ),
    at: str | None = typer.Option(None, "--at", help="Validation clock, ISO-8601 (default: now)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input on stdout."),
) -> None:
    """Verify certificates offline and print a verdict for each; exit 0 only if all are valid."""
    clock = parse_clock(at)
    store = TrustStore()
    for path in trust:
        store.merge(load_trust_file(path, issuer=issuer))
    presented = []
    for index, argument in enumerate(inputs, 1):
        presented.extend(read_input(argument, index=index))
    outcomes = verify_presented(presented, store, at=clock)
    if as_json:
        for outcome in outcomes:
            sys.stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False) + "\n")
    else:
        _print_table(outcomes)
    if not outcomes or any(o.verification.verdict is not Verdict.VALID for o in outcomes):
        raise typer.Exit(1)


def _print_table(outcomes: list[Outcome]) -> None:
    table = Table(title="Verification 検証結果", show_lines=True)
    table.add_column("input")
    table.add_column("format")
    table.add_column("verdict")
    table.add_column("holder")
    table.add_column("details")
    for outcome in outcomes:
        result = outcome.verification
        holder = ""
        if result.signature_verified and result.record is not None:
            person = result.record.person
            born = person.birth_date.iso() if person.birth_date else "?"
            holder = f"{person.name.display()}\n{person.name.romanised_display()}\nborn {born}"
        details = "\n".join(f"{e.code}: {e}" for e in result.errors)
        details += "".join(f"\nnote: {w}" for w in result.warnings)
        details += "".join(f"\nnote: {n}" for n in outcome.notes)
        table.add_row(
            outcome.source, result.format, _VERDICT_WORDS[result.verdict], holder, details.strip()
        )
    out.print(table)
