"""Staff screens for deep-dive interviews (`/research/deep-dives`): the list, recording one, its page
and editing it.

One set of addresses for every staff role, scoped in the query, as the impact workshops do: peers
record and edit deep dives in their own communities (another community's answers 404, as if it did
not exist), researchers and admins see all. One page per task, so the coding screens
(`/research/deep-dives/<id>/code`, survey.deepdives coding) link from the same page whoever reads it.
Every view of a deep dive's words (its page, its edit form) is in the data access log.
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, STAFF, can_see_community, roles_required, scoped_or_404
from survey.assets.operations import FieldErrors
from survey.blueprints import research as bp
from survey.database import allow_writes
from survey.deepdives.coding import paragraphs
from survey.deepdives.forms import deep_dive_form
from survey.deepdives.operations import (
    DeepDiveValues,
    EditOutcome,
    campaign_options,
    code_count,
    deep_dives_query,
    edit_version,
    interviewer_label,
    interviewer_options,
    person_label,
    record_deep_dive,
    record_transcript_read,
    update_deep_dive,
    visible_communities,
)
from survey.deepdives.quoted_results import released_note
from survey.deepdives.retrieval import code_labels
from survey.deepdives.uploads import SUFFIXES, UnreadableUpload, extract_text, suffix_of
from survey.exceptions import EditedMeanwhileError
from survey.extensions import db
from survey.localtime import local_today
from survey.models import DeepDive, Excerpt, User
from survey.ops.maintenance import remove_files
from survey.web.http import see_other
from survey.web.lookups import attach_errors
from survey.web.uploads import CONTROL

UPLOAD_ENDPOINTS = ("research.new_deep_dive", "research.edit_deep_dive")
# Room in the request for the other fields beside the file (or the typed text, which the limit also bounds).
FORM_MARGIN = 64 * 1024


class DeepDiveTooLarge(RequestEntityTooLarge):
    """A request over DEEP_DIVE_UPLOAD_LIMIT (and the form around it): answered with the form."""


def _limit_text() -> str:
    limit = current_app.config["DEEP_DIVE_UPLOAD_LIMIT"]
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


@bp.url_value_preprocessor
def _raise_upload_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Early enough to change the limits before the CSRF check reads the form (as the responses
    # import does); only for staff, so anonymous visitors cannot make the app parse large bodies.
    if endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    if not (current_user.is_authenticated and current_user.role in STAFF):
        return
    # The limit bounds the file and the typed text alike: at its default (2 MB) the longest transcript
    # (TRANSCRIPT_MAX_CHARS) fits even at four bytes a character.
    request.max_content_length = current_app.config["DEEP_DIVE_UPLOAD_LIMIT"] + FORM_MARGIN
    request.max_form_memory_size = request.max_content_length  # the typed text: up to the whole body
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise DeepDiveTooLarge()


@bp.errorhandler(DeepDiveTooLarge)
def _too_large(_error: DeepDiveTooLarge) -> tuple[str, int]:
    # The body was never read, so what was typed cannot come back: the message says so.
    message = (
        f"The file is larger than {_limit_text()}, the limit for transcripts: nothing was saved, and what you "
        "typed could not be kept. Save the transcript as .txt (much smaller than .docx) or paste the words."
    )
    deep_dive_id = (request.view_args or {}).get("deep_dive_id")
    found = db.session.get(DeepDive, deep_dive_id) if deep_dive_id is not None else None
    if deep_dive_id is not None and (found is None or not can_see_community(current_user, found.community_id)):
        # No form to show (an id that is not there for this user): the error page, as for any 413.
        return render_template("errors/error.html", status=413, title="Too large", message=message), 413
    form = _form(found, formdata=None, data=_stored(found) if found else _fresh())
    form.file.errors = [message]
    return _render_form(form, found, 413)


def _form(found: DeepDive | None = None, **kwargs: Any) -> FlaskForm:
    communities = visible_communities(current_user)
    choices = [(str(user.id), person_label(user, current_user)) for user in _interviewers(found)]
    return deep_dive_form(communities, campaign_options(communities), choices, **kwargs)


def _interviewers(found: DeepDive | None = None) -> list[User]:
    options = interviewer_options(current_user)
    if found is not None and found.interviewer is not None and found.interviewer not in options:
        options.append(found.interviewer)  # a peer editing keeps the recorded interviewer
    return options


def _fresh() -> dict[str, Any]:
    chosen = request.args.get("community", "")
    return {"community": chosen, "held_on": local_today(), "interviewer": str(current_user.id)}


def _stored(found: DeepDive) -> dict[str, Any]:
    return {
        "participant_code": found.participant_code,
        "community": found.community.slug,
        "campaign": found.campaign.slug if found.campaign else "",
        "held_on": found.held_on,
        "interviewer": str(found.interviewer_id or current_user.id),
        "consent_recording": "yes" if found.consent_recording else "no",
        "consent_quotation": "yes" if found.consent_quotation else "no",
        "consent_sharing": "yes" if found.consent_sharing else "no",
        "transcript": found.transcript,
        "version": edit_version(found),
    }


def _render_form(form: FlaskForm, found: DeepDive | None, status: int) -> tuple[str, int]:
    page = render_template(
        "deepdives/form.html",
        form=form,
        deep_dive=found,
        codes=code_count(found) if found else 0,
        limit=_limit_text(),
        suffixes=", ".join(SUFFIXES),
    )
    return page, status


def _read_upload(form: Any) -> tuple[str, str, str] | None:
    """(text, file name, notice) from the uploaded file, or None when none was chosen; a problem goes
    on the file field. The size is checked before anything is read."""
    upload = form.file.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    # Only the base name is kept (shown on the page); control characters dropped (PostgreSQL refuses NUL);
    # cut to the column's 255 characters keeping the suffix (a long name lost ".txt" and was refused).
    filename = CONTROL.sub("", os.path.basename(upload.filename.replace("\\", "/")))
    if len(filename) > 255:
        suffix = suffix_of(filename)[:16]
        filename = filename[: 255 - len(suffix)] + suffix
    if suffix_of(filename) not in SUFFIXES:
        form.file.errors = ["Choose a .txt, .docx or .odt file (in Word: Save as, then Word Document)."]
        return None
    limit = current_app.config["DEEP_DIVE_UPLOAD_LIMIT"]
    upload.stream.seek(0, os.SEEK_END)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size > limit:
        form.file.errors = [f"The file is larger than {_limit_text()}, the limit for transcripts. Save it as .txt."]
        return None
    try:
        extracted = extract_text(upload.stream.read(limit + 1), filename)
    except UnreadableUpload as error:
        form.file.errors = [str(error)]
        return None
    return extracted.text, filename, extracted.notice


def _values(form: Any, text: str, filename: str, found: DeepDive | None) -> DeepDiveValues:
    communities = {c.slug: c for c in visible_communities(current_user)}
    community = communities[form.community.data]
    campaign = next((c for c in community.campaigns if c.slug == form.campaign.data), None)
    interviewer = next(u for u in _interviewers(found) if str(u.id) == form.interviewer.data)
    return DeepDiveValues(
        participant_code=form.participant_code.data,
        community=community,
        campaign=campaign,
        held_on=form.held_on.data,
        interviewer=interviewer,
        consent_recording=form.consent_recording.data == "yes",
        consent_quotation=form.consent_quotation.data == "yes",
        consent_sharing=form.consent_sharing.data == "yes",
        transcript=text,
        source_filename=filename,
    )


def _submitted(form: Any, found: DeepDive | None) -> DeepDiveValues | None:
    """The checked values of a posted form, or None with the problems on the form. An uploaded file's
    text wins over typed text; when only other fields fail, it is put in the box so the file need not
    be chosen again."""
    valid = form.validate_on_submit()
    upload = _read_upload(form)
    text, filename = (upload[0], upload[1]) if upload else (form.transcript.data or "", "")
    if upload:
        form.transcript.data = text
        if upload[2]:
            flash(upload[2])
    if not valid or form.file.errors:
        if upload and not valid:
            flash(f"The text of {filename} is in the notes or transcript box: no need to choose the file again.")
        return None
    return _values(form, text, filename, found)


@bp.get("/deep-dives")
@roles_required(*STAFF)
def deep_dives() -> str:
    """The deep dives the user may see, newest first, optionally of one community."""
    communities = visible_communities(current_user)
    chosen = next((c for c in communities if c.slug == request.args.get("community")), None)
    rows = list(db.session.scalars(deep_dives_query(current_user, chosen)))
    counts = dict(
        db.session.execute(
            select(Excerpt.deep_dive_id, func.count(Excerpt.id))
            .where(Excerpt.deep_dive_id.in_([row.id for row in rows]))
            .group_by(Excerpt.deep_dive_id)
        ).all()
    )
    return render_template(
        "deepdives/list.html",
        deep_dives=rows,
        communities=communities,
        chosen=chosen,
        excerpts={row.id: counts.get(row.id, 0) for row in rows},
        interviewers={row.id: interviewer_label(row, current_user) for row in rows},
    )


@bp.route("/deep-dives/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_deep_dive() -> HTTPResponse | tuple[str, int]:
    """Record a deep dive: who (a pseudonymous code), where, when, consents, and the words."""
    if request.method == "GET":
        return _render_form(_form(formdata=None, data=_fresh()), None, 200)
    form = _form()
    values = _submitted(form, None)
    if values is None:
        return _render_form(form, None, 422)
    try:
        created = record_deep_dive(values, current_user)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(form, None, 422)
    db.session.commit()
    flash(f"Deep dive with {created.participant_code} recorded.")
    return see_other(".deep_dive", deep_dive_id=created.id)


@bp.get("/deep-dives/<int:deep_dive_id>")
@roles_required(*STAFF)
def deep_dive(deep_dive_id: int) -> str:
    """A deep dive: its details, consents, the words by paragraph and its coded excerpts (read-only)."""
    allow_writes()  # this read is logged
    found = scoped_or_404(DeepDive, id=deep_dive_id)
    record_transcript_read(current_user, found, "detail")
    db.session.commit()
    return render_template(
        "deepdives/detail.html",
        deep_dive=found,
        interviewer=interviewer_label(found, current_user),
        paragraphs=[paragraph.text for paragraph in paragraphs(found.transcript)],
        excerpts=[(excerpt, [label.readable for label in code_labels(excerpt)]) for excerpt in found.excerpts],
        may_code=current_user.role in RESEARCH,
    )


@bp.route("/deep-dives/<int:deep_dive_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_deep_dive(deep_dive_id: int) -> HTTPResponse | tuple[str, int]:
    """Edit a deep dive; a changed transcript keeps, moves or removes its coded excerpts (the page says)."""
    if request.method == "GET":
        allow_writes()  # the form shows the words: logged like the page
        found = scoped_or_404(DeepDive, id=deep_dive_id)
        record_transcript_read(current_user, found, "edit")
        db.session.commit()
        return _render_form(_form(found, formdata=None, data=_stored(found)), found, 200)
    found = scoped_or_404(DeepDive, id=deep_dive_id)
    form = _form(found)
    values = _submitted(form, found)
    if values is None:
        return _render_form(form, found, 422)
    try:
        outcome = update_deep_dive(found, values, form.version.data or None)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(form, found, 422)
    except EditedMeanwhileError as error:
        db.session.rollback()
        flash(error.message)
        form.version.data = edit_version(found)  # saving again is a choice made knowing of the other save
        return _render_form(form, found, 409)
    db.session.commit()
    remove_files(outcome.released_files)
    flash(_edit_message(outcome))
    return see_other(".deep_dive", deep_dive_id=found.id)


def _edit_message(outcome: EditOutcome) -> str:
    parts = ["Deep dive saved."]
    if outcome.moved:
        parts.append(f"{_count(outcome.moved, 'coded excerpt')} moved with the words it codes.")
    if outcome.removed_codes:
        parts.append(f"{_count(outcome.removed_codes, 'code')} removed.")
    if outcome.removed_excerpts:
        parts.append(f"{_count(outcome.removed_excerpts, 'coded excerpt')} removed: its words are no longer there.")
    return " ".join(parts) + released_note(len(outcome.released_files))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
