"""Fuzzing the profile forms and addresses (issue 12): any campaign value, any pack file name, any
asset slug never gives a 5xx, and only a real campaign of the community queues a pack."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AnalysisSnapshot, ProfilePackJob
from tests.helpers import csrf_token
from tests.test_fuzz import FUZZ, ErrorLog, error_log  # noqa: F401  (the fuzzers' error log fixture)

pytestmark = pytest.mark.fuzz
SLUG = "dover-town"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login, error_log: ErrorLog):  # noqa: F811
    make_campaign(SLUG)
    make_user("fuzz.profiles@example.org", "researcher")
    assert login("fuzz.profiles@example.org").status_code == 303
    return client


@FUZZ
@given(campaign=st.one_of(TEXT, st.sampled_from(["", SLUG, "dover-town ", "DOVER-TOWN", "\x00"])))
def test_the_pack_form_takes_any_campaign(app, researcher, error_log: ErrorLog, campaign: str):  # noqa: F811
    token = csrf_token(researcher.get(f"/research/communities/{SLUG}/profile-packs").get_data(as_text=True))
    with app.app_context():
        before = db.session.scalar(select(func.count(ProfilePackJob.id)))
    answer = researcher.post(
        f"/research/communities/{SLUG}/profile-packs", data={"csrf_token": token, "campaign": campaign}
    )
    assert answer.status_code < 500, error_log.records[-1:]
    with app.app_context():
        after = db.session.scalar(select(func.count(ProfilePackJob.id)))
    if campaign not in ("", SLUG):
        assert after == before, repr(campaign)  # not a campaign of the community: nothing queued
    assert after <= 2  # one waiting pack per scope (all campaigns, or the one), however often it is posted


@FUZZ
@given(slug=TEXT, name=TEXT)
def test_profile_addresses_take_any_slug_and_file_name(app, researcher, error_log: ErrorLog, slug: str, name: str):  # noqa: F811
    for url in (
        f"/research/assets/{slug}/profile",
        f"/fieldwork/assets/{slug}/profile",
        f"/research/profile-packs/1/{name}",
    ):
        answer = researcher.get(url)
        assert answer.status_code < 500, (url, error_log.records[-1:])
    with app.app_context():
        assert db.session.scalar(select(func.count(AnalysisSnapshot.id))) == 0  # reading never queues
