"""Forms for the research screens. Asset fields are checked by the same functions as the CSV import."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey.assets.adjustments import (
    AdjustmentValues,
    as_percent,
    check_agreed_by,
    check_agreed_on,
    check_percent,
    check_reason,
    check_years,
    clean_values,
)
from survey.assets.operations import COLUMN_CHECKS, DIMENSION_LABELS, KIND_LABELS, AssetFields, clean_asset
from survey.campaigns.admin import CampaignSettings
from survey.models import ADJUSTMENT_FRACTIONS, ASSET_KINDS, SAMPLING_METHODS, SIXWAYS_DIMENSIONS
from survey.web.fields import DateInputField, WholeNumberField

# Above this the import is refused with a message; the app-wide MAX_CONTENT_LENGTH (256 KB) stops
# anything far larger first. The confirmation step re-sends the file base64-encoded (4/3 larger),
# which must also fit under that limit. 100 KB is well over a thousand assets.
IMPORT_MAX_BYTES = 100 * 1024


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def checked_by(check: Callable[[Any], Any]) -> Callable[[Any, Any], None]:
    """A validator that runs one of the shared asset column checks."""

    def validate(_form: Any, field: Any) -> None:
        try:
            check(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    return validate


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


class AssetForm(FlaskForm):
    """One asset-log entry; each field runs the shared column check."""

    slug = StringField("Web address", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["slug"])])
    name = StringField("Name", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["name"])])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Choose a kind"), *(SelectChoice(kind, KIND_LABELS[kind]) for kind in ASSET_KINDS)],
        validate_choice=False,  # the shared check gives the message
        validators=[checked_by(COLUMN_CHECKS["kind"])],
    )
    description = TextAreaField("Description", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["description"])])
    location = StringField("Location", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["location"])])
    annual_cost = StringField(
        "Annual cost in pounds", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["annual_cost"])]
    )
    cost_year = StringField(
        "Price year of the annual cost", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["cost_year"])]
    )
    question_phrase = StringField(
        "How residents are asked about it",
        filters=[_strip],
        validators=[checked_by(COLUMN_CHECKS["question_phrase"])],
    )
    sixways_dimensions = SelectMultipleField(
        "Six ways to wellbeing",
        choices=[SelectChoice(dimension, DIMENSION_LABELS[dimension]) for dimension in SIXWAYS_DIMENSIONS],
        validate_choice=False,
        validators=[checked_by(COLUMN_CHECKS["sixways_dimensions"])],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def asset_fields(self) -> AssetFields:
        """The checked values (call after `validate`)."""
        values, problems = clean_asset({column: self[column].data for column in COLUMN_CHECKS})
        if values is None:
            raise ValueError(f"asset form used before validation: {problems}")
        return values

    @classmethod
    def for_asset(cls, asset: Any) -> AssetForm:
        """A form filled in from a stored asset."""
        cost = "" if asset.annual_cost is None else f"{asset.annual_cost:.2f}"
        return cls(
            data={
                "slug": asset.slug,
                "name": asset.name,
                "kind": asset.kind,
                "description": asset.description,
                "location": asset.location,
                "annual_cost": cost,
                "cost_year": "" if asset.cost_year is None else str(asset.cost_year),
                "sixways_dimensions": list(asset.sixways_dimensions),
                "question_phrase": asset.question_phrase,
            }
        )


class AssetImportForm(FlaskForm):
    """The CSV upload for the import's dry run."""

    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to check."),
            FileAllowed(["csv", "txt"], "Choose a .csv file (save the spreadsheet as CSV UTF-8)."),
            FileSize(IMPORT_MAX_BYTES, message=f"The file is larger than {IMPORT_MAX_BYTES // 1024} KB."),
        ],
    )


class ConfirmImportForm(FlaskForm):
    """The checked file, base64-encoded, sent back to import it."""

    content = HiddenField(validators=[DataRequired("Nothing to import: check a file first.")])


ADJUSTMENT_FIELDS = (*ADJUSTMENT_FRACTIONS, "years", "reason", "agreed_by", "agreed_on")
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
            validators=[Optional(), NumberRange(1, 10_000_000, "Enter a whole number of at least 1.")],
            message="Enter the target as a whole number, like 400.",
        )
        population_size = WholeNumberField(
            "Population the sample represents (residents aged 16+)",
            validators=[Optional(), NumberRange(1, 100_000_000, "Enter a whole number of at least 1.")],
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
                double_entry_percent=self.double_entry_percent.data,
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
            "show_score",
            "practice",
        )
    }
    for position, key in enumerate(campaign.instrument_keys, start=1):
        data[f"position_{key}"] = str(position)
    return data


class AdjustmentForm(FlaskForm):
    """One asset's SROI adjustments, fractions typed as percentages (25 = 25%); each field runs the
    same check as the service (and, for the CSV, the same rules as `analysis.adjustments`)."""

    deadweight = StringField("Deadweight (%)", filters=[_strip], validators=[checked_by(check_percent)])
    displacement = StringField("Displacement (%)", filters=[_strip], validators=[checked_by(check_percent)])
    attribution = StringField("Attribution (%)", filters=[_strip], validators=[checked_by(check_percent)])
    drop_off = StringField("Drop-off a year (%)", filters=[_strip], validators=[checked_by(check_percent)])
    years = StringField("Years valued", filters=[_strip], default="1", validators=[checked_by(check_years)])
    reason = TextAreaField("Reason", filters=[_strip], validators=[checked_by(check_reason)])
    agreed_by = StringField("Agreed by", filters=[_strip], validators=[checked_by(check_agreed_by)])
    agreed_on = StringField("Agreed on (YYYY-MM-DD)", filters=[_strip], validators=[checked_by(check_agreed_on)])

    def values(self) -> AdjustmentValues:
        """The checked values (call after `validate`)."""
        values, problems = clean_values({name: self[name].data for name in ADJUSTMENT_FIELDS})
        if values is None:
            raise ValueError(f"adjustment form used before validation: {problems}")
        return values

    @classmethod
    def for_adjustment(cls, row: Any) -> AdjustmentForm:
        """A form filled in from a stored adjustment (None: the gross defaults)."""
        if row is None:
            return cls(data={"years": "1"})
        data = {name: as_percent(getattr(row, name)) for name in ADJUSTMENT_FRACTIONS}
        data.update(
            years=str(row.years),
            reason=row.reason,
            agreed_by=row.agreed_by,
            agreed_on=row.agreed_on.isoformat() if row.agreed_on else "",
        )
        return cls(data=data)
