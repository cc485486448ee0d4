"""API tokens in the web app: researchers list, create and revoke their own (issue 5, part 6).

A new token is shown once, on the page that answers the POST that created it (never stored, never
redirected to), with `Cache-Control: no-store` so the browser does not keep it in its history. The
form carries a one-time token, so sent twice (a double click) it makes one token, shown by the
answer the browser keeps.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as HTTPResponse
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from instruments.answers import quoted
from survey.access import RESEARCH, roles_required
from survey.accounts.api_tokens import (
    DEFAULT_LIFETIME_DAYS,
    LIFETIME_CHOICES,
    NAME_MAX_LENGTH,
    create_token_once,
    is_expired,
    list_tokens,
    own_token,
    revoke_token,
)
from survey.blueprints import auth as bp
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import User
from survey.web.fields import ONE_TIME_TOKEN_PATTERN


def _days(value: object) -> int:
    """The chosen lifetime; anything but digits (only a hand-made request sends it) is no choice (-1)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else -1


class TokenForm(FlaskForm):
    name = StringField(
        "Name of the new token",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired("Give the token a name, e.g. the script or computer that will use it."),
            Length(max=NAME_MAX_LENGTH, message=f"Use at most {NAME_MAX_LENGTH} characters."),
        ],
    )
    days = SelectField(
        "Expires after",
        choices=[SelectChoice(days, "1 year" if days == 365 else f"{days} days") for days in LIFETIME_CHOICES],
        coerce=_days,
        default=DEFAULT_LIFETIME_DAYS,
        validate_choice=True,
    )
    # One-time: the same value sent twice finds the token the first sending made.
    issue_token = HiddenField(validators=[Optional(), Regexp(ONE_TIME_TOKEN_PATTERN)])


def _user() -> User:
    return current_user._get_current_object()


def _list_page(form: TokenForm, status: int) -> tuple[str, int]:
    return render_template("auth/tokens.html", form=form, tokens=list_tokens(_user()), is_expired=is_expired), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def tokens() -> HTTPResponse | tuple[str, int]:
    form = TokenForm()
    if not form.is_submitted():
        form.issue_token.data = secrets.token_urlsafe(24)
        return _list_page(form, 200)
    if not form.validate():
        if form.issue_token.errors:
            abort(400)  # only a hand-made request sends a malformed one
        return _list_page(form, 422)
    days = form.days.data or DEFAULT_LIFETIME_DAYS
    try:
        created = create_token_once(_user(), form.name.data or "", days, form.issue_token.data or None)
    except ServiceError as error:
        db.session.rollback()
        form.name.errors = [error.message]
        form.issue_token.data = secrets.token_urlsafe(24)  # sending this form again makes a new token
        return _list_page(form, 422)
    db.session.commit()
    page = render_template("auth/tokens_created.html", row=created.row, token=created.token, again=created.again)
    response = make_response(page, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(*RESEARCH)
def revoke(token_id: int) -> HTTPResponse | str:
    """Revoke a token once asked: the list's Revoke button shows a confirmation (a revoked token cannot
    be brought back, and whatever uses it stops at once); that page's button (confirm=yes) revokes."""
    if request.form.get("confirm") != "yes":
        row = own_token(_user(), token_id)
        if row.revoked_at is None:
            return render_template("auth/token_revoke.html", row=row)
    row = revoke_token(_user(), token_id)
    db.session.commit()
    flash(f"The token {quoted(row.name)} ({row.prefix}...) is revoked: it no longer works.")
    return redirect(url_for(".tokens"), code=303)
