"""API tokens expire: a lifetime chosen when one is made, shown in the list, refused after (RFC 6750)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text, update

from survey.accounts.api_tokens import create_token
from survey.database import utcnow
from survey.extensions import db
from survey.models import ApiToken, DataAccess, User
from tests.helpers import post_form

RESEARCHER = "rita@example.org"
EXPIRED_CHALLENGE = 'Bearer realm="survey-api", error="invalid_token", error_description="The access token expired"'


def _token(app, days: int = 90) -> str:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        _row, token = create_token(user, "script", days)
        db.session.commit()
    return token


def _expire_every_token(app) -> None:
    with app.app_context():
        db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


@pytest.mark.parametrize(("chosen", "days"), [({}, 90), ({"days": "7"}, 7), ({"days": "365"}, 365)])
def test_the_token_form_sets_the_lifetime_chosen_or_90_days(app, client, make_user, login, chosen, days):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    before = utcnow()
    created = post_form(client, "/account/tokens", "/account/tokens", {"name": "R", **chosen})
    assert created.status_code == 200
    with app.app_context():
        expires_at = db.session.scalars(select(ApiToken.expires_at)).one()
    assert before + timedelta(days=days) <= expires_at <= utcnow() + timedelta(days=days)
    # The list says when, in local time, and the form offers the choice with 90 days preselected.
    listing = client.get("/account/tokens").text
    assert '<th scope="col" class="govuk-table__header">Expires</th>' in listing
    assert '<option selected value="90">90 days</option>' in listing


@pytest.mark.parametrize("days", ["3650", "0", "-1", "ninety", "90.5"])
def test_a_lifetime_outside_the_choices_is_refused_and_nothing_is_made(app, client, make_user, login, days):
    make_user(RESEARCHER, "researcher")
    login(RESEARCHER)
    refused = post_form(client, "/account/tokens", "/account/tokens", {"name": "R", "days": days})
    assert refused.status_code == 422
    assert "Not a valid choice" in refused.text and "cwb_" not in refused.text
    assert 'value="R"' in refused.text  # the name typed is kept
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []


def test_an_expired_token_answers_401_with_the_rfc_6750_description_and_is_not_logged(app, client, make_user):
    make_user(RESEARCHER, "researcher")
    token = _token(app, days=7)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/communities", headers=headers).status_code == 200
    _expire_every_token(app)

    refused = client.get("/api/v1/communities", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == EXPIRED_CHALLENGE
    assert refused.get_json()["error"]["message"].startswith("The access token expired.")
    # Only the one read before it expired is in the access log.
    with app.app_context():
        assert db.session.scalars(select(DataAccess.resource)).all() == ["api:communities"]
    # An unknown token is still just invalid: no description that would say it ever existed.
    unknown = client.get("/api/v1/communities", headers={"Authorization": "Bearer cwb_unknown"})
    assert unknown.headers["WWW-Authenticate"] == 'Bearer realm="survey-api", error="invalid_token"'


def test_the_token_list_marks_an_expired_token(app, client, make_user, login):
    make_user(RESEARCHER, "researcher")
    _token(app)
    login(RESEARCHER)
    assert "Expired</strong>" not in client.get("/account/tokens").text
    _expire_every_token(app)
    listing = client.get("/account/tokens").text
    assert "Expired</strong>" in listing and "Revoke" not in listing


def test_the_openapi_document_says_tokens_expire(client):
    description = client.get("/api/v1/openapi.json").get_json()["info"]["description"]
    assert 'error_description="The access token\nexpired"' in description
    assert "90 (the default)" in description


def test_the_migration_gives_existing_tokens_90_days_from_the_upgrade(app, make_user):
    make_user(RESEARCHER, "researcher")
    with app.app_context():
        user_id = db.session.scalars(select(User.id)).one()
        db.session.remove()  # its read transaction would hold SQLite's lock against the migration
        downgrade(revision="0017")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) "
                    "VALUES (:user, 'old', :hash, 'cwb_old', CURRENT_TIMESTAMP)"
                ),
                {"user": user_id, "hash": "0" * 64},
            )
        before = utcnow()
        upgrade()
        expires_at = db.session.scalars(select(ApiToken.expires_at)).one()
    assert before + timedelta(days=90) <= expires_at <= utcnow() + timedelta(days=90)
