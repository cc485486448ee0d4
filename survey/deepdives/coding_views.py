"""Coding a deep dive (`/research/deep-dives/<id>/code`): excerpts by paragraph or character range with
their codes, an excerpt's codes changed, an excerpt deleted. Researchers and admins only.

Works without JavaScript; `static/coding.js` adds filling the range from a selection in the transcript.
Each page here shows the participant's words (the transcript, or an excerpt), so each showing is in the
data access log like the deep dive's own page (`record_transcript_read`).
"""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.operations import FieldErrors
from survey.blueprints import research as bp
from survey.database import allow_writes
from survey.deepdives.coding import (
    code_choice,
    code_request,
    coded_excerpts,
    delete_excerpt,
    is_anchored,
    offered_codes,
    paragraphs,
    set_codes,
)
from survey.deepdives.coding_forms import CodesForm, CodingForm, codes_form, coding_form
from survey.deepdives.operations import record_transcript_read
from survey.deepdives.retrieval import code_labels
from survey.deepdives.themes import codebook_campaign
from survey.extensions import db
from survey.models import DeepDive, Excerpt
from survey.web.http import see_other_url
from survey.web.lookups import attach_errors


def _excerpt_or_404(deep_dive: DeepDive, excerpt_id: int) -> Excerpt:
    excerpt = db.session.scalar(select(Excerpt).filter_by(id=excerpt_id, deep_dive_id=deep_dive.id))
    if excerpt is None:
        abort(404)
    return excerpt


def _words_shown(deep_dive: DeepDive, page: str) -> None:
    """Log that the signed-in user is about to see this deep dive's words, and commit."""
    record_transcript_read(current_user, deep_dive, page)
    db.session.commit()


def _render_coding(deep_dive: DeepDive, form: CodingForm, status: int) -> tuple[str, int]:
    _words_shown(deep_dive, "code")
    excerpts = coded_excerpts(deep_dive)
    page = render_template(
        "deepdives/code.html",
        deep_dive=deep_dive,
        form=form,
        paragraphs=paragraphs(deep_dive.transcript),
        codebook=codebook_campaign(deep_dive),
        excerpts=excerpts,
        labels={excerpt.id: code_labels(excerpt) for excerpt in excerpts},
        moved={excerpt.id for excerpt in excerpts if not is_anchored(excerpt)},
    )
    return page, status


@bp.route("/deep-dives/<int:deep_dive_id>/code", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def code_deep_dive(deep_dive_id: int) -> HTTPResponse | tuple[str, int]:
    """The transcript by paragraph with the codes to give; below, the excerpts coded so far."""
    if request.method == "GET":
        allow_writes()  # this read is logged
    deep_dive = db.get_or_404(DeepDive, deep_dive_id)
    assets, themes = offered_codes(deep_dive)
    form = coding_form(deep_dive.community, paragraphs(deep_dive.transcript), assets, themes)
    if not form.validate_on_submit():
        return _render_coding(deep_dive, form, 422 if request.method == "POST" else 200)
    try:
        excerpts = code_request(
            deep_dive,
            paragraph_values=form.paragraphs.data or [],
            combine=bool(form.combine.data),
            start=form.start.data,
            end=form.end.data,
            codes=(form.sixways.data or [], form.assets.data or [], form.themes.data or []),
            user=current_user,
        )
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_coding(deep_dive, form, 422)
    db.session.commit()
    flash(f"{len(excerpts)} excerpt{'' if len(excerpts) == 1 else 's'} coded.")
    return see_other_url(url_for(".code_deep_dive", deep_dive_id=deep_dive.id) + "#excerpts")


def _render_codes(deep_dive: DeepDive, excerpt: Excerpt, form: CodesForm, status: int) -> tuple[str, int]:
    _words_shown(deep_dive, "excerpt codes")
    codebook = codebook_campaign(deep_dive)
    page = render_template(
        "deepdives/code_excerpt.html", deep_dive=deep_dive, excerpt=excerpt, form=form, codebook=codebook
    )
    return page, status


@bp.route("/deep-dives/<int:deep_dive_id>/excerpts/<int:excerpt_id>/codes", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def excerpt_codes(deep_dive_id: int, excerpt_id: int) -> HTTPResponse | tuple[str, int]:
    """Change an excerpt's codes: tick and untick."""
    if request.method == "GET":
        allow_writes()  # this read is logged
    deep_dive = db.get_or_404(DeepDive, deep_dive_id)
    excerpt = _excerpt_or_404(deep_dive, excerpt_id)
    assets, themes = offered_codes(deep_dive, excerpt)
    form = codes_form(deep_dive.community, assets, themes, excerpt, submitted=request.method == "POST")
    if not form.validate_on_submit():
        return _render_codes(deep_dive, excerpt, form, 422 if request.method == "POST" else 200)
    try:
        choice = code_choice(
            deep_dive, form.sixways.data or [], form.assets.data or [], form.themes.data or [], excerpt
        )
        set_codes(excerpt, choice)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_codes(deep_dive, excerpt, form, 422)
    db.session.commit()
    flash(f"Codes of the excerpt at characters {excerpt.start}–{excerpt.end} saved.")
    return see_other_url(url_for(".code_deep_dive", deep_dive_id=deep_dive.id) + "#excerpts")


@bp.post("/deep-dives/<int:deep_dive_id>/excerpts/<int:excerpt_id>/delete")
@roles_required(*RESEARCH)
def delete_excerpt_page(deep_dive_id: int, excerpt_id: int) -> HTTPResponse | str:
    """Delete an excerpt and its codes (the transcript stays as it is) once asked: the Delete button
    shows the excerpt and its codes with a confirmation; that page's button (confirm=yes) deletes.
    A second click of it finds the excerpt gone."""
    deep_dive = db.get_or_404(DeepDive, deep_dive_id)
    if request.form.get("confirm") != "yes":
        excerpt = db.session.scalar(select(Excerpt).filter_by(id=excerpt_id, deep_dive_id=deep_dive.id))
        if excerpt is not None:
            _words_shown(deep_dive, "excerpt delete")
            return render_template(
                "deepdives/excerpt_delete.html", deep_dive=deep_dive, excerpt=excerpt, labels=code_labels(excerpt)
            )
    span = delete_excerpt(deep_dive, excerpt_id)
    db.session.commit()
    if span is None:
        flash("That excerpt was already deleted.")
    else:
        flash(f"Excerpt at characters {span[0]}–{span[1]} deleted with its codes.")
    return see_other_url(url_for(".code_deep_dive", deep_dive_id=deep_dive.id) + "#excerpts")
