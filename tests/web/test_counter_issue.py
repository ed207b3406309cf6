"""A clerk issues a paper certificate for a resident at the counter: audited, consent recorded,
printed from the same PDF as online, and the codes on the paper verify."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from shomeisho import qr
from shomeisho.errors import Verdict
from shomeisho.formats import all_formats
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.procedure.issuance import Use
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.trust.store import load_trust_file
from shomeisho.web.app import create_app
from tests.db.records_factory import CHIYODA, OPERATOR, create_accounts, event, resident

PASSWORD = "counter-test-password"


@pytest.fixture
def counter(engine: Engine, tmp_path: Path) -> tuple[TestClient, str, Path]:
    create_accounts(engine, {"clerk": (Role.CLERK, CHIYODA)}, PASSWORD)
    settings = Settings(demo=True, data_dir=tmp_path)
    create_demo_trust_setup(
        tmp_path / "keys", settings.key_passphrase.get_secret_value(), country="JP",
        country_alpha3="JPN", shc_issuer=settings.shc_issuer_url,
    )  # fmt: skip
    app = create_app(settings, engine=engine)
    person = app.state.records.add_resident(OPERATOR, resident())
    for dose in (1, 2):
        app.state.records.record_vaccination(OPERATOR, person.resident_id, event(f"K-{dose}", dose))
    client = TestClient(app)
    signed_in = client.post("/api/v1/session", json={"login": "clerk", "password": PASSWORD})
    assert signed_in.status_code == 200
    return client, person.resident_id, tmp_path / "keys"


def form_token(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(url).text)
    assert found
    return found.group(1)


def test_a_paper_certificate_issued_at_the_counter(
    counter: tuple[TestClient, str, Path], engine: Engine
) -> None:
    client, resident_id, keys = counter
    url = f"/staff/residents/{resident_id}/certificate"
    assert "窓口で接種証明書を発行する" in client.get(f"/staff/residents/{resident_id}").text
    form = {
        "csrf": form_token(client, url),
        "use": "overseas",
        "passport_number": "TK7654321",
        "family_name": "TAKAHASHI",
        "given_name": "YOSHIKO",
        "nationality": "JPN",
        "name": "former",
        "identity_document": "passport",
    }
    unsigned = client.post(url, data=form)  # the signed application is missing
    assert unsigned.status_code == 422 and 'id="consent-error"' in unsigned.text
    issued = client.post(url, data=form | {"consent": "yes"}, follow_redirects=False)
    assert issued.status_code == 303
    page = client.get(issued.headers["location"])
    assert "接種証明書を発行しました" in page.text
    pdf = client.get(issued.headers["location"] + ".pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(pdf.content)
    summary = document[0].get_textpage().get_text_range()
    assert "山﨑 𠮷子" in summary and "東京都千代田区" in summary  # chosen name, issuing city
    trust = load_trust_file(keys / "trust-bundle.json")
    formats = set()
    for page_number in range(1, len(document)):
        buffer = io.BytesIO()
        document[page_number].render(scale=200 / 72).to_pil().save(buffer, "PNG")
        (code,) = qr.read_codes(buffer.getvalue())
        fmt = next(name for name, f in all_formats().items() if f.recognises(code.text))
        result = all_formats()[fmt].verify(
            code.text, trust, at=datetime.now(UTC) + timedelta(minutes=1)
        )
        assert result.verdict is Verdict.VALID, (fmt, result.errors)
        formats.add(fmt)
    issuer = client.app.state.issuer  # type: ignore[attr-defined]
    assert formats == set(issuer.formats_for(Use.OVERSEAS)) and {"shc", "vdsnc"} <= formats
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT issued_by, channel, consent FROM issued_certificates LIMIT 1")
        ).one()
        audit = connection.execute(
            text("SELECT actor, action, details AS facts FROM audit_log ORDER BY seq DESC LIMIT 1")
        ).one()
    assert tuple(row) == ("clerk", "counter", "signed_application")
    facts = json.loads(audit.facts) if isinstance(audit.facts, str) else audit.facts
    assert audit.actor == "clerk" and audit.action == "certificate.issue"
    assert facts["channel"] == "counter" and facts["identity_document"] == "passport"
    assert facts["consent"] == "signed_application"
