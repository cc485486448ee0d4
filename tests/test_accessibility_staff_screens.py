"""Axe (WCAG 2.0-2.2 A/AA) at 390 and 1280 px on the staff screens' new page states (issue 16 part 8):
the campaign form's date inputs with their errors, the quota form's errors, the dashboard with quotas,
and a paper batch whose PDF is being made or has failed. The quota form itself is in the role matrix."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from survey.extensions import db
from survey.models import Campaign, PaperBatch, User
from survey.paper.operations import issue_batch
from tests.a11y_support import Violation, audit, report
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)


def _press(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_campaign_form_dates_and_quotas_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    page = pages["researcher"]
    violations: list[Violation] = []

    page.goto(f"{site.url}/research/campaigns/new")
    assert page.locator("#opens_on-day").count() == 1 and page.locator("#opens_on-year").count() == 1
    page.fill("#title", "Date check")
    page.fill("#slug", "date-check")
    page.fill("#opens_on-day", "31")
    page.fill("#opens_on-month", "2")
    page.fill("#opens_on-year", "2026")
    page.fill("#closes_on-day", "1")
    page.fill("#closes_on-year", "26")
    _press(page, "main form[method=post] button[type=submit]")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The opening date must be a real date" in summary and "The closing date must include a month" in summary
    assert page.locator("#opens_on-day").input_value() == "31"  # what was typed is kept
    violations += audit(page, "researcher-research-campaigns-new-date-errors")

    campaign = site.ids["campaign_own"]
    page.goto(f"{site.url}/research/campaigns/{campaign}/quotas")
    page.fill("#quota-age_band-1", "twenty")
    _press(page, "main form[method=post] button[type=submit]")
    assert "Enter the target for 16-24 as a whole number" in page.locator(".govuk-error-summary").inner_text()
    violations += audit(page, "researcher-research-quotas-errors")
    page.fill("#quota-age_band-1", "20")
    page.fill("#quota-gender-1", "40")
    page.fill(f"#quota-community-{campaign}", "100")
    _press(page, "main form[method=post] button[type=submit]")
    assert page.locator("#quotas-title").count() == 1 and page.locator("progress.staff-meter").count() >= 3
    violations += audit(page, "researcher-research-campaign-with-quotas")
    assert violations == [], report(violations)


def test_a_batch_pdf_in_progress_or_failed_meets_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    with site.app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=site.ids["campaign_own"])).one()
        peer = db.session.scalars(select(User).filter_by(email="peer@example.org")).one()
        researcher = db.session.scalars(select(User).filter_by(email="researcher@example.org")).one()
        running = issue_batch(campaign, peer, researcher, 2, render_pdf=False)  # its job never starts here
        failed = issue_batch(campaign, peer, researcher, 1, render_pdf=False)
        db.session.flush()
        db.session.execute(
            update(PaperBatch)
            .where(PaperBatch.id == failed.id)
            .values(pdf_status="failed", pdf_error="The PDF could not be made (RuntimeError: test). Make it again.")
        )
        db.session.commit()
        ids = running.id, failed.id
    violations: list[Violation] = []
    page = pages["researcher"]
    page.goto(f"{site.url}/paper/batches/{ids[0]}")
    assert page.locator("[data-job-progress=running] progress").count() == 1
    assert page.locator("[data-refresh-button]").is_hidden()  # the script polls instead
    violations += audit(page, "researcher-paper-batch-pdf-running")
    # The static script (staff.js) fetches the page again and swaps in the finished state: no reload.
    page.evaluate("() => { window.notReloaded = true; }")
    with site.app.app_context():
        db.session.execute(
            update(PaperBatch).where(PaperBatch.id == ids[0]).values(pdf=b"%PDF-1.7 stub", pdf_status="done")
        )
        db.session.commit()
    page.wait_for_selector("[data-job-progress] a:has-text('Download the PDF to print')", timeout=15000)
    assert page.evaluate("() => window.notReloaded === true")
    page.goto(f"{site.url}/paper/batches/{ids[1]}")
    assert page.locator("button:has-text('Make the PDF again')").count() == 1
    violations += audit(page, "researcher-paper-batch-pdf-failed")
    assert violations == [], report(violations)
