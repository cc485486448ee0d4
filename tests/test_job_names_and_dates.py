"""Job pages name what a job covers as every other page does (the campaign's title, the community's
name), not by slug ("Profile pack: dover-town"); the profile's workshop ratings write their date as
other pages do ("5 December 2026", not 2026-12-05)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import ExportJob, ImportBatch, ProfilePackJob, ReportJob, Workshop, WorkshopRating
from tests.test_asset_profiles import _prepare, researcher  # noqa: F401  # the fixture
from tests.test_research_support import sign_in


def _add(app, row) -> int:
    with app.app_context():
        db.session.add(row)
        db.session.commit()
        return row.id


def test_report_pages_name_the_campaign_the_community_or_everything(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")  # the community "Dover Town", its campaign "Dover Town survey"
    sign_in(make_user, login)
    of_campaign = _add(app, ReportJob(campaign_slug="dover-town"))
    of_community = _add(app, ReportJob(community_slug="dover-town"))
    of_everything = _add(app, ReportJob())
    expected = {of_campaign: "Dover Town survey", of_community: "Dover Town", of_everything: "all communities"}
    for job_id, scope in expected.items():
        page = client.get(f"/research/reports/{job_id}").get_data(as_text=True)
        assert f"Report: {scope}</h1>" in page, page[page.index("<h1") : page.index("</h1>") + 5]
    listing = client.get("/research/reports").get_data(as_text=True)
    assert "<td>Dover Town survey</td>" in listing and "<td>Dover Town</td>" in listing
    assert "<td>dover-town</td>" not in listing


def test_profile_pack_pages_name_the_community_and_the_campaign(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    whole = _add(app, ProfilePackJob(community_slug="dover-town"))
    one = _add(app, ProfilePackJob(community_slug="dover-town", campaign_slug="dover-town"))
    assert "Profile pack: Dover Town</h1>" in client.get(f"/research/profile-packs/{whole}").get_data(as_text=True)
    assert "Profile pack: Dover Town survey</h1>" in client.get(f"/research/profile-packs/{one}").get_data(as_text=True)
    listing = client.get("/research/communities/dover-town/profile-packs").get_data(as_text=True)
    assert ">Dover Town survey</td>" in listing and ">dover-town</td>" not in listing


def test_a_job_of_a_campaign_deleted_since_keeps_its_slug(app, client, make_user, login):
    sign_in(make_user, login)
    job_id = _add(app, ReportJob(campaign_slug="gone-2025"))
    assert "Report: gone-2025</h1>" in client.get(f"/research/reports/{job_id}").get_data(as_text=True)


def test_import_and_export_pages_name_the_campaigns(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    batch = ImportBatch(actor_label="r", filename="old.csv", sha256="0" * 64, status="done")
    batch.added, batch.already_present, batch.new_by_campaign = 2, 0, {"dover-town": 2}
    batch_id = _add(app, batch)
    page = client.get(f"/research/imports/batches/{batch_id}").get_data(as_text=True)
    assert "2 responses added (Dover Town survey: 2)" in page
    export_id = _add(app, ExportJob(format="xlsx", campaign_slugs=["dover-town"], community_slugs=["dover-town"]))
    export = client.get(f"/research/exports/{export_id}").get_data(as_text=True)
    assert '<dd class="govuk-summary-list__value">Dover Town survey</dd>' in export
    assert '<dd class="govuk-summary-list__value">Dover Town</dd>' in export


def test_the_profile_writes_the_workshop_date_as_other_pages_do(app, researcher):  # noqa: F811
    with app.app_context():
        workshop = db.session.scalars(select(Workshop)).one()
        workshop.held_on = date(2026, 12, 5)
        db.session.commit()
        rated = db.session.scalars(select(WorkshopRating)).first().asset.slug
    _prepare(app, researcher, rated)
    profile = researcher.get(f"/research/assets/{rated}/profile").get_data(as_text=True)
    assert "Dover Town impact workshop (demo) (5 December 2026): 6 participants rated it" in profile
    assert "2026-12-05" not in profile
    workshops = researcher.get("/research/workshops").get_data(as_text=True)
    assert "<td>5 December 2026</td>" in workshops  # the same date, written the same way
