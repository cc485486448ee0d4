"""Forms for the residents' survey, built from instrument data rather than written per questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from instruments import Instrument, Item
from survey.accounts.operations import EMAIL_PATTERN
from survey.responses.messages import declined_field_key, invalid_number_message, required_message
from survey.responses.operations import DECLINED, Declined
from survey.web.fields import ONE_TIME_TOKEN_PATTERN

DECLINED_VALUE = "declined"  # the "Prefer not to say" radio's value (never stored as a code)
PHONE_MESSAGE = "Enter a phone number using only digits, spaces and +, like 07700 900123."


class CodeRadioField(RadioField):
    """A radio group whose value is an integer code; "no answer" is left to the validators.

    WTForms' RadioField rejects an empty group as "not a valid choice" before
    `Optional` can run, which would make every optional question compulsory.
    """

    allow_declined = False
    data: int | Declined | None

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        if self.allow_declined and valuelist[0] == DECLINED_VALUE:
            self.data = DECLINED
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError("Choose one of the options shown.") from None

    def pre_validate(self, form: Any) -> None:
        if self.data is DECLINED:
            return
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the options shown.")


class DeclinableCodeRadioField(CodeRadioField):
    allow_declined = True


class NumberTextField(StringField):
    """A whole number typed into a text input (inputmode="numeric"), checked on the server.

    Not `type=number`: browsers change those values on a scroll, drop what they cannot parse
    before the server sees it, and read them out badly (GOV.UK Design System, "Text input").
    """

    def __init__(self, label: str, *, low: int | None, high: int | None, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.low, self.high, self.message = low, high, message
        self.number: int | None = None

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        self.number = None
        raw = (self.data or "").strip()
        if validation_stopped or not raw:
            return
        try:
            number = int(raw)  # as IntegerField read it; over-long input raises ValueError too
        except ValueError:
            self.errors.append(self.message)
            return
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            self.errors.append(self.message)
            return
        self.number = number


def _not_also_declined(item: Item) -> Any:
    def validate(form: Any, field: Any) -> None:
        if field.data not in (None, "") and form[declined_field_key(item)].data:
            raise ValidationError(f"Either answer or tick “Prefer not to say”, not both: {item.text}")

    return validate


def _field_for(item: Item, enforce_required: bool) -> Any:
    required = item.required and enforce_required
    message = required_message(item)
    if item.type == "choice":
        validators = [InputRequired(message)] if required else [Optional()]
        choices = [SelectChoice(value=option.code, label=option.label) for option in item.options]
        field_class = DeclinableCodeRadioField if item.prefer_not_to_say else CodeRadioField
        return field_class(item.text, choices=choices, coerce=int, validators=validators)
    extra = [_not_also_declined(item)] if item.prefer_not_to_say else []
    if item.type == "integer":
        validators = [InputRequired(message) if required else Optional(), *extra]
        return NumberTextField(
            item.text, low=item.min, high=item.max, message=invalid_number_message(item), validators=validators
        )
    validators = [DataRequired(message) if required else Optional(), *extra]
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


# Form classes per (section object, enforce_required). Sections of opened campaigns are cached
# objects (`campaign_sections`), so this builds each class once instead of on every page.
_FORM_CLASSES: dict[tuple[int, bool], tuple[Instrument, type[FlaskForm]]] = {}
_FORM_CLASSES_MAX = 512


def _section_form_class(section: Instrument, enforce_required: bool) -> type[FlaskForm]:
    key = (id(section), enforce_required)
    cached = _FORM_CLASSES.get(key)
    if cached is not None and cached[0] is section:  # the same object, not a new one at a reused id
        return cached[1]

    class SectionForm(FlaskForm):
        pass

    for item in section.items:
        setattr(SectionForm, item.key, _field_for(item, enforce_required))
        if item.prefer_not_to_say and item.type != "choice":
            setattr(SectionForm, declined_field_key(item), BooleanField("Prefer not to say"))
    if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
        _FORM_CLASSES.clear()
    _FORM_CLASSES[key] = (section, SectionForm)  # holding the section keeps its id from being reused
    return SectionForm


def section_form(section: Instrument, *, enforce_required: bool, data: Mapping[str, Any] | None = None) -> FlaskForm:
    """A form for one section; `enforce_required` is off for "back" and "save for later"."""
    shown: dict[str, Any] = {}
    for item in section.items:
        if data is None or item.key not in data:
            continue
        value = data[item.key]
        if value is DECLINED and item.type != "choice":
            shown[declined_field_key(item)] = True
        elif item.type == "integer" and value is not None and value is not DECLINED:
            shown[item.key] = str(value)
        else:
            shown[item.key] = value
    return _section_form_class(section, enforce_required)(data=shown)


def section_values(form: FlaskForm, section: Instrument) -> dict[str, Any]:
    """The validated answers of a section form, keyed by item key (None = no answer)."""
    values: dict[str, Any] = {}
    for item in section.items:
        field = form[item.key]
        value = field.number if isinstance(field, NumberTextField) else field.data
        value = None if value == "" else value
        if value is None and item.prefer_not_to_say and item.type != "choice" and form[declined_field_key(item)].data:
            value = DECLINED
        values[item.key] = value
    return values


class StartForm(FlaskForm):
    consent = BooleanField(
        "I have read the information above and agree to take part",
        validators=[DataRequired("Tick the box to say you agree to take part, or close this page.")],
    )
    start_token = HiddenField(validators=[DataRequired(), Regexp(ONE_TIME_TOKEN_PATTERN)])


class ResumeForm(FlaskForm):
    code = StringField(
        "Resume code",
        validators=[DataRequired("Enter the resume code you were given."), Length(max=40)],
        filters=[_strip],
    )


def _enough_digits(_form: Any, field: Any) -> None:
    digits = sum(character.isdigit() for character in field.data or "")
    if not 7 <= digits <= 15:
        raise ValidationError(PHONE_MESSAGE)


class ContactForm(FlaskForm):
    """Optional follow-up contact details, stored apart from the answers."""

    # First, as on the page: the error summary lists the problems in the form's order.
    purposes = SelectMultipleField(
        "What we may invite you to",
        choices=[
            SelectChoice(value="interview", label="A follow-up interview"),
            SelectChoice(value="workshop", label="The community workshop"),
        ],
        validators=[DataRequired("Tick an interview, the workshop, or both.")],
        invalid_choice_message="Tick only the options shown.",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    name = StringField(
        "Your name",
        validators=[
            DataRequired("Enter your name, so we know who to ask for."),
            Length(max=200, message="Use at most 200 characters."),
        ],
        filters=[_strip],
    )
    email = EmailField(
        "Email address",
        validators=[
            Optional(),
            Length(max=254, message="Use at most 254 characters."),
            Regexp(EMAIL_PATTERN, message="Enter an email address like name@example.org."),
        ],
        filters=[_strip],
    )
    phone = TelField(
        "Phone number",
        validators=[
            Optional(),
            Length(max=40, message="Use at most 40 characters."),
            Regexp(r"^[0-9 +]+$", message=PHONE_MESSAGE),
            _enough_digits,
        ],
        filters=[_strip],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.email.data and not self.phone.data and not self.email.errors and not self.phone.errors:
            self.email.errors = [*self.email.errors, "Give an email address or a phone number (or both)."]
            valid = False
        return valid
