"""API tokens in the web app: researchers list, create and revoke their own (issue 5, part 6).

A new token is shown once, on the page that answers the POST that created it (never stored, never
redirected to), with `Cache-Control: no-store` so the browser does not keep it in its history.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as HTTPResponse
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from instruments.answers import quoted
from survey.access import RESEARCH, roles_required
from survey.accounts.api_tokens import (
    DEFAULT_LIFETIME_DAYS,
    LIFETIME_CHOICES,
    NAME_MAX_LENGTH,
    create_token,
    is_expired,
    list_tokens,
    own_token,
    revoke_token,
)
from survey.blueprints import auth as bp
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import User


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


def _user() -> User:
    return current_user._get_current_object()


def _list_page(form: TokenForm, status: int) -> tuple[str, int]:
    return render_template("auth/tokens.html", form=form, tokens=list_tokens(_user()), is_expired=is_expired), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def tokens() -> HTTPResponse | tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _list_page(form, 422 if form.is_submitted() else 200)
    try:
        row, token = create_token(_user(), form.name.data or "", form.days.data or DEFAULT_LIFETIME_DAYS)
    except ServiceError as error:
        db.session.rollback()
        form.name.errors = [error.message]
        return _list_page(form, 422)
    db.session.commit()
    response = make_response(render_template("auth/tokens_created.html", row=row, token=token), 200)
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
