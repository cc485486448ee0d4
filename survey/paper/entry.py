"""Keying paper forms from the keyboard (first and second entry) and resolving discrepancies."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from instruments import Item
from survey.access import RESEARCH, STAFF, roles_required
from survey.blueprints import paper as bp
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.models import Discrepancy, PaperEntry, PaperForm
from survey.paper import operations as papers
from survey.paper.keying import BLANK, MULTIPLE, KeyedForm, describe, entry_codes, read_form, read_item
from survey.paper.printing import form_sections
from survey.paper.serials import SerialError
from survey.paper.views import visible_form
from survey.web.http import see_other_url


def _lookup_page(status: int, typed: str = "", problem: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "paper/lookup.html",
            typed=typed,
            problem=problem,
            awaiting_second=papers.forms_awaiting_second_entry(current_user),
        ),
        status,
    )


@bp.get("/entry")
@roles_required(*STAFF)
def lookup() -> HTTPResponse | tuple[str, int]:
    typed = request.args.get("serial")
    if typed is None:
        return _lookup_page(200)
    try:
        form = papers.find_form(typed, current_user)
    except SerialError as problem:
        return _lookup_page(422, typed, str(problem))
    except NotFoundError as problem:
        return _lookup_page(404, typed, problem.message)
    refusal = papers.entry_refusal(form, current_user)
    if refusal:
        return _lookup_page(409, typed, refusal)
    return see_other_url(url_for(".entry", serial=form.serial))


def _items(form: PaperForm) -> list[Item]:
    return [printed.item for section in form_sections(form.campaign) for printed in section.items]


def _saved_message(form: PaperForm, entry: PaperEntry) -> str:
    if entry.entry_number == 1:
        if form.status == "verified":
            return f"Saved form {form.serial}. It is not sampled for double entry, so it is verified."
        return f"Saved the first entry of form {form.serial}. Someone else will key it a second time."
    if form.status == "verified":
        return f"Saved the second entry of form {form.serial}: it matches the first, so the form is verified."
    open_count = len(papers.open_discrepancies(form))
    return (
        f"Saved the second entry of form {form.serial}: {open_count} "
        f"{'item differs' if open_count == 1 else 'items differ'} from the first entry. "
        "A researcher will check them against the paper."
    )


@bp.route("/forms/<serial>/entry", methods=["GET", "POST"])
@roles_required(*STAFF)
def entry(serial: str) -> HTTPResponse | tuple[str, int]:
    form = visible_form(serial)
    items = _items(form)
    entry_number = papers.next_entry_number(form)

    def render(status: int, keyed: KeyedForm | None = None, problem: str | None = None) -> tuple[str, int]:
        html = render_template(
            "paper/entry.html",
            form=form,
            sections=form_sections(form.campaign),
            keyed=keyed or KeyedForm(),
            entry_number=entry_number,
            problem=problem,
            entry_codes=entry_codes,
            blank=BLANK,
            multiple=MULTIPLE,
        )
        return html, status

    refusal = papers.entry_refusal(form, current_user)
    if request.method == "GET":
        return _lookup_page(409, form.serial, refusal) if refusal else render(200)
    keyed = read_form(items, request.form)
    if refusal:
        return render(409, keyed, refusal)
    if keyed.errors:
        return render(422, keyed)
    try:
        saved = papers.record_entry(form, current_user, keyed.items, request.form.get("entry_number", 0, type=int))
    except ServiceError as problem:
        db.session.rollback()
        return render(409, keyed, problem.message)
    db.session.commit()
    flash(_saved_message(form, saved))
    return see_other_url(url_for(".lookup"))


def _resolution_choice(item: Item | None, discrepancy: Discrepancy) -> papers.Keyed:
    """The value a researcher chose for one discrepancy; ValueError with a message if none or invalid."""
    choice = request.form.get(f"choice-{discrepancy.id}", "")
    other = request.form.get(f"other-{discrepancy.id}", "")
    if not choice and other.strip():
        # The box for "Neither" is always shown: a value typed in it with no option chosen is that answer.
        choice = "other"
    if item is None:
        raise ValueError("This item is no longer part of the questionnaire.")
    if choice == "first":
        return read_item(item, discrepancy.first_value or "")
    if choice == "second":
        return read_item(item, discrepancy.second_value or "")
    if choice == "other":
        return read_item(item, other)
    raise ValueError("Choose the first entry, the second entry or another value.")


@bp.route("/forms/<serial>/resolve", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def resolve(serial: str) -> HTTPResponse | tuple[str, int]:
    form = visible_form(serial)
    waiting = papers.open_discrepancies(form)
    if not waiting:
        flash(f"Form {form.serial} has no discrepancies waiting to be resolved.")
        return see_other_url(url_for(".batch", batch_id=form.batch_id))
    numbered = {p.item.key: p for s in form_sections(form.campaign) for p in s.items}
    errors: dict[int, str] = {}

    def render(status: int) -> tuple[str, int]:
        html = render_template(
            "paper/resolve.html",
            form=form,
            waiting=waiting,
            numbered=numbered,
            entries=form.entries,
            errors=errors,
            describe=describe,
        )
        return html, status

    if request.method == "GET":
        return render(200)
    chosen: dict[int, papers.Keyed] = {}
    for discrepancy in waiting:
        printed = numbered.get(discrepancy.item_key)
        try:
            chosen[discrepancy.id] = _resolution_choice(printed.item if printed else None, discrepancy)
        except ValueError as problem:
            errors[discrepancy.id] = str(problem)
    if errors:
        return render(422)
    papers.resolve_discrepancies(form, current_user, chosen)
    db.session.commit()
    resolved = f"{len(waiting)} {'discrepancy' if len(waiting) == 1 else 'discrepancies'}"
    flash(f"Resolved {resolved} on form {form.serial}; the response is verified.")
    return see_other_url(url_for(".home"))
