"""Participants' pages (`/w`): type the code, join, rate each asset. No account and no JavaScript.

A participant is known by a random token in their session cookie (only its hash is stored), so
they see and change only their own ratings. Every route that takes a code shares one budget of
*wrong* codes per address (WORKSHOP_CODE_LIMIT): right codes never use it up.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as HTTPResponse

from survey.assets.operations import FieldErrors
from survey.blueprints import workshops as bp
from survey.extensions import db, limiter
from survey.models import Asset, Workshop, WorkshopParticipant
from survey.web.http import see_other
from survey.web.lookups import attach_errors
from survey.workshops.codes import display_code
from survey.workshops.forms import CodeForm, JoinForm, RatingForm
from survey.workshops.operations import (
    find_workshop,
    join_workshop,
    own_rating,
    own_ratings,
    participant_for,
    rate_asset,
    workshop_asset,
)
from survey.workshops.rendering import render_workshop_page
from survey.workshops.results import RATING_LABELS

SESSION_KEY = "workshop_tokens"  # {workshop id: the participant's token}


def _missed(_response: HTTPResponse) -> bool:
    return bool(g.get("workshop_code_missed"))


code_attempts = limiter.shared_limit(
    lambda: current_app.config["WORKSHOP_CODE_LIMIT"], scope="workshop-code", deduct_when=_missed
)


def _workshop_or_404(code: str) -> Workshop:
    workshop = find_workshop(code)
    if workshop is None:
        g.workshop_code_missed = True
        abort(404)
    return workshop


def _closed(workshop: Workshop) -> tuple[str, int]:
    # 410 Gone: the code was right, and will not work again.
    return render_workshop_page("workshops/closed.html", workshop), 410


def _participant(workshop: Workshop) -> WorkshopParticipant | None:
    return participant_for(workshop, session.get(SESSION_KEY, {}).get(str(workshop.id)))


@bp.route("", methods=["GET", "POST"])
@code_attempts
def enter_code() -> HTTPResponse | tuple[str, int]:
    """Type the code the facilitator shows."""
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("workshops/enter_code.html", form=form), 422 if request.method == "POST" else 200
    workshop = find_workshop(form.code.data or "")
    if workshop is None:
        g.workshop_code_missed = True
        form.code.errors = ["No workshop has that code. Check it with the facilitator: 8 letters and numbers."]
        return render_template("workshops/enter_code.html", form=form), 422
    return see_other(".workshop", code=display_code(workshop.code))


@bp.get("/<code>")
@code_attempts
def workshop(code: str) -> HTTPResponse | tuple[str, int]:
    """Join (first visit), then the assets to rate with this participant's own ratings."""
    found = _workshop_or_404(code)
    shown = display_code(found.code)
    if code != shown:
        return redirect(url_for(".workshop", code=shown))
    if found.status != "open":
        return _closed(found)
    participant = _participant(found)
    if participant is None:
        form = JoinForm(data={"join_token": secrets.token_urlsafe(24)})
        return render_workshop_page("workshops/join.html", found, form=form), 200
    return render_workshop_page(
        "workshops/assets.html",
        found,
        participant=participant,
        ratings=own_ratings(participant),
        rating_labels=RATING_LABELS,
    ), 200


@bp.post("/<code>/join")
@code_attempts
def join(code: str) -> HTTPResponse | tuple[str, int]:
    """Join: the group one speaks for is optional."""
    found = _workshop_or_404(code)
    if found.status != "open":
        return _closed(found)
    if _participant(found) is not None:
        return see_other(".workshop", code=display_code(found.code))
    form = JoinForm()
    if not form.validate_on_submit():
        if form.join_token.errors:  # missing or tampered with: a fresh one, and say so above the form
            form.join_token.data = secrets.token_urlsafe(24)
            form.form_errors.append(form.join_token.errors[0])
        return render_workshop_page("workshops/join.html", found, form=form), 422
    try:
        join_workshop(found, form.join_token.data, form.participant_group.data or None)
    except FieldErrors:  # the form checked the group: only a close on the way gets here
        db.session.rollback()
        return _closed(found)
    db.session.commit()
    # Kept per workshop, so one phone can take part in two workshops in a day.
    session[SESSION_KEY] = {**session.get(SESSION_KEY, {}), str(found.id): form.join_token.data}
    return see_other(".workshop", code=display_code(found.code))


def _rating_page(workshop: Workshop, asset: Asset, form: RatingForm, status: int) -> tuple[str, int]:
    return render_workshop_page("workshops/rate.html", workshop, asset=asset, form=form), status


@bp.route("/<code>/assets/<slug>", methods=["GET", "POST"])
@code_attempts
def rate(code: str, slug: str) -> HTTPResponse | tuple[str, int]:
    """Rate one asset: a resubmit changes this participant's earlier rating."""
    found = _workshop_or_404(code)
    if found.status != "open":
        return _closed(found)
    asset = workshop_asset(found, slug)
    if asset is None:
        abort(404)
    participant = _participant(found)
    if participant is None:
        flash("Join the workshop first: then you can rate each asset.")
        return see_other(".workshop", code=display_code(found.code))
    if request.method == "GET":
        earlier = own_rating(participant, asset)
        data = (
            {}
            if earlier is None
            else {
                "social_impact": str(earlier.social_impact),
                "economic_impact": str(earlier.economic_impact),
                "comment": earlier.comment,
            }
        )
        return _rating_page(found, asset, RatingForm(data=data), 200)
    form = RatingForm()
    if not form.validate_on_submit():
        return _rating_page(found, asset, form, 422)
    try:
        rate_asset(
            participant, asset, int(form.social_impact.data), int(form.economic_impact.data), form.comment.data or ""
        )
    except FieldErrors as error:
        db.session.rollback()
        if "workshop" in error.problems:  # closed while this rating was on its way
            return _closed(found)
        attach_errors(form, error.problems)
        return _rating_page(found, asset, form, 422)
    db.session.commit()
    flash(f"Saved your rating of {asset.name}. You can change it until the workshop closes.")
    return see_other(".workshop", code=display_code(found.code))
