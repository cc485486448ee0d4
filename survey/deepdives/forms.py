"""Forms: recording or editing a deep dive, and erasing a participant's deep dives."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from survey.deepdives.operations import CODE_MESSAGE
from survey.deepdives.uploads import TRANSCRIPT_MAX_CHARS
from survey.localtime import local_today
from survey.models import PARTICIPANT_CODE_MAX, PARTICIPANT_CODE_PATTERN, Campaign, Community
from survey.web.fields import DateInputField
from survey.web.fields import strip as _strip

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
CONSENTS = {
    "consent_recording": "to the interview being recorded",
    "consent_quotation": "to being quoted, without their name, in profiles, packs, workshop cards and reports",
    "consent_sharing": "to the transcript being shared beyond the study team",
}


def _participant_code() -> StringField:
    return StringField(
        "Participant code",
        filters=[_strip],
        validators=[
            InputRequired(CODE_MESSAGE),
            Length(max=PARTICIPANT_CODE_MAX, message=CODE_MESSAGE),
        ],
    )


def _check_code(_form: Any, field: Any) -> None:
    if not re.fullmatch(PARTICIPANT_CODE_PATTERN, field.data or ""):
        raise ValidationError(CODE_MESSAGE)


def _consent(what: str) -> RadioField:
    message = f"Choose whether the participant agreed {what}."
    return RadioField(
        f"Did the participant agree {what}?",
        choices=YES_NO,
        validators=[InputRequired(message)],
        validate_choice=False,  # checked below, with the same words
    )


def deep_dive_form(
    communities: list[Community], campaigns: list[Campaign], interviewers: list[tuple[str, str]], **kwargs: Any
) -> FlaskForm:
    """The deep-dive form for one user: the communities they may see, those communities' campaigns,
    and who may be named interviewer, as (account id, label) (`kwargs` as for FlaskForm, e.g. `data`)."""
    names = {community.id: community.name for community in communities}

    class DeepDiveForm(FlaskForm):
        participant_code = _participant_code()
        community = SelectField(
            "Community",
            choices=[SelectChoice(c.slug, c.name) for c in communities],
            validate_choice=False,
        )
        campaign = SelectField(
            "Campaign",
            choices=[
                SelectChoice("", "None"),
                *(SelectChoice(c.slug, f"{c.title} ({names[c.community_id]})") for c in campaigns),
            ],
            default="",
            validate_choice=False,
        )
        held_on = DateInputField("Date of the interview", what="The date of the interview")
        interviewer = SelectField(
            "Interviewer", choices=[SelectChoice(value, label) for value, label in interviewers], validate_choice=False
        )
        consent_recording = _consent(CONSENTS["consent_recording"])
        consent_quotation = _consent(CONSENTS["consent_quotation"])
        consent_sharing = _consent(CONSENTS["consent_sharing"])
        transcript = TextAreaField("Notes or transcript", render_kw={"rows": 15})
        file = FileField("Or upload the transcript")
        # When an edit form was opened (operations.edit_version): a save made since is not undone unseen.
        version = HiddenField()

        def validate_participant_code(self, field: Any) -> None:
            _check_code(self, field)

        def validate_community(self, field: Any) -> None:
            if field.data not in {c.slug for c in communities}:
                raise ValidationError("Choose a community from the list.")

        def validate_campaign(self, field: Any) -> None:
            chosen = next((c for c in campaigns if c.slug == field.data), None)
            if field.data and chosen is None:
                raise ValidationError("Choose a campaign from the list, or none.")
            if chosen is not None and chosen.community.slug != self.community.data:
                raise ValidationError(
                    f"{chosen.title} is not a campaign of that community: choose one of its own, or none."
                )

        def validate_held_on(self, field: Any) -> None:
            if field.data is None:
                field.error_parts = ("day", "month", "year")
                raise ValidationError("Enter the date of the interview, like 27 3 2026.")
            if field.data > local_today():
                raise ValidationError("The date of the interview must be today or in the past.")

        def validate_interviewer(self, field: Any) -> None:
            if field.data not in {value for value, _label in interviewers}:
                raise ValidationError("Choose the interviewer from the list.")

        def validate_transcript(self, field: Any) -> None:
            if isinstance(field.data, str) and len(field.data) > TRANSCRIPT_MAX_CHARS:
                raise ValidationError(
                    f"The text is longer than {TRANSCRIPT_MAX_CHARS:,} characters: split the interview into parts."
                )

    for name in CONSENTS:
        setattr(DeepDiveForm, f"validate_{name}", _yes_or_no)
    return DeepDiveForm(**kwargs)


def _yes_or_no(form: Any, field: Any) -> None:
    if field.data not in ("yes", "no"):
        raise ValidationError(field.validators[0].message)


class EraseForm(FlaskForm):
    """Erasure, step one: whose deep dives (a participant code and, optionally, a community)."""

    participant_code = _participant_code()
    community = SelectField("Community", validate_choice=False)

    def validate_participant_code(self, field: Any) -> None:
        _check_code(self, field)

    def validate_community(self, field: Any) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Choose a community from the list, or every community.")


class ConfirmEraseForm(FlaskForm):
    """Erasure, step two: the same participant and community, carried by the confirmation page."""

    participant_code = HiddenField(filters=[_strip])
    community = HiddenField()

    def validate_participant_code(self, field: Any) -> None:
        _check_code(self, field)
