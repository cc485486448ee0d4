"""The community wellbeing survey web application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g, request


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    from .config import build_config

    app.config.from_mapping(build_config(Path(app.instance_path), config))
    _init_extensions(app)
    _register_blueprints(app)

    from . import cli, errors, security, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .database import configure_engine, mark_read_only, unmark_read_only
    from .extensions import csrf, db, migrate

    db.init_app(app)
    migrations = Path(__file__).resolve().parent.parent / "migrations"
    # Batch mode: SQLite can only alter a table by copying it.
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    csrf.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @app.before_request
    def _safe_methods_read_only() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            g.read_only_token = mark_read_only()

    @app.teardown_request
    def _end_read_only(_exc: BaseException | None) -> None:
        token = g.pop("read_only_token", None)
        if token is not None:
            unmark_read_only(token)


def _register_blueprints(app: Flask) -> None:
    from .pages import bp as pages_bp
    from .residents import bp as residents_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(residents_bp)
