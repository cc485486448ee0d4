"""Admins only: which member of staff each pseudonymous interviewer or keyer code in the data stands for.

The codes (`User.staff_code`) are what exports and the API carry in ``interviewer``, ``keyer`` and
``second_keyer``; this page re-identifies them, so each view is recorded in the data access log
(resource ``staff-codes``) before the page is sent, like a download.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from survey.access import ADMIN, roles_required
from survey.blueprints import admin as bp
from survey.database import allow_writes
from survey.datasets.access_log import record_access
from survey.extensions import db
from survey.models import User


@bp.get("/staff-codes")
@roles_required(*ADMIN)
def staff_codes() -> tuple[str, int, dict[str, str]]:
    users = list(db.session.scalars(select(User).order_by(User.staff_code)))
    allow_writes()
    record_access(current_user, "web", "staff-codes", row_count=len(users))
    db.session.commit()
    # Re-identifying data: keep the page out of the browser's and any proxy's cache.
    return render_template("admin/staff_codes.html", users=users), 200, {"Cache-Control": "no-store"}
