"""Forms for staff accounts; choices that come from the database are set by the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from survey.accounts.operations import EMAIL_PATTERN
from survey.web.fields import CheckboxesField
from survey.web.fields import strip as _strip

ROLE_CHOICES = [
    SelectChoice(value="peer", label="Peer researcher (fieldwork in assigned communities)"),
    SelectChoice(value="researcher", label="Researcher (all communities, analysis)"),
    SelectChoice(value="admin", label="Administrator (everything, including accounts and contact details)"),
]


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


# What each form showed when the page was opened: another administrator's change since is not undone unseen.
class EditUserForm(_UserDetails):
    opened_role = HiddenField()


class AssignmentsForm(FlaskForm):
    communities = CheckboxesField("Communities", coerce=int)
    opened = HiddenField()  # the community ids ticked then, comma-separated (users.assignment_version)
