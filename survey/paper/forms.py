"""Forms of the paper blueprint (the entry screen is built from instrument data, not a FlaskForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from survey.paper.operations import MAX_BATCH_SIZE
from survey.web.fields import ONE_TIME_TOKEN_PATTERN, WholeNumberField


class IssueForm(FlaskForm):
    """Issue a batch of numbered forms to one person; `issued_to` choices are set by the view."""

    issued_to = SelectField(
        "Issue to",
        coerce=int,
        validators=[InputRequired("Choose who gets the forms.")],
        invalid_value_message="Choose who gets the forms from the list.",
        invalid_choice_message="Choose who gets the forms from the list.",
    )
    size = WholeNumberField(
        "Number of forms",
        message=f"Enter the number of forms as a whole number from 1 to {MAX_BATCH_SIZE}.",
        validators=[
            InputRequired("Enter how many forms to print."),
            NumberRange(1, MAX_BATCH_SIZE, f"Enter a whole number from 1 to {MAX_BATCH_SIZE}."),
        ],
    )
    # One-time, set when the form is first shown: a second Issue with it finds the first batch.
    issue_token = HiddenField(validators=[Optional(), Regexp(ONE_TIME_TOKEN_PATTERN)])


class ReturnsForm(FlaskForm):
    """Check paper in by serial: returned, or spoiled (damaged, lost, unusable)."""

    serial = StringField("Serial number")
    status = RadioField(
        "The form is",
        choices=[
            SelectChoice(value="returned", label="Returned"),
            SelectChoice(value="spoiled", label="Spoiled (damaged, lost or unusable)"),
        ],
        default="returned",
        validators=[InputRequired("Choose returned or spoiled.")],
        invalid_choice_message="Choose returned or spoiled.",
    )
