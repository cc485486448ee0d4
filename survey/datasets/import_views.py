"""Importing responses collected elsewhere: upload -> dry-run report -> confirm, without uploading twice.

Confirming queues the import on the job queue (`import_jobs`): a big file outlives a request.

The checked file waits under the instance folder (``imports/<token>.<suffix>``); its SHA-256 is kept
in the signed session, so only the browser that checked it can confirm it, and a file changed on
disk in between is refused instead of imported unchecked.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path, PurePosixPath
from typing import Any

from flask import current_app, flash, render_template, request, session
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.blueprints import research as bp
from survey.datasets.import_jobs import queue_import, recent_batches, start
from survey.datasets.imports import MAX_SHOWN, ImportReport, dry_run, sha256, suffix_of
from survey.datasets.job_names import titled_counts
from survey.extensions import db
from survey.models import ImportBatch
from survey.web.http import see_other
from survey.web.uploads import CONTROL

SESSION_KEY = "response_imports"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
KEPT_PER_SESSION = 5  # checked files awaiting confirmation; the session cookie stays small
STALE_SECONDS = 24 * 60 * 60  # an upload never confirmed is deleted after a day
NAME_CHARS = 255  # ImportBatch.filename


class ResponseFileForm(FlaskForm):
    """The upload for the dry run."""

    file = FileField(
        "Responses file (.csv, .xlsx, .sav, .dta or .zip)",
        validators=[
            FileRequired("Choose a file to check."),
            FileAllowed(
                ["csv", "txt", "xlsx", "sav", "dta", "zip"], "Choose a .csv, .xlsx, .sav, .dta or dataset .zip file."
            ),
        ],
    )


def _limit_text() -> str:
    """The upload limit in words: "64 MB", or "100 KB" below a megabyte."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _render(
    form: ResponseFileForm, report: ImportReport | None = None, token: str | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "research/imports.html",
        form=form,
        report=report,
        token=token,
        limit=_limit_text(),
        max_shown=MAX_SHOWN,
        batches=recent_batches(),
        new_by_title=titled_counts(report.new_by_campaign) if report else [],
    ), status


def _imports_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _received(upload: FileStorage, suffix: str) -> Path:
    """The upload copied, a block at a time, to a file of its own under the imports folder (never
    held whole in memory: werkzeug has already spooled a large one to a temporary file)."""
    folder = _imports_dir()
    now = time.time()
    for old in folder.iterdir():
        if old.is_file() and now - old.stat().st_mtime > STALE_SECONDS:
            old.unlink(missing_ok=True)
    path = folder / f".{secrets.token_urlsafe(16)}{suffix}.part"
    with path.open("wb") as out:
        shutil.copyfileobj(upload.stream, out)
    return path


def _keep(received: Path, filename: str) -> str:
    """Keep a checked upload for its confirmation; returns the token naming it."""
    token = secrets.token_urlsafe(16)
    suffix = suffix_of(filename)
    os.replace(received, _imports_dir() / f"{token}{suffix}")  # never a half-written file under the final name
    waiting = dict(session.get(SESSION_KEY, {}))
    for stale in list(waiting)[: max(0, len(waiting) - KEPT_PER_SESSION + 1)]:
        _forget(stale, waiting)
    waiting[token] = {"sha256": sha256(_imports_dir() / f"{token}{suffix}"), "name": filename, "suffix": suffix}
    session[SESSION_KEY] = waiting
    return token


def _forget(token: str, waiting: dict[str, Any] | None = None) -> None:
    """Delete a waiting upload and its session entry."""
    entries = dict(session.get(SESSION_KEY, {})) if waiting is None else waiting
    entry = entries.pop(token, None)
    if entry is not None:
        (_imports_dir() / f"{token}{entry['suffix']}").unlink(missing_ok=True)
    if waiting is None:
        session[SESSION_KEY] = entries


def _kept_name(raw: str) -> str:
    """The upload's base name as it is kept (the batch row, the audit event, the session): control
    characters dropped (PostgreSQL refuses NUL: confirming answered 500) and at most NAME_CHARS long,
    its suffix kept (the batch row cut a long name's ".csv" off, and the job then refused the file)."""
    name = CONTROL.sub("", PurePosixPath(raw.replace("\\", "/")).name) or "upload"
    if len(name) <= NAME_CHARS:
        return name
    suffix = suffix_of(name)[:16]
    return name[: NAME_CHARS - len(suffix)] + suffix


class ImportTooLarge(RequestEntityTooLarge):
    """An upload over IMPORT_MAX_BYTES: answered with the upload page and the limit in words."""


@bp.url_value_preprocessor
def _raise_upload_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # URL value preprocessors run before every before_request function, and some of those (the CSRF
    # check, the NUL-byte check) read the form under the app-wide 256 KiB limit: this is the one place
    # early enough to raise the limit for this route. Only for staff allowed here, so anonymous
    # visitors cannot make the app parse large bodies.
    if endpoint != "research.response_imports" or request.method != "POST":
        return
    if not (current_user.is_authenticated and current_user.role in RESEARCH):
        return
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise ImportTooLarge()


@bp.errorhandler(ImportTooLarge)
def _too_large(_error: ImportTooLarge) -> tuple[str, int]:
    form = ResponseFileForm(formdata=None)
    form.file.errors = [
        f"The file is larger than {_limit_text()}, the limit for imports. "
        "Split it into smaller files, or import it with the command line (flask import-responses)."
    ]
    return _render(form, status=413)


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def response_imports() -> tuple[str, int]:
    """Upload a file: always a dry run first, reporting every problem by row and column."""
    form = ResponseFileForm()
    if not form.validate_on_submit():
        return _render(form, status=422 if request.method == "POST" else 200)
    upload = form.file.data
    filename = _kept_name(upload.filename or "upload")
    received = _received(upload, suffix_of(filename))
    try:
        report = dry_run(
            received,
            filename,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            xlsx_budget=current_app.config["IMPORT_WEB_XLSX_MAX_BYTES"],
        )
        token = _keep(received, filename) if report.ok and report.new else None
    finally:
        received.unlink(missing_ok=True)  # kept under its token, or not kept at all
    if not report.ok:
        return _render(form, report, status=422)
    return _render(ResponseFileForm(formdata=None), report, token)


@bp.post("/imports/<token>")
@roles_required(*RESEARCH)
def confirm_response_import(token: str) -> HTTPResponse | tuple[str, int]:
    """Queue the checked file's import (the job checks it again, writes it in chunks and publishes it)."""
    entry = session.get(SESSION_KEY, {}).get(token) if TOKEN_PATTERN.fullmatch(token) else None
    path = _imports_dir() / f"{token}{entry['suffix']}" if entry else None
    if entry is None or path is None or not path.is_file():
        if entry is not None:
            _forget(token)
        flash("That file is no longer waiting to be imported, so nothing was imported. Check it again.")
        return see_other(".response_imports")
    if sha256(path) != entry["sha256"]:
        _forget(token)
        form = ResponseFileForm(formdata=None)
        form.form_errors.append(
            "The stored file changed after it was checked, so nothing was imported. Upload and check it again."
        )
        return _render(form, status=409)
    batch = queue_import(current_user, path, entry["name"], entry["sha256"])
    db.session.commit()
    start(batch.id)
    _forget(token)
    return see_other(".response_import_batch", batch_id=batch.id)


@bp.get("/imports/batches/<int:batch_id>")
@roles_required(*RESEARCH)
def response_import_batch(batch_id: int) -> str:
    """A confirmed import's progress (the job worker writes it), then its result."""
    batch = db.get_or_404(ImportBatch, batch_id)
    return render_template("research/import_batch.html", batch=batch, added=titled_counts(batch.new_by_campaign))
