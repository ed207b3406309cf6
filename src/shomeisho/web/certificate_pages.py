"""What the resident was issued: the certificate page, its QR images, the file and the PDF.

The page always shows the newest issuance and says so; earlier ones are listed beneath it (a
person who re-issued after a new dose must be able to tell which paper to carry). When the
register changed after the newest issuance, the page says so and offers to issue again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shomeisho import qr
from shomeisho.db.issued import SqlIssuedStore
from shomeisho.formats import TITLES
from shomeisho.formats.shc import write_health_card_file
from shomeisho.paper.pdf import render_certificate_pdf
from shomeisho.paper.sheet import sheet_for
from shomeisho.records.certificate_record import register_digest
from shomeisho.records.service import ResidentFile
from shomeisho.web import pages
from shomeisho.web.journey_pages import doses_in_words, signed_in_file
from shomeisho.wire import numeric

router = APIRouter(prefix="/journey", include_in_schema=False)
SHC_FILE = "vaccination.smart-health-card"
PDF_FILE = "vaccination-certificate.pdf"


def _store(request: Request) -> SqlIssuedStore:
    store: SqlIssuedStore = request.app.state.issued_store
    return store


def _newest(request: Request, file: ResidentFile) -> dict[str, str]:
    """format -> text of the newest issuance (empty when nothing was issued yet)."""
    return {fmt: text for _, _, fmt, text, _ in _store(request).newest(file.resident.resident_id)}


@router.get("/certificate", response_class=HTMLResponse)
def certificate_page(request: Request) -> Response:
    file = signed_in_file(request)
    if file is None:
        return RedirectResponse("/sign-in", status_code=303)
    history = _store(request).history(file.resident.resident_id)
    certificates = _newest(request, file)
    if not history or not certificates:
        return RedirectResponse("/journey/use", status_code=303)
    newest = history[0]
    shown = request.query_params.get("format") or newest.formats[0]
    if shown not in certificates:
        shown = next(iter(certificates))
    svg = qr.render_svg(certificates[shown], shown, scale=5, title=f"{TITLES[shown]} QR").decode(
        "utf-8"
    )
    changed = None
    if newest.register_digest and newest.register_digest != register_digest(file):
        changed = max((e.changed_at for e in file.events), default=newest.issued_at)
    return pages.render(
        request,
        "journey/certificate.html",
        file=file,
        formats=list(certificates),
        shown=shown,
        names=TITLES,
        svg=svg[svg.index("<svg") :],
        newest=newest,
        earlier=history[1:],
        register_changed=changed,
        doses=doses_in_words(file, pages.language(request)),
    )


@router.get("/certificate/{name}.png")
def certificate_png(request: Request, name: str) -> Response:
    file = signed_in_file(request)
    if file is None:
        return Response(status_code=401)
    text = _newest(request, file).get(name)
    if text is None:
        return Response(status_code=404)
    return Response(qr.render_png(text, name), media_type="image/png")


@router.get("/certificate.smart-health-card")
def health_card_file(request: Request) -> Response:
    file = signed_in_file(request)
    if file is None:
        return Response(status_code=401)
    text = _newest(request, file).get("shc")
    if text is None:
        return Response(status_code=404)
    return Response(
        write_health_card_file([numeric.decode(text[5:])]),
        media_type="application/smart-health-card",
        headers={"Content-Disposition": f'attachment; filename="{SHC_FILE}"'},
    )


@router.get("/certificate.pdf")
def certificate_pdf(request: Request) -> Response:
    """The newest issuance on A4, every code of it printed (see :mod:`shomeisho.paper.pdf`)."""
    file = signed_in_file(request)
    if file is None:
        return RedirectResponse("/sign-in", status_code=303)
    history = _store(request).history(file.resident.resident_id)
    if not history:
        return RedirectResponse("/journey/use", status_code=303)
    newest = history[0]
    sheet = sheet_for(
        file,
        use=newest.use.value,
        certificate_id=newest.certificate_id,
        issued_at=newest.issued_at,
        codes=list(_newest(request, file).items()),
        shown_name=newest.shown_name,
    )
    return Response(
        render_certificate_pdf(sheet),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{PDF_FILE}"'},
    )
