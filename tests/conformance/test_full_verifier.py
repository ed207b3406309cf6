"""Every conformance case again, through a signed national trust list and the universal verifier.

For each case of each corpus (the dgc-testdata files that have a ``PREFIX``, the shc-testdata rows
the SHC module verifies against trust, every VDS-NC run), the trust the corpus module builds for
that case goes into a trust list (``TrustListContent.from_store``), signed with an operator key
made for this test session only, and is read back with ``read_trust_list`` (signature, then
content checks). The case's input, read as the verifier's callers read it
(``shomeisho.presented.read_bytes``), then goes through
``Verifier.from_trust_list(...).verify(...)`` at the case's clock. Its verdicts and error codes
must equal those of the format's own verification of the same input with the same trust, which
the corpus modules (``test_dgc_testdata``, ``test_shc_testdata``, ``test_vdsnc``) show to agree
with each corpus. Their helpers build both the trust and that reference here.

Two lists hold the cases that do not agree, one by one, each with the reason and a check that the
reason is really there; a listed case must also still be refused / still differ, so neither list
can go stale:

* :data:`REFUSED`: the trust list will not carry the case's trust (a certificate breaks one of
  its rules, or it cannot read back a certificate it wrote);
* :data:`DIFFERENCES`: the verifier, which must first find the format and reads files and images
  its own way, answers differently from the format's own entry point for that kind of input.

The SHC rows of kind ``fhirbundle`` and ``jwspayload`` are not signed cards (a bare FHIR bundle, an
unsigned JWS payload): the SHC module checks them without any trust, so there is nothing for a
trust list to carry nor anything a verifier is handed; they are counted, not run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from shomeisho.errors import TrustListError
from shomeisho.formats import detect
from shomeisho.formats.dcc import FORMAT as DCC
from shomeisho.formats.shc import shl
from shomeisho.model import Verification
from shomeisho.presented import Presented, read_bytes
from shomeisho.signing import LocalSigner
from shomeisho.trust.revocation import merge_shc_crls
from shomeisho.trust.store import TrustStore, is_authority
from shomeisho.trust.trust_list import (
    TrustListContent,
    operator_key_id,
    read_trust_list,
    sign_trust_list,
)
from shomeisho.verifier import Verifier
from tests.conformance import test_dgc_testdata as dgc
from tests.conformance import test_shc_testdata as shc
from tests.conformance import test_vdsnc as vds
from tests.conformance.conftest import corpus_root

pytestmark = pytest.mark.conformance

corpus_root()  # a missing corpus fails here, with the message that says where to put it

DGC, SHC, VDSNC = "dgc-testdata", "shc-testdata", "vdsnc"
OPERATOR = "conformance test operator (key made per test session)"
SHC_UNSIGNED_KINDS = frozenset({"fhirbundle", "jwspayload"})

Outcome = tuple[str, tuple[str, ...]]  # (verdict, error codes in order)
UNRECOGNISED: Outcome = ("unreadable", ("unreadable.format",))


# --- one case, whatever the corpus ---------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    corpus: str
    name: str
    store: TrustStore  # the trust the corpus module builds for this case
    at: datetime
    inputs: tuple[bytes, ...]  # the files (or the PREFIX text) as the verifier is handed them
    names: tuple[str, ...]
    # the format's own verification, as the corpus module runs it
    reference: Callable[[], list[Any]]

    def items(self) -> list[Presented]:
        out: list[Presented] = []
        for data, name in zip(self.inputs, self.names, strict=True):
            out += read_bytes(data, source=name, name=name)
        return out


@dataclass(frozen=True)
class Comparison:
    case: Case
    items: list[Presented]
    theirs: list[Outcome]  # the format's own verification
    ours: list[Outcome]  # trust list + universal verifier


def outcome(result: Any) -> Outcome:
    codes = tuple(error.code for error in result.errors)
    if isinstance(result, Verification):
        return result.verdict.value, codes
    assert isinstance(result, shl.ShlResult), f"unexpected result {type(result).__name__}"
    return "link", codes  # the SMART Health Link itself; its cards follow as Verifications


# --- cases the trust list refuses, one by one ----------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    reason: str
    stage: str  # "built" (TrustListContent.from_store) or "read" (read_trust_list)
    message: str  # a fragment of the TrustListError's message
    evidence: Callable[[TrustStore], bool]


def _certificates(store: TrustStore) -> list[x509.Certificate]:
    return store.signers + store.authorities


def _ca_as_signer(store: TrustStore) -> bool:
    return any(
        is_authority(c) and c.subject == c.issuer and _key_cert_sign(c) for c in store.signers
    )


def _key_cert_sign(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return usage.key_cert_sign


def _without_country(store: TrustStore) -> bool:
    return any(
        not c.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
        for c in _certificates(store)
    )


_CSCA_AS_SIGNER = Refusal(
    "the file's TESTCTX certificate is the country's self-signed CSCA (CA, keyCertSign; LV's "
    "even without digitalSignature), whose key signed the DCC itself; a trust list takes a CA "
    "only as an authority",
    "built",
    "a signer must not be a CA certificate",
    _ca_as_signer,
)
_NO_COUNTRY = Refusal(
    "the common test signer (CN=EC-Me / CN=RSA-Me) names no country (C=) in its subject; "
    "a trust list records each certificate's country",
    "built",
    "names no country (C=) in its subject",
    _without_country,
)
_COMMON_WITHOUT_COUNTRY = (
    *("B1", "CBO1", "CBO2", "Q1", "Z1", "Z2"),
    *(f"CO{n}" for n in (1, 2, 3, *range(5, 24))),  # CO28's signer names a country
    *(f"DGC{n}" for n in range(1, 7)),
    *(f"H{n}" for n in (1, 2, 3)),
)
REFUSED: dict[tuple[str, str], Refusal] = {
    **{(DGC, f"ES/2DCode/raw/{n}.json"): _CSCA_AS_SIGNER for n in (501, 502, 503)},
    **{(DGC, f"LV/2DCode/raw/{n}.json"): _CSCA_AS_SIGNER for n in (1, 2, 3)},
    **{(DGC, f"common/2DCode/raw/{n}.json"): _NO_COUNTRY for n in _COMMON_WITHOUT_COUNTRY},
}


# --- cases where the verifier answers otherwise, one by one -------------------------------------
@dataclass(frozen=True)
class Difference:
    reason: str
    evidence: Callable[[Comparison], bool]


def _not_recognised(c: Comparison) -> bool:
    return all(i.text is not None and detect(i.text) is None for i in c.items) and c.ours == [
        UNRECOGNISED
    ] * len(c.items)


def _not_recognised_same_verdict(c: Comparison) -> bool:
    return _not_recognised(c) and [v for v, _ in c.ours] == [v for v, _ in c.theirs]


def _link_not_followed(c: Comparison) -> bool:
    return _not_recognised(c) and c.theirs[0][0] == "link"


def _trailing_whitespace_stripped(c: Comparison) -> bool:
    return (
        all(d != d.rstrip() for d in c.case.inputs)
        and c.theirs == [("unreadable", ("malformed.trailing",))]
        and c.ours == [("valid", ())]
    )


def _symbol_checks_only(c: Comparison) -> bool:
    if len(c.ours) != len(c.theirs):
        return False
    symbol = [code for _, codes in c.theirs for code in codes if code.startswith("invalid.qr.")]
    rest = [tuple(x for x in codes if not x.startswith("invalid.qr.")) for _, codes in c.theirs]
    return bool(symbol) and [codes for _, codes in c.ours] == rest


def _no_qr_found(c: Comparison) -> bool:
    return c.theirs == [("unreadable", ("encoding.qr",))] and c.ours == [
        ("unreadable", ("unreadable.no_qr",))
    ]


_NOT_VDS = Difference(
    "no VDS-NC (JSON without data/sig): the format's own verify, told it is one, says "
    "malformed.vdsnc; the verifier finds no format (unreadable.format); same verdict",
    _not_recognised_same_verdict,
)
_SHL = Difference(
    "a SMART Health Link (shlink:/ text, its QR, or its payload/manifest/file JSON) is followed "
    "only by the SHC module's shl functions with a fetcher; the universal verifier is offline "
    "and does not recognise it (unreadable.format), while the cards behind the link verify",
    _link_not_followed,
)
_TRAILING = Difference(
    "the file ends in whitespace (' \\t\\n '), which dev-tools and the SHC module reject "
    "(TRAILING_CHARACTERS / malformed.trailing); read_bytes strips it, so the card is valid",
    _trailing_whitespace_stripped,
)
_SYMBOL = Difference(
    "the QR symbol breaks the SHC rules (segments, version): the SHC module's image reader "
    "checks the symbol (invalid.qr.*), the verifier's QR reader returns only the text",
    _symbol_checks_only,
)
DIFFERENCES: dict[tuple[str, str], Difference] = {
    (VDSNC, "not-a-vds[full]"): _NOT_VDS,
    (VDSNC, "not-a-vds[signature-only]"): _NOT_VDS,
    (SHC, "jws-header-no-zip"): Difference(
        "a bare JWS is recognised as SHC only when its header says zip: DEF; this one does not, "
        "so the verifier finds no format (the SHC module: malformed.jws.header.zip, "
        "signature.mismatch); same verdict",
        _not_recognised_same_verdict,
    ),
    (SHC, "qrnumeric-wrong-header"): Difference(
        "the numeric QR text lacks the shc:/ prefix, so the verifier finds no format (the SHC "
        "module: encoding.numeric.header); same verdict",
        _not_recognised_same_verdict,
    ),
    (SHC, "qr-corrupted"): Difference(
        "no QR code is found in the corrupted image: the SHC module says encoding.qr, the "
        "verifier unreadable.no_qr; same verdict",
        _no_qr_found,
    ),
    **{
        (SHC, name): _SHL
        for name in (
            "shl-qr",
            "shl-link",
            "shl-link-direct",
            "shl-link-with-viewer",
            "shl-link-bad-passcode",
            "shl-payload",
            "shl-payload-direct",
            "shl-manifest",
            "shl-file",
        )
    },
    (SHC, "trailing-chars-jws"): _TRAILING,
    (SHC, "trailing-chars-qrnumeric"): _TRAILING,
    (SHC, "qr-single-segment"): _SYMBOL,
    (SHC, "qr-bad-version"): _SYMBOL,
    (SHC, "qr-too-many-segments"): _SYMBOL,
}


# --- the trust list and the verifier -------------------------------------------------------------
class RefusedError(Exception):
    def __init__(self, stage: str, error: TrustListError) -> None:
        super().__init__(f"{stage}: {error.code} at {error.where}: {error.message}")
        self.stage = stage
        self.error = error


@pytest.fixture(scope="session")
def operator() -> LocalSigner:
    """The trust-list operator's key: made for this session, kept in memory only."""
    return LocalSigner("trust-list operator", ec.generate_private_key(ec.SECP256R1()))


def verifier_for(store: TrustStore, at: datetime, operator: LocalSigner) -> Verifier:
    """The verifier a checker would have after syncing a list that carries ``store``."""
    try:
        content = TrustListContent.from_store(
            store, version=1, issued_at=at, operator=OPERATOR, next_update=at + timedelta(days=1)
        )
    except TrustListError as exc:
        raise RefusedError("built", exc) from exc
    data = sign_trust_list(content, operator)
    try:
        signed = read_trust_list(data, [operator.public_key()])
    except TrustListError as exc:
        raise RefusedError("read", exc) from exc
    assert signed.key_id == operator_key_id(operator.public_key())
    assert signed.content.to_document() == content.to_document(), "the list read back differs"
    return Verifier.from_trust_list(signed.content.trust_store(), signed.content)


@dataclass(frozen=True)
class Judgement:
    status: str  # agreed | refused | listed difference
    verdicts: tuple[str, ...]  # the verifier's, one per certificate (none when refused)
    reason: str = ""


def judge(case: Case, operator: LocalSigner) -> Judgement:
    where = f"{case.corpus} {case.name}"
    refusal = REFUSED.get((case.corpus, case.name))
    try:
        verifier = verifier_for(case.store, case.at, operator)
    except RefusedError as exc:
        assert refusal is not None, (
            f"{where}: the trust list refuses this case's trust ({exc}); if a certificate "
            "breaks a trust-list rule, list the case in REFUSED with the reason"
        )
        assert exc.stage == refusal.stage and refusal.message in exc.error.message, (
            f"{where}: refused for another reason than listed ({exc})"
        )
        assert refusal.evidence(case.store), f"{where}: the listed defect is not there"
        return Judgement("refused", (), refusal.reason)
    assert refusal is None, f"{where}: the trust list now carries it; remove it from REFUSED"
    assert verifier.trust_list is not None
    items = case.items()
    ours = [outcome(o.verification) for o in verifier.verify(items, at=case.at)]
    theirs = [outcome(r) for r in case.reference()]
    verdicts = tuple(verdict for verdict, _ in ours)
    difference = DIFFERENCES.get((case.corpus, case.name))
    if difference is not None:
        assert ours != theirs, f"{where}: now agrees; remove it from DIFFERENCES"
        assert difference.evidence(Comparison(case, items, theirs, ours)), (
            f"{where}: the listed difference is not the one seen: verifier {ours}, format {theirs}"
        )
        return Judgement("listed difference", verdicts, difference.reason)
    assert ours == theirs, (
        f"{where}: through the trust list and the verifier {ours}; the format's own "
        f"verification with the same trust {theirs}"
    )
    return Judgement("agreed", verdicts)


JUDGED: dict[str, dict[str, Judgement]] = {DGC: {}, SHC: {}, VDSNC: {}}


def judged(case: Callable[[], Case], corpus: str, name: str, operator: LocalSigner) -> Judgement:
    """Judge once per session: the per-case tests and the summary share the work."""
    done = JUDGED[corpus].get(name)
    if done is None:
        done = JUDGED[corpus][name] = judge(case(), operator)
    return done


# --- dgc-testdata: each file's TESTCTX certificate, trusted directly -----------------------------
def _has_prefix(path: Path) -> bool:
    return isinstance(json.loads(path.read_text(encoding="utf-8")).get("PREFIX"), str)


DGC_FILES = [p for p in dgc.FILES if _has_prefix(p)]


def _dgc_name(path: Path) -> str:
    assert dgc.ROOT is not None
    return path.relative_to(dgc.ROOT).as_posix()


def dgc_case(path: Path) -> Case:
    doc = json.loads(path.read_text(encoding="utf-8"))
    corpus_case = dgc.Case(doc)
    text = doc["PREFIX"]
    return Case(
        DGC,
        _dgc_name(path),
        corpus_case.trust,
        corpus_case.clock,
        (text.encode("utf-8"),),
        (_dgc_name(path),),
        lambda: [DCC.verify(text, corpus_case.trust, at=corpus_case.clock)],
    )


@pytest.mark.parametrize("path", DGC_FILES, ids=[_dgc_name(p) for p in DGC_FILES])
def test_dgc_file(path: Path, operator: LocalSigner) -> None:
    judged(lambda: dgc_case(path), DGC, _dgc_name(path), operator)


# --- shc-testdata: the issuers' key sets and CRLs from ISSUERS.tsv, plus a row's jwkset ----------
SHC_ROWS = [r for r in shc.ROWS if r.kind not in SHC_UNSIGNED_KINDS]
ShcTrust = tuple[TrustStore, dict[str, Any]]


@pytest.fixture(scope="module")
def shc_trust() -> ShcTrust:
    return shc.load_corpus_trust()


@pytest.fixture(scope="module")
def shl_fetch() -> Iterator[shl.Fetcher | None]:
    with shc.serve_shl() as fetch:
        yield fetch


def shc_case(row: shc.Row, trust: ShcTrust, fetch: shl.Fetcher | None) -> Case:
    base, crls = trust
    store = TrustStore()
    store.merge(shc.row_trust(row, base))
    merge_shc_crls(store.shc_crls, crls)  # the CRLs travel in the list, not beside it
    return Case(
        SHC,
        row.case_id,
        store,
        row.at,
        tuple((shc.FILES / name).read_bytes() for name in row.files),
        tuple(row.files),
        lambda: shc.row_sinks(row, base, crls, fetch),
    )


def _needs_server(row: shc.Row) -> bool:
    return row.kind in shc.SHL_KINDS or row.files[0].startswith("shlink")


@pytest.mark.parametrize("row", SHC_ROWS, ids=[r.case_id for r in SHC_ROWS])
def test_shc_row(
    row: shc.Row, shc_trust: ShcTrust, shl_fetch: shl.Fetcher | None, operator: LocalSigner
) -> None:
    if _needs_server(row) and shl_fetch is None:
        pytest.skip("no local port for the SHL test server; the SHL rows need it")
    judged(lambda: shc_case(row, shc_trust, shl_fetch), SHC, row.case_id, operator)


# --- vdsnc: the manifest's CSCAs, link certificates and CRL, or the barcode signer -------------
VDSNC_RUNS = vds.runs()


def vdsnc_case(run: vds.Run) -> Case:
    path = vds.vdsnc_dir() / run.row.seal_file
    return Case(
        VDSNC,
        run.id,
        vds.trust_for(run),
        run.row.at,
        (path.read_bytes(),),
        (run.row.seal_file,),
        lambda: [vds.verify(run)],
    )


@pytest.mark.parametrize("run", VDSNC_RUNS, ids=[r.id for r in VDSNC_RUNS])
def test_vdsnc_run(run: vds.Run, operator: LocalSigner) -> None:
    judged(lambda: vdsnc_case(run), VDSNC, run.id, operator)


# --- the lists name real cases, the corpora are whole --------------------------------------------
def test_lists_name_existing_cases() -> None:
    names = {
        DGC: {_dgc_name(p) for p in DGC_FILES},
        SHC: {r.case_id for r in SHC_ROWS},
        VDSNC: {r.id for r in VDSNC_RUNS},
    }
    stale = [key for key in [*REFUSED, *DIFFERENCES] if key[1] not in names[key[0]]]
    assert not stale, f"listed cases that are not in the corpora: {stale}"
    assert not set(REFUSED) & set(DIFFERENCES)
    assert len(DGC_FILES) >= 580, f"expected the full dgc-testdata corpus, found {len(DGC_FILES)}"
    assert len(SHC_ROWS) + sum(r.kind in SHC_UNSIGNED_KINDS for r in shc.ROWS) == len(shc.ROWS)
    assert len(VDSNC_RUNS) == 2 * len(vds.rows()) == 34


# --- the summary ----------------------------------------------------------------------------------
def test_zz_print_summary(
    shc_trust: ShcTrust,
    shl_fetch: shl.Fetcher | None,
    operator: LocalSigner,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Judges whatever has not run yet (so the table is whole in any order), prints it per
    corpus, and fails if any case failed."""
    cases: dict[str, list[tuple[str, Callable[[], Case]]]] = {
        DGC: [(_dgc_name(p), lambda p=p: dgc_case(p)) for p in DGC_FILES],
        SHC: [
            (r.case_id, lambda r=r: shc_case(r, shc_trust, shl_fetch))
            for r in SHC_ROWS
            if shl_fetch is not None or not _needs_server(r)
        ],
        VDSNC: [(r.id, lambda r=r: vdsnc_case(r)) for r in VDSNC_RUNS],
    }
    failures: list[str] = []
    for corpus, entries in cases.items():
        for name, make in entries:
            try:
                judged(make, corpus, name, operator)
            except AssertionError as exc:
                failures.append(str(exc).splitlines()[0])
    with capsys.disabled():
        print("\n\nfull verifier: each case's trust in a signed trust list, read back, verified")
        header = f"  {'corpus':14}{'cases':>7}{'agreed':>8}{'refused':>9}{'differ':>8}{'failed':>8}"
        print(header + "   (refused by the trust list; differ: listed in DIFFERENCES)")
        for corpus, entries in cases.items():
            status = Counter(JUDGED[corpus][n].status for n, _ in entries if n in JUDGED[corpus])
            failed = len(entries) - sum(status.values())
            print(
                f"  {corpus:14}{len(entries):>7}{status['agreed']:>8}{status['refused']:>9}"
                f"{status['listed difference']:>8}{failed:>8}"
            )
        for corpus, entries in cases.items():
            judgements = [JUDGED[corpus][n] for n, _ in entries if n in JUDGED[corpus]]
            verdicts = Counter(v for j in judgements if j.status == "agreed" for v in j.verdicts)
            print(f"\n  {corpus}: agreed certificates by verdict: " + _counts(verdicts))
            for status in ("refused", "listed difference"):
                reasons = Counter(j.reason for j in judgements if j.status == status)
                for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
                    print(f"    {status} x{count}: {reason}")
        unsigned = Counter(r.kind for r in shc.ROWS if r.kind in SHC_UNSIGNED_KINDS)
        print(
            f"\n  not run: {sum(unsigned.values())} unsigned shc-testdata rows "
            f"({_counts(unsigned)}), {len(dgc.FILES) - len(DGC_FILES)} dgc-testdata files "
            "without a PREFIX"
        )
        if failures:
            print("  FAILED:\n    " + "\n    ".join(failures))
    assert not failures, failures


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(counter.items())) or "none"
