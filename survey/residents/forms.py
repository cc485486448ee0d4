"""Forms for the residents' survey, built from instrument data rather than written per questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from instruments import Instrument, Item
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

REQUIRED_MESSAGE = "Select an answer for this question."


class CodeRadioField(RadioField):
    """A radio group whose value is an integer code; "no answer" is left to the validators.

    WTForms' RadioField rejects an empty group as "not a valid choice" before
    `Optional` can run, which would make every optional question compulsory.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("Choose one of the options shown.") from None

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the options shown.")


def _field_for(item: Item, enforce_required: bool) -> Any:
    required = item.required and enforce_required
    if item.type == "choice":
        validators = [InputRequired(REQUIRED_MESSAGE)] if required else [Optional()]
        choices = [SelectChoice(value=option.code, label=option.label) for option in item.options]
        return CodeRadioField(item.text, choices=choices, coerce=int, validators=validators)
    if item.type == "integer":
        low, high = item.min, item.max
        validators = [InputRequired("Enter a number.") if required else Optional(),
                      NumberRange(low, high, f"Enter a whole number from {low} to {high}.")]
        return IntegerField(item.text, validators=validators)
    validators = [DataRequired("Answer this question.") if required else Optional()]
    if item.max_length:
        validators.append(Length(max=item.max_length, message=f"Use at most {item.max_length} characters."))
    if item.pattern:
        validators.append(_matches_pattern(item))
    field_class = TextAreaField if (item.max_length or 0) > 200 else StringField
    return field_class(item.text, validators=validators, filters=[_strip_upper if item.pattern else _strip])


def _matches_pattern(item: Item) -> Any:
    """The instrument's own check: its pattern must match the whole answer, not just its start."""

    def validate(_form: Any, field: Any) -> None:
        problem = item.check(field.data)
        if problem:
            raise ValidationError(item.pattern_message or problem)

    return validate


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _strip_upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def section_form(
    section: Instrument, *, enforce_required: bool, data: Mapping[str, Any] | None = None
) -> FlaskForm:
    """A form for one section; `enforce_required` is off for "back" and "save for later"."""

    class SectionForm(FlaskForm):
        pass

    for item in section.items:
        setattr(SectionForm, item.key, _field_for(item, enforce_required))
    return SectionForm(data=dict(data or {}))


def section_values(form: FlaskForm, section: Instrument) -> dict[str, Any]:
    """The validated answers of a section form, keyed by item key (None = no answer)."""
    values = {}
    for item in section.items:
        value = form[item.key].data
        values[item.key] = None if value == "" else value
    return values


class StartForm(FlaskForm):
    consent = BooleanField(
        "I have read the information above and agree to take part",
        validators=[DataRequired("Tick the box to say you agree to take part, or close this page.")],
    )
    start_token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])


class ResumeForm(FlaskForm):
    code = StringField(
        "Resume code",
        validators=[DataRequired("Enter the resume code you were given."), Length(max=40)],
        filters=[_strip],
    )
