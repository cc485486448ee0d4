"""Forms: opening a workshop (staff), joining and rating (participants, no account)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from survey.models import PARTICIPANT_GROUPS, Asset, Campaign
from survey.web.fields import CheckboxesField, DateInputField
from survey.web.fields import strip as _strip
from survey.workshops.operations import COMMENT_MAX, TITLE_MAX
from survey.workshops.results import GROUP_LABELS, RATING_LABELS


class CodeForm(FlaskForm):
    """The /w page: type the code the facilitator shows."""

    # An empty box is asked for, not "No workshop has that code" (nor counted as a wrong code).
    code = StringField(
        "Workshop code",
        filters=[_strip],
        validators=[
            DataRequired("Enter the workshop code the facilitator shows."),
            Length(max=40, message="Enter the 8-character code."),
        ],
    )


class JoinForm(FlaskForm):
    """Joining: the group one speaks for (optional). `join_token` becomes the participant's secret,
    so a double-clicked Join makes one participant."""

    join_token = HiddenField()
    participant_group = RadioField(
        "Which group are you speaking for?",
        choices=[SelectChoice(key, GROUP_LABELS[key]) for key in PARTICIPANT_GROUPS],
        validate_choice=False,  # blank is fine; anything else is checked below
    )

    def validate_participant_group(self, field: Any) -> None:
        if field.data and field.data not in PARTICIPANT_GROUPS:
            raise ValidationError("Choose one of the groups, or none.")

    def validate_join_token(self, field: Any) -> None:
        if not isinstance(field.data, str) or not 20 <= len(field.data) <= 100:
            raise ValidationError("Something went wrong joining: please try again.")


_RATING_CHOICES = [SelectChoice(str(point), f"{point} – {label}") for point, label in RATING_LABELS.items()]


class RatingForm(FlaskForm):
    """One asset's ratings: social and economic impact 1-5 and an optional comment."""

    social_impact = RadioField(
        "Social impact",
        choices=_RATING_CHOICES,
        validators=[InputRequired("Choose how high its social impact is, from 1 (very low) to 5 (very high).")],
        validate_choice=False,
    )
    economic_impact = RadioField(
        "Economic impact",
        choices=_RATING_CHOICES,
        validators=[InputRequired("Choose how high its economic impact is, from 1 (very low) to 5 (very high).")],
        validate_choice=False,
    )
    comment = TextAreaField(
        "Comment",
        filters=[_strip],
        validators=[Length(max=COMMENT_MAX, message=f"Use at most {COMMENT_MAX} characters.")],
    )

    def validate_social_impact(self, field: Any) -> None:
        if field.data not in {choice.value for choice in _RATING_CHOICES}:
            raise ValidationError("Choose how high its social impact is, from 1 (very low) to 5 (very high).")

    def validate_economic_impact(self, field: Any) -> None:
        if field.data not in {choice.value for choice in _RATING_CHOICES}:
            raise ValidationError("Choose how high its economic impact is, from 1 (very low) to 5 (very high).")


class ChooseCommunityForm(FlaskForm):
    """Step one of opening a workshop (a GET form): which community."""

    class Meta:
        csrf = False  # a GET that changes nothing

    community = SelectField("Community", validate_choice=False)


def open_form(campaign_options: list[Campaign], asset_options: list[Asset], **kwargs: Any) -> FlaskForm:
    """The opening form for one community: its campaigns and its current assets to choose from
    (`kwargs` as for FlaskForm, e.g. `data` for the first GET)."""

    class OpenWorkshopForm(FlaskForm):
        title = StringField(
            "Title",
            filters=[_strip],
            validators=[
                InputRequired("Enter a title for the workshop, like Dover Town impact workshop."),
                Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
            ],
        )
        held_on = DateInputField("Date", what="The date")
        campaign = SelectField(
            "Campaign whose valuation the agreed adjustments change",
            choices=[
                SelectChoice("", "The latest campaign when they are agreed"),
                *(SelectChoice(c.slug, c.title) for c in campaign_options),
            ],
            default="",
            validate_choice=False,
        )
        assets = CheckboxesField(
            "Assets to discuss", choices=[SelectChoice(a.slug, a.name) for a in asset_options], validate_choice=False
        )

        def validate_campaign(self, field: Any) -> None:
            if field.data and field.data not in {c.slug for c in campaign_options}:
                raise ValidationError("Choose a campaign from the list.")

        def validate_assets(self, field: Any) -> None:
            if any(slug not in {a.slug for a in asset_options} for slug in field.data or []):
                raise ValidationError("Choose assets from the list.")

    return OpenWorkshopForm(**kwargs)
