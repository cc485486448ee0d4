"""The workshop and the profiles meet: cards show the profile's evidence, profiles and the pack show
the workshop's ratings, and adjustments a workshop agrees queue new figures."""

from __future__ import annotations

import statistics
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.datasets.workshop_ratings import ratings_for
from survey.extensions import db
from survey.models import AnalysisSnapshot, Community, Response, Workshop, WorkshopRating
from tests.test_asset_profiles import COMMUNITY, _prepare, researcher  # noqa: F401  # the fixture
from tests.test_research_support import submit

AGREED = {"deadweight": "20", "displacement": "", "attribution": "10", "drop_off": "0", "years": "1"}


def _demo_workshop(app) -> tuple[int, list[tuple[str, int, int, str, bool]]]:
    """The demo workshop's id and its ratings as (asset slug, social, economic, comment, hidden)."""
    with app.app_context():
        workshop = db.session.scalars(select(Workshop)).one()
        rows = db.session.scalars(select(WorkshopRating)).all()
        return workshop.id, [(r.asset.slug, r.social_impact, r.economic_impact, r.comment, r.hidden) for r in rows]


def test_ratings_for_a_community_count_every_rating_and_leave_hidden_comments_out(app, researcher):  # noqa: F811
    _, rows = _demo_workshop(app)
    with app.app_context():
        hidden = db.session.scalars(select(WorkshopRating).where(WorkshopRating.comment != "")).first()
        assert hidden is not None
        hidden.hidden = True
        db.session.commit()
        hidden_slug, hidden_comment = hidden.asset.slug, hidden.comment
        community = db.session.scalars(select(Community).filter_by(slug=COMMUNITY)).one()
        summaries = {item.asset: item for item in ratings_for(community)}
    slugs = sorted({slug for slug, *_ in rows})
    assert sorted(summaries) == slugs and len(slugs) == 4  # the demo rates its first four assets
    for slug in slugs:
        social = [s for a, s, _, _, _ in rows if a == slug]
        economic = [e for a, _, e, _, _ in rows if a == slug]
        item = summaries[slug]
        assert item.participants == len(social) == 6
        assert item.social == tuple(social.count(point) for point in range(1, 6))
        assert item.economic == tuple(economic.count(point) for point in range(1, 6))
        assert (item.social_median, item.economic_median) == (statistics.median(social), statistics.median(economic))
    shown = [comment for item in summaries.values() for comment in item.comments]
    all_comments = [c for a, _, _, c, _ in rows if c]
    assert len(shown) == len(all_comments) - 1
    assert shown.count(hidden_comment) == all_comments.count(hidden_comment) - 1
    assert hidden_slug in summaries


def test_cards_show_the_profile_and_profiles_show_the_workshop(app, researcher):  # noqa: F811
    workshop_id, rows = _demo_workshop(app)
    slug = rows[0][0]
    before = researcher.get(f"/research/workshops/{workshop_id}").get_data(as_text=True)
    assert "Who uses it" not in before  # no figures yet: the card shows the asset log only
    _prepare(app, researcher, slug)
    with app.app_context():
        figures = db.session.scalars(select(AnalysisSnapshot).filter_by(status="done")).one().figures
    sentence = figures["assets"][slug]["sentences"]["use"]
    screen = researcher.get(f"/research/workshops/{workshop_id}").get_data(as_text=True)
    assert "Who uses it" in screen and "Value" in screen and unescape(sentence) in unescape(screen)
    profile = researcher.get(f"/research/assets/{slug}/profile").get_data(as_text=True)
    assert "Workshop ratings" in profile and "Dover Town impact workshop (demo)" in profile


@pytest.mark.slow
def test_the_pack_prints_the_workshop_ratings(app, runner, researcher, tmp_path: Path):  # noqa: F811
    result = runner.invoke(args=["profiles", "--community", COMMUNITY, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "profiles.html").read_text(encoding="utf-8")
    assert "Dover Town impact workshop (demo) (" in html
    assert html.count("6 participants rated it") == 4  # one sentence per rated asset (the demo rates four)


def test_adjustments_agreed_at_a_workshop_queue_new_figures(app, researcher):  # noqa: F811
    workshop_id, rows = _demo_workshop(app)
    slug = rows[0][0]
    _prepare(app, researcher, slug)
    url = f"/research/workshops/{workshop_id}/assets/{slug}/adjustments"
    assert submit(researcher, url, {**AGREED, "reason": "Most users would be active anyway"}).status_code == 303
    with app.app_context():
        statuses = sorted(db.session.scalars(select(AnalysisSnapshot.status)))
    assert statuses == ["done", "queued"]


def test_the_screen_says_which_figures_the_cards_show_and_when_they_are_out_of_date(app, researcher):  # noqa: F811
    # The cards said "193 users of 293 people asked" beside a dashboard of 295 complete responses,
    # with nothing to say the figures were prepared before the last responses came in.
    workshop_id, rows = _demo_workshop(app)
    url = f"/research/workshops/{workshop_id}"
    assert "have not been prepared yet, so the cards show no evidence" in researcher.get(url).get_data(as_text=True)
    _prepare(app, researcher, rows[0][0])
    with app.app_context():
        counted = db.session.scalars(select(AnalysisSnapshot).filter_by(status="done")).one().responses
    screen = " ".join(researcher.get(url).get_data(as_text=True).split())
    assert f"Each asset's figures come from {counted} verified responses" in screen
    assert "The data has changed since these figures were prepared" not in screen
    with app.app_context():  # the data changes: one counted response is no longer verified
        response = db.session.scalars(
            select(Response).join(Community).filter(Community.slug == COMMUNITY, Response.status == "complete")
        ).first()
        assert response is not None
        response.verified = False
        db.session.commit()
    screen = " ".join(researcher.get(url).get_data(as_text=True).split())
    assert "The data has changed since these figures were prepared" in screen
