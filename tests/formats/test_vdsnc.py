"""ICAO VDS-NC: round trips through real ES256 seals, and every way a seal can be wrong."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import shomeisho.formats.vdsnc as vdsnc
from shomeisho import pki
from shomeisho.errors import EncodingError, InputError, KeyStoreError, MalformedError, Verdict
from shomeisho.formats import CertificateFormat
from shomeisho.formats.vdsnc import FORMAT, canonical_json, carried_record, uvci_for
from shomeisho.formats.vdsnc.canonical import canonical_json_of_parsed
from shomeisho.formats.vdsnc.certificates import es256_der
from shomeisho.formats.vdsnc.clean import is_clean_vaccination
from shomeisho.formats.vdsnc.fields import (
    VACCINATION,
    check_data,
    seal_type_of,
)
from shomeisho.formats.vdsnc.mapping import record_from_message
from shomeisho.formats.vdsnc.names import NAME_LIMIT, split_name, truncate
from shomeisho.formats.vdsnc.seal import (
    MAX_SIGNATURE_TEXT,
    Seal,
    decode_b64url,
    signature_bytes,
    write_seal,
)
from shomeisho.formats.vdsnc.verify import _record_cannot_fail
from shomeisho.model import (
    PartialDate,
    Person,
    PersonName,
    VaccinationRecord,
    Verification,
)
from shomeisho.signing import LocalSigner, raw_to_der
from shomeisho.trust.certificates import is_tolerated, read_certificate
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json
from shomeisho.wire.b64 import b64url_decode, b64url_encode
from tests.conftest import NOW

MHLW = "Ministry of Health, Labour and Welfare"


# -- helpers and fixtures --------------------------------------------------------------------------
def bsc(
    csca: pki.IssuedKey,
    name: str = "JP BSC 02 (test)",
    *,
    country: str = "JP",
    not_before: datetime = NOW - timedelta(days=10),
    days: int = 730,
    **kwargs: Any,
) -> LocalSigner:
    issued = pki.create_vdsnc_signer(
        csca, country, name, not_before=not_before, days=days, **kwargs
    )
    return LocalSigner(name, issued.key, issued.certificate)


def der_of(signer: LocalSigner) -> bytes:
    assert signer.certificate is not None
    return signer.certificate.public_bytes(Encoding.DER)


def sign_data(data: dict[str, Any], signer: LocalSigner, *, alg: str = "ES256") -> str:
    """A seal over arbitrary ``data``, properly signed: reaches the checks after the signature."""
    canonical = canonical_json(data)
    return write_seal(
        canonical, alg=alg, certificate_der=der_of(signer), signature=signer.sign(canonical)
    )


def codes(result: Verification) -> list[str]:
    return [e.code for e in result.errors]


@pytest.fixture()
def chain_trust(vdsnc_csca: pki.IssuedKey) -> TrustStore:
    return TrustStore(authorities=[vdsnc_csca.certificate])


@pytest.fixture()
def seal_text(record: VaccinationRecord, vdsnc_signer: LocalSigner) -> str:
    return FORMAT.issue(record, vdsnc_signer, issuer="JPN", issued_at=NOW, expires_at=None).text


@pytest.fixture()
def seal_data(seal_text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(seal_text)["data"]
    return data


# -- the public surface ----------------------------------------------------------------------------
def test_format_satisfies_the_protocol() -> None:
    fmt: CertificateFormat = FORMAT
    assert fmt.name == "vdsnc"
    assert all(hasattr(vdsnc, name) for name in vdsnc.__all__)


def test_recognises(seal_text: str) -> None:
    assert FORMAT.recognises(seal_text)
    assert FORMAT.recognises("[\n " + seal_text + "\n]")
    assert FORMAT.recognises("\ufeff" + seal_text)  # so that verify can say "BOM"
    for other in (
        "HC1:6BFOXN%TS3DH0YOJ58S",
        "shc:/5676290952432060346029243740",
        "{}",
        '{"isThisAVDS": false}',
        "",
        "   ",
        "[1, 2]",
    ):
        assert not FORMAT.recognises(other)
    assert not FORMAT.recognises(None)  # type: ignore[arg-type]


# -- round trip ------------------------------------------------------------------------------------
def test_round_trip(
    record: VaccinationRecord, vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    issued = FORMAT.issue(
        record, vdsnc_signer, issuer="JPN", issued_at=NOW, expires_at=NOW + timedelta(days=365)
    )
    result = FORMAT.verify(issued.text, chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID, result.errors
    assert result.signature_verified and result.issuer == "JPN"
    assert result.record == issued.record == carried_record(record, "JPN")
    # What VDS-NC carries, spelled out: passport name only, uvci for the id, MHLW for the
    # 22-character performer that does not fit ``adm``.
    expected = VaccinationRecord(
        person=Person(
            name=PersonName(family_romanised="TAKAHASHI", given_romanised="YOSHIKO"),
            birth_date=PartialDate(1961, 4, 9),
            sex="F",
            passport_number="TK1234567",
        ),
        events=tuple(replace(e, performer=None, issuer=MHLW) for e in record.events),
        certificate_id=uvci_for(record.certificate_id),
    )
    assert result.record == expected
    assert issued.expires_at is None and issued.key_id == result.key_id
    assert len(issued.text.encode()) < 2953


def test_round_trip_keeps_what_fits(
    record: VaccinationRecord, vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    events = (
        replace(record.events[0], performer="Setagaya HC", lot=None),
        replace(
            record.events[1],
            product="spikevax",
            dose_number=2,
            series_doses=3,
            country="US",
            performer="CVS Pharmacy",
        ),
        replace(
            record.events[1], date=date(2022, 1, 10), dose_number=3, series_doses=3, performer=None
        ),
    )
    short = replace(record, events=events, certificate_id="ABC123")
    issued = FORMAT.issue(short, vdsnc_signer, issuer="JP", issued_at=NOW, expires_at=None)
    result = FORMAT.verify(issued.text, chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID and result.record is not None
    got = result.record.events
    assert result.record.certificate_id == "ABC123"
    assert [e.product for e in got] == ["comirnaty", "spikevax", "comirnaty"]
    assert [e.performer for e in got] == ["Setagaya HC", "CVS Pharmacy", None]
    assert [e.country for e in got] == ["JP", "US", "JP"]
    assert got[0].lot is None and got[1].lot == "FE8206"
    assert {e.series_doses for e in got} == {3}
    # three ve entries: consecutive doses of one product share one, order is kept
    data = json.loads(issued.text)["data"]
    assert [len(ve["vd"]) for ve in data["msg"]["ve"]] == [1, 1, 1]
    assert data["msg"]["ve"][0]["vd"][0]["lot"] == "Not recorded"


def test_issued_seal_shape(seal_text: str, vdsnc_signer: LocalSigner) -> None:
    doc = json.loads(seal_text)
    assert list(doc) == ["data", "sig"] and list(doc["sig"]) == ["alg", "cer", "sigvl"]
    assert doc["data"]["hdr"] == {"is": "JPN", "t": "icao.vacc", "v": 1}
    assert doc["sig"]["alg"] == "ES256"
    assert b64url_decode(doc["sig"]["cer"]) == der_of(vdsnc_signer)
    assert len(b64url_decode(doc["sig"]["sigvl"])) == 64
    assert doc["data"]["msg"]["pid"]["n"] == "TAKAHASHI  YOSHIKO"
    # data is written canonically, so even a byte-for-byte verifier agrees
    assert canonical_json(doc["data"]).decode() in seal_text


def test_uvci_for() -> None:
    long_id = "URN:UVCI:01:JP:8F3K2M9Q4R7T1V5W6X0Y2Z3A4B"
    assert uvci_for(long_id) == uvci_for(long_id)
    assert len(uvci_for(long_id)) == 12 and uvci_for(long_id).isalnum()
    assert uvci_for(long_id) != uvci_for(long_id[:-1] + "C")
    assert uvci_for("6U5RSWMBASG2") == "6U5RSWMBASG2"


# -- names -----------------------------------------------------------------------------------------
def test_long_names_are_truncated_per_doc9303() -> None:
    name = truncate("WOLFESCHLEGELSTEINHAUSEN", "HUBERT BLAINE ADOLPH CHARLES")
    assert len(name) <= NAME_LIMIT and name.startswith("WOLFESCHLEGELSTEINHAUSEN  HUBERT")
    assert name[-1].isalpha()
    huge = truncate("A" * 50, "BERNARD")
    assert len(huge) == NAME_LIMIT and huge.endswith("  B")
    assert truncate("X" * 45, None) == "X" * NAME_LIMIT
    assert split_name("CITIZEN  JANE SUE") == PersonName(
        family_romanised="CITIZEN", given_romanised="JANE SUE"
    )
    assert split_name("MIYAKE SHOTA").given_romanised == "SHOTA"
    assert split_name("PRINCE").given_romanised is None


def test_passport_name_wins_and_is_folded(
    record: VaccinationRecord, vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    passport = PersonName(
        family_romanised="Ōno-Müller", given_romanised="Yōko d'Arc", kind="passport"
    )
    person = replace(record.person, alternates=(*record.person.alternates, passport))
    issued = FORMAT.issue(
        replace(record, person=person), vdsnc_signer, issuer="JPN", issued_at=NOW, expires_at=None
    )
    assert json.loads(issued.text)["data"]["msg"]["pid"]["n"] == "ONO MULLER  YOKO DARC"
    result = FORMAT.verify(issued.text, chain_trust, at=NOW)
    assert result.record is not None
    assert result.record.person.name.family_romanised == "ONO MULLER"


@pytest.mark.parametrize(
    ("person_change", "code"),
    [
        ({"name": PersonName(family="髙橋", given="𠮷子")}, "input.vdsnc.name"),
        ({"name": PersonName(family_romanised="高橋")}, "input.vdsnc.name"),
        ({"birth_date": None, "passport_number": None}, "input.vdsnc.missing"),
        ({"passport_number": "X" * 25}, "input.vdsnc.field_length"),
        ({"sex": "U"}, "input.vdsnc.value"),
    ],
)
def test_issue_refuses_what_vdsnc_cannot_carry(
    record: VaccinationRecord, vdsnc_signer: LocalSigner, person_change: dict[str, Any], code: str
) -> None:
    person = replace(record.person, **person_change)
    with pytest.raises(InputError) as caught:
        FORMAT.issue(
            replace(record, person=person),
            vdsnc_signer,
            issuer="JPN",
            issued_at=NOW,
            expires_at=None,
        )
    assert caught.value.code == code


def test_issue_names_the_field_over_its_limit(
    record: VaccinationRecord, vdsnc_signer: LocalSigner
) -> None:
    events = (record.events[0], replace(record.events[1], lot="L" * 21))
    with pytest.raises(InputError) as caught:
        FORMAT.issue(
            replace(record, events=events),
            vdsnc_signer,
            issuer="JPN",
            issued_at=NOW,
            expires_at=None,
        )
    assert caught.value.code == "input.vdsnc.field_length"
    assert caught.value.where == "data.msg.ve[0].vd[1].lot"


def test_partial_birth_date_is_left_out_when_a_passport_identifies(
    record: VaccinationRecord, vdsnc_signer: LocalSigner
) -> None:
    person = replace(record.person, birth_date=PartialDate(1961, 4))
    issued = FORMAT.issue(
        replace(record, person=person), vdsnc_signer, issuer="JPN", issued_at=NOW, expires_at=None
    )
    assert "dob" not in json.loads(issued.text)["data"]["msg"]["pid"]


def test_issue_refuses_unusable_signers(
    record: VaccinationRecord,
    vdsnc_csca: pki.IssuedKey,
    vdsnc_signer: LocalSigner,
    dcc_signer: LocalSigner,
) -> None:
    bare = LocalSigner("bare", vdsnc_signer._key)  # type: ignore[attr-defined]
    cases: list[tuple[LocalSigner, str, datetime, str]] = [
        (bare, "JPN", NOW, "keys.certificate"),
        (vdsnc_signer, "JPN", NOW + timedelta(days=3000), "keys.certificate"),
        (dcc_signer, "JPN", NOW, "keys.usage"),
        (vdsnc_signer, "AUS", NOW, "keys.country"),
    ]
    for signer, issuer, issued_at, code in cases:
        with pytest.raises(KeyStoreError) as caught:
            FORMAT.issue(record, signer, issuer=issuer, issued_at=issued_at, expires_at=None)
        assert caught.value.code == code
    with pytest.raises(InputError, match="three-letter"):
        FORMAT.issue(record, vdsnc_signer, issuer="Japan", issued_at=NOW, expires_at=None)
    with pytest.raises(InputError):
        FORMAT.issue(
            replace(record, events=(replace(record.events[0], product="sputnik"),)),
            vdsnc_signer,
            issuer="JPN",
            issued_at=NOW,
            expires_at=None,
        )


# -- the negative suite ----------------------------------------------------------------------------
def _flip_data(text: str) -> str:
    return text.replace("TAKAHASHI", "TAKAHASHJ")


def _flip_signature(text: str) -> str:
    doc = json.loads(text)
    raw = bytearray(b64url_decode(doc["sig"]["sigvl"]))
    raw[10] ^= 0x01
    doc["sig"]["sigvl"] = b64url_encode(bytes(raw))
    return json.dumps(doc)


def _der_signature(text: str) -> str:
    doc = json.loads(text)
    doc["sig"]["sigvl"] = b64url_encode(raw_to_der(b64url_decode(doc["sig"]["sigvl"])))
    return json.dumps(doc)


def _sig_member(name: str, value: Any) -> Any:
    def mutate(text: str) -> str:
        doc = json.loads(text)
        doc["sig"][name] = value
        return json.dumps(doc)

    return mutate


TEXT_MUTATIONS: list[tuple[str, Any, str, Verdict]] = [
    ("bit flip in data", _flip_data, "signature.mismatch", Verdict.INVALID),
    ("bit flip in signature", _flip_signature, "signature.mismatch", Verdict.INVALID),
    ("DER signature", _der_signature, "signature.format", Verdict.INVALID),
    ("alg ES384", _sig_member("alg", "ES384"), "signature.algorithm", Verdict.INVALID),
    ("alg none", _sig_member("alg", "none"), "signature.algorithm", Verdict.INVALID),
    ("alg not a string", _sig_member("alg", 7), "malformed.vdsnc", Verdict.UNREADABLE),
    ("trailing characters", lambda t: t + " x", "malformed.trailing", Verdict.UNREADABLE),
    (
        "duplicate key in data",
        lambda t: t.replace('{"hdr":', '{"hdr":{},"hdr":', 1),
        "malformed.duplicate_key",
        Verdict.UNREADABLE,
    ),
    (
        "duplicate key in sig",
        lambda t: t.replace('"alg":"ES256"', '"alg":"ES256","alg":"ES256"'),
        "malformed.duplicate_key",
        Verdict.UNREADABLE,
    ),
    ("NaN", lambda t: t.replace('"v":1', '"v":NaN'), "malformed.json.nan", Verdict.UNREADABLE),
    ("BOM", lambda t: "\ufeff" + t, "malformed.json.bom", Verdict.UNREADABLE),
    ("not JSON", lambda t: t[:-1], "malformed.json", Verdict.UNREADABLE),
    ("too long", lambda t: t + " " * 20000, "malformed.json.too_long", Verdict.UNREADABLE),
    ("two seals in an array", lambda t: f"[{t},{t}]", "malformed.vdsnc", Verdict.UNREADABLE),
    ("extra member", lambda t: t[:-1] + ',"x":1}', "malformed.vdsnc", Verdict.UNREADABLE),
    ("no sig", lambda t: t[: t.index(',"sig"')] + "}", "malformed.vdsnc", Verdict.UNREADABLE),
    ("bad padding", lambda t: t.replace('"}}', '="}}'), "encoding.base64", Verdict.UNREADABLE),
    (
        "certificate garbage",
        _sig_member("cer", "AAAA"),
        "malformed.vdsnc.certificate",
        Verdict.UNREADABLE,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "code", "verdict"),
    [pytest.param(m, c, v, id=name) for name, m, c, v in TEXT_MUTATIONS],
)
def test_mutated_seal(
    seal_text: str, chain_trust: TrustStore, mutate: Any, code: str, verdict: Verdict
) -> None:
    result = FORMAT.verify(mutate(seal_text), chain_trust, at=NOW)
    assert codes(result) == [code]
    assert result.verdict is verdict
    assert result.record is None and result.issuer is None and not result.signature_verified


def test_padding_and_array_wrapper_are_accepted(seal_text: str, chain_trust: TrustStore) -> None:
    padded = seal_text.replace('"}}', '=="}}')  # a 64-byte signature needs two '='
    assert FORMAT.verify(padded, chain_trust, at=NOW).verdict is Verdict.VALID
    wrapped = "[\n" + seal_text + "\n]\n"
    assert FORMAT.verify(wrapped, chain_trust, at=NOW).verdict is Verdict.VALID


def test_swapped_signer_certificate(
    seal_text: str, vdsnc_csca: pki.IssuedKey, chain_trust: TrustStore
) -> None:
    other = bsc(vdsnc_csca)
    swapped = _sig_member("cer", b64url_encode(der_of(other)))(seal_text)
    result = FORMAT.verify(swapped, chain_trust, at=NOW)
    assert codes(result) == ["signature.mismatch"] and result.verdict is Verdict.INVALID


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (
            lambda d: d["msg"]["ve"][0]["vd"][1].update(lot="L" * 21),
            "schema.vdsnc.field_length",
            "data.msg.ve[0].vd[1].lot",
        ),
        (
            lambda d: d["msg"]["pid"].update(n="N" * 40),
            "schema.vdsnc.field_length",
            "data.msg.pid.n",
        ),
        (lambda d: d["msg"].update(uvci="U" * 13), "schema.vdsnc.field_length", "data.msg.uvci"),
        (
            lambda d: d["msg"]["ve"][0].update(des="XM0GQ8X"),
            "schema.vdsnc.field_length",
            "data.msg.ve[0].des",
        ),
        (
            lambda d: d["msg"]["ve"][0]["vd"][0].update(ctr="ZZZ"),
            "schema.vdsnc.value",
            "data.msg.ve[0].vd[0].ctr",
        ),
        (
            lambda d: d["msg"]["ve"][0]["vd"][0].update(dvc="2021-02-30"),
            "schema.vdsnc.value",
            "data.msg.ve[0].vd[0].dvc",
        ),
        (
            lambda d: d["msg"]["ve"][0]["vd"][0].update(seq=0),
            "schema.vdsnc.value",
            "data.msg.ve[0].vd[0].seq",
        ),
        (
            lambda d: d["msg"]["ve"][0]["vd"][0].update(seq=True),
            "schema.vdsnc.type",
            "data.msg.ve[0].vd[0].seq",
        ),
        (
            lambda d: d["msg"]["pid"].update(extra="x"),
            "schema.vdsnc.unknown_member",
            "data.msg.pid.extra",
        ),
        (lambda d: d["msg"].pop("ve"), "schema.vdsnc.missing", "data.msg.ve"),
        (lambda d: d["hdr"].update(v=2), "schema.vdsnc.header", "data.hdr.v"),
        (lambda d: d["hdr"].update(t="icao.pass"), "schema.vdsnc.header", "data.hdr.t"),
    ],
)
def test_signed_but_not_schema_valid(
    seal_data: dict[str, Any],
    vdsnc_signer: LocalSigner,
    chain_trust: TrustStore,
    change: Any,
    code: str,
    where: str,
) -> None:
    change(seal_data)
    result = FORMAT.verify(sign_data(seal_data, vdsnc_signer), chain_trust, at=NOW)
    assert result.signature_verified
    assert codes(result) == [code] and result.errors[0].where == where
    assert result.verdict is Verdict.INVALID and result.record is None


def test_string_seq_is_read_with_a_warning(
    seal_data: dict[str, Any], vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    seal_data["msg"]["ve"][0]["vd"][0]["seq"] = "1"
    result = FORMAT.verify(sign_data(seal_data, vdsnc_signer), chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["schema.vdsnc.seq_string"]


@pytest.mark.parametrize(
    ("offset_days", "code", "verdict"),
    [
        (-800, "expired.signer", Verdict.EXPIRED),
        (30, "not_yet_valid.signer", Verdict.NOT_YET_VALID),
    ],
)
def test_signer_out_of_date(
    record: VaccinationRecord, offset_days: int, code: str, verdict: Verdict
) -> None:
    csca = pki.create_authority(
        "JP", "JP CSCA (long-lived test)", not_before=NOW - timedelta(days=1000)
    )
    start = NOW + timedelta(days=offset_days)
    signer = bsc(csca, not_before=start, days=365)
    issued = FORMAT.issue(
        record, signer, issuer="JPN", issued_at=start + timedelta(days=1), expires_at=None
    )
    result = FORMAT.verify(issued.text, TrustStore(authorities=[csca.certificate]), at=NOW)
    assert codes(result) == [code] and result.verdict is verdict
    assert result.record is not None  # a genuine seal, only out of date


def test_untrusted_csca(seal_text: str) -> None:
    stranger = pki.create_authority("JP", "JP CSCA (test)", not_before=NOW - timedelta(days=30))
    for trust in (TrustStore(authorities=[stranger.certificate]), TrustStore()):
        result = FORMAT.verify(seal_text, trust, at=NOW)
        assert codes(result) == ["untrusted.chain"] and result.verdict is Verdict.UNTRUSTED
        assert result.signature_verified and result.record is None  # no name from a stranger
        assert "name" not in result.as_dict()


def test_expired_and_untrusted_says_untrusted(record: VaccinationRecord) -> None:
    stranger = pki.create_authority("JP", "Elsewhere CSCA", not_before=NOW - timedelta(days=900))
    signer = bsc(stranger, not_before=NOW - timedelta(days=800), days=365)
    issued = FORMAT.issue(
        record, signer, issuer="JPN", issued_at=NOW - timedelta(days=700), expires_at=None
    )
    result = FORMAT.verify(issued.text, TrustStore(), at=NOW)
    assert codes(result) == ["expired.signer", "untrusted.chain"]
    assert result.verdict is Verdict.UNTRUSTED and result.record is None


def test_revoked_signer(
    seal_text: str, vdsnc_csca: pki.IssuedKey, vdsnc_signer: LocalSigner
) -> None:
    assert vdsnc_signer.certificate is not None
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(vdsnc_signer.certificate.serial_number)
        .revocation_date(NOW - timedelta(days=1))
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(vdsnc_csca.certificate.subject)
        .last_update(NOW - timedelta(days=1))
        .next_update(NOW + timedelta(days=30))
        .add_revoked_certificate(revoked)
        .sign(vdsnc_csca.key, hashes.SHA384())
    )
    trust = TrustStore(authorities=[vdsnc_csca.certificate], crls=[crl])
    result = FORMAT.verify(seal_text, trust, at=NOW)
    assert codes(result) == ["untrusted.revoked_signer"] and result.verdict is Verdict.UNTRUSTED


def test_signer_not_allowed_for_the_seal(
    seal_data: dict[str, Any],
    vdsnc_csca: pki.IssuedKey,
    dcc_signer: LocalSigner,
    dcc_csca: pki.IssuedKey,
) -> None:
    issued = pki.create_signer(
        vdsnc_csca,
        "JP",
        "JP BSC NT",
        extended_key_usage=[pki.ICAO_EKU_VDS_SIGNER],
        extra_extensions=[pki.vdsnc_document_types("NT")],
        not_before=NOW - timedelta(days=1),
    )
    test_only = LocalSigner("nt", issued.key, issued.certificate)
    trust = TrustStore(authorities=[vdsnc_csca.certificate, dcc_csca.certificate])
    result = FORMAT.verify(sign_data(seal_data, test_only), trust, at=NOW)
    assert codes(result) == ["untrusted.key_usage.document_type"]
    result = FORMAT.verify(sign_data(seal_data, dcc_signer), trust, at=NOW)
    assert codes(result) == ["untrusted.key_usage"] and result.verdict is Verdict.UNTRUSTED


def test_issuing_state_must_match_a_chained_signer(
    seal_data: dict[str, Any], vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    seal_data["hdr"]["is"] = "AUS"
    forged = sign_data(seal_data, vdsnc_signer)
    result = FORMAT.verify(forged, chain_trust, at=NOW)
    assert codes(result) == ["untrusted.issuing_state"] and result.verdict is Verdict.UNTRUSTED
    assert vdsnc_signer.certificate is not None
    direct = TrustStore(signers=[vdsnc_signer.certificate])
    result = FORMAT.verify(forged, direct, at=NOW)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["untrusted.issuing_state"]


def test_proof_of_test_is_verified_not_decoded(
    vdsnc_csca: pki.IssuedKey, chain_trust: TrustStore
) -> None:
    issued = pki.create_signer(
        vdsnc_csca,
        "JP",
        "JP BSC NT",
        extended_key_usage=[pki.ICAO_EKU_VDS_SIGNER],
        extra_extensions=[pki.vdsnc_document_types("NT")],
        not_before=NOW - timedelta(days=1),
    )
    signer = LocalSigner("nt", issued.key, issued.certificate)
    data = {
        "hdr": {"t": "icao.test", "v": 1, "is": "JPN"},
        "msg": {
            "utci": "T0001",
            "pid": {"n": "TAKAHASHI  YOSHIKO", "dt": "P", "dn": "X1"},
            "tr": {"tc": "molecular(PCR)", "r": "negative"},
        },
    }
    result = FORMAT.verify(sign_data(data, signer), chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID and result.record is None
    assert [w.code for w in result.warnings] == ["schema.vdsnc.not_decoded"]


# -- certificates with NULL ECDSA parameters (cryptography >= 49 refuses them) ---------------------
def _with_null_parameters(certificate: x509.Certificate, ca: pki.IssuedKey) -> bytes:
    """Re-encode ``certificate`` with NULL after the ECDSA OIDs and re-sign it, as Japan's BSC."""
    from shomeisho.trust import certificates as c

    def add_null(alg: bytes) -> bytes:
        _, start, end = c.der_tlv(alg, 0)
        return c.der_encode(0x30, alg[start:end] + b"\x05\x00")

    der = certificate.public_bytes(Encoding.DER)
    _, start, end = c.der_tlv(der, 0)
    tbs, alg, _ = c.der_children(der[start:end])
    _, tbs_start, tbs_end = c.der_tlv(tbs, 0)
    fields = c.der_children(tbs[tbs_start:tbs_end])
    fields[2] = add_null(fields[2])
    new_tbs = c.der_encode(0x30, b"".join(fields))
    from cryptography.hazmat.primitives.asymmetric import ec

    signature = ca.key.sign(new_tbs, ec.ECDSA(hashes.SHA384()))
    return c.der_encode(0x30, new_tbs + add_null(alg) + c.der_encode(0x03, b"\x00" + signature))


def test_null_parameter_signer_chains(
    record: VaccinationRecord, vdsnc_csca: pki.IssuedKey, chain_trust: TrustStore
) -> None:
    plain = bsc(vdsnc_csca, "JP BSC NULL")
    assert plain.certificate is not None
    der = _with_null_parameters(plain.certificate, vdsnc_csca)
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(der)
    tolerant = read_certificate(der)
    assert is_tolerated(tolerant) and tolerant.public_bytes(Encoding.DER) == der
    assert tolerant.serial_number == plain.certificate.serial_number
    chain_trust.check_chain(tolerant, at=NOW)
    signer = LocalSigner("null", plain._key, tolerant)  # type: ignore[attr-defined]
    text = FORMAT.issue(record, signer, issuer="JPN", issued_at=NOW, expires_at=None).text
    result = FORMAT.verify(text, chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["malformed.vdsnc.certificate_null_parameters"]
    # a forged issuer signature over the original TBS is still caught
    forged = bytearray(der)
    forged[-5] ^= 0x01
    result = FORMAT.verify(
        text.replace(b64url_encode(der), b64url_encode(bytes(forged))), chain_trust, at=NOW
    )
    assert result.verdict is not Verdict.VALID


# -- canonical JSON: the fast path is RFC 8785 -----------------------------------------------------
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_canonical_json_is_rfc8785(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError):
        with pytest.raises(MalformedError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


# -- the fast paths of verification say exactly what the general code says ----------------------
class RawJson(str):
    """JSON text written as it is: what Python's encoder cannot produce (1e999, lone surrogates)."""


PARSED_JSON_TEXT = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.text(st.characters(codec="utf-8") | st.sampled_from("\ue000\uffff\U00010000\u2028"))
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["1e999", "-1E400", "1.0", '"\\ud800"', '"\\udfff x"']).map(RawJson),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(codec="utf-8") | st.sampled_from("\ue000\U00010000"), max_size=4),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _to_text(value: Any, compact: bool) -> str:
    """JSON text for ``value``, compact (as orjson writes it) or spaced (the strict slow path)."""
    if isinstance(value, RawJson):
        return str(value)
    comma, colon = (",", ":") if compact else (", ", ": ")
    if isinstance(value, dict):
        items = (
            json.dumps(k, ensure_ascii=False) + colon + _to_text(v, compact)
            for k, v in value.items()
        )
        return "{" + comma.join(items) + "}"
    if isinstance(value, list):
        return "[" + comma.join(_to_text(v, compact) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(PARSED_JSON_TEXT, st.booleans())
def test_canonical_json_of_parsed_is_rfc8785(value: Any, compact: bool) -> None:
    """Through the strict reader (its exact orjson path when compact) into the orjson writer."""
    parsed = strict_json.loads(_to_text(value, compact), max_depth=64)
    try:
        expected = canonical_json(parsed)
    except MalformedError as exc:
        with pytest.raises(MalformedError) as caught:
            canonical_json_of_parsed(parsed)
        assert (caught.value.code, caught.value.message) == (exc.code, exc.message)
        return
    assert canonical_json_of_parsed(parsed) == expected


def test_canonical_json_of_parsed_refuses_what_jcs_cannot_write() -> None:
    for text in ("[1e999]", '{"a":-1e400}', '["\\ud800"]', "[9007199254740992]"):
        parsed = strict_json.loads(text)
        with pytest.raises(MalformedError) as fast:
            canonical_json_of_parsed(parsed)
        with pytest.raises(MalformedError) as slow:
            canonical_json(parsed)
        assert fast.value.message == slow.value.message
    for text in ('{"a":1.0}', '{"b":[0.5,-2.0,1e21,1e-7]}', '{"\\ue000":1,"\\ud800\\udc00":2}'):
        parsed = strict_json.loads(text)
        assert canonical_json_of_parsed(parsed) == rfc8785.dumps(parsed)


PLAUSIBLE_VALUES = st.sampled_from(  # most fit some field, at or just past its limit
    [
        *("2021-06-01", "1999-12-31", "JPN", "D", "A", "M", "F", "A B", 1, 2, 99),
        *("X" * 6, "Y" * 12, "Z" * 20, "W" * 21, "V" * 24, "U" * 39, "T" * 50),
    ]
)
FIELD_VALUES = st.one_of(
    st.sampled_from(
        [
            "1961-04-09",
            "1961",
            "1961-04",
            "1700-01-01",
            "2021-02-30",
            "2021-W22-1",
            "20210601",
            "2021-06-01\n",
            "\u0661961-04-09",
            "JPN",
            "D",
            "UTO",
            "AUS",
            "ZZZ",
            "M",
            "Q",
            " ",
            "",
            "1",
            "99",
            "icao.vacc",
            "icao.test",
            "Not recorded",
            "X" * 13,
            "Y" * 40,
            "Z" * 51,
        ]
    ),
    st.integers(-1, 100),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=1),
    st.dictionaries(st.sampled_from(["n", "x"]), st.text(max_size=2), max_size=1),
    st.text(max_size=3),
)


@pytest.mark.slow
@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_clean_check_agrees_with_check_data(seal_data: dict[str, Any], data: st.DataObject) -> None:
    """``is_clean_vaccination`` is True only when ``check_data`` has nothing to say, and then
    orjson's bytes are RFC 8785 without any scan."""
    doc = json.loads(json.dumps(seal_data))
    assert is_clean_vaccination(doc)
    near = data.draw(st.booleans())  # one plausible value in a leaf: often still clean
    for _ in range(1 if near else data.draw(st.integers(1, 3))):
        paths = _paths(doc)[1:]
        if near:
            paths = [p for p in paths if len(p) > 2 and not isinstance(_at(doc, p), dict | list)]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = _at(doc, path[:-1])
        action = "replace" if near else data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            key = data.draw(st.sampled_from(["dob", "i", "ai", "sex", "dis", "adm", "dvn", "x"]))
            parent[key] = data.draw(FIELD_VALUES)
        elif near and isinstance(parent[path[-1]], str) and data.draw(st.booleans()):
            parent[path[-1]] = (parent[path[-1]] * 9)[: data.draw(st.integers(0, 52))]
        else:
            parent[path[-1]] = data.draw(PLAUSIBLE_VALUES if near else FIELD_VALUES)
    clean = is_clean_vaccination(doc)
    event("clean" if clean else "not clean")
    if clean:
        assert check_data(doc) == ([], [])
        assert seal_type_of(doc) == VACCINATION
        assert canonical_json_of_parsed(doc, plain=True) == rfc8785.dumps(doc)
        if _record_cannot_fail(doc["msg"]):  # the guard verify() applies before deferring
            record_from_message(doc["msg"], doc["hdr"]["is"])


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _decode_b64url_reference(text: str, what: str, max_length: int) -> bytes:
    """decode_b64url as it was before its fast path."""
    body = text.rstrip("=")
    padding = len(text) - len(body)
    if padding and (len(text) % 4 or padding != -len(body) % 4):
        raise EncodingError(f"{what} has wrong base64 padding", code="encoding.base64", where=what)
    raw = b64url_decode(body, what=what, max_length=max_length)
    if b64url_encode(raw) != body:
        raise EncodingError(
            f"{what} is not canonical base64url (stray bits in the last character)",
            code="encoding.base64",
            where=what,
        )
    return raw


def _outcome(decode: Any) -> tuple[str, bytes | str]:
    try:
        return "ok", decode()
    except EncodingError as exc:
        return "error", exc.message


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(
    st.text(st.sampled_from("AQgwBEIMRZaz09_-+/= \n\u00e9") | st.characters(), max_size=90)
    | st.binary(max_size=70).map(b64url_encode)
    | st.binary(min_size=64, max_size=64).map(lambda raw: b64url_encode(raw) + "=="),
    st.sampled_from([MAX_SIGNATURE_TEXT, 8]),
)
def test_base64url_fast_path_agrees(text: str, max_length: int) -> None:
    expected = _outcome(lambda: _decode_b64url_reference(text, "sig.sigvl", max_length))
    assert _outcome(lambda: decode_b64url(text, what="sig.sigvl", max_length=max_length)) == (
        expected
    )
    if max_length == MAX_SIGNATURE_TEXT:
        assert _outcome(lambda: signature_bytes(Seal({}, "ES256", "", text))) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=64, max_size=64) | st.sampled_from([b"\x00" * 64, b"\xff" * 64]))
def test_es256_der_is_raw_to_der(raw: bytes) -> None:
    assert es256_der(raw) == raw_to_der(raw)


def test_record_is_built_on_first_access_and_equals_the_eager_one(
    seal_text: str, seal_data: dict[str, Any], chain_trust: TrustStore
) -> None:
    result = FORMAT.verify(seal_text, chain_trust, at=NOW)
    assert result.verdict is Verdict.VALID
    assert result.record == record_from_message(seal_data["msg"], "JPN")


def test_birth_year_outside_the_model_is_an_error_not_a_deferred_failure(
    seal_data: dict[str, Any], vdsnc_signer: LocalSigner, chain_trust: TrustStore
) -> None:
    seal_data["msg"]["pid"]["dob"] = "1700-01-01"
    assert is_clean_vaccination(seal_data)  # the field check has nothing to say about 1700...
    result = FORMAT.verify(sign_data(seal_data, vdsnc_signer), chain_trust, at=NOW)
    assert codes(result) == ["schema.vdsnc.value"]  # ...but the record cannot be built
    assert result.verdict is Verdict.INVALID and result.record is None


# -- nothing raises --------------------------------------------------------------------------------
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete"]),
        st.integers(min_value=0),
        st.sampled_from(list('{}[]",:01 aZ=_-\\n')) | st.characters(),
    ),
    min_size=1,
    max_size=5,
)


def _apply(text: str, edits: list[tuple[str, int, str]]) -> str:
    for op, position, char in edits:
        i = position % (len(text) + 1)
        if op == "insert":
            text = text[:i] + char + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + char + text[i + 1 :]
    return text


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_text_never_raises(chain_trust: TrustStore, text: str) -> None:
    assert isinstance(FORMAT.verify(text, chain_trust, at=NOW), Verification)


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(EDITS)
def test_mutated_seal_never_raises(
    seal_text: str, chain_trust: TrustStore, edits: list[tuple[str, int, str]]
) -> None:
    result = FORMAT.verify(_apply(seal_text, edits), chain_trust, at=NOW)
    assert isinstance(result, Verification)
    if result.verdict is not Verdict.VALID:
        assert result.errors or not result.signature_verified


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_signed_random_contents_never_raise(
    seal_data: dict[str, Any],
    vdsnc_signer: LocalSigner,
    chain_trust: TrustStore,
    data: st.DataObject,
) -> None:
    """Re-signed mutations reach the schema and mapping code, which must not raise either."""
    doc = json.loads(json.dumps(seal_data))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        replacement = data.draw(JSON_VALUES)
        parent[path[-1]] = replacement
    try:
        text = sign_data(doc, vdsnc_signer)
        canonical_json(json.loads(text)["data"])
    except MalformedError:
        return  # no RFC 8785 form survives a JSON round trip (e.g. 2.0**53): nobody can sign it
    result = FORMAT.verify(text, chain_trust, at=NOW)
    assert isinstance(result, Verification)
    if not result.signature_verified:  # nested past the reader's caps
        assert codes(result) in (["malformed.depth"], ["malformed.json.too_long"])
        return
    verdict = result.verdict
    assert (verdict is Verdict.VALID) == (not result.errors)
    result.as_dict()  # builds a deferred record: it must not raise or change the verdict
    assert result.verdict is verdict


def test_seal_signers_are_remembered_by_text_and_failures_are_not(seal_text: str) -> None:
    """The recent-signer list in front of the lru_cache answers by equal text, not identity."""
    from shomeisho.errors import ShomeishoError
    from shomeisho.formats.vdsnc import certificates

    cer = json.loads(seal_text)["sig"]["cer"]
    first = certificates.seal_signer(cer)
    assert certificates.seal_signer("".join(cer)) is first  # an equal, distinct string
    assert any(signer is first for _, signer in certificates._RECENT)
    for _ in range(2):
        with pytest.raises(ShomeishoError):
            certificates.seal_signer(cer[:-8])
    assert all(known != cer[:-8] for known, _ in certificates._RECENT)
