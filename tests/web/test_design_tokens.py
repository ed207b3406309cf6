"""The Digital Agency design tokens: vendored with their licence, served, linked before staff.css,
and every custom property staff.css uses is defined by the tokens or by staff.css itself."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.settings import Settings
from shomeisho.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "shomeisho" / "web" / "static"
VENDOR = STATIC / "vendor" / "digital-go-jp-design-tokens"
TOKENS_URL = "/static/vendor/digital-go-jp-design-tokens/tokens.css"
STYLESHEETS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("design-tokens")
    engine = make_engine(f"sqlite:///{folder / 'records.sqlite3'}")
    prepare(engine)
    with TestClient(create_app(Settings(demo=True, data_dir=folder), engine=engine)) as client:
        yield client
    engine.dispose()


def test_the_tokens_are_served_as_css(client: TestClient) -> None:
    answer = client.get(TOKENS_URL)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.content == (VENDOR / "tokens.css").read_bytes()
    assert "--color-primitive-yellow-300: #ffd43d;" in answer.text


@pytest.mark.parametrize("url", ["/journey", "/staff/sign-in"])
def test_pages_link_the_tokens_before_staff_css(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200
    assert STYLESHEETS.findall(page.text) == [TOKENS_URL, "/static/staff.css"]


def test_the_licence_is_vendored_beside_the_tokens() -> None:
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2023 デジタル庁" in licence
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "@digital-go-jp/design-tokens" in readme and "1.1.9" in readme and "MIT" in readme


def test_every_custom_property_staff_css_uses_is_defined() -> None:
    tokens = (VENDOR / "tokens.css").read_text(encoding="utf-8")
    staff = (STATIC / "staff.css").read_text(encoding="utf-8")
    from_tokens = set(re.findall(r"(--[\w-]+)\s*:", tokens))
    used = set(re.findall(r"var\((--[\w-]+)", staff))
    assert used - from_tokens - set(re.findall(r"(--[\w-]+)\s*:", staff)) == set()
    assert {  # the focus ring, text, link and error colours, type and radii come from the tokens
        "--color-primitive-yellow-300",
        "--color-neutral-black",
        "--color-neutral-solid-gray-800",
        "--color-primitive-blue-1000",
        "--color-semantic-error-1",
        "--font-family-sans",
        "--font-size-16",
        "--line-height-170",
        "--border-radius-8",
    } <= used & from_tokens


def test_the_wheel_carries_static_files_and_templates() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["shomeisho"]
    assert "web/static/**/*" in patterns and "web/templates/**/*" in patterns
