"""The check-then-confirm flow of the CSV uploads (asset log, SROI adjustments).

The first POST checks the file and shows every problem, changing nothing; when the file is clean
the page carries it back in a confirm form, so the second POST needs no second upload.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from collections.abc import Callable
from typing import Protocol

from flask import abort

from survey.assets.csv_files import decode_upload
from survey.campaigns.forms import AssetImportForm, ConfirmImportForm

NOT_UTF8 = 'The file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" and try again.'


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
