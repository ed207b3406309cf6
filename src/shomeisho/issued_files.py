"""Writing an issued certificate to a folder: the text, QR images and the format's own file.

File names carry the format and certificate id so a counter clerk printing several certificates
cannot mix them up: ``<format>-<id>.txt|png|svg`` and, for SHC, ``.smart-health-card``.
"""

from __future__ import annotations

import re
from pathlib import Path

from shomeisho import qr
from shomeisho.model import IssuedCertificate


def _stem(issued: IssuedCertificate) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", issued.record.certificate_id).strip("-")
    return f"{issued.format}-{safe[-26:]}"


def write_issued(issued: IssuedCertificate, directory: Path) -> list[Path]:
    """Write every artefact; returns the paths in the order a person would want to open them."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = _stem(issued)
    written = []
    text_path = directory / f"{stem}.txt"
    text_path.write_text(issued.text + "\n", encoding="utf-8")
    written.append(text_path)
    png_path = directory / f"{stem}.png"
    png_path.write_bytes(qr.render_png(issued.text, issued.format))
    written.append(png_path)
    svg_path = directory / f"{stem}.svg"
    svg_path.write_bytes(
        qr.render_svg(
            issued.text, issued.format, title=f"{issued.format.upper()} certificate QR code"
        )
    )
    written.append(svg_path)
    if issued.format == "shc":
        from shomeisho.formats.shc import write_health_card_file
        from shomeisho.wire import numeric

        card_path = directory / f"{stem}.smart-health-card"
        card_path.write_bytes(write_health_card_file([numeric.decode(issued.text[5:])]))
        written.append(card_path)
    return written
