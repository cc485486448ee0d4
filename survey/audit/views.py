"""The audit trail: a filtered, paged table (newest first) and the same rows as a streamed CSV."""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user

from survey.access import ADMIN, roles_required
from survey.audit.access_log import record_download
from survey.audit.log import (
    AuditFilter,
    actor_suggestions,
    audit_csv_lines,
    audit_page,
    entity_types,
    field_changes,
    make_filter,
)
from survey.blueprints import admin as bp
from survey.extensions import db
from survey.models import AUDIT_ACTIONS


def _filters() -> AuditFilter:
    args = request.args
    return make_filter(args.get("entity_type"), args.get("action"), args.get("actor"))


@bp.get("/audit")
@roles_required(*ADMIN)
def audit() -> str:
    filters = _filters()
    page = audit_page(filters, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "admin/audit.html",
        page=page,
        filters=filters,
        entity_types=entity_types(),
        actions=AUDIT_ACTIONS,
        actors=actor_suggestions(),
        field_changes=field_changes,
    )


@bp.get("/audit.csv")
@roles_required(*ADMIN)
def audit_csv() -> Response:
    filters = _filters()
    # The trail holds answers staff keyed or corrected and workshop participants' ratings: a download
    # of research data like any other (how many rows is not known before the stream ends).
    record_download(current_user, "audit-trail", format="csv", filters=filters.params())
    db.session.commit()
    # A generator, so a long trail is sent as it is read instead of being built in memory.
    response = Response(stream_with_context(audit_csv_lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit-trail.csv"
    response.headers["Cache-Control"] = "no-store"
    return response
