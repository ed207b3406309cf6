"""The public verifier page: upload a QR image or paste the text, see one clear verdict.

What it shows is what a checker needs and no more: the verdict, and only for a signature that
verified, the holder's name and date of birth. Nothing is stored and nothing of the certificate
is logged: the upload is read in memory, verified against the service's trust list, and
forgotten when the page is sent. (Reading the code with the camera in the browser, and the
country's rules, come with the rest of the verifier.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from shomeisho.errors import InputError, Verdict
from shomeisho.formats import TITLES
from shomeisho.model import Person
from shomeisho.presented import MAX_INPUT_BYTES, Outcome, read_bytes
from shomeisho.verifier import Verifier
from shomeisho.web import pages

router = APIRouter(include_in_schema=False)
MAX_TEXT = 8_000  # characters; the largest QR holds 7,089 digits


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    return pages.render(request, "verify/form.html", error=None)


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request) -> Response:
    t = pages.texts(request)
    form = await request.form(max_files=1, max_fields=4)
    upload, pasted = form.get("image"), str(form.get("text", "")).strip()
    data: bytes | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            return pages.render(request, "verify/form.html", 413, error=t["verify_too_large"])
    elif pasted:
        if len(pasted) > MAX_TEXT:
            return pages.render(request, "verify/form.html", 413, error=t["verify_too_large"])
        data = pasted.encode("utf-8")
    if not data:
        return pages.render(request, "verify/form.html", 422, error=t["verify_nothing"])
    verifier: Verifier | None = request.app.state.verifier
    if verifier is None:
        raise InputError("this service has no trust list configured", code="input.settings")
    outcomes = verifier.verify(read_bytes(data, source="upload"), at=datetime.now(UTC))
    del data, pasted  # nothing of the certificate outlives the request
    return pages.render(
        request,
        "verify/result.html",
        results=[_shown(outcome) for outcome in outcomes],
    )


def _shown(outcome: Outcome) -> dict[str, object]:
    """Only what the page may show: the holder appears only under a verified signature."""
    verification = outcome.verification
    record = verification.record if verification.signature_verified else None
    person = record.person if record is not None else None
    return {
        "verdict": verification.verdict.value,
        "valid": verification.verdict is Verdict.VALID,
        "format": TITLES.get(verification.format, verification.format),
        "name": _name(person) if person is not None else None,
        "birth_date": person.birth_date.iso() if person and person.birth_date else None,
        "reasons": [error.code for error in verification.errors],
    }


def _name(person: Person) -> str:
    """The name as written, with its romanised form beside it when the certificate has both."""
    name = person.name
    written = " ".join(part for part in (name.family, name.given) if part)
    romanised = " ".join(part for part in (name.family_romanised, name.given_romanised) if part)
    if written and romanised and romanised != written:
        return f"{written}（{romanised}）"
    return written or romanised
