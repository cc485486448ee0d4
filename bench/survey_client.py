"""A resident answering the real online survey at /s/<slug> over plain HTTP.

Shared by the gunicorn concurrency test and the load benchmark, so it only
speaks HTTP (`requests`), reading each form from the HTML the way a browser
would: consent -> start -> every page with valid answers -> "Check your answers" ->
submit -> thank-you page, optionally pressing "Save and finish later" on one page and coming back
with the resume code in a fresh session.

A request that dies with a connection error (a worker killed mid-request) is
sent again, exactly as it was, up to `retries` times: that is what a resident
pressing the button again does, and the app's double-submit protection must
turn it into one response.
"""

from __future__ import annotations

import base64
import json
import random
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

# Text questions have no options to read from the page; these answers are valid for the ones we ask.
TEXT_ANSWERS = {"asset_nominations": "The allotments", "postcode_district": "CT16"}
INTEGER_ANSWERS = {"years_in_area": 12}
RESUME_CODE_PATTERN = re.compile(r'class="resume-code"[^>]*>\s*([A-Z0-9-]+)\s*<')
THANK_YOU_MARK = ">Thank you</h1>"
SCREENER_SUFFIX = "-uses"  # "Do you go to ...?" (asset_use v2): "1" yes, "0" no

# A worker that dies mid-request shows as a refused or reset connection, or a body cut short.
CONNECTION_ERRORS = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
RequestHook = Callable[[str, str, float, int | None], None]


class SurveyError(RuntimeError):
    """The server answered something a resident cannot get past."""


@dataclass
class Outcome:
    """What one resident did and what the server told them."""

    slug: str
    public_id: str | None = None  # the response this browser filled, read from its session cookie
    acknowledged: bool = False  # the final "Submit" was answered with the thank-you redirect
    thanked: bool = False  # the thank-you page itself was shown
    resumed: bool = False
    retries: int = 0  # requests sent again after a connection error
    pages: int = 0  # questionnaire pages submitted (a page saved before resuming counts once)
    answers: dict[str, str] = field(default_factory=dict)  # every answer sent, as sent


@dataclass
class Form:
    action: str
    fields: dict[str, str]  # hidden and prefilled inputs, sent back as they are
    radios: dict[str, list[str]]  # radio group name -> option values, in page order
    text_inputs: list[str]  # names of text, number and textarea inputs


class _FormParser(HTMLParser):
    """Collects the POST forms of a page (inputs, radio groups, text boxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._current = Form(attributes.get("action", ""), {}, {}, [])
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea"):
            name = attributes.get("name")
            if not name:
                return
            kind = attributes.get("type", "text") if tag == "input" else "textarea"
            if kind == "radio":
                self._current.radios.setdefault(name, []).append(attributes.get("value", ""))
            elif kind == "checkbox":
                if "checked" in attributes:  # a browser sends only ticked boxes
                    self._current.fields.setdefault(name, attributes.get("value", "y"))
            elif kind == "hidden":
                self._current.fields[name] = attributes.get("value", "")
            else:
                self._current.text_inputs.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_form(html: str, url: str) -> Form:
    """The first POST form of a page, its action made absolute (an empty action posts to the page itself)."""
    parser = _FormParser()
    parser.feed(html)
    if not parser.forms:
        raise SurveyError(f"no form on {url}")
    form = parser.forms[0]
    form.action = urljoin(url, form.action) if form.action else url
    return form


def choose_answers(form: Form, seed: int) -> dict[str, str]:
    """Valid answers for every question on a page, varied by `seed` so residents' answers differ."""
    answers: dict[str, str] = {}
    for index, (name, options) in enumerate(form.radios.items()):
        codes = [option for option in options if option != "declined"]  # "Prefer not to say" stores no code
        answers[name] = codes[(seed + index) % len(codes)]
    for name in form.text_inputs:
        if name in INTEGER_ANSWERS:
            answers[name] = str(INTEGER_ANSWERS[name] + seed % 50)
        elif name in TEXT_ANSWERS:
            answers[name] = TEXT_ANSWERS[name]
    # "How often" is answered only after "Yes" (a browser shows it then, or the page is shown again).
    for name in [name for name in answers if name.endswith(SCREENER_SUFFIX)]:
        if answers[name] != "1":
            answers.pop(name.removesuffix(SCREENER_SUFFIX), None)
    return answers


def stored_form(answers: dict[str, str]) -> dict[str, str]:
    """The answers as the dataset keeps them: a screener's "No" is frequency 0, the screener itself no column."""
    stored = {name: value for name, value in answers.items() if not name.endswith(SCREENER_SUFFIX)}
    for name, value in answers.items():
        if name.endswith(SCREENER_SUFFIX) and value != "1":
            stored[name.removesuffix(SCREENER_SUFFIX)] = "0"
    return stored


def remembered_public_id(session: requests.Session, slug: str) -> str | None:
    """The response id the app's session cookie remembers for `slug` (filling it, or just submitted).

    Flask's cookie is signed, not encrypted: its payload is readable base64 JSON
    (zlib-compressed when it starts with a dot). Nothing is trusted from it; the
    test compares it with the database.
    """
    cookie = session.cookies.get("session")
    if not cookie:
        return None
    compressed = cookie.startswith(".")
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    # While a survey is being filled in it is under "responses"; once submitted, until the thank-you
    # page has been shown, under "submitted" (the app then forgets it: shared tablets).
    value = data.get("responses", {}).get(slug) or data.get("submitted", {}).get(slug, {}).get("id")
    return value if isinstance(value, str) else None


class Resident:
    """One person completing the survey; `run()` returns what happened.

    `session_factory` makes a browser session (locust passes its own, which records
    every request); `on_request(method, path, seconds, status)` is called after each
    request (status None for a connection error); `think_seconds` is how long the
    resident reads each questionnaire page before answering (0: at once).
    """

    def __init__(
        self,
        base_url: str,
        slug: str,
        *,
        seed: int = 0,
        retries: int = 0,
        think_seconds: float = 0.0,
        timeout: float = 30.0,
        session_factory: Callable[[], requests.Session] = requests.Session,
        on_request: RequestHook | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.slug = slug
        self.seed = seed
        self.retries = retries
        self.think_seconds = think_seconds
        self.timeout = timeout
        self.session_factory = session_factory
        self.on_request = on_request
        self.session = session_factory()
        self.outcome = Outcome(slug=slug)

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def run(self, save_on_page: int | None = None) -> Outcome:
        """Consent, start, answer every page, submit, see the thank-you page.

        With `save_on_page`, that page is saved with "Save and finish later", and the
        survey is finished in a new session opened with the resume code.
        """
        consent_url = self.url(f"/s/{self.slug}")
        start = parse_form(self._expect(self._send("GET", consent_url), 200).text, consent_url)
        location = self._redirect(self._send("POST", start.action, {**start.fields, "consent": "y"}))
        while urlsplit(location).path.startswith(f"/s/{self.slug}/page/"):
            page = parse_form(self._expect(self._send("GET", location), 200).text, location)
            self._think()
            answers = choose_answers(page, self.seed + self.outcome.pages)
            fields = {**page.fields, "js": "1"} if "js" in page.fields else page.fields  # follow-ups shown live
            if save_on_page is not None and self.outcome.pages + 1 == save_on_page and not self.outcome.resumed:
                location = self._save_and_resume(Form(page.action, fields, page.radios, page.text_inputs), answers)
            else:
                location = self._redirect(self._send("POST", page.action, {**fields, **answers, "action": "next"}))
            self.outcome.answers.update(stored_form(answers))
            self.outcome.pages += 1
        if urlsplit(location).path == f"/s/{self.slug}/check":
            check = parse_form(self._expect(self._send("GET", location), 200).text, location)
            location = self._redirect(self._send("POST", check.action, check.fields))
        if urlsplit(location).path != f"/s/{self.slug}/done":
            raise SurveyError(f"the last page led to {location}, not the thank-you page")
        self.outcome.acknowledged = True
        self.outcome.public_id = remembered_public_id(self.session, self.slug)
        thanks = self._expect(self._send("GET", location), 200)
        self.outcome.thanked = THANK_YOU_MARK in thanks.text
        return self.outcome

    def _think(self) -> None:
        """Read the page before answering it (a random 0.5-1.5 x `think_seconds`)."""
        if self.think_seconds > 0:
            time.sleep(self.think_seconds * random.uniform(0.5, 1.5))

    def _save_and_resume(self, page: Form, answers: dict[str, str]) -> str:
        """Save this page for later, then come back in a new session with the code; returns where it leads."""
        for _ in range(self.retries + 1):
            retried = self.outcome.retries
            saved_url = self._redirect(self._send("POST", page.action, {**page.fields, **answers, "action": "save"}))
            shown = self._send("GET", saved_url)
            # The code is shown once: when its page died with a worker after the cookie that spends it
            # had been sent, the page sent again has no code. A resident saves again for a new one.
            if not (shown.status_code == 303 and self.outcome.retries > retried):
                break
        match = RESUME_CODE_PATTERN.search(self._expect(shown, 200).text)
        if match is None:
            raise SurveyError(f"no resume code on {saved_url}")
        self.session.close()
        self.session = self.session_factory()
        resume_url = self.url(f"/s/{self.slug}/resume")
        form = parse_form(self._expect(self._send("GET", resume_url), 200).text, resume_url)
        self.outcome.resumed = True
        return self._redirect(self._send("POST", form.action, {**form.fields, "code": match.group(1)}))

    def _send(self, method: str, url: str, data: dict[str, str] | None = None) -> requests.Response:
        for attempt in range(self.retries + 1):
            started = time.perf_counter()
            try:
                response = self.session.request(method, url, data=data, allow_redirects=False, timeout=self.timeout)
            except CONNECTION_ERRORS:
                self._record(method, url, started, None)
                if attempt == self.retries:
                    raise
                self.outcome.retries += 1
                time.sleep(0.05 * (attempt + 1))  # give the server a moment to replace the worker
                continue
            self._record(method, url, started, response.status_code)
            return response
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _record(self, method: str, url: str, started: float, status: int | None) -> None:
        if self.on_request is not None:
            self.on_request(method, urlsplit(url).path, time.perf_counter() - started, status)

    def _expect(self, response: requests.Response, status: int) -> requests.Response:
        if response.status_code != status:
            raise SurveyError(
                f"{response.request.method} {response.url} answered {response.status_code}: {response.text[:500]}"
            )
        return response

    def _redirect(self, response: requests.Response) -> str:
        """Where a 303 after a POST sends the resident (an error page is a failure)."""
        if response.status_code != 303:
            raise SurveyError(f"POST {response.url} answered {response.status_code}, not 303: {response.text[:500]}")
        return self.url(response.headers["Location"])
