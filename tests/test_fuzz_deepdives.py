"""Fuzzing the deep-dive forms (issue 15): any value in any field of the recording and edit forms (typed text and
uploaded files too) and of the erasure form never gives a 5xx; a deep dive is saved only with a
pseudonym, a date not in the future, yes/no consents and clean text; erasing changes nothing until
it is confirmed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from survey.localtime import local_today
from survey.models import PARTICIPANT_CODE_PATTERN, DeepDive
from survey.web.uploads import CONTROL
from tests.deepdive_support import NEW, fields, post
from tests.fuzz_support import NASTY_VALUES, junk_text, mostly
from tests.helpers import csrf_token
from tests.test_fuzz import FUZZ, ErrorLog, error_log  # noqa: F401  (the fuzzers' error log fixture)

pytestmark = pytest.mark.fuzz
FIELDS = list(fields())
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login, error_log: ErrorLog):  # noqa: F811
    make_campaign("dover-town")
    make_user("fuzz.deepdives@example.org", "researcher")
    assert login("fuzz.deepdives@example.org").status_code == 303
    return client


# Each field: mostly a valid value (so some posts get saved), else junk, or left out.
_valid = fields()
field_values = st.fixed_dictionaries(
    {name: mostly(st.just(_valid[name]), st.one_of(junk_text, st.none()), percent=85) for name in FIELDS}
)
upload = st.one_of(
    st.none(),
    st.tuples(
        st.one_of(st.binary(max_size=200), st.sampled_from([b"PK\x03\x04", b"\xef\xbb\xbfhello", b"a\x00b"])),
        st.sampled_from(["notes.txt", "notes.docx", "notes.odt", "notes", "../../etc/passwd.txt", "x.TXT", "\x00.txt"]),
    ),
)


@FUZZ
@given(values=field_values, file=upload, editing=st.booleans())
def test_the_recording_and_edit_forms_take_anything(app, researcher, error_log: ErrorLog, values, file, editing):  # noqa: F811
    data = {name: value for name, value in values.items() if value is not None}
    if file is not None:
        data["file"] = file
    with app.app_context():
        first = db.session.scalar(select(func.min(DeepDive.id)))
    if editing and first is None:
        assert post(researcher, fields(code="DOV-01")).status_code == 303
        first = 1
    with app.app_context():
        before = set(db.session.scalars(select(DeepDive.id)))
    answer = post(researcher, data, url=f"/research/deep-dives/{first}/edit" if editing else NEW)
    assert answer.status_code < 500, error_log.records[-1:]
    with app.app_context():
        rows = {row.id: row for row in db.session.scalars(select(DeepDive))}
        today = local_today()
    shown = int(answer.headers["Location"].rsplit("/", 1)[1]) if answer.status_code == 303 else None
    # A new recording adds one row; the same one again within a minute is a double click: none.
    added = answer.status_code == 303 and not editing and shown not in before
    assert len(rows) == len(before) + (1 if added else 0)
    if answer.status_code == 303:
        saved = rows[first] if editing else rows[shown]
        assert re.fullmatch(PARTICIPANT_CODE_PATTERN, saved.participant_code)
        assert saved.participant_code == saved.participant_code.upper()
        assert saved.held_on <= today and saved.transcript and not CONTROL.search(saved.transcript)
        assert saved.transcript == saved.transcript.strip() and "\r" not in saved.transcript
    else:
        assert answer.status_code in (400, 413, 422)


@FUZZ
@given(code=st.one_of(TEXT, st.sampled_from(NASTY_VALUES)), community=st.one_of(TEXT, st.just("dover-town")))
def test_the_erasure_forms_take_anything_and_erase_only_when_confirmed(
    app,
    researcher,
    error_log: ErrorLog,  # noqa: F811
    code,
    community,
):
    with app.app_context():
        before = db.session.scalar(select(func.count(DeepDive.id)))
    if before == 0:
        assert post(researcher, fields(code="DOV-01", held_on=date(2026, 1, 2))).status_code == 303
        before = 1
    token = csrf_token(researcher.get("/research/deep-dives/erase").get_data(as_text=True))
    for url in ("/research/deep-dives/erase", "/research/deep-dives/erase/confirm"):
        answer = researcher.post(url, data={"csrf_token": token, "participant_code": code, "community": community})
        assert answer.status_code < 500, (url, error_log.records[-1:])
        with app.app_context():
            after = db.session.scalar(select(func.count(DeepDive.id)))
        erased = url.endswith("confirm") and code.strip().upper() == "DOV-01" and community in ("", "dover-town")
        assert after == (before - 1 if erased else before), (url, code, community)
