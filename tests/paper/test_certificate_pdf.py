"""The paper certificate, read back as a person, a screen reader and a scanner would read it.

The PDF is rendered to pixels by PDFium (not by the library that wrote it), its text extracted,
and every QR code in the picture decoded with zxing and verified with the issuer's trust list.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from shomeisho import qr
from shomeisho.errors import InputError, Verdict
from shomeisho.formats import all_formats
from shomeisho.keys import FileKeyStore, IssuerSetup
from shomeisho.paper.pdf import render_certificate_pdf, unprintable
from shomeisho.paper.sheet import sheet_for
from shomeisho.procedure.issuance import CertificateIssuer, Use
from shomeisho.records.certificate_record import TravelDetails
from shomeisho.records.entities import EventStatus, Resident, VaccinationEventRecord
from shomeisho.records.service import ResidentFile
from shomeisho.trust.store import load_trust_file
from tests.db.records_factory import event, resident
from tests.key_fixtures import KEYS_PASSPHRASE


def resident_file(**changes: object) -> ResidentFile:
    details = resident(**changes)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    events = [
        VaccinationEventRecord(
            f"E{dose}",
            "R1",
            details.municipality_code,
            event(f"V-{dose}", dose, administered_on=day),
            EventStatus.ACTIVE,
            1,
            "",
            "t",
            now,
        )
        for dose, day in ((1, datetime(2021, 6, 1).date()), (2, datetime(2021, 6, 22).date()))
    ]
    return ResidentFile(Resident("R1", details, None, False, now, now), events)


def pages_of(pdf: bytes) -> list[tuple[str, list[qr.ScannedCode]]]:
    document = pdfium.PdfDocument(pdf)
    out = []
    for page in document:
        text = page.get_textpage().get_text_range()
        picture = page.render(scale=200 / 72).to_pil()
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        out.append((text, qr.read_codes(buffer.getvalue())))
    return out


@pytest.mark.parametrize("use", [Use.DOMESTIC, Use.OVERSEAS])
def test_the_pdf_reads_back_as_text_and_every_code_verifies(demo_keys: Path, use: Use) -> None:
    file = resident_file()
    issuer = CertificateIssuer(
        FileKeyStore(demo_keys, KEYS_PASSPHRASE), IssuerSetup.load(demo_keys), with_dcc=True
    )
    travel = TravelDetails("TK1234567", "JPN", "TAKAHASHI", "YOSHIKO")
    issued = issuer.issue(file, use, travel if use is Use.OVERSEAS else None)
    sheet = sheet_for(
        file,
        use=use.value,
        certificate_id=issued.certificate_id,
        issued_at=issued.issued_at,
        codes=[(c.format, c.text) for c in issued.certificates],
    )
    pdf = render_certificate_pdf(sheet)
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    read = pages_of(pdf)
    assert len(read) == 1 + len(issued.certificates)
    summary = read[0][0]
    assert "髙橋 𠮷子" in summary  # the rare ideographs survive as text, not as pictures
    assert "TAKAHASHI YOSHIKO" in summary
    assert "2回目 Dose 2" in summary and "2021年6月22日" in summary
    assert issued.certificate_id in summary
    trust = load_trust_file(demo_keys / "trust-bundle.json")
    found = {}
    for text, codes in read[1:]:
        assert "髙橋 𠮷子" in text
        assert len(codes) == 1, "one code per page"
        found[codes[0].text] = codes[0]
    assert set(found) == {c.text for c in issued.certificates}
    for certificate in issued.certificates:
        verdict = all_formats()[certificate.format].verify(
            certificate.text, trust, at=datetime.now(UTC) + timedelta(minutes=1)
        )
        assert verdict.verdict is Verdict.VALID, (certificate.format, verdict.errors)


def test_the_pdf_declares_its_language_title_and_embeds_its_font(demo_keys: Path) -> None:
    file = resident_file()
    issuer = CertificateIssuer(
        FileKeyStore(demo_keys, KEYS_PASSPHRASE), IssuerSetup.load(demo_keys)
    )
    issued = issuer.issue(file, Use.DOMESTIC)
    codes = [(c.format, c.text) for c in issued.certificates]
    pdf = render_certificate_pdf(
        sheet_for(file, use="domestic", certificate_id=issued.certificate_id,
                  issued_at=issued.issued_at, codes=codes)
    )  # fmt: skip
    assert b"/Lang (ja)" in pdf or b"/Lang(ja)" in pdf
    assert b"/FontFile3" in pdf or b"/FontFile2" in pdf  # embedded, not referenced
    assert b"/StructTreeRoot" in pdf and b"/Alt" in pdf  # the QR figures carry alternative text
    assert b"/ToUnicode" in pdf
    document = pdfium.PdfDocument(pdf)
    assert "Vaccination Certificate" in document.get_metadata_value("Title")
    assert len(pdf) < 400_000, "the font is subset into the PDF"


def test_a_name_the_font_cannot_print_is_refused_with_a_reason() -> None:
    file = resident_file(given_name="\ue000子")  # a private-use 外字, as old systems had
    sheet = sheet_for(file, use="domestic", certificate_id="X", issued_at=datetime.now(UTC),
                      codes=[])  # fmt: skip
    with pytest.raises(InputError) as caught:
        render_certificate_pdf(sheet)
    assert caught.value.code == "input.unprintable" and "U+E000" in str(caught.value)
    assert unprintable("髙橋 𠮷子 﨑 TAKAHASHI ヨシコ") == []


def test_the_embedded_font_ships_with_its_licence() -> None:
    from shomeisho.paper.pdf import font_path

    folder = font_path().parent
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "LICENSE").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "Noto Sans CJK JP" in readme and "version 2.004" in readme
