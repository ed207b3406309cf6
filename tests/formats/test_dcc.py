"""EU DCC: round trips through real ES256 signatures, and every way a DCC can be wrong."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shomeisho import pki
from shomeisho.errors import (
    AlgorithmError,
    DecompressionError,
    EncodingError,
    ExpiredError,
    InputError,
    KeyUsageError,
    MalformedError,
    NotYetValidError,
    SchemaError,
    SignatureError,
    SignatureFormatError,
    UntrustedError,
    Verdict,
)
from shomeisho.formats.dcc import (
    FORMAT,
    cose,
    cwt,
    payload,
    schema,
    signers,
    transport,
    typical,
    valuesets,
)
from shomeisho.model import PartialDate, Person, PersonName, VaccinationEvent, VaccinationRecord
from shomeisho.signing import LocalSigner, raw_to_der
from shomeisho.trust.store import TrustStore
from shomeisho.wire import base45
from tests.conftest import NOW
from tests.formats.dcc_paths import general_outcome, outcome

ISSUED = NOW - timedelta(days=1)
EXPIRES = NOW + timedelta(days=365)


@pytest.fixture()
def dcc_trust(dcc_csca: pki.IssuedKey, dcc_signer: LocalSigner) -> TrustStore:
    """Trust the DCC CSCA and its signer (a DCC names its signer only by kid)."""
    store = TrustStore()
    store.add_certificate(dcc_csca.certificate)
    assert dcc_signer.certificate is not None
    store.add_certificate(dcc_signer.certificate)
    return store


@pytest.fixture()
def issued_text(record: VaccinationRecord, dcc_signer: LocalSigner) -> str:
    return FORMAT.issue(record, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES).text


def _kid(signer: LocalSigner) -> bytes:
    assert signer.certificate is not None
    return pki.dcc_key_id(signer.certificate)


def _payload_json(record: VaccinationRecord) -> dict[str, Any]:
    return payload.to_payload(record)


def build(
    signer: LocalSigner,
    *,
    body: dict[str, Any] | None = None,
    claims: bytes | None = None,
    protected: dict[Any, Any] | bytes | None = None,
    unprotected: dict[Any, Any] | None = None,
    tags: tuple[int, ...] = (18,),
    mangle_signature: Callable[[bytes], bytes] | None = None,
    record: VaccinationRecord | None = None,
    iat: datetime = ISSUED,
    exp: datetime = EXPIRES,
) -> bytes:
    """A COSE_Sign1 with any headers, claims and tags, really signed by ``signer``."""
    if claims is None:
        if body is None:
            assert record is not None
            body = _payload_json(record)
        claims = cwt.encode(
            issuer="JP",
            issued_at=int(iat.timestamp()),
            expires_at=int(exp.timestamp()),
            payload=body,
        )
    if protected is None:
        protected = {1: -7, 4: _kid(signer)}
    protected_bytes = protected if isinstance(protected, bytes) else cbor2.dumps(protected)
    signature = signer.sign(cose.sig_structure(protected_bytes, claims))
    if mangle_signature is not None:
        signature = mangle_signature(signature)
    value: Any = [protected_bytes, unprotected or {}, claims, signature]
    for tag in reversed(tags):
        value = cbor2.CBORTag(tag, value)
    return cbor2.dumps(value)


def text_of(cose_bytes: bytes) -> str:
    return transport.encode(cose_bytes)


def codes(result: Any) -> list[str]:
    return [e.code for e in result.errors]


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_gives_the_projected_record(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    issued = FORMAT.issue(record, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES)
    assert issued.text.startswith("HC1:")
    assert FORMAT.recognises(issued.text)
    result = FORMAT.verify(issued.text, dcc_trust, at=NOW)
    assert result.errors == [] and result.warnings == []
    assert result.verdict is Verdict.VALID
    assert result.signature_verified
    assert result.record == payload.project(record) == issued.record
    assert result.issuer == "JP"
    assert result.key_id == issued.key_id == signers.kid_text(_kid(dcc_signer))
    assert result.issued_at == ISSUED.replace(microsecond=0)
    assert result.expires_at == EXPIRES.replace(microsecond=0)


def test_a_dcc_shaped_record_round_trips_exactly(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    shaped = payload.project(record)
    issued = FORMAT.issue(shaped, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES)
    assert FORMAT.verify(issued.text, dcc_trust, at=NOW).record == shaped


def test_rare_kanji_and_partial_birth_dates_round_trip(
    dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    for birth in (PartialDate(1961, 4, 9), PartialDate(1961, 4), PartialDate(1961), None):
        shaped = VaccinationRecord(
            person=Person(
                name=PersonName(
                    family="山﨑",
                    given="髙𠮷",
                    family_romanised="YAMAZAKI",
                    given_romanised="TAKAYOSHI",
                ),
                birth_date=birth,
            ),
            events=(
                VaccinationEvent(
                    product="spikevax", date=date(2022, 1, 5), dose_number=3, series_doses=2
                ),
            ),
        )
        issued = FORMAT.issue(shaped, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES)
        result = FORMAT.verify(issued.text, dcc_trust, at=NOW)
        assert result.verdict is Verdict.VALID
        assert result.record == shaped
        assert result.record is not None and result.record.person.name.given == "髙𠮷"


def test_the_latest_dose_is_issued_and_certificate_id_is_ci(record: VaccinationRecord) -> None:
    body = payload.to_payload(record)
    assert len(body["v"]) == 1
    assert body["v"][0]["dn"] == 2 and body["v"][0]["dt"] == "2021-06-22"
    assert body["v"][0]["ci"] == record.certificate_id
    assert body["v"][0] | {"ci": "x"} == {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 2,
        "sd": 2,
        "dt": "2021-06-22",
        "co": "JP",
        "is": "Ministry of Health, Labour and Welfare",
        "ci": "x",
    }
    assert body["nam"] == {"fn": "髙橋", "fnt": "TAKAHASHI", "gn": "𠮷子", "gnt": "YOSHIKO"}
    assert body["dob"] == "1961-04-09"


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("d'Arsøns - van Halen", "DARSOENS<VAN<HALEN"),
        ("Jiřina-Maria Alena", "JIRINA<MARIA<ALENA"),
        ("Müller-Lüdenscheidt", "MUELLER<LUEDENSCHEIDT"),
        ("Groß", "GROSS"),
        ("Ōno Tarō", "ONO<TARO"),
    ],
)
def test_icao_standardised_names(written: str, standard: str) -> None:
    assert payload.standardise(written) == standard


def test_names_without_romanised_form(record: VaccinationRecord) -> None:
    kanji_only = replace(record, person=replace(record.person, name=PersonName(family="髙橋")))
    with pytest.raises(InputError, match="romanised"):
        payload.to_payload(kanji_only)
    latin = replace(
        record, person=replace(record.person, name=PersonName(family="Müller", given="Anna Lena"))
    )
    assert payload.to_payload(latin)["nam"] == {
        "fn": "Müller",
        "fnt": "MUELLER",
        "gn": "Anna Lena",
        "gnt": "ANNA<LENA",
    }
    cyrillic = replace(
        record,
        person=replace(record.person, name=PersonName(family="Петков", family_romanised="Петков")),
    )
    with pytest.raises(InputError, match="ICAO 9303"):
        payload.to_payload(cyrillic)


def test_unknown_product_keeps_the_raw_mp(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    body = payload.to_payload(record)
    body["v"][0]["mp"] = "Sputnik-V"
    body["v"][0]["ma"] = "Gamaleya-Research-Institute"
    result = FORMAT.verify(text_of(build(dcc_signer, body=body)), dcc_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert result.record is not None and result.record.events[0].product == "Sputnik-V"


def test_issuing_checks_its_inputs(record: VaccinationRecord, dcc_signer: LocalSigner) -> None:
    with pytest.raises(InputError, match="country code"):
        FORMAT.issue(record, dcc_signer, issuer="JPN", issued_at=ISSUED, expires_at=EXPIRES)
    with pytest.raises(InputError, match="expire"):
        FORMAT.issue(record, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=None)
    with pytest.raises(InputError, match="after"):
        FORMAT.issue(record, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=ISSUED)
    old = replace(record, person=replace(record.person, birth_date=PartialDate(1850)))
    with pytest.raises(InputError, match="dob"):
        FORMAT.issue(old, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES)


# --- verification: what is accepted ----------------------------------------------------------


@pytest.mark.parametrize("tags", [(), (18,), (61, 18)])
def test_tagged_untagged_and_cwt_tagged_are_read(
    tags: tuple[int, ...], record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    result = FORMAT.verify(text_of(build(dcc_signer, record=record, tags=tags)), dcc_trust, at=NOW)
    assert result.verdict is Verdict.VALID


def test_kid_in_unprotected_header_is_accepted(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    text = text_of(
        build(dcc_signer, record=record, protected={1: -7}, unprotected={4: _kid(dcc_signer)})
    )
    assert FORMAT.verify(text, dcc_trust, at=NOW).verdict is Verdict.VALID


def test_protected_kid_wins_over_unprotected(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    good = text_of(build(dcc_signer, record=record, unprotected={4: b"wrongkid"}))
    assert FORMAT.verify(good, dcc_trust, at=NOW).verdict is Verdict.VALID
    bad = text_of(
        build(
            dcc_signer,
            record=record,
            protected={1: -7, 4: b"wrongkid"},
            unprotected={4: _kid(dcc_signer)},
        )
    )
    assert codes(FORMAT.verify(bad, dcc_trust, at=NOW)) == ["untrusted.no_key"]


def test_every_signer_sharing_a_kid_is_tried(
    record: VaccinationRecord,
    dcc_csca: pki.IssuedKey,
    dcc_signer: LocalSigner,
    dcc_trust: TrustStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = pki.create_dcc_signer(dcc_csca, "JP", "other", not_before=NOW - timedelta(days=1))
    assert dcc_signer.certificate is not None
    monkeypatch.setattr(
        signers, "signers_with_kid", lambda trust, kid: [other.certificate, dcc_signer.certificate]
    )
    text = text_of(build(dcc_signer, record=record))
    assert FORMAT.verify(text, dcc_trust, at=NOW).verdict is Verdict.VALID
    monkeypatch.setattr(
        signers, "signers_with_kid", lambda trust, kid: [other.certificate, other.certificate]
    )
    result = FORMAT.verify(text, dcc_trust, at=NOW)
    assert codes(result) == ["signature.mismatch"] and "none of the 2" in result.errors[0].message


def test_kid_lookup_follows_the_trust_store(
    dcc_trust: TrustStore, dcc_signer: LocalSigner, dcc_csca: pki.IssuedKey
) -> None:
    kid = _kid(dcc_signer)
    assert signers.signers_with_kid(dcc_trust, kid) == [dcc_signer.certificate]
    later = pki.create_dcc_signer(dcc_csca, "JP", "later", not_before=NOW - timedelta(days=1))
    dcc_trust.add_certificate(later.certificate)
    assert signers.signers_with_kid(dcc_trust, pki.dcc_key_id(later.certificate)) == [
        later.certificate
    ]
    dcc_trust.signers.clear()
    assert signers.signers_with_kid(dcc_trust, kid) == []


def test_ps256_signatures_verify(record: VaccinationRecord) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rsa dsc")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    kid = pki.dcc_key_id(certificate)
    protected = cbor2.dumps({1: -37, 4: kid})
    claims = cwt.encode(
        issuer="JP",
        issued_at=int(ISSUED.timestamp()),
        expires_at=int(EXPIRES.timestamp()),
        payload=payload.to_payload(record),
    )
    signature = key.sign(
        cose.sig_structure(protected, claims),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    text = text_of(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, claims, signature])))
    result = FORMAT.verify(text, TrustStore(signers=[certificate]), at=NOW)
    assert result.verdict is Verdict.VALID, result.errors


def test_test_certificates_verify_without_a_record(
    record: VaccinationRecord, dcc_csca: pki.IssuedKey
) -> None:
    issued = pki.create_dcc_signer(
        dcc_csca, "JP", "t", types="t", not_before=NOW - timedelta(days=1)
    )
    signer = LocalSigner("t", issued.key, issued.certificate)
    body = payload.to_payload(record)
    del body["v"]
    body["t"] = [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "sc": "2026-10-31T08:00:00+09:00",
            "tr": "260415000",
            "tc": "Setagaya",
            "co": "JP",
            "is": "MHLW",
            "ci": "U:1",
        }
    ]
    result = FORMAT.verify(
        text_of(build(signer, body=body)), TrustStore(signers=[issued.certificate]), at=NOW
    )
    assert result.verdict is Verdict.VALID
    assert result.record is None
    assert [w.code for w in result.warnings] == ["schema.record"]


def test_unknown_codes_are_warnings(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    body = payload.to_payload(record)
    body["v"][0]["ma"] = "ORG-99999999"
    result = FORMAT.verify(text_of(build(dcc_signer, body=body)), dcc_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["schema.valueset"]
    assert "v[0].ma" in result.warnings[0].message


def test_date_time_where_a_date_belongs_is_a_warning(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    body = payload.to_payload(record)
    body["v"][0]["dt"] = "2021-06-22T10:00:00+09:00"
    result = FORMAT.verify(text_of(build(dcc_signer, body=body)), dcc_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["schema.format"]
    assert result.record is not None and result.record.events[0].date == date(2021, 6, 22)


# --- verification: the negative suite ---------------------------------------------------------


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _cose_of(text: str) -> bytes:
    return transport.decode(text)


def _reassemble(text: str, change: Callable[[list[Any]], None]) -> str:
    value = cbor2.loads(_cose_of(text)).value
    items = list(value)
    change(items)
    return text_of(cbor2.dumps(cbor2.CBORTag(18, items)))


def _bomb() -> str:
    return transport.PREFIX + base45.encode(zlib.compress(b"\0" * 1_000_000, 9))


NEGATIVE: list[
    tuple[str, Callable[[str, LocalSigner, VaccinationRecord], str], str, Verdict, type[Exception]]
] = [
    (
        "payload bit flip",
        lambda t, s, r: _reassemble(t, lambda i: i.__setitem__(2, _flip(i[2], 40))),
        "signature.mismatch",
        Verdict.INVALID,
        SignatureError,
    ),
    (
        "signature bit flip",
        lambda t, s, r: _reassemble(t, lambda i: i.__setitem__(3, _flip(i[3], 10))),
        "signature.mismatch",
        Verdict.INVALID,
        SignatureError,
    ),
    (
        "kid swapped",
        lambda t, s, r: text_of(build(s, record=r, protected={1: -7, 4: b"\x01" * 8})),
        "untrusted.no_key",
        Verdict.UNTRUSTED,
        UntrustedError,
    ),
    (
        "no kid anywhere",
        lambda t, s, r: text_of(build(s, record=r, protected={1: -7})),
        "untrusted.no_key",
        Verdict.UNTRUSTED,
        UntrustedError,
    ),
    (
        "alg only in unprotected header",
        lambda t, s, r: text_of(build(s, record=r, protected={4: _kid(s)}, unprotected={1: -7})),
        "signature.algorithm.unprotected",
        Verdict.INVALID,
        AlgorithmError,
    ),
    (
        "alg not on the allow-list",
        lambda t, s, r: text_of(build(s, record=r, protected={1: -8, 4: _kid(s)})),
        "signature.algorithm",
        Verdict.INVALID,
        AlgorithmError,
    ),
    (
        "DER signature",
        lambda t, s, r: text_of(build(s, record=r, mangle_signature=raw_to_der)),
        "signature.format",
        Verdict.INVALID,
        SignatureFormatError,
    ),
    (
        "trailing bytes after COSE",
        lambda t, s, r: text_of(_cose_of(t) + b"\x00"),
        "malformed.trailing",
        Verdict.UNREADABLE,
        MalformedError,
    ),
    (
        "zlib bomb 1000:1",
        lambda t, s, r: _bomb(),
        "decompression.too_large",
        Verdict.UNREADABLE,
        DecompressionError,
    ),
    (
        "duplicate CWT claim",
        lambda t, s, r: text_of(build(s, claims=_duplicate_claims(r))),
        "malformed.duplicate_key",
        Verdict.UNREADABLE,
        MalformedError,
    ),
    (
        "duplicate protected header label",
        lambda t, s, r: text_of(
            build(s, record=r, protected=b"\xa3\x01\x26\x01\x26\x04\x48" + _kid(s))
        ),
        "malformed.duplicate_key",
        Verdict.UNREADABLE,
        MalformedError,
    ),
    (
        "expired",
        lambda t, s, r: text_of(
            build(s, record=r, iat=NOW - timedelta(days=400), exp=NOW - timedelta(seconds=1))
        ),
        "expired.certificate",
        Verdict.EXPIRED,
        ExpiredError,
    ),
    (
        "not yet valid",
        lambda t, s, r: text_of(build(s, record=r, iat=NOW + timedelta(hours=1))),
        "not_yet_valid.certificate",
        Verdict.NOT_YET_VALID,
        NotYetValidError,
    ),
    (
        "wrong prefix",
        lambda t, s, r: "HC2:" + t[4:],
        "encoding.prefix",
        Verdict.UNREADABLE,
        EncodingError,
    ),
    (
        "base45 character",
        lambda t, s, r: t[:20] + "a" + t[21:],
        "encoding.base45",
        Verdict.UNREADABLE,
        EncodingError,
    ),
    (
        "broken zlib",
        lambda t, s, r: transport.PREFIX + base45.encode(_cose_of(t)),
        "decompression.invalid",
        Verdict.UNREADABLE,
        DecompressionError,
    ),
    (
        "other COSE tag",
        lambda t, s, r: text_of(build(s, record=r, tags=(98,))),
        "malformed.cose",
        Verdict.UNREADABLE,
        MalformedError,
    ),
    (
        "unknown critical header",
        lambda t, s, r: text_of(build(s, record=r, protected={1: -7, 2: [99], 4: _kid(s)})),
        "malformed.cose.crit",
        Verdict.UNREADABLE,
        MalformedError,
    ),
    (
        "schema violation",
        lambda t, s, r: text_of(build(s, body=_payload_json(r) | {"dob": "2100-01-01"})),
        "schema.payload",
        Verdict.INVALID,
        SchemaError,
    ),
]


def _duplicate_claims(record: VaccinationRecord) -> bytes:
    """A CWT map with iss twice: 1 -> "JP", 1 -> "XX" (cbor2 cannot write this from a dict)."""
    parts = [
        (1, "JP"),
        (1, "XX"),
        (6, int(ISSUED.timestamp())),
        (4, int(EXPIRES.timestamp())),
        (-260, {1: payload.to_payload(record)}),
    ]
    return bytes([0xA0 + len(parts)]) + b"".join(cbor2.dumps(k) + cbor2.dumps(v) for k, v in parts)


@pytest.mark.parametrize(
    ("case", "make", "code", "verdict", "kind"), NEGATIVE, ids=[n[0] for n in NEGATIVE]
)
def test_negative(
    case: str,
    make: Callable[[str, LocalSigner, VaccinationRecord], str],
    code: str,
    verdict: Verdict,
    kind: type[Exception],
    issued_text: str,
    dcc_signer: LocalSigner,
    record: VaccinationRecord,
    dcc_trust: TrustStore,
) -> None:
    result = FORMAT.verify(make(issued_text, dcc_signer, record), dcc_trust, at=NOW)
    assert code in codes(result), (case, [str(e) for e in result.errors])
    error = next(e for e in result.errors if e.code == code)
    assert isinstance(error, kind)
    assert result.verdict is verdict
    assert error.message and not error.message.startswith(("<", "'"))
    if verdict in (Verdict.UNREADABLE, Verdict.UNTRUSTED) or (
        kind is not SchemaError and (verdict is Verdict.INVALID)
    ):
        assert result.record is None


def test_wrong_extended_key_usage(record: VaccinationRecord, dcc_csca: pki.IssuedKey) -> None:
    """A signer certified only for test certificates must not sign a vaccination."""
    issued = pki.create_dcc_signer(
        dcc_csca, "JP", "tests only", types="t", not_before=NOW - timedelta(days=1)
    )
    signer = LocalSigner("t", issued.key, issued.certificate)
    text = FORMAT.issue(record, signer, issuer="JP", issued_at=ISSUED, expires_at=EXPIRES).text
    result = FORMAT.verify(text, TrustStore(signers=[issued.certificate]), at=NOW)
    assert codes(result) == ["untrusted.key_usage"]
    assert isinstance(result.errors[0], KeyUsageError)
    assert result.verdict is Verdict.UNTRUSTED
    assert "may sign only test certificates" in result.errors[0].message
    assert signers.allowed_types(issued.certificate) == {"t"}


def test_signer_outside_its_validity(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    text = FORMAT.issue(
        record, dcc_signer, issuer="JP", issued_at=ISSUED, expires_at=NOW + timedelta(days=5000)
    ).text
    later = NOW + timedelta(days=800)
    result = FORMAT.verify(text, dcc_trust, at=later)
    assert codes(result) == ["expired.signer"] and result.verdict is Verdict.EXPIRED


def test_messages_say_what_and_where(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    text = text_of(build(dcc_signer, record=record, protected={1: -8, 4: _kid(dcc_signer)}))
    error = FORMAT.verify(text, dcc_trust, at=NOW).errors[0]
    assert error.message == (
        "COSE protected header: alg -8 is not allowed; expected ES256 (-7) or PS256 (-37)"
    )
    assert error.where == "COSE protected header"


# --- never raises ------------------------------------------------------------------------------


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tail=st.text(max_size=300))
def test_random_text_never_raises(tail: str, dcc_trust: TrustStore) -> None:
    for text in ("HC1:" + tail, tail):
        result = FORMAT.verify(text, dcc_trust, at=NOW)
        assert result.verdict is not Verdict.VALID


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_certificates_never_raise(
    data: st.DataObject, issued_text: str, dcc_trust: TrustStore
) -> None:
    cose_bytes = bytearray(_cose_of(issued_text))
    layer = data.draw(st.sampled_from(["cose", "zlib", "text"]))
    if layer == "text":
        chars = list(issued_text)
        for _ in range(data.draw(st.integers(1, 4))):
            chars[data.draw(st.integers(4, len(chars) - 1))] = data.draw(
                st.sampled_from(list("0123456789ABCXYZ $%*+-./:"))
            )
        result = FORMAT.verify("".join(chars), dcc_trust, at=NOW)
    else:
        target = cose_bytes if layer == "cose" else bytearray(zlib.compress(bytes(cose_bytes)))
        for _ in range(data.draw(st.integers(1, 6))):
            operation = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            position = data.draw(st.integers(0, max(len(target) - 1, 0)))
            if operation == "flip" and target:
                target[position] ^= 1 << data.draw(st.integers(0, 7))
            elif operation == "insert":
                target.insert(position, data.draw(st.integers(0, 255)))
            elif operation == "delete" and target:
                del target[position]
            elif operation == "truncate":
                del target[position:]
        body = zlib.compress(bytes(target)) if layer == "cose" else bytes(target)
        text = transport.PREFIX + base45.encode(body)
        result = FORMAT.verify(text, dcc_trust, at=NOW)
    assert result.verdict.value in {v.value for v in Verdict}
    if result.verdict is Verdict.VALID:
        assert result.record is not None


def test_naive_validation_time_is_utc(issued_text: str, dcc_trust: TrustStore) -> None:
    assert (
        FORMAT.verify(issued_text, dcc_trust, at=NOW.astimezone(UTC).replace(tzinfo=None)).verdict
        is Verdict.VALID
    )


# --- fast paths: each agrees with the general path it stands in for ----------------------------


def _agree(text: str, trust: TrustStore, at: datetime = NOW) -> tuple[Any, ...]:
    fast = outcome(FORMAT.verify(text, trust, at=at))
    assert fast == general_outcome(text, trust, at)
    return fast


def test_the_typical_certificate_takes_every_fast_path(
    issued_text: str, dcc_trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = cose.decode(_cose_of(issued_text))
    assert cose._decode_typical(_cose_of(issued_text)) == message
    raw = cwt.read(message.payload)
    assert cwt._read_typical(cbor2.loads(message.payload)) == raw
    assert typical.typical_vaccination(raw.payload)
    result = FORMAT.verify(issued_text, dcc_trust, at=NOW)
    assert result.verdict is Verdict.VALID and result._record_loader is not None  # deferred
    assert result.record is not None and result._record_loader is None
    _agree(issued_text, dcc_trust)


@pytest.mark.parametrize(
    ("case", "make", "code", "verdict", "kind"), NEGATIVE, ids=[n[0] for n in NEGATIVE]
)
def test_negative_cases_read_alike_on_both_paths(
    case: str,
    make: Callable[[str, LocalSigner, VaccinationRecord], str],
    code: str,
    verdict: Verdict,
    kind: type[Exception],
    issued_text: str,
    dcc_signer: LocalSigner,
    record: VaccinationRecord,
    dcc_trust: TrustStore,
) -> None:
    _agree(make(issued_text, dcc_signer, record), dcc_trust)


_ODD_VALUES: list[Any] = [
    None, "", " ", 0, 1, 99, 100, -1, 2**70, True, 1.0, 2.5, [], {}, ["x"], "x" * 81,
    "EU/1/20/1528", "2021-06-22", "2021-02-30", "2021-06-22T10:00:00Z", "2021-06-22\n",
    "2021-6-22", "20210622", "1961", "1961-04", "1961-13", "1961-04-31", "1799-01-01", "1900-XX-XX",
    "٢٠٢١-٠٦-٢٢", "TAKAHASHI", "<", cbor2.CBORTag(0, "2021-06-22T10:00:00Z"), b"bytes",
]  # fmt: skip


def _variants(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload with each field (top level, name, entry) replaced by odd values, removed,
    and with extra fields and groups."""
    out: list[dict[str, Any]] = []

    def copy() -> dict[str, Any]:
        new = cbor2.loads(cbor2.dumps(body))
        assert isinstance(new, dict)
        return new

    places: list[tuple[str, ...]] = [(key,) for key in body]
    places += [("nam", key) for key in ("fn", "fnt", "gn", "gnt")]
    places += [("v", key) for key in body["v"][0]]
    for place in places:
        for value in [*_ODD_VALUES, _REMOVE]:
            new = copy()
            target = new if len(place) == 1 else (new["nam"] if place[0] == "nam" else new["v"][0])
            if value is _REMOVE:
                target.pop(place[-1], None)
            else:
                target[place[-1]] = value
            out.append(new)
    for extra in ({"t": None}, {"r": [{}]}, {"x": 1}, {"nam": {"fnt": ""}}, {"nam": {}}):
        out.append(copy() | extra)
    doubled = copy()
    doubled["v"] = doubled["v"] * 2
    out.append(doubled)
    return out


_REMOVE = object()


@pytest.mark.slow
def test_payload_variants_read_alike_on_both_paths(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    """typical_vaccination, surely_a_record and the plain-JSON check only ever stand in for the
    general code: on ~600 odd payloads, every result is the same either way."""
    variants = _variants(payload.to_payload(record))
    assert len(variants) > 600
    deferred = 0
    for body in variants:
        text = text_of(build(dcc_signer, body=body))
        fast = FORMAT.verify(text, dcc_trust, at=NOW)
        deferred += fast._record_loader is not None
        assert outcome(fast) == general_outcome(text, dcc_trust, NOW), body
    assert deferred > 100


def test_typical_and_surely_a_record_promise_what_they_say(record: VaccinationRecord) -> None:
    """What the fast verify path skips when typical_vaccination holds, and what deferring the
    record relies on when surely_a_record holds."""
    n_typical = surely = 0
    for body in _variants(payload.to_payload(record)):
        if typical.surely_a_record(body):
            surely += 1
            assert isinstance(payload.to_record(body), VaccinationRecord)
        if typical.typical_vaccination(body):
            n_typical += 1
            assert typical.surely_a_record(body)
            assert cwt.json_payload(body) is body and cwt.to_json(body, "payload") == body
            assert payload.certificate_type(body) == "v"
            assert schema.format_warnings(body) == [] and valuesets.check(body) == []
    assert n_typical > 50 and surely > n_typical


@pytest.mark.parametrize(
    "claims",
    [
        {1: "JP", 6: 1_700_000_000, 4: 1_800_000_000, -260: {1: {"ver": "1.3.0"}}},
        {6: 1_700_000_000, 4: 1_800_000_000, -260: {1: {}}},
        {1: "JP", 6: 1_700_000_000.5, 4: 1_800_000_000, -260: {1: {}}},
        {1: "JP", 6: True, 4: 1_800_000_000, -260: {1: {}}},
        {1: "JP", 6: -1, 4: 253402300800, -260: {1: {}}},
        {True: "JP", 6: 1, 4: 2, -260: {1: {}}},
        {1.0: "JP", 6: 1, 4: 2, -260: {1: {}}},
        {"1": "JP", 6: 1, 4: 2, -260: {True: {}}},
        {1: 5, 6: 1, 4: 2, -260: {1: {}}},
        {1: "JP", 6: 1, 4: 2, -260: {1: {}, 2: {}}},
        {1: "JP", 6: 1, 4: 2, -260: {1: []}},
        {1: "JP", 6: 1, 4: 2, -260: []},
        {1: "JP", 6: 1, 4: 2},
        {1: "JP", 6: cbor2.CBORTag(1, 1_700_000_000), 4: 2, -260: {1: {}}},
        [1, 2],
    ],
)
def test_typical_claims_read_as_the_general_path_reads_them(claims: Any) -> None:
    data = cbor2.dumps(claims)

    def read(general: bool) -> Any:
        with pytest.MonkeyPatch.context() as patch:
            if general:
                patch.setattr(cwt, "_read_typical", lambda claims: None)
            try:
                return cwt.read(data)
            except (MalformedError, SchemaError) as exc:
                return (type(exc), exc.code, exc.message)

    assert read(general=False) == read(general=True)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_cose_fast_decoders_agree_with_the_general_decoder(data: st.DataObject) -> None:
    protected = data.draw(
        st.sampled_from([{1: -7, 4: b"12345678"}, {4: b"12345678", 1: -7}, {1: -37}, {}, {1: 1}])
    )
    value: Any = [
        cbor2.dumps(protected) if protected else b"",
        data.draw(st.sampled_from([{}, {4: b"abcdefgh"}])),
        data.draw(st.binary(max_size=300)),
        data.draw(st.sampled_from([b"s" * 64, b"t" * 63])),
    ]
    for tag in reversed(data.draw(st.sampled_from([(), (18,), (61, 18)]))):
        value = cbor2.CBORTag(tag, value)
    encoded = bytearray(cbor2.dumps(value))
    for _ in range(data.draw(st.integers(0, 3))):
        operation = data.draw(st.sampled_from(["set", "insert", "delete", "truncate"]))
        position = data.draw(st.integers(0, len(encoded)))
        if operation == "set" and position < len(encoded):
            encoded[position] = data.draw(st.integers(0, 255))
        elif operation == "insert":
            encoded.insert(position, data.draw(st.integers(0, 255)))
        elif operation == "delete" and position < len(encoded):
            del encoded[position]
        elif operation == "truncate":
            del encoded[position:]
    message = bytes(encoded)
    try:
        general: Any = cose._decode_general(message)
    except MalformedError as exc:
        general = exc.code
    for fast in (cose._decode_typical, cose._decode_common):
        found = fast(message)
        assert found is None or found == general


def test_sig_structure_is_what_cbor2_writes() -> None:
    for protected_size in (0, 1, 13, 23, 24, 40):
        for size in (0, 1, 23, 24, 255, 256, 300, 65535, 65536):
            protected, body = bytes(protected_size), bytes(size)
            assert cose.sig_structure(protected, body) == cbor2.dumps(
                ["Signature1", protected, b"", body]
            )


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=200), text=st.text(base45.ALPHABET + "a\n\u00e9", max_size=40))
def test_base45_fast_path_agrees_with_the_wire_decoder(data: bytes, text: str) -> None:
    encoded = base45.encode(data)
    assert base45.decode_fast(encoded) == data == transport.decode_base45(encoded)
    try:
        expected: Any = base45.decode(text)
    except EncodingError as exc:
        expected = (exc.code, exc.message, exc.where)
    fast = base45.decode_fast(text)
    assert fast is None or fast == expected
    try:
        got: Any = transport.decode_base45(text)
    except EncodingError as exc:
        got = (exc.code, exc.message, exc.where)
    assert got == expected


def test_schema_errors_name_the_rule_and_the_place(
    record: VaccinationRecord, dcc_signer: LocalSigner, dcc_trust: TrustStore
) -> None:
    body = payload.to_payload(record)
    body["v"][0]["dn"] = "2"
    result = FORMAT.verify(text_of(build(dcc_signer, body=body)), dcc_trust, at=NOW)
    assert codes(result) == ["schema.payload"] and result.verdict is Verdict.INVALID
    error = result.errors[0]
    assert error.message == (
        f"the DCC payload breaks schema {schema.schema_version()}: "
        'v[0].dn: "2" is not of type "integer"'
    )
    assert error.where == "payload /v/0/dn"
    both = payload.to_payload(record) | {"t": [{}]}
    error = FORMAT.verify(text_of(build(dcc_signer, body=both)), dcc_trust, at=NOW).errors[0]
    assert error.code == "schema.payload" and "{" not in error.message  # no payload quoted
