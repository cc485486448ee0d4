"""Two people editing one deep dive: a save made after the other's form was opened is not undone unseen.

The later save put back every field as its form had been drawn: a consent to quotation withdrawn by
one researcher came back when a colleague saved a typo fix from a form opened before.
"""

from __future__ import annotations

import re

import pytest

from tests.deepdive_support import fields, post, record, stored
from tests.test_research_support import sign_in

VERSION = re.compile(r'name="version" type="hidden" value="([^"]+)"|type="hidden" name="version" value="([^"]+)"')


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    return client


def _version(client, url: str) -> str:
    found = VERSION.search(client.get(url).get_data(as_text=True))
    assert found is not None, "the edit form carries the version it was opened at"
    return next(group for group in found.groups() if group)


def test_a_save_from_a_form_opened_before_anothers_save_is_refused_and_kept(app, researcher, make_user, login):
    deep_dive_id = record(researcher, transcript="The libary is where I meet people.")
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    opened = _version(researcher, edit)  # the first researcher opens the form to fix a typo

    colleague = app.test_client()
    make_user("colleague@example.org", "researcher")
    assert login("colleague@example.org", target=colleague).status_code == 303
    # Meanwhile the participant withdraws consent to quotation, and a colleague records it.
    withdrawn = fields(transcript="The libary is where I meet people.", consent_quotation="no")
    assert post(colleague, withdrawn, url=edit).status_code == 303
    assert stored(app, deep_dive_id).consent_quotation is False  # type: ignore[union-attr]

    fixed = "The library is where I meet people."
    refused = post(researcher, fields(transcript=fixed, version=opened), url=edit)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Someone saved this deep dive after you opened it" in html and fixed in html  # nothing typed is lost
    row = stored(app, deep_dive_id)
    assert row.consent_quotation is False and row.transcript == "The libary is where I meet people."  # type: ignore[union-attr]

    # The page now carries the version just seen: saving again is a choice made knowing of the other save.
    current = next(group for group in VERSION.search(html).groups() if group)  # type: ignore[union-attr]
    assert current != opened
    again = post(researcher, fields(transcript=fixed, consent_quotation="no", version=current), url=edit)
    assert again.status_code == 303
    assert stored(app, deep_dive_id).transcript == fixed  # type: ignore[union-attr]


def test_an_edit_with_nobody_elses_save_between_goes_through(app, researcher):
    deep_dive_id = record(researcher)
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    answer = post(researcher, fields(transcript="Changed.", version=_version(researcher, edit)), url=edit)
    assert answer.status_code == 303
    assert stored(app, deep_dive_id).transcript == "Changed."  # type: ignore[union-attr]
