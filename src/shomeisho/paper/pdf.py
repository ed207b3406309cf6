"""The A4 PDF of a certificate: real text in an embedded Japanese font, vector QR codes.

Why it is built this way:

- **Text, not pictures of text.** Every word is set in the embedded font with a ToUnicode map,
  so a screen reader reads it, a search finds the name, and copy and paste works. The document
  declares its language (ja), its title, and each QR code is a tagged figure with alternative
  text that says what the code is and that its content is the text printed beside it.
- **One font that has the names.** Registered names use rare ideographs (髙, 﨑, 𠮷); the
  vendored font is a subset of Noto Sans CJK JP (the typeface of the Digital Agency's design
  system) that keeps every CJK ideograph, including the supplementary planes. A name the font
  cannot print is refused with a typed error rather than printed with a hole in it.
- **Vector QR codes.** The codes are drawn from the same SVG the page shows, so print resolution
  never blurs a module; each code is 110 mm wide with its quiet zone, at least 0.59 mm per module
  even for the largest QR version.
- **Both languages on one sheet.** A certificate shown at a border is read by an officer who
  may know neither language well; every label is Japanese and English side by side.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from shomeisho import qr
from shomeisho.errors import InputError
from shomeisho.paper.sheet import CertificateSheet, PrintedCode

TITLE_JA = "新型コロナウイルス感染症予防接種証明書"
TITLE_EN = "Vaccination Certificate of COVID-19"
FONT_FILE = "NotoSansCJKjp-Regular-subset.otf"
_FONT = "NotoSansJP"
_MARGIN = 18.0  # mm
_QR_WIDTH_MM = 110.0  # a version 40 code with its quiet zone is 185 modules: >= 0.59 mm each


@lru_cache(maxsize=1)
def font_path() -> Path:
    return Path(str(resources.files("shomeisho").joinpath("data", "fonts", FONT_FILE)))


@lru_cache(maxsize=1)
def _printable() -> frozenset[int]:
    with TTFont(font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def unprintable(text: str) -> list[str]:
    """Characters of ``text`` the embedded font has no glyph for (as U+XXXX)."""
    printable = _printable()
    return sorted({f"U+{ord(c):04X}" for c in text if not c.isspace() and ord(c) not in printable})


def render_certificate_pdf(sheet: CertificateSheet) -> bytes:
    """The PDF of ``sheet``: a summary page, then one page per QR code."""
    missing = unprintable(sheet.name + sheet.name_kana + sheet.name_romanised)
    if missing:
        raise InputError(
            "the registered name has characters the certificate font cannot print: "
            + ", ".join(missing)
            + "; the municipal counter can issue the certificate",
            code="input.unprintable",
        )
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_lang("ja")
    pdf.set_title(f"{TITLE_JA} / {TITLE_EN}")
    pdf.set_subject(f"{TITLE_EN}: {sheet.certificate_id}")
    pdf.set_creator("shomeisho")
    pdf.set_display_mode("fullpage")
    pdf.add_font(_FONT, "", str(font_path()))
    _summary_page(pdf, sheet)
    for number, code in enumerate(sheet.codes, start=1):
        _code_page(pdf, sheet, code, number)
    return bytes(pdf.output())


def _lines(pdf: FPDF, height: float, text: str) -> None:
    """Left-aligned lines across the page (justified Japanese would space out its words)."""
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align="L")


def _heading(pdf: FPDF, sheet: CertificateSheet) -> None:
    pdf.set_font(_FONT, size=16)
    _lines(pdf, 8, TITLE_JA)
    pdf.set_font(_FONT, size=12)
    use_ja, use_en = sheet.use_words
    _lines(pdf, 6, f"{TITLE_EN} ({use_ja} / {use_en})")
    pdf.ln(3)


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(_FONT, size=10)
    pdf.cell(58, 7, label)
    pdf.set_font(_FONT, size=12)
    _lines(pdf, 7, value)


def _person(pdf: FPDF, sheet: CertificateSheet) -> None:
    _row(pdf, "氏名 Name", sheet.name)
    if sheet.name_kana:
        _row(pdf, "フリガナ Name in kana", sheet.name_kana)
    if sheet.name_romanised:
        _row(pdf, "ローマ字 Name in Latin letters", sheet.name_romanised)
    _row(pdf, "生年月日 Date of birth", sheet.birth_date)


def _summary_page(pdf: FPDF, sheet: CertificateSheet) -> None:
    pdf.add_page()
    _heading(pdf, sheet)
    _person(pdf, sheet)
    pdf.ln(4)
    pdf.set_font(_FONT, size=13)
    _lines(pdf, 8, "接種記録 Vaccinations")
    pdf.set_font(_FONT, size=11)
    for dose in sheet.doses:
        lot = f" / ロット Lot {dose.lot}" if dose.lot else ""
        _lines(
            pdf,
            6,
            f"{dose.number}回目 Dose {dose.number}: "
            f"{dose.day.year}年{dose.day.month}月{dose.day.day}日 ({dose.day.isoformat()})\n"
            f"    {dose.product_ja} / {dose.product_en}{lot}",
        )
    pdf.ln(4)
    _row(pdf, "発行日時 Issued", sheet.issued_words)
    if sheet.issued_by:
        _row(pdf, "発行者 Issued by", sheet.issued_by)
    _row(pdf, "証明書番号 Certificate ID", sheet.certificate_id)
    pdf.ln(4)
    pdf.set_font(_FONT, size=10)
    names = "、".join(code.title for code in sheet.codes)
    _lines(
        pdf,
        5.5,
        f"次のページ以降に、この内容を発行者が電子署名した QR コード（{names}）があります。"
        "確認する人は QR コードを読み取り、署名を検証してください。\n"
        f"The following pages carry this content as QR codes signed by the issuer ({names}). "
        "Scan a code and verify its signature to check the certificate.",
    )


def _code_page(pdf: FPDF, sheet: CertificateSheet, code: PrintedCode, number: int) -> None:
    pdf.add_page()
    _heading(pdf, sheet)
    _person(pdf, sheet)
    _row(pdf, "証明書番号 Certificate ID", sheet.certificate_id)
    pdf.ln(3)
    pdf.set_font(_FONT, size=14)
    _lines(pdf, 8, f"QR {number}/{len(sheet.codes)}: {code.title}")
    width = _QR_WIDTH_MM
    top = pdf.get_y() + 2
    svg = qr.render_svg(code.text, code.format, scale=1, border=4)
    pdf.image(
        io.BytesIO(svg),
        x=(pdf.w - width) / 2,
        y=top,
        w=width,
        alt_text=(
            f"{code.title} の QR コード。内容は上に印字した氏名、生年月日と接種記録です。 "
            f"{code.title} QR code; it holds the name, date of birth and vaccinations "
            "printed on this certificate."
        ),
    )
    pdf.set_y(top + width + 3)
    pdf.set_font(_FONT, size=10)
    _lines(
        pdf,
        4.5,
        "この QR コードは発行者の電子署名付きです。書き換えると検証に失敗します。\n"
        "This code carries the issuer's digital signature; any change makes verification fail.",
    )
