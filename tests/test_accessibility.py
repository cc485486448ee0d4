"""Every page in real Chromium meets the WCAG 2.0-2.2 A and AA rules of axe-core, at phone and desktop width.

The GET pages come from the role matrix (`tests/access/*.py`): each endpoint is visited, as the
least privileged role that gets an HTML page, so routes added later are checked without editing
this file. Pages reached only by POST (the resident's survey, validation errors, the resume and
saved pages, the thank-you page, error pages, paper keying mid-form, a new API token, the responses
import's dry-run report, the asset CSV preview, an admin's set-password link) are walked through here.
Full-page screenshots at 390 px and 1280 px land in `artefacts/screenshots/` for people to review.

One browser, one app and one signed-in context per role serve the whole module, to stay fast.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url
from werkzeug.serving import make_server

from survey import create_app
from survey.campaigns.operations import close_campaign, create_campaign, open_campaign
from survey.extensions import db
from survey.paper.operations import issue_batch
from tests.a11y_support import (
    SCREENSHOTS,
    Violation,
    audit,
    report,
    roles_least_privileged_first,
    rule_modules,
    rules_by_endpoint,
    sign_in,
    slug,
)
from tests.access import Rule
from tests.access.world import World

FLOW_CAMPAIGN = "a11y-flow"
CLOSED_CAMPAIGN = "a11y-closed"
ONS_CAMPAIGN = "a11y-ons"
KEYS = ["wemwbs", "sixways", "asset_use", "demographics"]
# Answered only by a resident who has started (or finished) a survey in this browser: the flow test covers them.
REACHED_BY_POST_ONLY = {"residents.page", "residents.saved", "residents.done", "residents.check", "residents.carry_on"}
# Interviews: "resume" only redirects, and the end page needs a finished interview (tests/test_fieldwork_browser.py).
REACHED_BY_POST_ONLY |= {"fieldwork.resume_interview", "fieldwork.interview_done"}
# A workshop asset's rating page needs a participant who has joined (tests/test_accessibility_workshops.py).
REACHED_BY_POST_ONLY |= {"workshops.rate"}


@dataclass
class Site:
    app: Flask
    url: str
    ids: dict[str, Any]
    rules: dict[str, list[Rule]]


def _build(app: Flask) -> dict[str, Any]:
    """The role matrix's rows, plus a campaign showing scores, a closed one and a paper form to key."""
    modules = rule_modules()
    with app.app_context():
        world = World()
        for module in modules:
            if hasattr(module, "build"):
                module.build(world)
        flow = create_campaign(world.own, FLOW_CAMPAIGN, "Dover Town wellbeing survey", KEYS, show_score=True)
        open_campaign(flow)
        ons = create_campaign(world.own, ONS_CAMPAIGN, "Dover Town well-being survey", ["ons4", "wemwbs"])
        open_campaign(ons)
        closed = create_campaign(world.other, CLOSED_CAMPAIGN, "Sheppey spring survey", KEYS)
        open_campaign(closed)
        close_campaign(closed)
        batch = issue_batch(world.own.campaigns[0], world.users["peer"], world.users["researcher"], 1)
        world.ids["a11y_paper_form"] = batch.forms[0].serial
        db.session.commit()
        return dict(world.ids)


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One app on SQLite (markup does not depend on the database), served over HTTP for the module."""
    path = tmp_path_factory.mktemp("a11y") / "a11y.db"
    shutil.copyfile(sqlite_template, path)
    settings = {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "a11y-secret-key", "TESTING": True}
    # Short, so the busy page (a write that cannot get the lock) is reached without a 15 s wait.
    settings["SQLITE_BUSY_TIMEOUT_MS"] = 1000
    # Jobs the pages start stay in this app's own queue (never the instance folder's), results in the module's folder.
    settings |= {"JOB_QUEUE_URL": "memory://", "RESULTS_DIR": str(path.parent / "results")}
    app = create_app(settings)
    ids = _build(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    # Another module (tests/test_asset_map_browser.py) may make the folder on the other xdist worker meanwhile.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield Site(app, f"http://127.0.0.1:{server.server_port}", ids, rules_by_endpoint(rule_modules()))
    server.shutdown()
    thread.join()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for the module (fails in CI when missing, skips on a laptop)."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def pages(site: Site, chromium: Any) -> Iterator[dict[str, Any]]:
    """A tab per role, signed in through the login form; created on first use, kept for the module."""
    contexts = []

    class _Tabs(dict):
        def __missing__(self, role: str) -> Any:
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            contexts.append(context)
            page = context.new_page()
            if role != "anonymous":
                sign_in(page, site.url, role)
            self[role] = page
            return page

    tabs = _Tabs()
    yield tabs
    for context in contexts:
        context.close()


def _answer(page: Any, url: str) -> str | None:
    """ "page" for an HTML 200, "download" for another 200 (CSV, PDF, SVG, zip), None for anything else."""
    response = page.context.request.get(url, max_redirects=0)
    try:
        if response.status != 200:
            return None
        return "page" if response.headers.get("content-type", "").startswith("text/html") else "download"
    finally:
        response.dispose()


@pytest.mark.slow
def test_every_page_in_the_role_matrix_meets_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:
    violations: list[Violation] = []
    checked: dict[str, str] = {}
    downloads: set[str] = set()
    for endpoint, rules in site.rules.items():
        candidates = [(rule, role) for rule in rules for role in roles_least_privileged_first(rule.allowed)]
        for rule, role in candidates:
            url = site.url + rule.url.format(**site.ids)
            answer = _answer(pages[role], url)
            if answer == "download":
                downloads.add(endpoint)
                break
            if answer == "page":
                pages[role].goto(url)
                # Named after the URL template, not the ids, so names stay the same from run to run.
                violations += audit(pages[role], f"{role}-{slug(rule.url)}")
                checked[endpoint] = role
                break

    print(f"\naccessibility: {len(checked)} GET pages checked: {checked}")
    assert violations == [], report(violations)
    unreached = set(site.rules) - set(checked) - downloads - REACHED_BY_POST_ONLY
    assert unreached == set(), "GET routes that gave no page to any allowed role: walk to them in a flow test here"
    # Each audience's pages were reached signed in as that audience.
    audiences = [checked[e] for e in ("pages.home", "fieldwork.home", "research.home", "admin.users")]
    assert audiences == ["anonymous", "peer", "researcher", "admin"]


def _answer_every_question(page: Any) -> None:
    """ "Yes" to every "Do you go to ...?" (so "How often" appears), then the fourth option (or the last,
    if fewer) of every radio group shown."""
    for screener in page.locator("input[type=radio][name$='-uses'][value='1']").all():
        screener.check()
    names = page.eval_on_selector_all("input[type=radio]", "els => [...new Set(els.map(e => e.name))]")
    for name in names:
        if name.endswith("-uses"):
            continue
        options = page.locator(f'input[type=radio][name="{name}"]')
        if options.first.is_visible():
            options.nth(min(3, options.count() - 1)).check()


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.slow
def test_the_residents_survey_meets_wcag_a_and_aa_on_every_step(site: Site, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = f"{site.url}/s/{FLOW_CAMPAIGN}"
    label = f"anonymous-s-{FLOW_CAMPAIGN}"
    violations: list[Violation] = []

    page.goto(base)
    _press(page, "button[type=submit]")  # no consent ticked
    assert page.locator(".govuk-error-summary").count() == 1
    violations += audit(page, f"{label}-start-errors")
    page.check("#consent")
    _press(page, "button[type=submit]")
    assert page.url.endswith("/page/1")
    violations += audit(page, f"{label}-page-1")
    _press(page, "button[value=next]")  # nothing answered: the 422 page lists every question
    assert page.locator(".govuk-error-summary li").count() >= 14
    violations += audit(page, f"{label}-page-1-errors")
    _answer_every_question(page)
    _press(page, "button[value=next]")
    assert page.url.endswith("/page/2")
    _press(page, "button[value=save]")
    assert page.url.endswith("/saved")
    violations += audit(page, f"{label}-saved")
    code = page.locator(".resume-code").inner_text().strip()
    page.goto(base)  # the consent page offers "Carry on where you left off"
    assert page.locator("text=Carry on where you left off").count() == 1
    violations += audit(page, f"{label}-carry-on")

    page.goto(f"{base}/resume")
    page.fill("#code", "AAAA-BBBB-CCCC")
    _press(page, "button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1
    violations += audit(page, f"{label}-resume-errors")
    page.fill("#code", code)
    _press(page, "button[type=submit]")
    assert page.url.endswith("/page/2"), page.url  # the page saved on, with a notice
    assert "Your answers have been saved" in page.content()
    violations += audit(page, f"{label}-page-2-resumed")
    _answer_every_question(page)
    _press(page, "button[value=next]")
    # The asset page: "Yes" without "How often" names the question; then with every follow-up shown.
    page.locator("input[name$='-uses'][value='1']").first.check()
    page.locator("input[name$='-uses'][value='0']").last.check()
    _press(page, "button[value=next]")
    assert page.locator(".govuk-error-summary li").count() >= 1
    assert "Select how often you" in page.locator(".govuk-error-summary").inner_text()
    violations += audit(page, f"{label}-page-3-errors")
    _answer_every_question(page)
    violations += audit(page, f"{label}-page-3-follow-ups")
    _press(page, "button[value=next]")
    assert page.url.endswith("/page/4"), page.url
    violations += audit(page, f"{label}-page-4")
    page.check("#age_band-declined")
    page.check("#years_in_area-declined")
    page.fill("#years_in_area", "twelve")
    _press(page, "button[value=next]")
    assert page.locator(".govuk-error-summary").count() == 1
    violations += audit(page, f"{label}-page-4-errors")
    page.fill("#years_in_area", "")
    _press(page, "button[value=next]")
    assert page.url.endswith("/check"), page.url
    assert page.locator(".govuk-summary-list__row").count() > 30
    assert "Prefer not to say" in page.content()
    violations += audit(page, f"{label}-check")
    _press(page, "button[type=submit]")
    assert page.url.endswith("/done")
    assert page.locator(".app-feedback").count() == 1
    violations += audit(page, f"{label}-done")
    page.check("input[name=purposes] >> nth=0")
    page.fill("#email", "not an email")
    _press(page, "form[action$='/contact'] button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1
    violations += audit(page, f"{label}-done-contact-errors")
    page.goto(f"{base}/done")  # reloaded: thanks, nothing of the response
    assert page.locator(".app-feedback").count() == 0
    violations += audit(page, f"{label}-done-again")
    context.close()
    assert violations == [], report(violations)


def test_the_residents_ons_scales_meet_wcag_a_and_aa_and_fit_a_phone(site: Site, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    label = f"anonymous-s-{ONS_CAMPAIGN}"
    page.goto(f"{site.url}/s/{ONS_CAMPAIGN}")
    page.check("#consent")
    _press(page, "button[type=submit]")
    assert page.url.endswith("/page/1")
    violations = audit(page, f"{label}-page-1")
    page.set_viewport_size({"width": 390, "height": 844})
    for name in ("ons_life_satisfaction", "ons_anxious"):
        radios = page.locator(f'input[type=radio][name="{name}"]')
        assert radios.count() == 11
        boxes = [radios.nth(index).bounding_box() for index in range(11)]
        assert len({round(box["y"]) for box in boxes}) == 1  # 0-10 in one row on a 390 px phone
        assert all(box["width"] >= 24 and box["height"] >= 24 for box in boxes)  # WCAG 2.5.8 target size
    # Each end point is named with its words; the question is the group's name.
    assert page.get_by_role("radio", name=re.compile(r"^0\s*– Not at all satisfied$")).count() == 1
    assert page.get_by_role("radio", name=re.compile(r"^10\s*– Completely anxious$")).count() == 1
    assert page.get_by_role("radio", name="5", exact=True).count() == 4
    assert page.get_by_role("group", name="Overall, how happy did you feel yesterday?").count() == 1
    _press(page, "button[value=next]")  # nothing answered: all four are required online
    assert page.locator(".govuk-error-summary li").count() == 4
    violations += audit(page, f"{label}-page-1-errors")
    _answer_every_question(page)
    _press(page, "button[value=next]")
    assert page.url.endswith("/page/2")
    context.close()
    assert violations == [], report(violations)


def test_error_pages_meet_wcag_a_and_aa(site: Site, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[Violation] = []
    statuses = {}
    for name, path in (("not-found", "/no-such-page"), ("closed", f"/s/{CLOSED_CAMPAIGN}")):
        statuses[name] = page.goto(site.url + path).status
        violations += audit(page, f"anonymous-error-{name}")
    # An expired session: the form's CSRF token no longer matches, and a friendly 400 page explains.
    page.goto(f"{site.url}/s/{FLOW_CAMPAIGN}/resume")
    context.clear_cookies()
    page.fill("#code", "AAAA-BBBB-CCCC")
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    statuses["expired"] = navigation.value.status
    violations += audit(page, "anonymous-error-form-expired")
    # A busy database: another connection holds SQLite's write lock, so the form comes back to resend.
    page.goto(f"{site.url}/s/{FLOW_CAMPAIGN}/resume")
    page.fill("#code", "AAAA-BBBB-CCCC")
    holder = sqlite3.connect(make_url(site.app.config["SQLALCHEMY_DATABASE_URI"]).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with page.expect_navigation() as navigation:
            page.click("button[type=submit]")
        statuses["busy"] = navigation.value.status
        violations += audit(page, "anonymous-error-busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    context.close()
    assert statuses == {"not-found": 404, "closed": 410, "expired": 400, "busy": 503}
    assert violations == [], report(violations)


def test_paper_keying_mid_form_meets_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:
    page = pages["peer"]
    serial = site.ids["a11y_paper_form"]
    page.goto(f"{site.url}/paper/forms/{serial}/entry")
    entries = page.locator("input[data-entry]")
    for index, typed in enumerate(("4", "4", "3", "7")):  # 7 is no WEMWBS code: an error to correct
        entries.nth(index).fill(typed)
    violations = audit(page, f"peer-paper-forms-{slug(serial)}-entry-mid-form")
    _press(page, "form[data-paper-entry] button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.locator("input[name=wemwbs_4]").input_value() == "7"
    violations += audit(page, f"peer-paper-forms-{slug(serial)}-entry-errors")
    assert violations == [], report(violations)


def test_staff_pages_reached_by_post_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:
    """Staff pages that only a form submission shows: a new API token, its form's error, Revoke's
    confirmation, the responses import's dry-run report, the asset CSV preview, and an admin's set-password link."""
    violations: list[Violation] = []
    page = pages["researcher"]

    page.goto(f"{site.url}/account/tokens")
    _press(page, "form[action$='/account/tokens'] button[type=submit]")  # no name: the form's error
    assert page.locator(".error-summary, .field-error").count() >= 1
    violations += audit(page, "researcher-account-tokens-error")
    page.fill("#name", "R on my laptop")
    _press(page, "form[action$='/account/tokens'] button[type=submit]")
    assert "cwb_" in page.content()
    violations += audit(page, "researcher-account-tokens-created")
    page.goto(f"{site.url}/account/tokens")
    _press(page, "form[action$='/revoke'] button[type=submit] >> nth=0")
    assert "Revoke the token" in page.inner_text("h1")  # asked first
    violations += audit(page, "researcher-account-token-revoke-confirm")

    bad_rows = b"response_id,community,campaign,mode\n-1,dover-town,no-such-campaign,post\n"
    page.goto(f"{site.url}/research/imports")
    page.set_input_files("input[type=file]", {"name": "responses.csv", "mimeType": "text/csv", "buffer": bad_rows})
    _press(page, "form[enctype] button[type=submit]")
    assert "this required column is missing" in page.inner_text("main")
    violations += audit(page, "researcher-research-imports-report")

    assets = b"slug,name,kind\nnew_hall,New Hall,place\nBad Slug,,castle\n"
    page.goto(f"{site.url}/research/communities/dover-town/assets/import")
    page.set_input_files("input[type=file]", {"name": "assets.csv", "mimeType": "text/csv", "buffer": assets})
    _press(page, "form[enctype] button[type=submit]")
    violations += audit(page, "researcher-research-assets-import-preview")

    admin = pages["admin"]
    admin.goto(f"{site.url}/admin/users/{site.ids['user_second']}")
    _press(admin, "form[action$='/reset-link'] button[type=submit]")
    assert "/reset/" in admin.content()
    violations += audit(admin, "admin-users-reset-link")
    assert violations == [], report(violations)
