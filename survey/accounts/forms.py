"""Forms for the admin screens; choices that come from the database are set by the view."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from survey.accounts.operations import EMAIL_PATTERN

ROLE_CHOICES = [
    SelectChoice(value="peer", label="Peer researcher (fieldwork in assigned communities)"),
    SelectChoice(value="researcher", label="Researcher (all communities, analysis)"),
    SelectChoice(value="admin", label="Administrator (everything, including accounts and contact details)"),
]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """Several checkboxes sharing one name (nothing ticked submits an empty list)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _UserDetails(FlaskForm):
    name = StringField("Name", validators=[Length(max=200, message="Use at most 200 characters.")], filters=[_strip])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired("Choose a role.")])


class CreateUserForm(_UserDetails):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the person's email address."),
            Length(max=254, message="Use at most 254 characters."),
            Regexp(EMAIL_PATTERN, message="Enter an email address like name@example.org."),
        ],
        filters=[_strip],
    )
    communities = CheckboxesField("Communities", coerce=int)


class EditUserForm(_UserDetails):
    pass


class AssignmentsForm(FlaskForm):
    communities = CheckboxesField("Communities", coerce=int)


class LicenceForm(FlaskForm):
    instrument_key = SelectField("Instrument", validators=[DataRequired("Choose the instrument.")])
    holder = StringField(
        "Licence holder (the registered organisation)",
        validators=[DataRequired("Enter the organisation that holds the licence."), Length(max=200)],
        filters=[_strip],
    )
    reference = StringField(
        "Licence or registration reference",
        validators=[DataRequired("Enter the reference you were given when registering."), Length(max=200)],
        filters=[_strip],
    )
