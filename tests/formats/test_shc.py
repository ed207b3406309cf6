"""SMART Health Cards: round trip, size, and a negative suite on a real, freshly signed card."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shomeisho.errors import (
    AlgorithmError,
    DecompressionError,
    ExpiredError,
    MalformedError,
    NotYetValidError,
    ShomeishoError,
    SignatureError,
    SignatureFormatError,
    UntrustedError,
    Verdict,
)
from shomeisho.formats.shc import (
    FORMAT,
    ShcFormat,
    crl,
    fhir,
    jwk,
    qrtext,
    verify_chunks,
    verify_health_card_file,
    verify_jws,
    verify_text,
    write_health_card_file,
)
from shomeisho.model import PersonName, VaccinationRecord, Verification
from shomeisho.signing import LocalSigner, der_to_raw, raw_to_der
from shomeisho.trust.store import TrustStore
from shomeisho.wire import numeric

EXPIRES = timedelta(days=365)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def sign_compact(
    signer: LocalSigner, header: object, payload: bytes, *, compress: bool = True
) -> str:
    """A JWS over arbitrary header/payload bytes, correctly signed: the checks under test must
    then reject it for what it says, not for a broken signature."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    signing_input = f"{b64(head)}.{b64(deflate(payload) if compress else payload)}"
    return f"{signing_input}.{b64(signer.sign(signing_input.encode()))}"


def jws_of(text: str) -> str:
    return numeric.decode(text[len("shc:/") :])


def shc(jws: str) -> str:
    return "shc:/" + numeric.encode(jws)


def codes(v: Verification) -> list[str]:
    return [e.code for e in v.errors]


@pytest.fixture()
def issued(record: VaccinationRecord, shc_signer: LocalSigner, shc_issuer: str, now: datetime):
    return FORMAT.issue(
        record,
        shc_signer,
        issuer=shc_issuer,
        issued_at=now - timedelta(days=1),
        expires_at=now + EXPIRES,
    )


@pytest.fixture()
def payload(issued) -> dict:
    return json.loads(zlib.decompress(unb64(jws_of(issued.text).split(".")[1]), -15))


# -- round trip ---------------------------------------------------------------------------------


def test_round_trip(issued, record, trust, now, shc_signer) -> None:
    assert issued.text.startswith("shc:/") and issued.text[5:].isdigit()
    assert FORMAT.recognises(issued.text)
    result = FORMAT.verify(issued.text, trust, at=now)
    assert result.verdict is Verdict.VALID, result.errors
    assert result.signature_verified and not result.warnings
    assert result.key_id == issued.key_id == jwk.thumbprint(shc_signer.public_key())
    assert result.issued_at == (now - timedelta(days=1)).replace(microsecond=0)
    assert result.expires_at == now + EXPIRES
    got = result.record
    assert got is not None
    # What SHC carries: every name (written and romanised, with its kind), the birth date, and
    # per dose the product, date, lot, performer and its position.
    assert got.person.name == record.person.name
    assert got.person.alternates == record.person.alternates
    assert got.person.birth_date == record.person.birth_date
    keep = ("product", "date", "lot", "performer", "dose_number", "series_doses")
    assert [[getattr(e, k) for k in keep] for e in got.events] == [
        [getattr(e, k) for k in keep] for e in record.events
    ]
    # Data minimisation: no sex, passport or nationality in the card.
    assert got.person.sex is None and got.person.passport_number is None
    # The certificate id is not in the card (see the package docstring): a stable derived id.
    assert got.certificate_id.startswith("shc:sha256:")
    assert FORMAT.verify(issued.text, trust, at=now).record.certificate_id == got.certificate_id


def test_demo_record_fits_one_qr(issued) -> None:
    assert len(jws_of(issued.text)) <= 1195


def test_bundle_shape(payload, shc_issuer) -> None:
    assert payload["iss"] == shc_issuer and isinstance(payload["nbf"], int)
    assert payload["vc"]["type"] == [
        "https://smarthealth.cards#health-card",
        "https://smarthealth.cards#immunization",
        "https://smarthealth.cards#covid19",
    ]
    subject = payload["vc"]["credentialSubject"]
    assert subject["fhirVersion"] == "4.0.1"
    bundle = subject["fhirBundle"]
    assert [e["fullUrl"] for e in bundle["entry"]] == ["resource:0", "resource:1", "resource:2"]
    text = json.dumps(bundle, ensure_ascii=False)
    for forbidden in ('"id"', '"meta"', '"text"', '"display": "', 'coding": [{"display'):
        assert forbidden not in text.replace('"actor": {"display"', "")
    patient, first = bundle["entry"][0]["resource"], bundle["entry"][1]["resource"]
    assert patient["birthDate"] == "1961-04-09"
    assert patient["name"][0] == {"family": "髙橋", "given": ["𠮷子"]}
    assert patient["name"][1]["family"] == "TAKAHASHI"
    assert patient["name"][1]["extension"][0]["valueCode"] == "ABC"
    assert patient["name"][2] == {"use": "old", "family": "山﨑"}
    assert first == {
        "resourceType": "Immunization",
        "status": "completed",
        "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "208"}]},
        "patient": {"reference": "resource:0"},
        "occurrenceDateTime": "2021-06-01",
        "performer": [{"actor": {"display": "Setagaya Health Centre"}}],
        "lotNumber": "FC9880",
    }


def test_partial_birth_date_and_kana_round_trip(record, shc_signer, shc_issuer, trust, now) -> None:
    from shomeisho.model import PartialDate

    person = replace(
        record.person,
        birth_date=PartialDate(1961, 4),
        alternates=(
            PersonName(family="タカハシ", given="ヨシコ", kind="kana"),
            PersonName(family_romanised="TAKAHASI", kind="passport"),
        ),
    )
    rec = replace(record, person=person)
    issued = FORMAT.issue(rec, shc_signer, issuer=shc_issuer, issued_at=now, expires_at=None)
    got = FORMAT.verify(issued.text, trust, at=now).record
    assert got is not None and got.person.birth_date == PartialDate(1961, 4)
    assert got.person.alternates == person.alternates


def test_rid_and_revocation(record, shc_signer, shc_issuer, trust, now) -> None:
    secret = bytes(range(32))
    fmt = ShcFormat(rid_secret=secret)
    issued = fmt.issue(record, shc_signer, issuer=shc_issuer, issued_at=now, expires_at=None)
    kid = issued.key_id
    rid = crl.compute_rid(secret, kid, record.certificate_id)
    assert len(rid) == 11 and record.certificate_id not in jws_of(issued.text)
    result = fmt.verify(issued.text, trust, at=now)
    assert result.verdict is Verdict.VALID
    assert result.record is not None and result.record.certificate_id == f"shc:rid:{rid}"
    revoked = ShcFormat(crls={shc_issuer: {kid: crl.crl_document(kid, 1, ["other", rid])}})
    assert revoked.verify(issued.text, trust, at=now).verdict is Verdict.REVOKED
    assert codes(revoked.verify(issued.text, trust, at=now)) == ["revoked"]
    later = ShcFormat(
        crls={shc_issuer: {kid: crl.crl_document(kid, 1, [f"{rid}.{int(now.timestamp()) - 10}"])}}
    )
    assert later.verify(issued.text, trust, at=now).verdict is Verdict.VALID


def test_issuer_jwks(shc_signer) -> None:
    doc = jwk.issuer_jwks([shc_signer])
    (key,) = doc["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["use"] == "sig"
    assert key["alg"] == "ES256" and key["kid"] == jwk.thumbprint(shc_signer.public_key())
    assert "d" not in key


def test_thumbprint_of_spec_example_key() -> None:
    """The SHC spec example issuer's key and its published kid."""
    example = {
        "kty": "EC",
        "crv": "P-256",
        "x": "11XvRWy1I2S0EyJlyf_bWfw_TQ5CJJNLw78bHXNxcgw",
        "y": "eZXwxvO1hvCY0KucrPfKo7yAyMT6Ajc3N7OkAB6VYy8",
    }
    assert (
        jwk.thumbprint(jwk.key_from_jwk(example)) == "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"
    )


def test_health_card_file_and_chunks(issued, trust, now, record, shc_signer, shc_issuer) -> None:
    second = FORMAT.issue(record, shc_signer, issuer=shc_issuer, issued_at=now, expires_at=None)
    data = write_health_card_file([jws_of(issued.text), jws_of(second.text)])
    results = verify_health_card_file(data, trust, now, filename="card.smart-health-card")
    assert [r.verdict for r in results] == [Verdict.VALID, Verdict.VALID]
    assert [
        w.code for w in verify_health_card_file(data, trust, now, filename="x.json")[0].warnings
    ] == ["input.file_extension"]
    token = jws_of(issued.text)
    half = len(token) // 2
    chunks = [
        f"shc:/2/2/{numeric.encode(token[half:])}",
        f"shc:/1/2/{numeric.encode(token[:half])}",
    ]
    chunked = verify_chunks(chunks, trust, now)
    assert codes(chunked) == ["invalid.qr.chunked"] and chunked.signature_verified
    assert chunked.verdict is Verdict.INVALID and chunked.record is not None
    assert "invalid.qr.unneeded_chunks" in [w.code for w in chunked.warnings]
    one_one = FORMAT.verify("shc:/1/1/" + issued.text[5:], trust, at=now)
    assert one_one.verdict is Verdict.VALID and [w.code for w in one_one.warnings] == [
        "encoding.numeric.header"
    ]


def test_too_large_record_is_refused(record, shc_signer, shc_issuer, now) -> None:
    from shomeisho.errors import InputError

    many = tuple(
        replace(
            record.events[0],
            date=date(2021, 1, 1) + timedelta(days=i),
            dose_number=min(i + 1, 99),
            series_doses=99,
        )
        for i in range(30)
    )
    with pytest.raises(InputError):
        FORMAT.issue(
            replace(record, events=many),
            shc_signer,
            issuer=shc_issuer,
            issued_at=now,
            expires_at=None,
        )


def test_issuer_url_must_be_https(record, shc_signer, now) -> None:
    from shomeisho.errors import InputError

    for bad in ("http://issuer.example.jp", "https://issuer.example.jp/"):
        with pytest.raises(InputError):
            FORMAT.issue(record, shc_signer, issuer=bad, issued_at=now, expires_at=None)


# -- negative suite -----------------------------------------------------------------------------


def test_payload_bit_flip(issued, trust, now) -> None:
    head, body, sig = jws_of(issued.text).split(".")
    raw = bytearray(unb64(body))
    raw[len(raw) // 2] ^= 0x01
    result = FORMAT.verify(shc(f"{head}.{b64(bytes(raw))}.{sig}"), trust, at=now)
    assert result.verdict in (Verdict.INVALID, Verdict.UNREADABLE)
    assert not result.signature_verified and result.record is None
    assert set(codes(result)) & {
        "signature.mismatch",
        "decompression.invalid",
        "decompression.truncated",
        "malformed.json",
    }


def test_payload_change_keeps_compression_valid(issued, trust, now) -> None:
    head, body, sig = jws_of(issued.text).split(".")
    changed = zlib.decompress(unb64(body), -15).replace(b"FC9880", b"FC9881")
    result = FORMAT.verify(shc(f"{head}.{b64(deflate(changed))}.{sig}"), trust, at=now)
    assert codes(result) == ["signature.mismatch"] and result.verdict is Verdict.INVALID
    assert isinstance(result.errors[0], SignatureError) and result.record is None


def test_signature_bit_flip(issued, trust, now) -> None:
    head, body, sig = jws_of(issued.text).split(".")
    raw = bytearray(unb64(sig))
    raw[5] ^= 0x80
    result = FORMAT.verify(shc(f"{head}.{body}.{b64(bytes(raw))}"), trust, at=now)
    assert codes(result) == ["signature.mismatch"] and result.verdict is Verdict.INVALID


def test_kid_swapped(issued, trust, now, shc_issuer, shc_signer) -> None:
    other = LocalSigner("other", ec.generate_private_key(ec.SECP256R1()))
    both = TrustStore()
    both.merge(trust)
    both.add_jwks(shc_issuer, jwk.issuer_jwks([other]))
    head, body, sig = jws_of(issued.text).split(".")
    header = json.loads(unb64(head))
    header["kid"] = jwk.thumbprint(other.public_key())
    swapped = shc(f"{b64(json.dumps(header).encode())}.{body}.{sig}")
    assert codes(FORMAT.verify(swapped, both, at=now)) == ["signature.mismatch"]
    assert codes(FORMAT.verify(swapped, trust, at=now)) == ["untrusted.no_key"]
    assert FORMAT.verify(swapped, trust, at=now).verdict is Verdict.UNTRUSTED


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"zip": "DEF", "kid": "K"}, "signature.algorithm.missing"),
        ({"zip": "DEF", "alg": "none", "kid": "K"}, "signature.algorithm.not_allowed"),
        ({"zip": "DEF", "alg": "HS256", "kid": "K"}, "signature.algorithm.not_allowed"),
        ({"zip": "DEF", "alg": "ES384", "kid": "K"}, "signature.algorithm.not_allowed"),
    ],
)
def test_algorithm_only_from_protected_header(
    header, code, payload, shc_signer, trust, now
) -> None:
    header = {
        k: (jwk.thumbprint(shc_signer.public_key()) if v == "K" else v) for k, v in header.items()
    }
    token = sign_compact(shc_signer, header, json.dumps(payload).encode())
    result = FORMAT.verify(shc(token), trust, at=now)
    assert codes(result) == [code] and isinstance(result.errors[0], AlgorithmError)
    assert result.verdict is Verdict.INVALID and not result.signature_verified
    # alg "none" with an empty signature is not even a well-formed SHC JWS
    head, body, _ = token.split(".")
    assert not FORMAT.verify(shc(f"{head}.{body}."), trust, at=now).signature_verified


def test_der_signature(issued, trust, now) -> None:
    head, body, sig = jws_of(issued.text).split(".")
    der = raw_to_der(unb64(sig))
    result = FORMAT.verify(shc(f"{head}.{body}.{b64(der)}"), trust, at=now)
    assert codes(result) == ["signature.format.der"]
    assert isinstance(result.errors[0], SignatureFormatError)
    assert der_to_raw(der) == unb64(sig)


@pytest.mark.parametrize("junk", [" ", "\n", "\t", "\ufeff"])
def test_trailing_characters(issued, trust, now, junk) -> None:
    result = FORMAT.verify(issued.text + junk, trust, at=now)
    assert "malformed.trailing" in codes(result) and result.verdict is Verdict.UNREADABLE
    token = jws_of(issued.text)
    assert codes(verify_jws(token + junk, trust, now)) == ["malformed.trailing"]


def test_trailing_bytes_after_payload_json(payload, shc_signer, trust, now) -> None:
    token = sign_compact(shc_signer, _header(shc_signer), json.dumps(payload).encode() + b"x")
    assert codes(FORMAT.verify(shc(token), trust, at=now)) == ["malformed.trailing"]


def _header(signer: LocalSigner) -> dict:
    return {"zip": "DEF", "alg": "ES256", "kid": jwk.thumbprint(signer.public_key())}


def test_deflate_bomb(shc_signer, trust, now) -> None:
    bomb = b"{" + b" " * 10_000_000 + b"}"  # 10 MB that deflate to ~10 KB: 1000:1
    token = sign_compact(shc_signer, _header(shc_signer), bomb)
    assert len(token) < 64 * 1024
    result = verify_jws(token, trust, now)
    assert codes(result) == ["decompression.too_large"]
    assert isinstance(result.errors[0], DecompressionError)
    assert result.verdict is Verdict.UNREADABLE


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (
            lambda p: p.replace(b'"nbf":', b'"iss":"https://evil.example","nbf":', 1),
            "malformed.duplicate_key",
        ),
        (lambda p: p.replace(b'"nbf":', b'"x":NaN,"nbf":', 1), "malformed.json.nan"),
        (lambda p: b"\xef\xbb\xbf" + p, "malformed.json.bom"),
        (lambda p: b"[" + p + b"]", "malformed.jwt.not_object"),
        (lambda p: p[:-1], "malformed.json"),
    ],
)
def test_strict_payload_json(payload, shc_signer, trust, now, mutate, code) -> None:
    minified = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    token = sign_compact(shc_signer, _header(shc_signer), mutate(minified))
    result = FORMAT.verify(shc(token), trust, at=now)
    assert codes(result) == [code] and isinstance(result.errors[0], MalformedError)
    assert result.verdict is Verdict.UNREADABLE and result.record is None


def test_expired(record, shc_signer, shc_issuer, trust, now) -> None:
    issued = FORMAT.issue(
        record,
        shc_signer,
        issuer=shc_issuer,
        issued_at=now - timedelta(days=400),
        expires_at=now - timedelta(days=1),
    )
    result = FORMAT.verify(issued.text, trust, at=now)
    assert codes(result) == ["expired"] and isinstance(result.errors[0], ExpiredError)
    assert result.verdict is Verdict.EXPIRED and result.signature_verified


def test_not_yet_valid(record, shc_signer, shc_issuer, trust, now) -> None:
    issued = FORMAT.issue(
        record, shc_signer, issuer=shc_issuer, issued_at=now + timedelta(hours=2), expires_at=None
    )
    result = FORMAT.verify(issued.text, trust, at=now)
    assert codes(result) == ["not_yet_valid"] and isinstance(result.errors[0], NotYetValidError)
    assert result.verdict is Verdict.NOT_YET_VALID


def test_unknown_issuer(issued, now) -> None:
    result = FORMAT.verify(issued.text, TrustStore(), at=now)
    assert codes(result) == ["untrusted.unknown_issuer"]
    assert isinstance(result.errors[0], UntrustedError) and result.record is None


def test_issuer_claiming_another_issuers_key(record, shc_signer, trust, now) -> None:
    """A trusted issuer's key used for a card that names another trusted issuer."""
    other = LocalSigner("other", ec.generate_private_key(ec.SECP256R1()))
    both = TrustStore()
    both.merge(trust)
    both.add_jwks("https://other.example.jp", jwk.issuer_jwks([other]))
    issued = FORMAT.issue(
        record, shc_signer, issuer="https://other.example.jp", issued_at=now, expires_at=None
    )
    result = FORMAT.verify(issued.text, both, at=now)
    assert codes(result) == ["untrusted.issuer_mismatch"]
    assert result.verdict is Verdict.UNTRUSTED
    assert codes(FORMAT.verify(issued.text, trust, at=now)) == ["untrusted.unknown_issuer"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("shc:/123", "encoding.numeric.odd"),
        ("shc:/99", "encoding.numeric.range"),
        ("shc:/12ab", "encoding.numeric.character"),
        ("shc:12", "encoding.numeric.header"),
        ("shc:/2/3/1234", "encoding.numeric.chunk_missing"),
        ("shc:/", "malformed.jws"),
        ("", "encoding.numeric.header"),
    ],
)
def test_bad_qr_text(text, code, trust, now) -> None:
    assert code in codes(FORMAT.verify(text, trust, at=now))


def test_fhir_mapping_rejects_unknown_name_kind(record) -> None:
    from shomeisho.errors import InputError

    odd = replace(
        record, person=replace(record.person, alternates=(PersonName(family="X", kind="nickname"),))
    )
    with pytest.raises(InputError):
        fhir.build_bundle(odd)


# -- never raises -------------------------------------------------------------------------------
# These call verify_text / verify_jws, below FORMAT.verify's last-resort net for unexpected
# exceptions, so a bug that raises cannot hide behind it.

_FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _checked(result: Verification) -> Verification:
    assert isinstance(result, Verification)
    assert all(isinstance(e, ShomeishoError) for e in result.errors + result.warnings)
    return result


@_FUZZ
@given(st.text(max_size=300))
def test_fuzz_any_text_after_prefix(trust, now, tail) -> None:
    result = _checked(verify_text("shc:/" + tail, trust, now))
    assert result.verdict is not Verdict.VALID


@_FUZZ
@given(st.text(alphabet="0123456789", max_size=400))
def test_fuzz_digit_strings(trust, now, digits) -> None:
    assert _checked(verify_text("shc:/" + digits, trust, now)).verdict is not Verdict.VALID


@_FUZZ
@given(st.text(max_size=200))
def test_fuzz_arbitrary_text(trust, now, text) -> None:
    _checked(FORMAT.verify(text, trust, at=now))
    _checked(verify_jws(text, trust, now))
    FORMAT.recognises(text)


@_FUZZ
@given(st.lists(st.text(alphabet="0123456789/shc:", max_size=40), min_size=2, max_size=4))
def test_fuzz_chunks(trust, now, texts) -> None:
    _checked(verify_chunks(texts, trust, now))


@_FUZZ
@given(st.data())
def test_fuzz_mutations_of_a_valid_card(issued, trust, now, data) -> None:
    text = issued.text
    token = jws_of(text)
    op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate", "header", "digits"]))
    if op == "digits":
        body = bytearray(text.encode())
        at = data.draw(st.integers(5, len(body) - 1))
        body[at] = ord(data.draw(st.sampled_from("0123456789/:x ")))
        mutated = body.decode()
    else:
        chars = list(token)
        at = data.draw(st.integers(0, len(chars) - 1))
        if op == "flip":
            chars[at] = data.draw(st.sampled_from("ABCxyz019-_.=+/ "))
        elif op == "insert":
            chars.insert(at, data.draw(st.sampled_from("A.-_ \n")))
        elif op == "delete":
            del chars[at]
        elif op == "truncate":
            chars = chars[:at]
        else:
            head = json.dumps(
                data.draw(
                    st.dictionaries(
                        st.sampled_from(["alg", "zip", "kid", "crit", "jku"]),
                        st.one_of(
                            st.text(max_size=5),
                            st.integers(),
                            st.none(),
                            st.lists(st.integers(), max_size=2),
                        ),
                        max_size=4,
                    )
                )
            ).encode()
            chars = list(b64(head) + token[token.index(".") :])
        candidate = "".join(chars)
        encodable = all(45 <= ord(c) <= 122 for c in candidate)
        mutated = "shc:/" + (numeric.encode(candidate) if encodable else candidate)
    result = _checked(verify_text(mutated, trust, now))
    if result.verdict is Verdict.VALID:
        # Only a change that leaves the signed bytes and the signature bytes as they were can
        # still verify (base64 has spare bits in its last character).
        got = numeric.decode(mutated[5:])
        assert got.rsplit(".", 1)[0] == token.rsplit(".", 1)[0]
        assert unb64(got.rsplit(".", 1)[1]) == unb64(token.rsplit(".", 1)[1])


def test_recognises() -> None:
    assert FORMAT.recognises("shc:/5676")
    assert not FORMAT.recognises("HC1:ABC")
    assert not FORMAT.recognises("")
    header = b64(b'{"zip":"DEF","alg":"ES256","kid":"x"}')
    assert FORMAT.recognises(f"{header}.AAAA.BBBB")
    assert not FORMAT.recognises(f"{b64(b'{}')}.AAAA.BBBB")


def test_qrtext_encode_refuses_long_jws() -> None:
    from shomeisho.errors import EncodingError

    with pytest.raises(EncodingError):
        qrtext.encode("A" * 1196)


def test_now_is_aware(now) -> None:
    assert now.tzinfo is UTC


def test_format_satisfies_protocol() -> None:
    from shomeisho.formats import CertificateFormat

    fmt: CertificateFormat = FORMAT
    assert fmt.name == "shc"


def test_qr_image_round_trip(issued, trust, now) -> None:
    """Drawn by shomeisho.qr, read back: byte + numeric segments, minimal version, valid."""
    qr = pytest.importorskip("shomeisho.qr")
    from shomeisho.formats.shc import qrsymbol, verify_qr_images

    png = qr.render_png(issued.text, "shc")
    (symbol,) = qrsymbol.read_symbols(png)
    assert symbol.segments is not None and [m for m, _ in symbol.segments] == ["byte", "numeric"]
    assert symbol.version <= 22 and symbol.ec_level == "L"
    result = verify_qr_images([png], trust, now)
    assert result.verdict is Verdict.VALID and not result.warnings, result.warnings


# -- the hot path agrees with the full checks ---------------------------------------------------


def _findings(sink: object) -> list[tuple[str, str, str, str | None]]:
    return [
        (type(e).__name__, e.code, e.message, e.where)
        for e in getattr(sink, "errors", []) + getattr(sink, "warnings", [])
    ]


def _both_ways(claims_payload: dict, at: datetime, monkeypatch: pytest.MonkeyPatch):
    """check_claims as the hot path runs it, and with the clean-shape shortcut switched off."""
    from shomeisho.formats.shc import onepass
    from shomeisho.formats.shc import payload as payload_mod
    from shomeisho.formats.shc.problems import Findings

    fast_sink = Findings()
    fast = payload_mod.check_claims(claims_payload, at, fast_sink)
    with monkeypatch.context() as m:
        m.setattr(onepass, "is_clean", lambda _payload: False)
        full_sink = Findings()
        full = payload_mod.check_claims(claims_payload, at, full_sink)
    return fast, fast_sink, full, full_sink


# (path into the payload, new value); None as value deletes the member.
_EDITS: list[tuple[tuple[object, ...], object]] = [
    ((), None),
    (("nbf",), 10**11),
    (("nbf",), 10**11 - 1),
    (("nbf",), 0),
    (("nbf",), 1.5),
    (("nbf",), True),
    (("exp",), 1),
    (("exp",), 10**11),
    (("iss",), "https://x.example/"),
    (("iss",), "https://"),
    (("iss",), "https://a\n"),
    (("vc", "rid"), "a" * 24),
    (("vc", "rid"), "a" * 25),
    (("vc", "rid"), "abc\n"),
    (("vc", "@context"), ["x"]),
    (("vc", "type", 2), "https://smarthealth.cards#laboratory"),
    (("vc", "credentialSubject", "fhirVersion"), "4.0.1\n"),
    (("vc", "credentialSubject", "fhirVersion"), "4.0"),
    *[
        ((*("vc", "credentialSubject", "fhirBundle", "entry", 0, "resource"), "birthDate"), v)
        for v in [
            *("1961-02-29", "1960-02-29", "1799-12-31", "1800-01-01", "2999-12-31", "3000"),
            *("1961-13", "1961-04", "1961", "１９６１", "1961-04-31", "1961-04-09\n", ""),
        ]
    ],
    *[
        ((*("vc", "credentialSubject", "fhirBundle", "entry", 1, "resource"), member), v)
        for member, v in [
            ("occurrenceDateTime", "2021-02-29"),
            ("occurrenceDateTime", "2020-02-29"),
            ("occurrenceDateTime", "2021-04-31"),
            ("occurrenceDateTime", "0000-01-01"),
            ("occurrenceDateTime", "2021-06"),
            ("occurrenceDateTime", "2021-06-01T10:00:00Z"),
            ("occurrenceDateTime", "2021-06-01T10:00:00"),
            ("occurrenceDateTime", "２０２１-06-01"),
            ("occurrenceString", "June"),
            ("lotNumber", None),
            ("lotNumber", ""),
            ("status", "not-done"),
            ("patient", {"reference": "resource:2"}),
            ("patient", {"reference": "resource:9"}),
            ("patient", {"display": "x"}),
            ("performer", [{"actor": {"reference": "resource:0"}}]),
            ("performer", [{"actor": {"reference": "resource:7"}}]),
            ("performer", []),
            ("vaccineCode", {"coding": [{"system": fhir.CVX_SYSTEM, "code": "213"}]}),
            ("vaccineCode", {"coding": [{"system": fhir.CVX_SYSTEM, "code": "999"}]}),
            ("vaccineCode", {"coding": [{"system": "http://x", "code": "208"}]}),
            (
                "vaccineCode",
                {"coding": [{"system": fhir.CVX_SYSTEM, "code": "208", "display": "x"}]},
            ),
            ("vaccineCode", {"text": "x", "coding": [{"system": fhir.CVX_SYSTEM, "code": "208"}]}),
            ("id", "x"),
            ("meta", {"security": [{"code": "IAL1.2"}]}),
        ]
    ],
    (("vc", "credentialSubject", "fhirBundle", "entry", 1, "fullUrl"), "resource:0"),
    (("vc", "credentialSubject", "fhirBundle", "entry", 2, "fullUrl"), "resource:5"),
    (("vc", "credentialSubject", "fhirBundle", "entry", 0, "resource", "name"), []),
    (("vc", "credentialSubject", "fhirBundle", "entry", 0, "resource", "name"), [{"use": "old"}]),
    (("vc", "credentialSubject", "fhirBundle", "entry", 0, "resource", "name", 0, "given"), [""]),
    (("vc", "credentialSubject", "fhirBundle", "entry", 0, "resource", "name", 0, "text"), "x"),
    (("vc", "credentialSubject", "fhirBundle", "entry", 1, "resource", "resourceType"), "Patient"),
]


@pytest.mark.parametrize(("path", "value"), _EDITS)
def test_clean_shape_shortcut_agrees_with_full_checks(
    payload, now, monkeypatch, path, value
) -> None:
    """onepass's schema is a subset of what the full checks accept silently: for any payload,
    check_claims says the same with and without the shortcut, and a payload it calls clean
    makes a record without a warning."""
    doc = json.loads(json.dumps(payload))
    if path:
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if value is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    for at in (now, now + 2 * EXPIRES):
        fast, fast_sink, full, full_sink = _both_ways(doc, at, monkeypatch)
        assert _findings(fast_sink) == _findings(full_sink)
        assert (fast.iss, fast.nbf, fast.exp, fast.bundle, fast.rid) == (
            full.iss,
            full.nbf,
            full.exp,
            full.bundle,
            full.rid,
        )
        if fast.clean:
            warnings: list[ShomeishoError] = []
            fhir.scan_record(fast.bundle, warnings)  # raises if the record would be refused
            assert warnings == []


def test_the_issued_card_takes_the_clean_path(payload) -> None:
    from shomeisho.formats.shc import onepass

    assert onepass.is_clean(payload)
    assert not onepass.is_clean({**payload, "jti": "x"})
    assert not onepass.is_clean({**payload, "iss": "\ud800"})  # not for the validator: full path


def test_record_is_built_on_demand_with_warnings_up_front(payload, shc_signer, trust, now):
    """The record is deferred, but the schema.record.* warnings are in the result at once."""
    payload["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["vaccineCode"] = {
        "coding": [{"system": fhir.CVX_SYSTEM, "code": "999"}]
    }
    token = sign_compact(shc_signer, _header(shc_signer), json.dumps(payload).encode())
    result = verify_jws(token, trust, now)
    assert result.verdict is Verdict.VALID
    assert [w.code for w in result.warnings] == ["schema.record.product"]
    record = result.record
    assert record is not None and len(record.events) == 1
    eager = fhir.read_record(
        payload["vc"]["credentialSubject"]["fhirBundle"], record.certificate_id, []
    )
    assert record == eager
    assert result.record is record  # built once


# -- fast decoders agree with the shared reference decoders -------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1}',
        b'{"a":1,"a":2}',
        b'{"a": 1}',
        b' {"a":1}',
        b'{"a":1} ',
        b'{"a":NaN}',
        b'{"a":1e5}',
        b'{"a":' + b"9" * 30 + b"}",
        b'{"a":"\\ud800"}',
        b"\xef\xbb\xbf{}",
        b'{"a":"\xff"}',
        b"[1]",
        b'{"a":' + b"[" * 300 + b"]" * 300 + b"}",  # deeper than orjson writes: old path
        b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}",
    ],
)
def test_fast_json_matches_reference(data) -> None:
    from shomeisho.formats.shc import fastpath

    try:
        got: object = fastpath.loads_object(data, what="x")
    except MalformedError as exc:
        got = (exc.code, exc.message)
    if isinstance(got, dict):
        assert got == json.loads(data)
        assert b'"a":1,"a"' not in data
    else:
        assert got[0].startswith("malformed")
