"""Fuzzing the coding forms (issue 15, Must show 7): any post to the coding form, an excerpt's codes or the
codebook form, and any retrieval filter, never gives a 5xx, and whatever is stored keeps the rules: an
excerpt is exactly its span of the transcript, trimmed, with at least one code, never twice; a theme key
is a slug unique in its campaign."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey.extensions import db
from survey.models import Campaign, DeepDive, Excerpt, ExcerptCode, Theme
from tests.coding_support import TRANSCRIPT, add_deep_dive, add_excerpt, add_theme, community
from tests.fuzz_support import junk_key, junk_text
from tests.helpers import csrf_token
from tests.test_fuzz import FUZZ, ErrorLog, error_log  # noqa: F401  (the fuzzers' error log fixture)

pytestmark = pytest.mark.fuzz
EMAIL = "fuzz.coder@example.org"
CODING_FIELDS = ["paragraphs", "combine", "start", "end", "sixways", "assets", "themes"]
# Values that pass or nearly pass: real paragraphs, codes, offsets at and past the transcript's ends.
NEAR_VALUES = st.sampled_from(
    ["0-36", "42-97", "104-174", "0-174", "y", "connect", "care", "dover_library", "isolation", "sheppey_pier"]
    + ["0", "36", "42", "76", "174", "175", "-1", "9" * 30, " 42 ", "4\u0662"]
)
VALUES = st.one_of(NEAR_VALUES, junk_text)


@pytest.fixture
def coder(app, client, make_campaign, make_user, login, error_log: ErrorLog):  # noqa: F811
    make_campaign("dover-town")
    make_user(EMAIL, "researcher")
    assert login(EMAIL).status_code == 303
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        theme = add_theme(campaign, "isolation", "Isolation")
        deep_dive = add_deep_dive(community(), campaign=campaign)
        add_excerpt(deep_dive, "I go every Tuesday.", themes=(theme,))
        db.session.commit()
    return client


def _problems(app) -> list[str]:
    """What a torn or invalid write would leave among the excerpts and themes."""
    problems = []
    with app.app_context():
        for excerpt in db.session.scalars(select(Excerpt)):
            transcript = excerpt.deep_dive.transcript
            if transcript[excerpt.start : excerpt.end] != excerpt.text or excerpt.text != excerpt.text.strip():
                problems.append(f"excerpt {excerpt.id}: {excerpt.start}-{excerpt.end} is not its trimmed span")
            if not excerpt.text or not excerpt.codes:
                problems.append(f"excerpt {excerpt.id}: empty, or without a code")
        spans = select(Excerpt.deep_dive_id, Excerpt.start, Excerpt.end).group_by(
            Excerpt.deep_dive_id, Excerpt.start, Excerpt.end
        )
        if db.session.scalar(select(func.count()).select_from(spans.having(func.count() > 1).subquery())):
            problems.append("the same span stored twice")
        for theme in db.session.scalars(select(Theme)):
            if re.fullmatch(r"[a-z0-9_]{1,40}", theme.key) is None or not theme.name.strip():
                problems.append(f"theme {theme.id}: key {theme.key!r} name {theme.name!r}")
        orphans = select(func.count(ExcerptCode.id)).outerjoin(Excerpt).where(Excerpt.id.is_(None))
        if db.session.scalar(orphans):
            problems.append("codes without their excerpt")
    return problems


@FUZZ
@given(pairs=st.lists(st.tuples(st.sampled_from(CODING_FIELDS) | junk_key, VALUES), max_size=8))
@example(pairs=[("start", "36"), ("end", "42"), ("sixways", "give")])
@example(pairs=[("paragraphs", "0-36"), ("paragraphs", "0-36"), ("sixways", "care"), ("sixways", "care")])
@example(pairs=[("start", "0"), ("end", "174"), ("themes", "isolation"), ("start", "x")])
def test_the_coding_form_takes_any_post(app, coder, error_log: ErrorLog, pairs):  # noqa: F811
    with app.app_context():
        deep_dive_id = db.session.scalars(select(DeepDive.id)).one()
    url = f"/research/deep-dives/{deep_dive_id}/code"
    token = csrf_token(coder.get(url).get_data(as_text=True))
    answer = coder.post(url, data=MultiDict([("csrf_token", token), *pairs]))
    assert answer.status_code in (303, 400, 422), (answer.status_code, error_log.records[-1:])
    assert _problems(app) == []
    with app.app_context():
        assert db.session.get(DeepDive, deep_dive_id).transcript == TRANSCRIPT  # type: ignore[union-attr]


@FUZZ
@given(pairs=st.lists(st.tuples(st.sampled_from(["sixways", "assets", "themes"]) | junk_key, VALUES), max_size=6))
def test_an_excerpts_codes_take_any_post(app, coder, error_log: ErrorLog, pairs):  # noqa: F811
    with app.app_context():
        excerpt = db.session.scalars(select(Excerpt)).one()
        url = f"/research/deep-dives/{excerpt.deep_dive_id}/excerpts/{excerpt.id}/codes"
    token = csrf_token(coder.get(url).get_data(as_text=True))
    answer = coder.post(url, data=MultiDict([("csrf_token", token), *pairs]))
    assert answer.status_code in (303, 400, 422), (answer.status_code, error_log.records[-1:])
    assert _problems(app) == []


@FUZZ
@given(key=junk_text | st.from_regex(r"[a-z0-9_]{1,45}", fullmatch=True), name=junk_text, description=junk_text)
@example(key="isolation", name="Again", description="")
@example(key="ISOLATION ", name=" x ", description="=1+1")
def test_the_theme_form_takes_any_post(app, coder, error_log: ErrorLog, key, name, description):  # noqa: F811
    url = "/research/campaigns/dover-town/themes/new"
    token = csrf_token(coder.get(url).get_data(as_text=True))
    answer = coder.post(url, data={"csrf_token": token, "key": key, "name": name, "description": description})
    assert answer.status_code in (303, 400, 422), (answer.status_code, error_log.records[-1:])
    assert _problems(app) == []


@FUZZ
@given(
    query=st.lists(
        st.tuples(st.sampled_from(["community", "sixways", "asset", "theme", "deep_dive"]) | junk_key, VALUES),
        max_size=5,
    )
)
@example(query=[("deep_dive", "9" * 30)])
@example(query=[("deep_dive", "-1"), ("theme", "isolation")])
def test_the_retrieval_filter_takes_any_query(coder, error_log: ErrorLog, query):  # noqa: F811
    answer = coder.get("/research/excerpts", query_string=MultiDict(query))
    assert answer.status_code in (200, 400, 422), (answer.status_code, error_log.records[-1:])
