"""The public verifier page: scan with the camera, choose a picture or paste the text, and see one
clear verdict, optionally against the rules of the country of arrival.

What it shows is what a checker needs and no more: the verdict, and only for a signature that
verified, the holder's name and date of birth (and, when a country's rules are not met, which
ones). Nothing is stored and nothing of the certificate is logged: the upload is read in memory,
verified against the service's trust list, and forgotten when the page is sent.

The camera is read in the browser (``static/verify.js`` with the vendored zxing-wasm reader), and
so is a chosen picture where the browser can: only the decoded text is posted, to this server
alone. Without JavaScript the page posts the picture or the pasted text as a plain form. The
pages carry a Content-Security-Policy that lets scripts, the wasm binary and every fetch come from
this origin only, so nothing on them can send the certificate anywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from shomeisho.errors import InputError, RuleFailedError, Verdict
from shomeisho.formats import TITLES
from shomeisho.formats.vdsnc.countries import alpha3_for, country_name
from shomeisho.model import JST, Person
from shomeisho.presented import MAX_INPUT_BYTES, Outcome, read_bytes
from shomeisho.verifier import Verifier
from shomeisho.web import kpi_pages, metrics, pages

router = APIRouter(include_in_schema=False)
MAX_TEXT = 8_000  # characters; the largest QR holds 7,089 digits

# Scripts, styles, the wasm binary and every fetch from this origin only; the camera preview is
# a MediaStream and a chosen picture may be read as a blob: URL.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

# Verdicts whose signature verified but which a checker must not accept as they stand: shown as a
# warning (an exclamation mark and words), apart from a refusal (a cross) and a pass (a tick).
_WARNINGS = {Verdict.RULES_FAILED, Verdict.EXPIRED, Verdict.NOT_YET_VALID}

# Japanese names of the countries that publish acceptance rules through the EU DCC gateway (and a
# few more); any other country is shown by its ISO English short name.
_JAPANESE_NAMES = {
    "AT": "オーストリア", "BE": "ベルギー", "BG": "ブルガリア", "CH": "スイス", "CY": "キプロス",
    "CZ": "チェコ", "DE": "ドイツ", "DK": "デンマーク", "EE": "エストニア", "ES": "スペイン",
    "FI": "フィンランド", "FR": "フランス", "GB": "英国", "GR": "ギリシャ", "HR": "クロアチア",
    "HU": "ハンガリー", "IE": "アイルランド", "IS": "アイスランド", "IT": "イタリア", "JP": "日本",
    "LI": "リヒテンシュタイン", "LT": "リトアニア", "LU": "ルクセンブルク", "LV": "ラトビア",
    "MT": "マルタ", "NL": "オランダ", "NO": "ノルウェー", "PL": "ポーランド", "PT": "ポルトガル",
    "RO": "ルーマニア", "SE": "スウェーデン", "SI": "スロベニア", "SK": "スロバキア",
    "US": "アメリカ合衆国",
}  # fmt: skip


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> Response:
    countries = _countries(request)
    chosen = request.query_params.get("country", "")
    return _form(request, 200, countries=countries, country=chosen if chosen in countries else "")


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request) -> Response:
    t = pages.texts(request)
    form = await request.form(max_files=1, max_fields=4)
    upload, pasted = form.get("image"), str(form.get("text", "")).strip()
    countries = _countries(request)
    country = str(form.get("country", "")).strip()
    if country and country not in countries:
        field = "country" if countries else "image"
        return _form(request, 422, t["verify_country_unknown"], field, countries=countries)
    data: bytes | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            return _form(request, 413, t["verify_too_large"], countries=countries, country=country)
    elif pasted:
        if len(pasted) > MAX_TEXT:
            return _form(request, 413, t["verify_too_large"], countries=countries, country=country)
        data = pasted.encode("utf-8")
    if not data:
        return _form(request, 422, t["verify_nothing"], countries=countries, country=country)
    verifier: Verifier | None = request.app.state.verifier
    if verifier is None:
        raise InputError("this service has no trust list configured", code="input.settings")
    outcomes = verifier.verify(
        read_bytes(data, source="upload"), at=datetime.now(UTC), country=country or None
    )
    del data, pasted  # nothing of the certificate outlives the request
    kpi_pages.count_page_verifications(request, outcomes)  # format and verdict only
    metrics.count_verified(
        request, ((o.verification.format, o.verification.verdict.value) for o in outcomes), "page"
    )
    language = pages.language(request)
    response = pages.render(
        request,
        "verify/result.html",
        results=[_shown(outcome, language) for outcome in outcomes],
        country={"code": country, "label": countries[country]} if country else None,
        trust_list=_trust_list(verifier, language),
    )
    response.headers.update(_HEADERS)
    response.headers["Cache-Control"] = "no-store"  # the holder's name stays out of any cache
    return response


def _form(
    request: Request,
    status: int,
    error: str | None = None,
    error_field: str = "image",
    *,
    countries: dict[str, str],
    country: str = "",
) -> Response:
    """The form, with an error (linked to the field at fault) and the country kept as chosen."""
    response = pages.render(
        request,
        "verify/form.html",
        status,
        error=error,
        error_field=error_field,
        countries=[{"code": code, "label": label} for code, label in countries.items()],
        country=country,
    )
    response.headers.update(_HEADERS)
    return response


def _countries(request: Request) -> dict[str, str]:
    """The countries whose rules the verifier holds, code -> label in the reader's language."""
    verifier: Verifier | None = request.app.state.verifier
    if verifier is None:
        return {}
    language = pages.language(request)
    return {code: _country_label(code, language) for code in verifier.rule_countries()}


def _country_label(code: str, language: str) -> str:
    name = _JAPANESE_NAMES.get(code) if language == "ja" else None
    alpha3 = alpha3_for(code)
    name = name or (country_name(alpha3) if alpha3 else None) or code
    return f"{name}（{code}）" if language == "ja" else f"{name} ({code})"


def _shown(outcome: Outcome, language: str) -> dict[str, object]:
    """Only what the page may show: the holder appears only under a verified signature."""
    verification = outcome.verification
    verdict = verification.verdict
    record = verification.record if verification.signature_verified else None
    person = record.person if record is not None else None
    rules = [error for error in verification.errors if isinstance(error, RuleFailedError)]
    return {
        "verdict": verdict.value,
        "valid": verdict is Verdict.VALID,
        "kind": _kind(verdict),
        "format": TITLES.get(verification.format, verification.format),
        "name": _name(person) if person is not None else None,
        "birth_date": person.birth_date.iso() if person and person.birth_date else None,
        "rules": [{"id": rule.rule_id, "text": _described(rule, language)} for rule in rules],
        "reasons": [
            error.code for error in verification.errors if not isinstance(error, RuleFailedError)
        ],
        "no_rules_in_force": any(w.code == "rules.none_in_force" for w in verification.warnings),
    }


def _trust_list(verifier: Verifier, language: str) -> dict[str, object] | None:
    """Version and age of the trust list the verdict rests on, so a checker knows how current
    the (offline) trust is; ``stale`` once the operator's next update is overdue."""
    listed = verifier.trust_list
    if listed is None:
        return None
    now = datetime.now(UTC)
    days = max(0, int(listed.age(now) // 86400))
    return {
        "version": listed.version,
        "issued": listed.issued_at.astimezone(JST).date().isoformat(),
        "days": days,
        "stale": listed.is_stale(now),
    }


def _kind(verdict: Verdict) -> str:
    if verdict is Verdict.VALID:
        return "valid"
    return "warning" if verdict in _WARNINGS else "invalid"


def _described(rule: RuleFailedError, language: str) -> str:
    """The rule's text in the reader's language, else English, else any, else its message."""
    texts = rule.descriptions
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), rule.message)


def _name(person: Person) -> str:
    """The name as written, with its romanised form beside it when the certificate has both."""
    name = person.name
    written = " ".join(part for part in (name.family, name.given) if part)
    romanised = " ".join(part for part in (name.family_romanised, name.given_romanised) if part)
    if written and romanised and romanised != written:
        return f"{written}（{romanised}）"
    return written or romanised
