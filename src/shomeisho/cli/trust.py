"""``shomeisho trust build|show|sync``: the national trust list, from the operator to verifiers.

The operator builds and signs one file; a verifier syncs it while online (from a URL or a file)
into its own folder and verifies offline with the last list it accepted. Fetching is the only
network access a verifier makes, and it carries nothing about whom was verified.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shomeisho.cli.context import load_settings
from shomeisho.errors import InputError, ShomeishoError, TrustListError
from shomeisho.issuer_setup import OPERATOR_KEY_FILE
from shomeisho.keys import FileKeyStore
from shomeisho.trust.revocation import DccRevocations, merge_shc_crls
from shomeisho.trust.store import TrustStore, load_trust_file
from shomeisho.trust.synced import SyncedTrustList, describe_age, load_operator_keys
from shomeisho.trust.trust_list import (
    MAX_LIST_BYTES,
    SignedTrustList,
    TrustListContent,
    read_trust_list,
    sign_trust_list,
)

out = Console(highlight=False, soft_wrap=True)
OPERATOR_KEY_NAME = "trust-list"


def default_state() -> Path:
    """Where a verifier keeps its synced list unless told otherwise: ``{data dir}/trust``
    (``SHOMEISHO_DATA_DIR``, else ``shomeisho-data``). A verifier needs no passphrase or
    secret, so this reads the one setting it needs, not the issuer's settings."""
    return Path(os.environ.get("SHOMEISHO_DATA_DIR", "shomeisho-data")) / "trust"


def build(
    out_file: Path = typer.Option(
        ..., "--out", help="Trust list file to write (version: the one there + 1)."
    ),
    keys_dir: Path = typer.Option(
        ..., "--keys", help="Folder from 'keys init': the operator key and the issuer's anchors."
    ),
    trust: list[Path] = typer.Option(
        [], "--trust", help="More anchors: certificate, CRL, JWKS (with --issuer). Repeatable."
    ),
    issuer: str | None = typer.Option(None, "--issuer", help="The iss URL of a JWKS in --trust."),
    issuer_country: str | None = typer.Option(
        None,
        "--issuer-country",
        help="That SHC issuer's country (ISO alpha-2): its invalidation rules apply to its cards.",
    ),
    revocations: list[Path] = typer.Option(
        [], "--revocations", help="Revocation file ({dcc: [...], shc: {...}}). Repeatable."
    ),
    rules: list[Path] = typer.Option(
        [], "--rules", help="Business-rule JSON files (a list of EU rule documents) to add."
    ),
    no_shipped_rules: bool = typer.Option(
        False, "--no-shipped-rules", help="Leave out the rule sets shipped with shomeisho."
    ),
    version: int | None = typer.Option(None, "--version", help="Version (default: previous+1)."),
    operator: str = typer.Option("JP national operator", "--operator", help="Operator's name."),
    next_update_days: int = typer.Option(
        7, "--next-update-days", help="Days until verifiers should expect a newer list."
    ),
    demo: bool = typer.Option(False, "--demo", help="Keys use the demo passphrase."),
) -> None:
    """Build and sign the national trust list: anchors, CRLs, revocations, value sets, rules."""
    settings = load_settings(demo)
    keys = FileKeyStore(keys_dir, settings.key_passphrase.get_secret_value())
    signer = keys.signer(OPERATOR_KEY_NAME)
    store = TrustStore()
    own = keys_dir / "trust-bundle.json"
    if own.exists():
        store.merge(load_trust_file(own))
    for path in trust:
        store.merge(load_trust_file(path, issuer=issuer))
    if issuer_country is not None:
        code = issuer_country.strip().upper()
        if issuer is None or len(code) != 2 or not code.isalpha():
            raise InputError(
                "--issuer-country takes an ISO alpha-2 code and goes with --issuer URL",
                code="input.option",
            )
        store.issuer_countries[issuer] = code
    for path in revocations:
        _merge_revocations(store, path)
    previous = _previous_version(out_file, signer.public_key())
    if version is None:
        version = previous + 1
    elif version <= previous:
        raise InputError(
            f"--version {version} is not newer than version {previous} in {out_file}; "
            "verifiers would refuse it",
            code="input.option",
        )
    now = datetime.now(UTC).replace(microsecond=0)
    content = TrustListContent.from_store(
        store,
        version=version,
        issued_at=now,
        operator=operator,
        next_update=now + timedelta(days=next_update_days),
    )
    if not no_shipped_rules:
        _add_shipped_rules(content)
    for path in rules:
        content.rules.extend(_read_rule_file(path))
    data = sign_trust_list(content, signer)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    out.print(f"Wrote trust list version [bold]{version}[/] to {out_file} ({len(data):,} bytes)")
    _print_counts(content)


def show(
    source: Path = typer.Argument(
        None, help="A trust list file, or a verifier's folder (default: the synced folder)."
    ),
    operator_key: Path | None = typer.Option(
        None, "--operator-key", help="The operator's public key (PEM) to check the list with."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Check a trust list's signature and say what it holds and how old it is."""
    signed, state = open_trust_list(source, operator_key)
    now = datetime.now(UTC)
    content = signed.content
    summary: dict[str, Any] = {
        "version": content.version,
        "operator": content.operator,
        "issued_at": content.issued_at.isoformat(),
        "age_seconds": int(content.age(now)),
        "next_update": content.next_update.isoformat() if content.next_update else None,
        "stale": content.is_stale(now),
        "signed_by": signed.key_id,
        "counts": content.counts(),
        "rule_countries": sorted({str(r.get("Country")) for r in content.rules}),
    }
    if state is not None:
        dcc, shc = state.revocations()
        summary["kept_revocations"] = {
            "dcc_hashes": len(dcc),
            "shc_crls": sum(len(v) for v in shc.values()),
        }
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    out.print(
        f"Trust list version [bold]{content.version}[/] by {content.operator}, signed by "
        f"{signed.key_id}"
    )
    out.print(f"  issued {content.issued_at.isoformat()} ({describe_age(content.age(now))} ago)")
    if content.next_update:
        note = " [bold yellow]STALE: a newer list was due; sync it[/]" if summary["stale"] else ""
        out.print(f"  next update by {content.next_update.isoformat()}{note}")
    _print_counts(content)
    if summary["rule_countries"]:
        out.print(f"  rules for: {', '.join(summary['rule_countries'])}")


def sync(
    source: str = typer.Argument(..., help="URL (https, or http on this machine) or file."),
    state_dir: Path | None = typer.Option(
        None, "--state", help="The verifier's folder (default: {data dir}/trust)."
    ),
    operator_key: Path | None = typer.Option(
        None, "--operator-key", help="The operator's public key (PEM); needed on the first sync."
    ),
) -> None:
    """Fetch the national trust list and keep it if it is signed and newer; older is refused."""
    state = SyncedTrustList(state_dir or default_state())
    keys = (
        load_operator_keys(operator_key.read_bytes(), where=str(operator_key))
        if operator_key
        else None
    )
    data = fetch(source)
    outcome = state.sync(data, operator_keys=keys, now=datetime.now(UTC))
    colour = "green" if outcome.accepted else "yellow"
    out.print(f"[bold {colour}]{outcome.message}[/] ({state.directory})")


def fetch(source: str) -> bytes:
    """The bytes of a trust list from a URL or a file, capped in size."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme == "http" and not local:
            raise InputError(
                "a trust list is fetched over https (plain http only from this machine)",
                code="input.trust",
            )
        try:
            with httpx.stream("GET", source, timeout=30, follow_redirects=True) as response:
                response.raise_for_status()
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_LIST_BYTES:
                        raise InputError(
                            f"{source} sends more than {MAX_LIST_BYTES} bytes",
                            code="input.too_large",
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise TrustListError(
                f"could not fetch {source}: {type(exc).__name__}; the list already held stays "
                "in force",
                code="trust.fetch",
            ) from None
    path = Path(source)
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise InputError(
                f"{path} is larger than {MAX_LIST_BYTES} bytes", code="input.too_large"
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", code="input.trust") from None


def open_trust_list(
    source: Path | None, operator_key: Path | None
) -> tuple[SignedTrustList, SyncedTrustList | None]:
    """A checked trust list from a file (with the key given, or the one beside it) or from a
    verifier's synced folder (with its pinned keys, and its kept revocations)."""
    source = source or default_state()
    if source.is_dir():
        state = SyncedTrustList(source)
        if operator_key is None:
            current = state.current()
        else:
            keys = load_operator_keys(operator_key.read_bytes(), where=str(operator_key))
            path = source / "trust-list.json"
            current = read_trust_list(path.read_bytes(), keys) if path.exists() else None
        if current is None:
            raise TrustListError(
                f"{source} holds no synced trust list; run 'shomeisho trust sync' first",
                code="trust.state",
            )
        return current, state
    key_path = operator_key or source.with_name(OPERATOR_KEY_FILE)
    if not key_path.exists():
        raise InputError(
            f"say which operator key checks {source} with --operator-key KEY.pem",
            code="input.trust",
        )
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}", code="input.trust") from None
    keys = load_operator_keys(key_path.read_bytes(), where=str(key_path))
    return read_trust_list(data, keys), None


def _previous_version(path: Path, key: Any) -> int:
    if not path.exists():
        return 0
    try:
        return read_trust_list(path.read_bytes(), [key]).content.version
    except ShomeishoError:
        raise InputError(
            f"{path} exists but is not a trust list signed by this operator key; choose "
            "another --out or remove it",
            code="input.trust",
        ) from None


def _merge_revocations(store: TrustStore, path: Path) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        dcc, shc = doc.get("dcc", []), doc.get("shc", {})
        if not isinstance(shc, dict):
            raise TypeError
    except (OSError, ValueError, TypeError, AttributeError):
        raise InputError(
            f"{path} is not a revocation file ({{'dcc': [...], 'shc': {{...}}}})",
            code="input.revocation",
            where=str(path),
        ) from None
    store.dcc_revocations.merge(DccRevocations.from_documents(dcc, where=str(path)))
    merge_shc_crls(store.shc_crls, shc)


def _read_rule_file(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{path} is not a JSON rule file", code="input.rules") from None
    rules = doc if isinstance(doc, list) else [doc]
    if not all(isinstance(rule, dict) for rule in rules):
        raise InputError(f"{path}: every rule must be a JSON object", code="input.rules")
    return rules


def _add_shipped_rules(content: TrustListContent) -> None:
    """The rule sets and value sets shipped in the package (Japan and the examples)."""
    from shomeisho.rules.rulesets import bundled_rule_book

    book = bundled_rule_book()
    rules, value_sets = book.to_documents()
    content.rules.extend(rules)
    content.value_sets.update(value_sets)


def _print_counts(content: TrustListContent) -> None:
    table = Table(show_header=True, box=None)
    table.add_column("holds")
    table.add_column("count", justify="right")
    for name, count in content.counts().items():
        table.add_row(name.replace("_", " "), f"{count:,}")
    out.print(table)
