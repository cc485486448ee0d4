"""Contact details residents volunteered: the only screen that shows them, and erasure on request."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import ADMIN, roles_required
from survey.blueprints import admin as bp
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.responses.contacts import (
    erase_contact,
    erase_contact_and_response,
    get_contact,
    list_contacts,
    purpose_labels,
)


def _no_store(html: str) -> tuple[str, int, dict[str, str]]:
    # Personal data: keep these pages out of the browser's and any proxy's cache.
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/contacts")
@roles_required(*ADMIN)
def contacts() -> tuple[str, int, dict[str, str]]:
    return _no_store(render_template("admin/contacts.html", rows=list_contacts(), purpose_labels=purpose_labels))


@bp.get("/contacts/<int:contact_id>")
@roles_required(*ADMIN)
def contact(contact_id: int) -> tuple[str, int, dict[str, str]]:
    row = get_contact(contact_id)
    return _no_store(render_template("admin/contact.html", contact=row, purposes=purpose_labels(row)))


@bp.post("/contacts/<int:contact_id>/erase")
@roles_required(*ADMIN)
def erase(contact_id: int) -> HTTPResponse:
    erase_contact(get_contact(contact_id))
    db.session.commit()
    flash("The contact details have been erased. The anonymous survey answers were kept.")
    return redirect(url_for(".contacts"), code=303)


@bp.post("/contacts/<int:contact_id>/erase-with-response")
@roles_required(*ADMIN)
def erase_with_response(contact_id: int) -> HTTPResponse:
    row = get_contact(contact_id)
    try:
        deleted = erase_contact_and_response(row)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for(".contact", contact_id=contact_id), code=303)
    db.session.commit()
    if deleted:
        flash("The contact details and the survey response with all its answers have been erased.")
    else:
        flash("The contact details have been erased. Their survey response had already been deleted.")
    return redirect(url_for(".contacts"), code=303)
