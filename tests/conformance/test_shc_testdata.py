"""The SMART Health Cards validator's test files (health-cards-dev-tools), row by row.

Every row of ``shc-testdata/EXPECTED.tsv`` names input files, an input kind, a verdict
(accept/reject) and the dev-tools ``ErrorCode`` names expected at ERROR/FATAL level. We run our
verifier on the same input, translate each of our findings into dev-tools terms with the
explicit table :data:`DEVTOOLS` below, and compare:

* the verdict: accept iff no finding maps to an ERROR-level class;
* the ERROR-level classes as a **multiset** (same names, same number of times) for every row,
  except the rows in :data:`COUNT_ONLY`, whose names in EXPECTED.tsv come from comments in the
  dev-tools test (it asserts counts only; see the corpus README): there we compare the count.

Issuer keys come from the local copies listed in ``ISSUERS.tsv`` (nothing is fetched); the
``jwkset`` option adds a key set trusted for no issuer of the card, as dev-tools loads it into its
global key store. Validation time is the row's ``validation_time``. The test prints a summary per
input kind at the end.
"""

from __future__ import annotations

import csv
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from shomeisho.errors import ShomeishoError, Verdict
from shomeisho.formats.shc import card, payload, qrsymbol, shl, verify
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from tests.conformance.conftest import corpus_root

CORPUS = corpus_root() / "shc-testdata"
FILES = CORPUS / "files"

# Our code (exact, else the longest matching prefix) -> dev-tools ErrorCode names. One finding
# may stand for several dev-tools entries where dev-tools reports one defect at two layers.
DEVTOOLS: dict[str, list[str]] = {
    "malformed.trailing": ["TRAILING_CHARACTERS"],
    # dev-tools reports a BOM in the inflated payload twice (JWS layer and payload layer).
    "malformed.json.bom": ["TRAILING_CHARACTERS", "TRAILING_CHARACTERS"],
    "malformed.json": ["JSON_PARSE_ERROR"],
    "malformed.duplicate_key": ["JSON_PARSE_ERROR"],
    "malformed.depth": ["JSON_PARSE_ERROR"],
    "malformed.too_long": ["JSON_PARSE_ERROR"],
    "malformed.jws": ["JSON_PARSE_ERROR"],
    "malformed.jws.header": ["JWS_HEADER_ERROR"],
    # no kid / an unusable alg: dev-tools logs the header error and then a failed verification;
    # we decline to verify, which is the same outcome.
    "malformed.jws.header.kid": ["JWS_HEADER_ERROR", "JWS_VERIFICATION_ERROR"],
    "malformed.jws.header.crit": ["JWS_HEADER_ERROR", "JWS_VERIFICATION_ERROR"],
    "signature.algorithm": ["JWS_HEADER_ERROR", "JWS_VERIFICATION_ERROR"],
    "malformed.jwt.not_object": ["JSON_PARSE_ERROR"],
    "decompression": ["INFLATION_ERROR"],
    "encoding.base64": ["JWS_VERIFICATION_ERROR"],
    "encoding.qr": ["QR_DECODE_ERROR"],
    "encoding.numeric": ["INVALID_NUMERIC_QR"],
    "encoding.numeric.header": ["INVALID_NUMERIC_QR_HEADER"],
    "encoding.numeric.chunk_header": ["INVALID_NUMERIC_QR_HEADER"],
    "encoding.numeric.chunk_missing": ["MISSING_QR_CHUNK"],
    "invalid.qr.chunked": ["QR_CHUNKING_DEPRECATED"],
    "invalid.qr.too_long": ["INVALID_NUMERIC_QR"],
    "invalid.qr.unneeded_chunks": ["INVALID_QR"],
    "invalid.qr.unbalanced_chunks": ["UNBALANCED_QR_CHUNKS"],
    "invalid.qr.jws_too_long": ["JWS_TOO_LONG"],
    "invalid.qr.version": ["INVALID_QR_VERSION"],
    "invalid.qr.version_not_minimal": ["INVALID_QR_VERSION"],
    "invalid.qr.segments": ["INVALID_QR"],
    "invalid.qr.segments_unknown": [],
    "signature.format": ["SIGNATURE_FORMAT_ERROR"],
    "signature.mismatch": ["JWS_VERIFICATION_ERROR"],
    "untrusted.unknown_issuer": ["ISSUER_KEY_DOWNLOAD_ERROR", "JWS_VERIFICATION_ERROR"],
    "untrusted.no_key": ["JWS_VERIFICATION_ERROR"],
    "untrusted.issuer_mismatch": ["ISSUER_KID_MISMATCH"],
    "untrusted.bad_key": ["INVALID_KEY_SCHEMA"],
    "untrusted.x5c": ["INVALID_KEY_X5C"],
    "expired.signer": ["INVALID_KEY_X5C"],
    "not_yet_valid.signer": ["INVALID_KEY_X5C"],
    "untrusted.crl": ["REVOCATION_ERROR"],
    "untrusted.crl.unavailable": [],
    "revoked": ["REVOCATION_ERROR"],
    "schema.jwt": ["SCHEMA_ERROR"],
    "schema.jwt.iss_url": ["INVALID_ISSUER_URL"],
    "schema.jwt.nbf_milliseconds": ["NOT_YET_VALID"],
    "schema.jwt.exp_before_nbf": ["EXPIRATION_ERROR"],
    "schema.jwt.exp_milliseconds": ["EXPIRATION_ERROR"],
    "expired": ["EXPIRATION_ERROR"],
    "not_yet_valid": ["NOT_YET_VALID"],
    "schema.vc": ["SCHEMA_ERROR"],
    "schema.vc.fhir_bundle": ["CRITICAL_DATA_MISSING"],
    "schema.vc.rid": ["REVOCATION_ERROR"],
    "schema.vc_type": ["SCHEMA_ERROR"],
    "schema.fhir": ["FHIR_SCHEMA_ERROR"],
    # dev-tools flags an empty string twice: its FHIR JSON schema (string pattern) and its
    # empty-element walk.
    "schema.fhir.empty_string": ["FHIR_SCHEMA_ERROR", "FHIR_SCHEMA_ERROR"],
    "schema.fhir.no_entries": ["CRITICAL_DATA_MISSING"],
    "schema.fhir.profile": ["PROFILE_ERROR"],
    "schema.card_file": ["SCHEMA_ERROR"],
    "schema.record": [],  # "valid card, but not a vaccination record we show": no dev-tools peer
    "input.file_extension": ["INVALID_FILE_EXTENSION"],
    "malformed.shl": ["SHLINK_VERIFICATION_ERROR"],
    "invalid.shl": ["SHLINK_VERIFICATION_ERROR"],
    "invalid.shl.not_https": ["SHLINK_NOT_HTTPS_URL"],
    # dev-tools checks https for file URLs only; we also refuse a plain-http manifest URL (the
    # passcode travels in that request). No dev-tools counterpart.
    "invalid.shl.not_https.manifest": [],
    "input.shl.passcode": ["SHLINK_INVALID_PASSCODE"],
    "unreadable.shl": ["SHLINK_VERIFICATION_ERROR"],
}
# Where dev-tools' level differs from ours: it reports these at WARNING while our verdict for an
# expired or early card is "expired" / "not_yet_valid" (the findings are errors for us).
WARNING_LEVEL = {"expired", "not_yet_valid"}
COUNT_ONLY = {"fhirbundle-non-short-refs", "fhirbundle-non-dm-properties"}
# Rows compared as sets of names, with the reason the counts differ.
SET_ONLY = {
    "fhirbundle-profile-usa": "we also reject occurrenceDateTime '01-01-2021' as not a FHIR "
    "dateTime (one more FHIR_SCHEMA_ERROR than dev-tools)",
}
# The corpus README: INVALID_KEY_X5C appears only when dev-tools runs with openssl, which checks
# the x5c of every key in the issuer's set. We check x5c on the key that signed (here 3Kfdg...,
# which has none), so we match the expectation without openssl.
ALTERNATIVES = {
    "issuer-url-http": [["INVALID_ISSUER_URL"]],
    "issuer-url-trailing-slash": [["INVALID_ISSUER_URL"]],
}
JWKSET_ISSUER = "urn:shomeisho:test:jwkset"


@dataclass(frozen=True)
class Row:
    case_id: str
    files: list[str]
    kind: str
    verdict: str
    errors: list[str]
    at: datetime
    warnings: list[str]
    options: dict[str, str]


def _rows() -> list[Row]:
    with (CORPUS / "EXPECTED.tsv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        rows = []
        for r in reader:
            options = dict(o.split("=", 1) for o in r["options"].split(";") if o)
            rows.append(
                Row(
                    r["case_id"],
                    r["files"].split(","),
                    r["input_kind"],
                    r["verdict"],
                    [e for e in r["error_classes"].split(";") if e],
                    datetime.fromtimestamp(int(r["validation_time"]), UTC),
                    [w for w in r["warning_classes"].split(";") if w],
                    options,
                )
            )
    return rows


ROWS = _rows()


def devtools_classes(code: str) -> list[str]:
    for prefix in sorted(DEVTOOLS, key=len, reverse=True):
        if code == prefix or code.startswith(prefix + "."):
            return DEVTOOLS[prefix]
    raise AssertionError(f"no dev-tools mapping for our code {code!r}; add it to DEVTOOLS")


SHL_KINDS = {"shlink", "shlpayload", "shlmanifest", "shlfile"}
SHL_PORT = 8090


class _ShlHandler(BaseHTTPRequestHandler):
    """The dev-tools SHL test server, re-done: serves files/shl-examples/*.json on :8090."""

    examples: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        segment = self.path.strip("/")
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        for example in self.examples:
            if example["randomUrlSegment"] != segment or "U" in example["payload"].get("flag", ""):
                continue
            needs_passcode = "P" in example["payload"].get("flag", "")
            if needs_passcode and request.get("passcode") != example["passcode"]:
                example["attempts"] -= 1
                self._send(401, json.dumps({"remainingAttempts": example["attempts"]}).encode())
                return
            files = [
                {
                    "contentType": "application/smart-health-card",
                    "location": f"http://localhost:{SHL_PORT}/shl/{path}",
                }
                for path in example["filePaths"]
            ]
            self._send(200, json.dumps({"files": files}).encode())
            return
        self._send(404, b"{}")

    def do_GET(self) -> None:
        segment = self.path.split("?", 1)[0].removeprefix("/shl/")
        for example in self.examples:
            for path, jwe in zip(example["filePaths"], example["jweFiles"], strict=True):
                if segment == path:
                    self._send(200, jwe.encode(), "application/jose")
                    return
        self._send(404, b"{}")


@pytest.fixture(scope="session")
def shl_fetch() -> Iterator[shl.Fetcher | None]:
    with serve_shl() as fetch:
        yield fetch


@contextmanager
def serve_shl() -> Iterator[shl.Fetcher | None]:
    """The local SHL server and a fetcher allowed to use plain http to it.

    The corpus links name ``http://localhost:8090``. The server prefers that port; when it is
    taken (a parallel test run), it listens on a free port and the fetcher routes
    ``localhost:8090`` there, so the URLs the verifier sees stay those of the corpus.
    """
    _ShlHandler.examples = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((FILES / "shl-examples").glob("*.json"))
    ]
    try:
        server = ThreadingHTTPServer(("127.0.0.1", SHL_PORT), _ShlHandler)
    except OSError:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _ShlHandler)
        except OSError:
            yield None
            return
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    inner = shl.urllib_fetcher(allow_http_hosts=frozenset({"localhost", "127.0.0.1"}))

    def fetch(method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        return inner(method, url.replace(f"//localhost:{SHL_PORT}/", f"//127.0.0.1:{port}/"), body)

    try:
        yield fetch
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def corpus_trust() -> tuple[TrustStore, dict[str, dict[str, dict[str, Any]]]]:
    return load_corpus_trust()


def load_corpus_trust() -> tuple[TrustStore, dict[str, dict[str, dict[str, Any]]]]:
    """Issuer keys and CRLs from ISSUERS.tsv, read from the local copies (no network)."""
    store = TrustStore()
    crls: dict[str, dict[str, dict[str, Any]]] = {}
    with (CORPUS / "ISSUERS.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["jwks_path"]:
                try:
                    jwks = strict_json.loads((CORPUS / row["jwks_path"]).read_bytes())
                    store.add_jwks(row["iss"], jwks)
                except ShomeishoError:
                    pass  # files/badjwks is deliberately not JSON: that issuer stays unknown
            if row["crl_dir"]:
                for path in sorted((CORPUS / row["crl_dir"]).glob("*.json")):
                    doc = strict_json.loads(path.read_bytes())
                    crls.setdefault(row["iss"], {})[doc["kid"]] = doc
    return store, crls


def _shl(result: shl.ShlResult) -> list[Any]:
    return [result, *result.cards]


def row_trust(row: Row, trust: TrustStore) -> TrustStore:
    """The corpus trust, plus the row's ``jwkset`` (trusted for no issuer of the card)."""
    if "jwkset" not in row.options:
        return trust
    extra = TrustStore()
    extra.merge(trust)
    extra.add_jwks(JWKSET_ISSUER, strict_json.loads((CORPUS / row.options["jwkset"]).read_bytes()))
    return extra


def row_sinks(
    row: Row, trust: TrustStore, crls: dict[str, Any], fetch: shl.Fetcher | None = None
) -> list[Any]:
    """What our verifier returns for one row: Verifications, Findings or ShlResults."""
    trust = row_trust(row, trust)
    data = [(FILES / name).read_bytes() for name in row.files]
    at = row.at
    sinks: list[Any]
    if row.kind == "fhirbundle":
        sinks = [payload.check_bundle_document(data[0], profile_name=row.options.get("profile"))]
    elif row.kind == "jwspayload":
        sinks = [payload.check_payload_document(data[0], at)]
    elif row.kind == "jws":
        sinks = [verify.verify_jws(data[0].decode("utf-8"), trust, at, crls=crls)]
    elif row.kind == "healthcard":
        sinks = card.verify_health_card_file(data[0], trust, at, filename=row.files[0], crls=crls)
    elif row.kind == "fhirhealthcard":
        sinks = card.verify_fhir_health_card(data[0], trust, at, crls=crls)
    elif row.kind == "qrnumeric":
        texts = [d.decode("utf-8") for d in data]
        sinks = [verify.verify_chunks(texts, trust, at, crls=crls)]
    elif row.kind == "qr":
        try:
            symbols = qrsymbol.read_symbols(data[0]) if len(data) == 1 else []
        except ShomeishoError:
            symbols = []
        if symbols and symbols[0].text.startswith("shlink:/"):
            sinks = _shl(
                shl.verify_link_qr(
                    data[0], trust, at, fetch=fetch, passcode=row.options.get("passCode"), crls=crls
                )
            )
        else:
            sinks = [qrsymbol.verify_qr_images(data, trust, at, crls=crls)]
    elif row.kind == "shlink":
        sinks = _shl(
            shl.verify_link(
                data[0].decode("utf-8"),
                trust,
                at,
                fetch=fetch,
                passcode=row.options.get("passCode"),
                crls=crls,
            )
        )
    elif row.kind == "shlpayload":
        sinks = _shl(
            shl.verify_payload(
                data[0], trust, at, fetch=fetch, passcode=row.options.get("passCode"), crls=crls
            )
        )
    elif row.kind == "shlmanifest":
        sinks = _shl(
            shl.verify_manifest(
                data[0], row.options["decryptionKey"], trust, at, fetch=fetch, crls=crls
            )
        )
    elif row.kind == "shlfile":
        sinks = _shl(
            shl.verify_manifest_file(
                data[0], row.options["decryptionKey"], trust, at, fetch=fetch, crls=crls
            )
        )
    else:
        raise AssertionError(f"unknown input kind {row.kind}")
    return sinks


def run_row(
    row: Row, trust: TrustStore, crls: dict[str, Any], fetch: shl.Fetcher | None = None
) -> list[tuple[ShomeishoError, bool]]:
    """Our findings for one row, as (finding, is_error) pairs; each finding object once."""
    seen: set[int] = set()
    findings: list[Any] = []
    for sink in row_sinks(row, trust, crls, fetch):
        for is_error, items in ((True, sink.errors), (False, sink.warnings)):
            for item in items:
                if id(item) not in seen:
                    seen.add(id(item))
                    findings.append((item, is_error))
    return findings


def translate(row: Row, findings: list[Any]) -> tuple[Counter[str], Counter[str]]:
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    excluded = {"FHIR_SCHEMA_ERROR"} if row.options.get("exclude") == "fhir-schema-error" else set()
    for item, is_error in findings:
        level_error = is_error and item.code not in WARNING_LEVEL
        for name in devtools_classes(item.code):
            if name not in excluded:
                (errors if level_error else warnings)[name] += 1
    return errors, warnings


def agrees(row: Row, errors: Counter[str]) -> bool:
    expected = Counter(row.errors)
    verdict = "reject" if errors else "accept"
    if verdict != row.verdict:
        return False
    if row.case_id in COUNT_ONLY:
        return sum(errors.values()) == sum(expected.values())
    if row.case_id in SET_ONLY:
        return set(errors) == set(expected)
    return errors == expected or any(
        errors == Counter(alt) for alt in ALTERNATIVES.get(row.case_id, [])
    )


@pytest.mark.conformance
@pytest.mark.parametrize("row", ROWS, ids=[r.case_id for r in ROWS])
def test_row(row: Row, corpus_trust: tuple[TrustStore, Any], shl_fetch: shl.Fetcher | None) -> None:
    trust, crls = corpus_trust
    if _needs_server(row) and shl_fetch is None:
        pytest.skip("no local port for the SHL test server; the SHL rows need it")
    findings = run_row(row, trust, crls, shl_fetch)
    errors, _ = translate(row, findings)
    ours = [(f.code, "error" if e else "warning") for f, e in findings]
    assert agrees(row, errors), (
        f"{row.case_id}: expected {row.verdict} {sorted(row.errors)}, got "
        f"{'reject' if errors else 'accept'} {sorted(errors.elements())}; our findings: {ours}"
    )


@pytest.mark.conformance
@pytest.mark.parametrize(
    "row",
    [
        r
        for r in ROWS
        if r.verdict == "accept"
        and r.kind in ("jws", "healthcard", "fhirhealthcard", "qrnumeric", "qr")
    ],
    ids=lambda r: r.case_id,
)
def test_accepted_cards_verify(row: Row, corpus_trust: tuple[TrustStore, Any]) -> None:
    """Beyond dev-tools' view: every card in an accepted input has a verified signature, a
    record we can show, and our verdict valid."""
    trust, crls = corpus_trust
    results = row_sinks(row, trust, crls)
    assert results and all(isinstance(r, Verification) for r in results)
    for result in results:
        assert result.verdict is Verdict.VALID, result.errors
        assert result.signature_verified and result.record is not None


def test_summary(
    corpus_trust: tuple[TrustStore, Any],
    shl_fetch: shl.Fetcher | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows agreeing per input kind (printed), and the same check in aggregate."""
    trust, crls = corpus_trust
    per_kind: dict[str, list[int]] = {}
    failing = []
    same_warnings = 0
    for row in ROWS:
        errors, warnings = translate(row, run_row(row, trust, crls, shl_fetch))
        ok = agrees(row, errors)
        same_warnings += warnings == Counter(row.warnings)
        tally = per_kind.setdefault(row.kind, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            failing.append(row.case_id)
    with capsys.disabled():
        print("\nSHC conformance (health-cards-dev-tools corpus): rows agreeing / total")
        for kind, (ok, total) in sorted(per_kind.items()):
            print(f"  {kind:15s} {ok:3d} / {total}")
        print(f"  {'all':15s} {sum(v[0] for v in per_kind.values()):3d} / {len(ROWS)}")
        print(
            f"  compared as multisets, except count-only: {', '.join(sorted(COUNT_ONLY))}; "
            f"as sets: {', '.join(sorted(SET_ONLY))}; README alternatives accepted for: "
            f"{', '.join(sorted(ALTERNATIVES))}"
        )
        print(
            f"  (not compared) WARNING-level classes equal as multisets: {same_warnings} / "
            f"{len(ROWS)} rows"
        )
        if failing:
            print("  disagreeing:", ", ".join(failing))
    assert not failing


def _needs_server(row: Row) -> bool:
    return row.kind in SHL_KINDS or row.files[0].startswith("shlink")
