"""The community wellbeing survey web application."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, flash, g, request, session
from flask_login import current_user, logout_user

# The modules that add routes and hooks to the blueprints of `survey.blueprints`.
VIEW_MODULES = (
    "survey.pages.views",
    "survey.responses.resident_views",
    "survey.responses.fieldwork_views",
    "survey.responses.contact_views",
    "survey.accounts.auth_views",
    "survey.accounts.token_views",
    "survey.accounts.admin_home",
    "survey.accounts.admin_views",
    "survey.campaigns.views",
    "survey.campaigns.edit_views",
    "survey.campaigns.community_views",
    "survey.campaigns.quota_views",
    "survey.campaigns.licence_views",
    "survey.assets.views",
    "survey.assets.map_views",
    "survey.assets.adjustment_views",
    "survey.workshops.participant_views",
    "survey.workshops.staff_views",
    "survey.deepdives.views",
    "survey.deepdives.erase_views",
    "survey.deepdives.theme_views",
    "survey.deepdives.coding_views",
    "survey.deepdives.excerpt_views",
    "survey.paper.views",
    "survey.paper.entry",
    "survey.datasets.export_views",
    "survey.datasets.import_views",
    "survey.datasets.report_views",
    "survey.datasets.profile_views",
    "survey.datasets.access_views",
    "survey.datasets.staff_code_views",
    "survey.datasets.api",
    "survey.audit.views",
    "survey.ops.views",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    from survey.config import build_config

    app.config.from_mapping(build_config(Path(app.instance_path), config))
    from survey.logging_setup import configure_logging

    configure_logging(app)  # first, so its request timer starts before every other hook
    _trust_proxies(app)
    _bounded_ids(app)
    _init_extensions(app)
    _register_blueprints(app)

    from survey import cli, errors, security, templating
    from survey.datasets.api.errors import api_error_or_none

    errors.register(app, api_errors=api_error_or_none)
    security.register(app)
    templating.register(app)
    cli.register(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address, scheme and host from their
    X-Forwarded-* headers (rate limits, HTTPS detection); with none, those headers are ignored
    because anyone can send them."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Replacing the wsgi_app method is how Flask's docs apply ProxyFix.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _bounded_ids(app: Flask) -> None:
    """`<int:...>` in routes stops at the largest id a row can have (`MAX_ID`): a larger number in a
    URL is a 404, not an overflow in the database (a 500). Set before any route is added."""
    from werkzeug.routing import IntegerConverter

    from survey.database import MAX_ID

    class BoundedIntegerConverter(IntegerConverter):
        def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("max", MAX_ID)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedIntegerConverter


def _init_extensions(app: Flask) -> None:
    from survey.accounts.operations import load_session_user
    from survey.audit import trail as audit
    from survey.database import configure_engine, mark_read_only, unmark_read_only
    from survey.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    # Batch mode: SQLite can only alter a table by copying it.
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    audit.register()
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    from survey import jobs
    from survey.datasets import exports, import_jobs, profile_packs, reports, snapshots
    from survey.paper import jobs as paper_jobs

    # The job queue (Huey): web requests add to it, `flask worker` runs it.
    jobs.init_app(
        app,
        (reports.KIND, exports.KIND, import_jobs.KIND, paper_jobs.KIND, snapshots.KIND, profile_packs.KIND),
    )

    @app.before_request
    def _safe_methods_read_only() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            g.read_only_token = mark_read_only()

    @app.before_request
    def _staff_session() -> Any:
        # Sessions end after SESSION_IDLE_MINUTES without a request (shared tablets), and
        # whatever staff do in this request is recorded under their name in the audit trail.
        if request.endpoint == "static" or not current_user.is_authenticated:
            g.audit_token = audit.set_actor(None, "resident" if request.blueprint == "residents" else "anonymous")
            return None
        now = time.time()
        last_seen = session.get("last_seen", now)
        if now - last_seen > app.config["SESSION_IDLE_MINUTES"] * 60:
            logout_user()
            session.clear()
            if request.method == "POST":
                # Typing a long form (a transcript, a paper form) sends no request: say that this one
                # was not saved, and where its words still are, as the CSRF and 429 pages do.
                flash(
                    "You were signed out after a period of inactivity, so what you sent was not saved. "
                    "Your browser's Back button takes you to the page with what you typed: copy it, then sign in."
                )
            else:
                flash("You were signed out after a period of inactivity.")
            return login_manager.unauthorized()
        session["last_seen"] = now
        g.audit_token = audit.set_actor(current_user.id, current_user.email)
        return None

    @app.teardown_request
    def _end_request_context(_exc: BaseException | None) -> None:
        token = g.pop("read_only_token", None)
        if token is not None:
            unmark_read_only(token)
        audit_token = g.pop("audit_token", None)
        if audit_token is not None:
            audit.reset_actor(audit_token)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from survey.blueprints import ALL

    for module in VIEW_MODULES:
        import_module(module)
    for blueprint in ALL:
        app.register_blueprint(blueprint)
