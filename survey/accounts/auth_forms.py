from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from survey.accounts.operations import MIN_PASSWORD_LENGTH

_NEW_PASSWORD = [
    DataRequired("Enter a new password."),
    Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
]
_CONFIRM = [DataRequired("Type the new password again."), EqualTo("new_password", "The two passwords do not match.")]


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField("New password", validators=_NEW_PASSWORD)
    confirm = PasswordField("New password again", validators=_CONFIRM)


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=_NEW_PASSWORD)
    confirm = PasswordField("New password again", validators=_CONFIRM)
