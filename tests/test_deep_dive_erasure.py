"""Erasing a participant's deep dives (the page and `flask deep-dives erase`), audited without the code
or the words; and deep dives never leave through a survey export or the API."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from survey.accounts.api_tokens import create_token
from survey.extensions import db
from survey.models import AuditEvent, DeepDive, Excerpt, ExcerptCode, User
from tests.deepdive_support import record, researcher_of_two_communities
from tests.helpers import csrf_token, post_form
from tests.test_research_support import sign_in

ERASE = "/research/deep-dives/erase"


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login):
    return researcher_of_two_communities(client, make_campaign, make_user, login)


def _coded(app, deep_dive_id: int, codes: int) -> None:
    """One excerpt (the first paragraph) with `codes` six ways codes."""
    with app.app_context():
        deep_dive = db.session.get(DeepDive, deep_dive_id)
        assert deep_dive is not None
        words = deep_dive.transcript.split("\n\n")[0]
        sixways = ["connect", "be_active", "give"][:codes]
        codes_made = [ExcerptCode(sixways=key) for key in sixways]
        deep_dive.excerpts.append(Excerpt(start=0, end=len(words), text=words, codes=codes_made))
        db.session.commit()


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count(model.id))) for model in (DeepDive, Excerpt, ExcerptCode)
        )


def test_the_page_says_what_will_go_then_erases_it_audited_without_values(app, researcher):
    first = record(researcher, code="DOV-07", transcript="Mysecretword at the library.\n\nMore.")
    second = record(researcher, code="DOV-07", community="sheppey", transcript="Another visit.")
    record(researcher, code="DOV-08")
    _coded(app, first, 2)
    _coded(app, second, 1)
    preview = post_form(researcher, ERASE, ERASE, {"participant_code": "dov-07", "community": ""})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 deep dives" in page and "2 coded excerpts" in page and "3 codes on those excerpts" in page
    assert _counts(app) == (3, 2, 3)  # the preview changed nothing
    confirm = researcher.post(
        f"{ERASE}/confirm", data={"csrf_token": csrf_token(page), "participant_code": "DOV-07", "community": ""}
    )
    assert confirm.status_code == 303
    assert "Erased 2 deep dives of DOV-07, with 2 excerpts and 3 codes." in researcher.get(
        "/research/deep-dives"
    ).get_data(as_text=True)
    assert _counts(app) == (1, 0, 0)
    with app.app_context():
        deletions = list(db.session.scalars(select(AuditEvent).filter_by(action="delete")))
    assert (
        sorted(event.entity_type for event in deletions) == ["deep_dive"] * 2 + ["excerpt"] * 2 + ["excerpt_code"] * 3
    )
    dumped = repr([event.changes for event in deletions])
    assert "Mysecretword" not in dumped and "DOV-07" not in dumped
    assert all(event.actor_label == "researcher@example.org" for event in deletions)


def test_erasure_in_one_community_leaves_the_others(app, researcher):
    record(researcher, code="DOV-07")
    kept = record(researcher, code="DOV-07", community="sheppey")
    preview = post_form(researcher, ERASE, ERASE, {"participant_code": "DOV-07", "community": "dover-town"})
    page = preview.get_data(as_text=True)
    assert "1 deep dive<" in page and "in Dover Town" in page
    data = {"csrf_token": csrf_token(page), "participant_code": "DOV-07", "community": "dover-town"}
    assert researcher.post(f"{ERASE}/confirm", data=data).status_code == 303
    with app.app_context():
        assert list(db.session.scalars(select(DeepDive.id))) == [kept]


def test_bad_erasure_input_says_so_and_erases_nothing(app, researcher):
    record(researcher, code="DOV-07")
    wrong = post_form(researcher, ERASE, ERASE, {"participant_code": "Jane Smith", "community": "atlantis"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "never a name or email" in page and "Choose a community from the list" in page
    nobody = post_form(researcher, ERASE, ERASE, {"participant_code": "DOV-99", "community": ""})
    assert "nothing to erase" in nobody.get_data(as_text=True)
    forged = post_form(researcher, ERASE, f"{ERASE}/confirm", {"participant_code": "DOV-07", "community": "atlantis"})
    assert forged.status_code == 422 and "Nothing was erased" in forged.get_data(as_text=True)
    assert _counts(app)[0] == 1


def test_the_command_erases_a_participant_everywhere_or_in_one_community(app, researcher, runner):
    record(researcher, code="DOV-07")
    record(researcher, code="DOV-07", community="sheppey")
    other = record(researcher, code="DOV-08")
    _coded(app, other, 1)
    refused = runner.invoke(args=["deep-dives", "erase", "--participant", "jane@example.org"])
    assert refused.exit_code != 0 and "never a name or email" in refused.output
    unknown = runner.invoke(args=["deep-dives", "erase", "--participant", "DOV-07", "--community", "atlantis"])
    assert unknown.exit_code != 0 and 'No community has the slug "atlantis"' in unknown.output
    one = runner.invoke(args=["deep-dives", "erase", "--participant", "dov-07", "--community", "sheppey"])
    assert one.exit_code == 0 and "Erased 1 deep dive(s) of DOV-07 in Sheppey" in one.output
    everywhere = runner.invoke(args=["deep-dives", "erase", "--participant", "DOV-07"])
    assert everywhere.exit_code == 0 and "Erased 1 deep dive(s) of DOV-07, with 0 excerpt(s)" in everywhere.output
    assert _counts(app) == (1, 1, 1)  # DOV-08's, with its excerpt and code
    with app.app_context():
        labels = set(db.session.scalars(select(AuditEvent.actor_label).filter_by(action="delete")))
    assert labels == {"cli:deep-dives-erase"}


def test_deep_dives_never_leave_through_an_export_or_the_api(app, client, demo, make_user, login):
    demo("--responses", "12", "--no-paper", "--no-profiles")
    sign_in(make_user, login)
    record(client, code="DOV-77", transcript="Zyxwvutword is what I told them.")
    download = post_form(client, "/research/exports", "/research/exports", {"format": "csv", "content": "both"})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.get_data()))
    assert len(archive.namelist()) > 3
    for name in archive.namelist():
        content = archive.read(name).decode("utf-8", "replace")
        assert "Zyxwvutword" not in content and "DOV-77" not in content, name
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="researcher@example.org")).one()
        _row, token = create_token(user, "tests")
        db.session.commit()
    api = app.test_client()
    for path in ("/api/v1/communities", "/api/v1/campaigns", "/api/v1/assets", "/api/v1/responses?limit=1000"):
        answer = api.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, path
        assert "Zyxwvutword" not in answer.get_data(as_text=True) and "DOV-77" not in answer.get_data(as_text=True)
