"""Staff form fields with GOV.UK patterns and plain-words messages, and the filters and validators
every staff form shares.

`DateInputField` is the GOV.UK date input: three text boxes (day, month, year) checked on the server.

The boxes are named ``<field>-day``, ``<field>-month`` and ``<field>-year``; what was typed is kept in
`parts` so a form shown again with errors keeps it. The messages follow the GOV.UK date input pattern
("... must include a month", "... must be a real date"). A single ``<field>`` value in ISO form
(2026-03-01) is still read when no box was sent, for scripts that post the old format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from wtforms import Field, IntegerField, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

# A form's one-time token (the residents' consent, the paper issue form, the API token form): sent
# twice with it (a double click), the form does its work once.
# \Z, not $: "$" also matches before a final newline, which let 65 characters reach a 64-character column.
ONE_TIME_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}\Z")

PARTS = ("day", "month", "year")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


class DateInputField(Field):
    """An optional date typed as day, month and year; `data` is a `date` or None."""

    data: date | None

    def __init__(self, label: str | None = None, validators: Any = None, *, what: str | None = None, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.what = what or (label or "The date")  # how messages name the date ("The opening date")
        self.parts: dict[str, str] = dict.fromkeys(PARTS, "")
        self.error_parts: tuple[str, ...] = ()  # which boxes to highlight

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors: list[str] = []
        self.errors: list[str] = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        sent = {part: formdata.get(f"{self.name}-{part}") for part in PARTS}
        if all(value is None for value in sent.values()) and formdata.get(self.name) is not None:
            sent = _from_iso(formdata.get(self.name) or "")
        if all(value is None for value in sent.values()):
            return
        self.parts = {part: (sent[part] or "").strip() for part in PARTS}
        self.data = None

    def pre_validate(self, form: Any) -> None:
        parts = self.parts
        if not any(parts.values()):
            self.data = None
            return
        missing = [part for part in PARTS if not parts[part]]
        if missing:
            self.error_parts = tuple(missing)
            raise ValidationError(f"{self.what} must include a {' and a '.join(missing)}.")
        month = MONTH_NAMES.get(parts["month"].lower()) or _number(parts["month"])
        day, year = _number(parts["day"]), _number(parts["year"])
        if year is not None and len(parts["year"]) != 4:
            self.error_parts = ("year",)
            raise ValidationError("Enter the year as 4 digits, like 2026.")
        try:
            if day is None or month is None or year is None:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.error_parts = PARTS
            raise ValidationError(f"{self.what} must be a real date, like 27 3 2026.") from None


def _number(text: str) -> int | None:
    # At most 8 digits: date() raises OverflowError, not ValueError, past a C int.
    return whole_number(text, digits=8)


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """`text` read as a whole number when it is nothing but at most `digits` decimal digits, else None.

    `str.isdigit()` is not enough before `int()`: it is true of superscripts ("²"), which `int()`
    refuses, and `int()` refuses more than 4,300 digits; both raised ValueError with Python's own
    words (or a 500) where a form should say what to type.
    """
    return int(text) if text.isdecimal() and len(text) <= digits else None


def _from_iso(text: str) -> dict[str, str | None]:
    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError:
        return dict.fromkeys(PARTS, None) if not text.strip() else {"day": text, "month": "", "year": ""}
    return {"day": str(parsed.day), "month": str(parsed.month), "year": str(parsed.year)}


class WholeNumberField(IntegerField):
    """A number typed in a text box (inputmode numeric) whose "not a number" message is in plain words
    (WTForms' own is "Not a valid integer value").

    A text box, not IntegerField's `type=number` (as the GOV.UK Design System advises): Chromium
    empties a number box holding "300 people", so the form lost what was typed, and an optional
    field was saved blank with no message at all."""

    data: int | None
    widget = TextInput()

    def __init__(self, label: str, validators: Any = None, *, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None


def strip(value: Any) -> Any:
    """A field filter: surrounding spaces removed from text."""
    return value.strip() if isinstance(value, str) else value


def checked_by(check: Callable[[Any], Any]) -> Callable[[Any, Any], None]:
    """A validator that runs a check shared with a CSV import (ValueError: the message shown)."""

    def validate(_form: Any, field: Any) -> None:
        try:
            check(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    return validate


class CheckboxesField(SelectMultipleField):
    """Several checkboxes sharing one name (nothing ticked submits an empty list)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
