"""Forms for communities and campaigns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from survey.campaigns.admin import CampaignSettings
from survey.models.vocabulary import POPULATION_SIZE_MAX, SAMPLING_METHODS
from survey.web.fields import DateInputField, WholeNumberField
from survey.web.fields import strip as _strip


class CommunityForm(FlaskForm):
    """A community's slug and name (uniqueness is checked by the service)."""

    slug = StringField(
        "Web address",
        filters=[_strip],
        validators=[
            DataRequired("Enter a web address, like dover-town."),
            Length(max=60, message="Use at most 60 characters."),
        ],
    )
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), Length(max=200)])


SAMPLING_LABELS = {
    "random": "Random (probability) sample",
    "quota": "Quota sample",
    "convenience": "Convenience sample (whoever took part)",
}
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


def campaign_form(
    catalogue: Mapping[str, Any], communities: Sequence[Any], data: Mapping[str, Any] | None = None
) -> Any:
    """The campaign form, with one "position" choice per catalogue instrument (blank = not asked)."""
    positions = [SelectChoice("", "Not asked")]
    positions += [SelectChoice(str(n), ORDINALS[n - 1]) for n in range(1, len(catalogue) + 1)]

    class CampaignForm(FlaskForm):
        """Campaign settings, with one position field per catalogue instrument."""

        community_id = SelectField(
            "Community",
            coerce=int,
            choices=[SelectChoice(community.id, community.name) for community in communities],
            validators=[InputRequired("Choose a community.")],
            invalid_value_message="Choose a community from the list.",
            invalid_choice_message="Choose a community from the list.",
        )
        slug = StringField(
            "Web address",
            filters=[_strip],
            validators=[
                DataRequired("Enter a web address, like dover-2025."),
                Length(max=60, message="Use at most 60 characters."),
            ],
        )
        title = StringField("Title", filters=[_strip], validators=[DataRequired("Enter a title."), Length(max=200)])
        opens_on = DateInputField("Opens on", what="The opening date")
        closes_on = DateInputField("Closes on", what="The closing date")
        target_sample_size = WholeNumberField(
            "Target sample size (complete responses)",
            validators=[Optional(), NumberRange(1, 10_000_000, "Enter a whole number from 1 to 10,000,000.")],
            message="Enter the target as a whole number, like 400.",
        )
        population_size = WholeNumberField(
            "Population the sample represents (residents aged 16+)",
            validators=[
                Optional(),
                NumberRange(1, POPULATION_SIZE_MAX, f"Enter a whole number from 1 to {POPULATION_SIZE_MAX:,}."),
            ],
            message="Enter the population as a whole number, like 25000.",
        )
        population_source = StringField(
            "Source of the population figure", filters=[_strip], validators=[Length(max=500)]
        )
        sampling_method = SelectField(
            "Sampling method",
            choices=[
                SelectChoice("", "Not recorded"),
                *(SelectChoice(key, SAMPLING_LABELS[key]) for key in SAMPLING_METHODS),
            ],
            default="",
            validate_choice=False,  # checked below with a clear message
        )

        def validate_sampling_method(self, field: Any) -> None:
            if field.data and field.data not in SAMPLING_METHODS:
                raise ValidationError("Choose random, quota or convenience, or leave it as not recorded.")

        def validate_population_source(self, field: Any) -> None:
            if self.population_size.data and not field.data:
                raise ValidationError("Say where the population figure comes from, e.g. ONS mid-year estimates 2023.")

        double_entry_percent = WholeNumberField(
            "Paper forms keyed twice (%)",
            default=0,
            message="Enter a percentage from 0 to 100.",
            validators=[
                InputRequired("Enter a percentage from 0 to 100."),
                NumberRange(0, 100, "Enter a percentage from 0 to 100."),
            ],
        )
        wave = WholeNumberField(
            "Wave",
            default=1,
            message="Enter the wave as a whole number, like 2.",
            validators=[Optional(), NumberRange(1, 99, "Enter a wave from 1 to 99.")],
        )
        show_score = BooleanField("Show residents their wellbeing score at the end")
        practice = BooleanField("Practice campaign (training: kept out of analysis and exports)")

        instrument_fields = [f"position_{key}" for key in catalogue]

        def instrument_keys(self) -> tuple[str, ...]:
            """The chosen instruments, in the chosen order."""
            chosen = [(int(self[f"position_{key}"].data), key) for key in catalogue if self[f"position_{key}"].data]
            return tuple(key for _, key in sorted(chosen))

        def validate(self, extra_validators: Any = None) -> bool:
            """The field checks, plus: no two instruments in the same position."""
            ok = super().validate(extra_validators)
            chosen = {key for key in catalogue if self[f"position_{key}"].data}
            if {"wemwbs", "swemwbs"} <= chosen:
                # The service would refuse it too; said here, beside the question, in plain words.
                self["position_swemwbs"].errors.append(
                    "Ask WEMWBS or SWEMWBS, not both: SWEMWBS is scored from the WEMWBS items. "
                    "Choose Not asked for one of them."
                )
                ok = False
            used: dict[str, str] = {}
            for key in catalogue:
                field = self[f"position_{key}"]
                if field.data and field.data in used and not field.errors:
                    ordinal = ORDINALS[int(field.data) - 1]
                    field.errors.append(
                        f"{catalogue[used[field.data]].title} is already asked {ordinal}: "
                        "give each questionnaire a different position."
                    )
                    ok = False
                elif field.data:
                    used[field.data] = key
            return ok

        def settings(self) -> CampaignSettings:
            """The form's values for the campaign service."""
            return CampaignSettings(
                community_id=self.community_id.data,
                slug=self.slug.data,
                title=self.title.data,
                instrument_keys=self.instrument_keys(),
                opens_on=self.opens_on.data,
                closes_on=self.closes_on.data,
                target_sample_size=self.target_sample_size.data,
                population_size=self.population_size.data,
                population_source=self.population_source.data or None,
                sampling_method=self.sampling_method.data or None,
                double_entry_percent=cast(int, self.double_entry_percent.data),  # InputRequired
                wave=self.wave.data or 1,  # blank: a first survey
                show_score=self.show_score.data,
                practice=self.practice.data,
            )

    for key, instrument in catalogue.items():
        # A missing value means "not asked", as the first option does.
        setattr(
            CampaignForm,
            f"position_{key}",
            SelectField(
                instrument.title,
                choices=positions,
                default="",
                invalid_choice_message=f"Choose when {instrument.title} is asked, or Not asked.",
            ),
        )
    return CampaignForm(data=dict(data or {}))


def campaign_data(campaign: Any) -> dict[str, Any]:
    """A stored campaign as form data."""
    data = {
        name: getattr(campaign, name)
        for name in (
            "community_id",
            "slug",
            "title",
            "opens_on",
            "closes_on",
            "target_sample_size",
            "population_size",
            "population_source",
            "sampling_method",
            "double_entry_percent",
            "wave",
            "show_score",
            "practice",
        )
    }
    for position, key in enumerate(campaign.instrument_keys, start=1):
        data[f"position_{key}"] = str(position)
    return data


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
