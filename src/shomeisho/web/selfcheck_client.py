"""The self-check's browser: real HTTP against the service's public URL, page by page.

It does what a person's browser does and nothing more: a cookie jar, following each redirect
itself (so every hop is checked), reading each form's hidden fields and posting them back, the
card reader's form with the synthetic card and its PIN, the QR PNG downloads, and the upload to
``/verify``. It never reaches around the pages (no database reads of what a page should show,
no internal calls), so a page that breaks for people breaks for it.

Every request carries ``X-Shomeisho-Synthetic: selfcheck`` (the KPIs leave it out) and a
timeout that is the smaller of the per-request timeout and what is left of the run's deadline.
Failures become short codes (``unreachable``, ``timeout``, ``http_500``,
``http_400:keys.passphrase``, ``invalid:signature.mismatch``): the code a problem page shows
is a stable error code, never personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx

from shomeisho import __version__
from shomeisho.formats import TITLES
from shomeisho.ops.selfcheck import (
    SYNTHETIC_HEADER,
    SYNTHETIC_VALUE,
    Deadline,
    StepFailedError,
)

PASSPORT_NUMBER = "SELFCHECK"  # what the synthetic resident "types" on the passport page
_CODE = re.compile(r"<code>([a-z_]+(?:\.[a-z0-9_]+)+)</code>")
_VERDICT = re.compile(r'class="verdict verdict-(valid|warning|invalid)"')
_FORMAT_LINK = re.compile(r'href="\?format=([a-z]+)"')
_PNG_LINK = re.compile(r'href="/journey/certificate/([a-z]+)\.png"')
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Form:
    """One ``<form>`` of a page: where it posts, and the values a browser would send as is."""

    def __init__(self, action: str, method: str) -> None:
        self.action = action
        self.method = method
        self.fields: dict[str, str] = {}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.forms[-1].fields[a["name"]] = a.get("value", "")


def form_posting_to(html: str, action: str) -> Form:
    """The page's form that posts to ``action`` (``form_missing:<action>`` if there is none)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form.action.split("?")[0] == action and form.method == "post":
            return form
    raise StepFailedError(f"form_missing:{action}")


def failure(response: httpx.Response) -> StepFailedError:
    """What an unexpected answer says, as a short code: the status, and for an error page the
    stable error code it shows (the "code to quote")."""
    code = ""
    if response.status_code >= 400 and "text/html" in response.headers.get("content-type", ""):
        found = _CODE.search(response.text)
        code = f":{found.group(1)}" if found else ""
    return StepFailedError(f"http_{response.status_code}{code}")


class HttpSelfCheck:
    """The :class:`~shomeisho.ops.selfcheck.SelfCheckTarget` that walks the service over HTTP.

    ``card`` is called at sign-in and returns ``(subject, pin)`` of the synthetic resident's card
    (or raises :class:`StepFailedError`, e.g. ``card_locked``); with ``external_provider`` the
    built-in card reader does not exist, and signing in fails saying so."""

    def __init__(
        self,
        base_url: str,
        *,
        card: Callable[[], tuple[str, str]],
        formats: tuple[str, ...],
        external_provider: bool = False,
        request_timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base = base_url.rstrip("/")
        self._card = card
        self._formats = formats
        self._external = external_provider
        self._timeout = request_timeout
        self._png: dict[str, bytes] = {}
        self._client = httpx.Client(
            follow_redirects=False,
            transport=transport,
            headers={
                SYNTHETIC_HEADER: SYNTHETIC_VALUE,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "User-Agent": f"shomeisho-selfcheck/{__version__}",
            },
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpSelfCheck:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the steps --------------------------------------------------------------------------

    def service(self, deadline: Deadline) -> str:
        page = self._expect(self._request("GET", "/journey", deadline), 200)
        form_posting_to(page.text, "/journey/start")
        return "http_200"

    def sign_in(self, deadline: Deadline) -> str:
        if self._external:
            raise StepFailedError("external_provider_not_supported")
        subject, pin = self._card()
        start = self._expect(self._request("GET", "/journey", deadline), 200)
        to_sign_in = self._redirect(self._submit(start, "/journey/start", deadline))
        if to_sign_in.path != "/sign-in":
            raise StepFailedError("not_sent_to_sign_in")
        to_provider = self._redirect(self._request("GET", str(to_sign_in), deadline))
        if not to_provider.path.endswith("/idp/authorize"):
            raise StepFailedError("external_provider_not_supported")
        reader = self._expect(self._request("GET", str(to_provider), deadline), 200)
        signed = self._submit(reader, "/idp/authorize", deadline, card=subject, pin=pin)
        callback = self._redirect(signed)
        if callback.path != "/auth/callback":
            raise StepFailedError("not_sent_to_callback")
        back = self._redirect(self._request("GET", str(callback), deadline))
        if back.path != "/journey/use":
            raise StepFailedError("not_back_in_the_journey")
        return "signed_in"

    def issue(self, deadline: Deadline) -> str:
        use = self._expect(self._request("GET", "/journey/use", deadline), 200)
        travel_at = self._redirect(self._submit(use, "/journey/use", deadline, use="overseas"))
        if travel_at.path != "/journey/travel":
            raise StepFailedError("no_travel_page")
        travel = self._expect(self._request("GET", str(travel_at), deadline), 200)
        # the romanised name and nationality are prefilled from the record, as for a person
        sent = self._submit(travel, "/journey/travel", deadline, passport_number=PASSPORT_NUMBER)
        check = self._expect(self._request("GET", str(self._redirect(sent)), deadline), 200)
        shown_at = self._redirect(self._submit(check, "/journey/check", deadline, consent="yes"))
        if shown_at.path != "/journey/certificate":
            raise StepFailedError("no_certificate_page")
        page = self._expect(self._request("GET", str(shown_at), deadline), 200)
        offered = set(_FORMAT_LINK.findall(page.text)) | set(_PNG_LINK.findall(page.text))
        missing = [name for name in self._formats if name not in offered]
        if missing:
            raise StepFailedError(f"missing_{'_'.join(missing)}")
        return "+".join(self._formats)

    def download(self, deadline: Deadline) -> str:
        for name in self._formats:
            png = self._expect(
                self._request("GET", f"/journey/certificate/{name}.png", deadline), 200
            )
            if not png.content.startswith(PNG_MAGIC):
                raise StepFailedError(f"not_png:{name}")
            self._png[name] = png.content
        return f"{len(self._png)}_png"

    def verify(self, format_name: str, deadline: Deadline) -> str:
        png = self._png.get(format_name)
        if png is None:
            raise StepFailedError("not_downloaded")
        page = self._expect(self._request("GET", "/verify", deadline), 200)
        form_posting_to(page.text, "/verify")
        answer = self._expect(
            self._request(
                "POST", "/verify", deadline,
                files={"image": (f"{format_name}.png", png, "image/png")},
            ),
            200,
        )  # fmt: skip
        verdicts = _VERDICT.findall(answer.text)
        if len(verdicts) != 1:
            raise StepFailedError(f"verdicts_{len(verdicts)}")
        if f"<dd>{TITLES[format_name]}</dd>" not in answer.text:
            raise StepFailedError("read_as_another_format")
        if verdicts[0] != "valid":
            reasons = _CODE.findall(answer.text)
            raise StepFailedError(f"{verdicts[0]}:{reasons[0] if reasons else 'no_reason'}")
        return "valid"

    # -- HTTP -------------------------------------------------------------------------------

    def _request(self, method: str, url: str, deadline: Deadline, **body: Any) -> httpx.Response:
        remaining = deadline.remaining()
        if remaining <= 0:
            raise StepFailedError("deadline")
        target = url if url.startswith(("http://", "https://")) else f"{self.base}{url}"
        try:
            return self._client.request(
                method, target, timeout=min(self._timeout, remaining), **body
            )
        except httpx.TimeoutException:
            raise StepFailedError("timeout") from None
        except httpx.ConnectError:
            raise StepFailedError("unreachable") from None
        except httpx.HTTPError as exc:
            raise StepFailedError(f"http_error:{type(exc).__name__}") from None

    def _submit(
        self, page: httpx.Response, action: str, deadline: Deadline, **typed: str
    ) -> httpx.Response:
        """Post the page's form for ``action`` with its own values plus what was ``typed``."""
        form = form_posting_to(page.text, action)
        target = str(page.url.join(form.action))
        return self._request("POST", target, deadline, data=form.fields | typed)

    @staticmethod
    def _expect(response: httpx.Response, status: int) -> httpx.Response:
        if response.status_code != status:
            raise failure(response)
        return response

    @staticmethod
    def _redirect(response: httpx.Response) -> httpx.URL:
        """Where a 303 sends the browser (relative locations resolved as a browser does)."""
        if response.status_code not in (302, 303) or "location" not in response.headers:
            raise failure(response)
        return response.url.join(response.headers["location"])
