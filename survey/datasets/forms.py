"""Forms for the instrument licences (the data-sharing records an administrator keeps)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey.web.fields import strip as _strip


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
