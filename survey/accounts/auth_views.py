"""Sign-in throttled per account and per address; messages never reveal whether an account exists."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH
from survey.accounts.auth_forms import ChangePasswordForm, LoginForm, ResetPasswordForm
from survey.accounts.operations import (
    authenticate,
    change_password,
    end_all_sessions,
    find_password_reset,
    use_password_reset,
)
from survey.audit.trail import acting_as
from survey.blueprints import auth as bp
from survey.exceptions import ServiceError
from survey.extensions import db, limiter

FAILED_LOGIN = "Email address or password not recognised, or the account is not active."


def _account_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()


def _failed_sign_in(response: HTTPResponse) -> bool:
    """Only a refused sign-in (422) counts towards the account's lockout, never a successful one."""
    return response.status_code == 422


def _landing() -> str:
    """Where staff start: researchers and admins on the research home, peers on fieldwork."""
    return url_for("research.home") if current_user.role in RESEARCH else url_for("fieldwork.home")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would turn our login page into a phishing aid.

    Browsers read a backslash as a slash and drop tabs and newlines (the WHATWG URL parser), so
    `/\\evil.example` or `/<tab>/evil.example` is `//evil.example` to them: such a target is refused too.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and not any(char == "\\" or char.isspace() or not char.isprintable() for char in target)
    ):
        return target
    return _landing()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed_sign_in,
)
def login() -> HTTPResponse | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "POST":
        user = authenticate(form.email.data or "", form.password.data or "") if form.validate() else None
        if user is None:
            if not form.errors:
                form.password.errors = [FAILED_LOGIN]
            db.session.commit()
            return render_template("auth/login.html", form=form), 422
        # Nobody is signed in yet, so the sign-in (last_login_at) would be recorded as "anonymous"
        # changing the account, which reads like someone else tampering with it.
        with acting_as(user.id, user.email):
            db.session.commit()
        session.clear()  # a fresh session on sign-in (no fixation)
        login_user(user)
        return redirect(_safe_next(request.args.get("next")), code=303)
    return render_template("auth/login.html", form=form), 200


@bp.post("/logout")
@login_required
def logout() -> HTTPResponse:
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> HTTPResponse | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data)
        except ServiceError as error:
            form.current_password.errors = [error.message]
        else:
            db.session.commit()
            login_user(user)  # this device stays signed in with the new session token
            flash("Your password has been changed. You have been signed out on other devices.")
            return redirect(_landing(), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def reset(token: str) -> HTTPResponse | tuple[str, int]:
    reset_record = find_password_reset(token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = reset_record.user
        with acting_as(user.id, user.email):  # the holder of the link sets their own password
            use_password_reset(token, form.new_password.data)
            db.session.commit()
        flash("Your password has been set. Sign in with it now.")
        return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form, email=reset_record.user.email), status
