"""Page text exists in both languages; session cookies cannot be forged, altered or outlived."""

from __future__ import annotations

import re
from pathlib import Path

from shomeisho.web import i18n, sessions

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "shomeisho" / "web" / "templates"


def test_every_text_has_both_languages() -> None:
    for key, texts in i18n.TEXT.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert all(texts[lang].strip() for lang in i18n.LANGUAGES), key


def test_every_key_the_templates_use_exists() -> None:
    used: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        used.update(re.findall(r"\bt\.([a-z_]+)", template.read_text(encoding="utf-8")))
    assert used, "no template text found"
    assert not used - set(i18n.TEXT), sorted(used - set(i18n.TEXT))


def test_language_choice() -> None:
    assert i18n.language_of(None, None) == "ja"
    assert i18n.language_of("en", "ja") == "en"
    assert i18n.language_of(None, "en") == "en"
    assert i18n.language_of("fr", None) == "ja"


SECRET = b"0123456789abcdef0123456789abcdef"


def test_a_session_names_its_login_until_it_expires() -> None:
    cookie = sessions.sign("clerk-131016", SECRET, now=1_000_000)
    assert sessions.login_of(cookie, SECRET, now=1_000_000 + 60) == "clerk-131016"
    assert sessions.login_of(cookie, SECRET, now=1_000_000 + sessions.LIFETIME + 1) is None


def test_altered_or_foreign_cookies_are_refused() -> None:
    cookie = sessions.sign("clerk-131016", SECRET, now=1_000_000)
    body, mac = cookie.split(".")
    forged = sessions.sign("operator", b"another-secret-entirely-32-bytes!", now=1_000_000)
    for bad in (
        forged,
        f"{body}.{'0' * len(mac)}",
        body,
        "",
        None,
        "a.b.c",
        cookie.replace(body, body[:-2] + "xx"),
    ):
        assert sessions.login_of(bad, SECRET, now=1_000_000) is None
