"""Axe (WCAG 2.0-2.2 A/AA) at 390 and 1280 px on an asset profile's states: no figures yet (also in the
role matrix), being prepared, failed, and shown (for a researcher and, read-only, for a peer)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from analysis import AnalysisConfig, Dataset, run
from analysis.profile import profile_snapshot
from survey.database import utcnow
from survey.extensions import db
from survey.models import AnalysisSnapshot, Community
from tests.a11y_support import Violation, audit, report
from tests.analysis.synthetic import STANDARD, make_survey
from tests.test_accessibility import Site, chromium, pages, site  # noqa: F401  (the module's fixtures)

ASSET = "dover_library"


def _figures() -> dict[str, Any]:
    """Real figures of a synthetic survey, one of its assets (with a planted effect) standing in for the
    matrix world's library: the world has no responses to analyse."""
    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    dataset = Dataset.from_frames(responses, assets)
    figures = profile_snapshot(run(dataset.responses, dataset.assets, config=AnalysisConfig()))
    slug, profile = next(iter(figures["assets"].items()))
    profile |= {"asset": ASSET, "name": "Dover Library", "nominations": ["The library, for the homework club."]}
    figures["assets"] = {ASSET: profile}
    assert slug and profile["use"]["user_share"] is not None
    return figures


def _set_snapshot(site: Site, **values: Any) -> None:  # noqa: F811
    with site.app.app_context():
        own = db.session.scalars(select(Community).filter_by(slug=site.ids["community_own"])).one()
        db.session.execute(delete(AnalysisSnapshot))
        db.session.add(AnalysisSnapshot(community_id=own.id, **values))
        db.session.commit()


def test_asset_profile_states_meet_wcag_a_and_aa(site: Site, pages: dict[str, Any]) -> None:  # noqa: F811
    page = pages["researcher"]
    url = f"{site.url}/research/assets/{ASSET}/profile"
    violations: list[Violation] = []

    page.goto(url)
    assert "have not been prepared yet" in page.inner_text("main")
    violations += audit(page, "researcher-asset-profile-no-figures")

    _set_snapshot(site, status="running", step="asset models", progress=0.4)
    page.goto(url)
    assert "The figures are being prepared" in page.inner_text("main")
    violations += audit(page, "researcher-asset-profile-preparing")

    _set_snapshot(site, status="failed", error="there are no complete responses to analyse")
    page.goto(url)
    assert "could not be prepared" in page.inner_text("main")
    violations += audit(page, "researcher-asset-profile-failed")

    figures = _figures()
    _set_snapshot(site, status="done", step="finished", progress=1.0, figures=figures, built_at=utcnow(), responses=900)
    page.goto(url)
    main = page.inner_text("main")
    assert "Who uses it" in main and "Its value" in main and "homework club" in main
    assert page.locator("svg.profile-chart").count() >= 2
    violations += audit(page, "researcher-asset-profile-with-figures")

    peer = pages["peer"]
    peer.goto(f"{site.url}/fieldwork/assets/{ASSET}/profile")
    assert "Who uses it" in peer.inner_text("main") and "homework club" not in peer.inner_text("main")
    violations += audit(peer, "peer-asset-profile-with-figures")
    assert violations == [], report(violations)
