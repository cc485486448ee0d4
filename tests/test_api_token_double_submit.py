"""A double-clicked "Create token" on /account/tokens made two API tokens, and the browser showed only
the second answer: the first token was never seen. The form now carries a one-time token (migration
0019): sent again, it finds the token the first sending made, gives it a new value and shows that, so
there is one token and its owner holds a value that works."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.accounts.api_tokens import ISSUE_LOCK_KEY, TokenRefused, authenticate_token, hash_token
from survey.database import utcnow
from survey.extensions import db
from survey.models import ApiToken, User
from tests.helpers import csrf_token
from tests.test_research_support import save_while_another_writes

RESEARCHER = "rita@example.org"
SHOWN = re.compile(r'id="api-token"[^>]*value="(cwb_[^"]+)"')
ISSUE = re.compile(r'name="issue_token" type="hidden" value="([^"]+)"')


def _form(client) -> dict[str, str]:
    html = client.get("/account/tokens").get_data(as_text=True)
    issue = ISSUE.search(html)
    assert issue, "the token form has no one-time token"
    return {"csrf_token": csrf_token(html), "issue_token": issue.group(1), "name": "R on my laptop", "days": "30"}


def _tokens(app) -> list[ApiToken]:
    with app.app_context():
        return list(db.session.scalars(select(ApiToken)))


def _works(app, token: str) -> bool:
    with app.app_context():
        try:
            authenticate_token(token)
        except TokenRefused:
            return False
        return True


def test_a_double_clicked_create_token_makes_one_token_and_shows_one_that_works(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    data = _form(client)
    first = client.post("/account/tokens", data=data)
    second = client.post("/account/tokens", data=data)  # the answer the browser shows
    assert first.status_code == second.status_code == 200
    assert len(_tokens(app)) == 1
    shown = SHOWN.search(second.get_data(as_text=True))
    assert shown and _works(app, shown.group(1))
    assert "sent more than once" in second.get_data(as_text=True)
    # The first answer's value was never on screen; it no longer works rather than lingering unseen.
    never_seen = SHOWN.search(first.get_data(as_text=True))
    assert never_seen and never_seen.group(1) != shown.group(1) and not _works(app, never_seen.group(1))
    assert "sent more than once" not in first.get_data(as_text=True)


def test_two_separate_creations_make_two_tokens(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    for name in ("first", "second"):
        answer = client.post("/account/tokens", data={**_form(client), "name": name})
        assert answer.status_code == 200
    assert sorted(row.name for row in _tokens(app)) == ["first", "second"]


def test_a_form_sent_again_once_its_token_is_used_or_renamed_changes_nothing(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    data = _form(client)
    token = SHOWN.search(client.post("/account/tokens", data=data).get_data(as_text=True))
    assert token
    # Back to the form, another name typed over it: not a resend, and no second token from this form.
    renamed = client.post("/account/tokens", data={**data, "name": "Stata"})
    html = renamed.get_data(as_text=True)
    assert renamed.status_code == 422 and "This form already created the token" in html
    fresh = ISSUE.search(html)
    assert fresh and fresh.group(1) != data["issue_token"]  # sending the page again makes the new token
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        row.last_used_at = utcnow()
        db.session.commit()
    used = client.post("/account/tokens", data=data)
    assert used.status_code == 422 and "This form already created the token" in used.get_data(as_text=True)
    assert len(_tokens(app)) == 1 and _works(app, token.group(1))  # the value in use is untouched
    again = client.post("/account/tokens", data={**data, "issue_token": fresh.group(1), "name": "Stata"})
    assert again.status_code == 200 and len(_tokens(app)) == 2


def test_a_malformed_one_time_token_is_refused(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    answer = client.post("/account/tokens", data={**_form(client), "issue_token": "<not a token>"})
    assert answer.status_code == 400 and _tokens(app) == []


def test_the_second_click_waits_for_the_first_and_makes_no_second_token(app, client, make_user, login):
    # Both requests at once: the first (here another connection) holds the turn while it inserts;
    # without the turn the second found no row yet and made a second token.
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    data = _form(client)
    with app.app_context():
        user_id = db.session.scalars(select(User.id).filter_by(email=RESEARCHER)).one()

    def first_click(other: Session) -> None:
        other.add(
            ApiToken(
                user_id=user_id,
                name=data["name"],
                token_hash=hash_token("cwb_first-click"),
                prefix="cwb_firstcli",
                expires_at=utcnow() + timedelta(days=30),
                issue_token=data["issue_token"],
            )
        )

    pages: list[str] = []
    fields = {key: value for key, value in data.items() if key != "csrf_token"}
    answers = save_while_another_writes(app, client, "/account/tokens", fields, ISSUE_LOCK_KEY, first_click, pages)
    assert answers == [200], pages
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 1
    shown = SHOWN.search(pages[0])
    assert shown and _works(app, shown.group(1))
