"""Staff accounts: list, create, edit, community assignments, (de)activation and set-password links."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse
from wtforms.fields.choices import SelectChoice

from survey.access import ADMIN, roles_required
from survey.accounts.forms import AssignmentsForm, CreateUserForm, EditUserForm
from survey.accounts.operations import create_user
from survey.accounts.users import (
    all_communities,
    assign_communities,
    assignment_version,
    communities_by_id,
    get_user,
    issue_reset_link_token,
    list_users,
    set_user_active,
    update_user,
)
from survey.blueprints import admin as bp
from survey.exceptions import EditedMeanwhileError, ServiceError
from survey.extensions import db
from survey.models import User


def _acting() -> User:
    return current_user._get_current_object()


def _community_choices() -> list[SelectChoice]:
    return [SelectChoice(value=community.id, label=community.name) for community in all_communities()]


def _to_user(user: User) -> HTTPResponse:
    return redirect(url_for(".user", user_id=user.id), code=303)


def _render_user(
    user: User, details: EditUserForm | None = None, assignments: AssignmentsForm | None = None, status: int = 200
) -> tuple[str, int]:
    details = details or EditUserForm(obj=user, formdata=None, opened_role=user.role)
    if assignments is None:
        chosen = [c.id for c in user.communities]
        assignments = AssignmentsForm(formdata=None, communities=chosen, opened=assignment_version(user))
    assignments.communities.choices = _community_choices()
    html = render_template("admin/user.html", user=user, details=details, assignments=assignments)
    return html, status


@bp.get("/users")
@roles_required(*ADMIN)
def users() -> str:
    return render_template("admin/users.html", users=list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMIN)
def new_user() -> HTTPResponse | tuple[str, int]:
    form = CreateUserForm()
    form.communities.choices = _community_choices()
    if form.validate_on_submit():
        try:
            created = create_user(
                form.email.data,
                form.role.data,
                name=form.name.data or "",
                communities=communities_by_id(form.communities.data or []),
            )
        except ServiceError as error:
            db.session.rollback()
            form.email.errors = [error.message]
        else:
            db.session.commit()
            flash(f"Account created for {created.email}. Issue a set-password link below and hand it over.")
            return _to_user(created)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/new_user.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMIN)
def user(user_id: int) -> HTTPResponse | tuple[str, int]:
    target = get_user(user_id)
    form = EditUserForm()
    if not form.is_submitted():
        return _render_user(target)
    if form.validate():
        try:
            opened_role = form.opened_role.data or None
            update_user(
                target, name=form.name.data or "", role=form.role.data, acting=_acting(), opened_role=opened_role
            )
        except EditedMeanwhileError as error:
            db.session.rollback()
            flash(error.message)
            form.opened_role.data = target.role  # saving again is a choice made knowing of the change
            return _render_user(target, details=form, status=409)
        except ServiceError as error:
            db.session.rollback()
            form.role.errors = [error.message]
        else:
            db.session.commit()
            flash(f"Saved the details of {target.email}.")
            return _to_user(target)
    return _render_user(target, details=form, status=422)


@bp.post("/users/<int:user_id>/communities")
@roles_required(*ADMIN)
def assignments(user_id: int) -> HTTPResponse | tuple[str, int]:
    target = get_user(user_id)
    form = AssignmentsForm()
    form.communities.choices = _community_choices()
    if not form.validate():
        return _render_user(target, assignments=form, status=422)
    try:
        # Sent empty when no community was ticked; missing (None) only from a request no page sends.
        assign_communities(target, communities_by_id(form.communities.data or []), form.opened.data)
    except EditedMeanwhileError as error:
        db.session.rollback()
        flash(error.message)
        form.opened.data = assignment_version(target)
        return _render_user(target, assignments=form, status=409)
    db.session.commit()
    flash(f"Saved the communities {target.email} works in.")
    return _to_user(target)


def _set_active(user_id: int, active: bool) -> HTTPResponse:
    target = get_user(user_id)
    try:
        set_user_active(target, active, acting=_acting())
    except ServiceError as error:
        db.session.rollback()
        flash(error.message)
        return _to_user(target)
    db.session.commit()
    if active:
        flash(f"{target.email} can sign in again.")
    else:
        flash(f"{target.email} is deactivated and has been signed out everywhere.")
    return _to_user(target)


@bp.post("/users/<int:user_id>/deactivate")
@roles_required(*ADMIN)
def deactivate(user_id: int) -> HTTPResponse:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@roles_required(*ADMIN)
def reactivate(user_id: int) -> HTTPResponse:
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/reset-link")
@roles_required(*ADMIN)
def reset_link(user_id: int) -> HTTPResponse:
    target = get_user(user_id)
    try:
        token, expires_at = issue_reset_link_token(
            target, acting=_acting(), valid_hours=current_app.config["PASSWORD_RESET_HOURS"]
        )
    except ServiceError as error:
        db.session.rollback()
        flash(error.message)
        return _to_user(target)
    db.session.commit()
    # Shown in this response only and never stored (only its hash is): a redirect would have to
    # park the token in the session cookie. Reloading issues a new link and cancels this one.
    link = url_for("auth.reset", token=token, _external=True)
    response = make_response(render_template("admin/reset_link.html", user=target, link=link, expires_at=expires_at))
    response.headers["Cache-Control"] = "no-store"
    return response
