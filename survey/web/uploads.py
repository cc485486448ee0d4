"""The check-then-confirm flow of the CSV uploads (asset log, SROI adjustments).

The first POST checks the file and shows every problem, changing nothing; when the file is clean
the page carries it back in a confirm form, so the second POST needs no second upload.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode, b64encode
from collections.abc import Callable
from typing import Protocol

from flask import abort
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField
from wtforms.validators import DataRequired

# C0 control characters other than tab, LF and CR: no spreadsheet or editor shows them, and
# PostgreSQL refuses NUL. Uploads of every kind (responses, transcripts) are checked for them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Above this the import is refused with a message; the app-wide MAX_CONTENT_LENGTH (256 KB) stops
# anything far larger first. The confirmation step re-sends the file base64-encoded (4/3 larger),
# which must also fit under that limit. 100 KB is well over a thousand assets.
CSV_UPLOAD_MAX_BYTES = 100 * 1024

NOT_UTF8 = 'The file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" and try again.'


class AssetImportForm(FlaskForm):
    """A CSV upload for its dry run."""

    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to check."),
            FileAllowed(["csv", "txt"], "Choose a .csv file (save the spreadsheet as CSV UTF-8)."),
            FileSize(CSV_UPLOAD_MAX_BYTES, message=f"The file is larger than {CSV_UPLOAD_MAX_BYTES // 1024} KB."),
        ],
    )


class ConfirmImportForm(FlaskForm):
    """The checked file, base64-encoded, sent back to import it."""

    content = HiddenField(validators=[DataRequired("Nothing to import: check a file first.")])


def decode_upload(data: bytes) -> str | None:
    """The file as text (UTF-8, with or without the BOM spreadsheets add), or None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


class Checked(Protocol):
    @property
    def ok(self) -> bool: ...


def dry_run(
    form: AssetImportForm, check: Callable[[str], Checked], render: Callable[..., tuple[str, int]]
) -> tuple[str, int]:
    """Check the uploaded file; `render(form, report, confirm, status=...)` shows the result."""
    data = form.file.data.read()
    text = decode_upload(data)
    if text is None:
        form.file.errors.append(NOT_UTF8)
        return render(form, status=422)
    report = check(text)
    if not report.ok:
        return render(form, report, status=422)
    return render(form, report, ConfirmImportForm(formdata=None, content=b64encode(data).decode("ascii")))


def confirmed_text(confirm: ConfirmImportForm) -> str:
    """The checked file a confirm form brings back, as text; 400 if it was altered on the way."""
    try:
        text = decode_upload(b64decode(confirm.content.data, validate=True))
    except (binascii.Error, ValueError):
        abort(400)
    if text is None:
        abort(400)
    return text
