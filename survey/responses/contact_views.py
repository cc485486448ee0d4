"""Contact details residents volunteered: the only screen that shows them, and erasure on request.

Every page that shows them (the list, one person's page, the erasure confirmation) is a read of
personal data and goes in the data access log, as a deep dive's transcript does: an admin's
browsing of names, emails and phones left no trace before.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import ADMIN, roles_required
from survey.audit.access_log import record_access
from survey.blueprints import admin as bp
from survey.database import allow_writes
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.responses.contacts import (
    contact_response,
    contact_to_erase,
    erase_contact,
    erase_contact_and_response,
    get_contact,
    list_contacts,
    purpose_labels,
)
from survey.web.http import see_other

ACCESS_RESOURCE = "contact-details"


def _no_store(html: str) -> tuple[str, int, dict[str, str]]:
    # Personal data: keep these pages out of the browser's and any proxy's cache.
    return html, 200, {"Cache-Control": "no-store"}


def _logged_read(page: str, row_count: int, contact_id: int | None = None) -> None:
    """Log that the signed-in admin saw `row_count` people's contact details, and commit."""
    filters = {"page": page} if contact_id is None else {"page": page, "contact": contact_id}
    record_access(current_user, "web", ACCESS_RESOURCE, filters=filters, row_count=row_count)
    db.session.commit()


@bp.get("/contacts")
@roles_required(*ADMIN)
def contacts() -> tuple[str, int, dict[str, str]]:
    allow_writes()  # this read is logged
    rows = list_contacts()
    _logged_read("list", len(rows))
    return _no_store(render_template("admin/contacts.html", rows=rows, purpose_labels=purpose_labels))


@bp.get("/contacts/<int:contact_id>")
@roles_required(*ADMIN)
def contact(contact_id: int) -> tuple[str, int, dict[str, str]]:
    allow_writes()  # this read is logged
    row = get_contact(contact_id)
    _logged_read("detail", 1, contact_id)
    return _no_store(render_template("admin/contact.html", contact=row, purposes=purpose_labels(row)))


def _confirm_erasure(contact_id: int, with_response: bool) -> tuple[str, int, dict[str, str]]:
    allow_writes()  # the confirmation shows the details: logged like their page
    row = get_contact(contact_id)
    _logged_read("erase", 1, contact_id)
    what = "the contact details and the survey answers" if with_response else "the contact details"
    return _no_store(
        render_template(
            "admin/contact_erase.html",
            contact=row,
            purposes=purpose_labels(row),
            response=contact_response(row),
            with_response=with_response,
            what=what,
        )
    )


def _confirmed() -> bool:
    """Erasing cannot be undone: only the confirmation page's button (confirm=yes) erases; the
    contact page's buttons, or a bare POST, lead to that page first."""
    return request.method == "POST" and request.form.get("confirm") == "yes"


def _ask_first(
    endpoint: str, contact_id: int, *, with_response: bool
) -> HTTPResponse | tuple[str, int, dict[str, str]]:
    """The confirmation page; a bare POST (the contact page's button) is sent to it as a GET."""
    if request.method == "POST":
        return see_other(endpoint, contact_id=contact_id)
    return _confirm_erasure(contact_id, with_response=with_response)


@bp.route("/contacts/<int:contact_id>/erase", methods=["GET", "POST"])
@roles_required(*ADMIN)
def erase(contact_id: int) -> HTTPResponse | tuple[str, int, dict[str, str]]:
    if not _confirmed():
        return _ask_first(".erase", contact_id, with_response=False)
    row = contact_to_erase(contact_id)
    if row is None:
        db.session.rollback()
        flash("These contact details were already erased.")
        return see_other(".contacts")
    erase_contact(row)
    db.session.commit()
    flash("The contact details have been erased. The anonymous survey answers were kept.")
    return redirect(url_for(".contacts"), code=303)


@bp.route("/contacts/<int:contact_id>/erase-with-response", methods=["GET", "POST"])
@roles_required(*ADMIN)
def erase_with_response(contact_id: int) -> HTTPResponse | tuple[str, int, dict[str, str]]:
    if not _confirmed():
        return _ask_first(".erase_with_response", contact_id, with_response=True)
    row = contact_to_erase(contact_id)
    if row is None:
        db.session.rollback()
        flash("These contact details and their survey answers were already erased.")
        return see_other(".contacts")
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
