"""``shomeisho verify``: a verdict for every certificate in the inputs, offline."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shomeisho.cli.trust import default_state, open_trust_list
from shomeisho.errors import InputError, RuleFailedError, Verdict
from shomeisho.presented import Outcome, read_input
from shomeisho.trust.revocation import merge_shc_crls
from shomeisho.trust.store import TrustStore, load_trust_file
from shomeisho.trust.synced import describe_age
from shomeisho.verifier import Verifier

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
    bundle: Path | None = typer.Option(
        None,
        "--bundle",
        help="Signed national trust list: a file (with --operator-key, or the key beside it) or "
        "a folder synced by 'trust sync'. Default: the synced folder, when there is no --trust.",
    ),
    operator_key: Path | None = typer.Option(
        None, "--operator-key", help="The operator's public key (PEM) that signs --bundle."
    ),
    country: str | None = typer.Option(
        None,
        "--country",
        help="Apply the acceptance rules of this country of arrival (ISO alpha-2, e.g. JP).",
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input on stdout."),
) -> None:
    """Verify certificates offline and print a verdict for each; exit 0 only if all are valid."""
    clock = parse_clock(at)
    verifier = _verifier(trust, issuer, bundle, operator_key)
    presented = []
    for index, argument in enumerate(inputs, 1):
        presented.extend(read_input(argument, index=index))
    outcomes = verifier.verify(presented, at=clock, country=country.upper() if country else None)
    listed = verifier.trust_list
    if as_json:
        for outcome in outcomes:
            shown = outcome.as_dict()
            if listed is not None:
                shown["trust_list"] = {
                    "version": listed.version,
                    "age_seconds": int(listed.age(clock)),
                    "stale": listed.is_stale(clock),
                }
            sys.stdout.write(json.dumps(shown, ensure_ascii=False) + "\n")
    else:
        _print_table(outcomes)
        if listed is not None:
            stale = " [bold yellow]stale: sync a newer list[/]" if listed.is_stale(clock) else ""
            out.print(
                f"Trust list version {listed.version} of {listed.operator}, issued "
                f"{describe_age(listed.age(clock))} ago{stale}"
            )
    if not outcomes or any(o.verification.verdict is not Verdict.VALID for o in outcomes):
        raise typer.Exit(1)


def _verifier(
    trust: list[Path], issuer: str | None, bundle: Path | None, operator_key: Path | None
) -> Verifier:
    """The trust given on the command line: --trust files, a signed --bundle, or (with
    neither) the list this machine synced, if any."""
    store = TrustStore()
    for path in trust:
        store.merge(load_trust_file(path, issuer=issuer))
    if bundle is None and not trust and (default_state() / "trust-list.json").exists():
        bundle = default_state()
    if bundle is None:
        return Verifier(store)
    signed, state = open_trust_list(bundle, operator_key)
    listed = signed.content.trust_store()
    if state is not None:  # every revocation this verifier ever accepted stays in force
        dcc, shc = state.revocations()
        listed.dcc_revocations.merge(dcc)
        merge_shc_crls(listed.shc_crls, shc)
    listed.merge(store)
    return Verifier.from_trust_list(listed, signed.content)


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
        details = "\n".join(
            f"{e.code}: {e}" + (f" [{e.rule_id}]" if isinstance(e, RuleFailedError) else "")
            for e in result.errors
        )
        details += "".join(f"\nnote: {w}" for w in result.warnings)
        details += "".join(f"\nnote: {n}" for n in outcome.notes)
        table.add_row(
            outcome.source, result.format, _VERDICT_WORDS[result.verdict], holder, details.strip()
        )
    out.print(table)
