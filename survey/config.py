"""Settings read from the environment when the app is created, never at import.

Every setting has an environment variable of the same name; `create_app(config)`
overrides them with a mapping, which is how tests and scripts set them.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from None


def _env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    return default if not raw else raw not in ("0", "false", "no")


def per_process_rate_limits_problem(workers: int, environ: Mapping[str, str]) -> str | None:
    """Why these settings must not start `workers` web workers, or None if they may.

    With a per-process store (`memory://`, the default) each worker counts on its own, so N workers
    allow N times every documented limit, sign-in guessing included. That is tolerable on a laptop
    but not in production, which we recognise as the app does for secure cookies: behind a trusted
    proxy (TRUSTED_PROXIES > 0), PREFERRED_URL_SCHEME=https or SESSION_COOKIE_SECURE=true.
    Called by gunicorn.conf.py before any worker starts.
    """
    if workers <= 1 or not _env_flag(environ, "RATELIMIT_ENABLED", True):
        return None
    store = environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if not store.startswith("memory"):
        return None
    try:
        trusted = int(environ.get("TRUSTED_PROXIES", "").strip() or 0)
    except ValueError:
        trusted = 1  # the app refuses it anyway; never let a typo skip this check
    https = environ.get("PREFERRED_URL_SCHEME", "").strip().lower() == "https"
    if not (trusted > 0 or https or _env_flag(environ, "SESSION_COOKIE_SECURE", False)):
        return None
    return (
        f"RATELIMIT_STORAGE_URI is {store}, a per-process store, and {workers} workers would each count on their "
        f"own ({workers} times every rate limit, sign-in guessing included). Set RATELIMIT_STORAGE_URI=redis://"
        "127.0.0.1:6379/0, or run one worker (WEB_CONCURRENCY=1), or RATELIMIT_ENABLED=false (load tests only)."
    )


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` (and Heroku-style `postgres://`) URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Read the instance secret key, creating it once if it does not exist.

    Several gunicorn workers may start at the same moment: each writes a
    candidate to its own temporary file and hard-links it into place. `link`
    fails when the target exists, so exactly one candidate wins and everyone
    reads the same complete file (never a half-written one).
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    target = instance_path / "secret_key"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, target)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return target.read_text().strip()


def _cookie_security(config: dict[str, Any]) -> None:
    """Secure cookies whenever the app is evidently served over HTTPS, unless told otherwise.

    Behind a trusted reverse proxy (TRUSTED_PROXIES > 0) or with PREFERRED_URL_SCHEME=https the
    site is HTTPS, and a cookie that could travel over plain HTTP would leak the staff session.
    An explicit SESSION_COOKIE_SECURE (environment or overrides) always wins, e.g. `false` for a
    proxy that terminates plain HTTP on a private network.
    """
    if "SESSION_COOKIE_SECURE" not in config:
        raw = os.environ.get("SESSION_COOKIE_SECURE", "").strip().lower()
        if raw:
            config["SESSION_COOKIE_SECURE"] = raw in ("1", "true", "yes")
        else:
            config["SESSION_COOKIE_SECURE"] = config["TRUSTED_PROXIES"] > 0 or config["PREFERRED_URL_SCHEME"] == "https"
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]


def build_config(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Collect the settings: defaults, then the environment, then `overrides`."""
    overrides = dict(overrides or {})
    default_db = f"sqlite:///{instance_path / 'survey.db'}"
    config: dict[str, Any] = {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_db,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # Resume codes let a resident finish later; after this they stop working.
        "RESUME_CODE_DAYS": _env_int("RESUME_CODE_DAYS", 30),
        # A survey page is a few kilobytes; anything far bigger is not a resident.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 256 * 1024),
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Europe/London"),
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME", "Kent County Council Public Health"),
        "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "the research team named on your invitation"),
        # Who to contact about accessibility problems and other formats; empty = PRIVACY_CONTACT.
        "ACCESSIBILITY_CONTACT": os.environ.get("ACCESSIBILITY_CONTACT", ""),
        # SESSION_COOKIE_SECURE: see `_cookie_security` (derived unless the environment says).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; a long survey page must not expire
        # Staff sessions end after this much inactivity: tablets are shared.
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "PASSWORD_RESET_HOURS": _env_int("PASSWORD_RESET_HOURS", 48),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_flag(os.environ, "RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Sign-in attempts: per account (guessing one password) and per address (spraying many).
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "60 per 15 minutes"),
        # Residents' survey pages (POST) per address: a room of 40 residents on a community
        # centre's wifi share one address and each post about 8 pages in ten minutes.
        "PUBLIC_SUBMIT_LIMIT": os.environ.get("PUBLIC_SUBMIT_LIMIT", "600 per 10 minutes"),
        # Wrong workshop join codes per address (only misses count): a room mistyping a code now and
        # then stays well inside it; guessing one code among ~3.8e10 gets nowhere.
        "WORKSHOP_CODE_LIMIT": os.environ.get("WORKSHOP_CODE_LIMIT", "30 per 10 minutes"),
        # The address participants reach the app at, for the join links `flask workshop open` prints.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # JSON API requests per token (or per address before a token is checked).
        "API_LIMIT": os.environ.get("API_LIMIT", "600 per minute"),
        # Uploaded response files (CSV or Excel) may be far bigger than a survey page.
        "IMPORT_MAX_BYTES": _env_int("IMPORT_MAX_MB", 64) * 1024 * 1024,
        # An Excel upload checked in the web request, by its unzipped size: 200 MB is about 6 million
        # cells, some 40 s of openpyxl here, inside gunicorn's 120 s timeout (survey/datasets/xlsx_guards.py).
        "IMPORT_WEB_XLSX_MAX_BYTES": _env_int("IMPORT_WEB_XLSX_MAX_MB", 200) * 1024 * 1024,
        # A deep-dive interview's uploaded transcript (.txt, .docx, .odt), in bytes: that route only.
        "DEEP_DIVE_UPLOAD_LIMIT": _env_int("DEEP_DIVE_UPLOAD_LIMIT", 2 * 1024 * 1024),
        # Responses written per transaction by an import: each chunk holds SQLite's write lock
        # for a fraction of a second, so residents' writes queue briefly instead of timing out.
        "IMPORT_CHUNK_SIZE": _env_int("IMPORT_CHUNK_SIZE", 2000),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (0: none).
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # `flask purge`: abandoned partial responses older than this many days are deleted.
        "PURGE_PARTIAL_DAYS": _env_int("PURGE_PARTIAL_DAYS", 90),
        # API: responses per page when the client does not say, and the most it may ask for.
        "API_PAGE_SIZE": _env_int("API_PAGE_SIZE", 100),
        "API_MAX_PAGE_SIZE": _env_int("API_MAX_PAGE_SIZE", 1000),
        # Logs: "text" for a terminal, "json" (one object per line) for a log collector.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        # Reports (web and `flask report`): a `year,index` deflator table with a `# source: ...` line,
        # read when a report is built; and the price year money values are expressed in (None: 2019,
        # the WELLBY values' own year).
        "VALUATION_DEFLATORS_FILE": os.environ.get("VALUATION_DEFLATORS_FILE") or None,
        "VALUATION_PRICE_YEAR": _env_int("VALUATION_PRICE_YEAR", 0) or None,
        # The job queue (reports, exports, paper PDFs; survey.jobs): sqlite:///<file> needs no
        # extra service; redis://host:port/db lets web servers and workers on several machines share it.
        "JOB_QUEUE_URL": os.environ.get("JOB_QUEUE_URL") or f"sqlite:///{instance_path / 'jobs.sqlite3'}",
        # Jobs a `flask worker` runs at once (its threads); `--workers` overrides.
        "JOB_WORKERS": _env_int("JOB_WORKERS", 2),
        # Finished reports and exports (zip files): shared storage when several machines serve.
        "RESULTS_DIR": os.environ.get("RESULTS_DIR") or str(instance_path / "results"),
        # `flask purge`: finished reports older than this many days are deleted (exports go after a day).
        "PURGE_REPORT_DAYS": _env_int("PURGE_REPORT_DAYS", 30),
        # The asset map's background tiles ({z}/{x}/{y}; {s} for a subdomain), fetched by the viewer's
        # browser, whose address the tile server then sees; "" draws the markers on a plain background.
        # Its host joins the CSP's img-src (`survey.security`).
        "MAP_TILE_URL": os.environ.get("MAP_TILE_URL", OSM_TILE_URL).strip(),
        # Credit for the tiles, shown on the map (HTML: a link to the licence).
        "MAP_ATTRIBUTION": os.environ.get("MAP_ATTRIBUTION", OSM_ATTRIBUTION),
    }
    config.update(overrides)
    _cookie_security(config)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = load_secret_key(instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    # SQL errors name the statement but not its values, which can be emails, hashes or answers.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"hide_parameters": True})
    return config
