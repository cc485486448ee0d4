"""Forms for the asset log and the SROI adjustments; each field runs the same check as the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from survey.assets.adjustments import (
    AdjustmentValues,
    as_percent,
    check_agreed_by,
    check_agreed_on,
    check_percent,
    check_reason,
    check_workshop_agreed_by,
    check_years,
    clean_values,
)
from survey.assets.fields import COLUMN_CHECKS, DIMENSION_LABELS, KIND_LABELS, AssetFields, clean_asset
from survey.models import ADJUSTMENT_FRACTIONS, ASSET_KINDS, SIXWAYS_DIMENSIONS
from survey.web.fields import checked_by
from survey.web.fields import strip as _strip

ADJUSTMENT_FIELDS = (*ADJUSTMENT_FRACTIONS, "years", "reason", "agreed_by", "agreed_on")


class AssetForm(FlaskForm):
    """One asset-log entry; each field runs the shared column check."""

    slug = StringField("Web address", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["slug"])])
    name = StringField("Name", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["name"])])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Choose a kind"), *(SelectChoice(kind, KIND_LABELS[kind]) for kind in ASSET_KINDS)],
        validate_choice=False,  # the shared check gives the message
        # Nothing chosen: in words, not the CSV's codes that the shared check lists.
        validators=[InputRequired("Choose what kind of asset it is."), checked_by(COLUMN_CHECKS["kind"])],
    )
    description = TextAreaField("Description", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["description"])])
    location = StringField("Location", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["location"])])
    run_by = StringField("Who runs it", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["run_by"])])
    annual_cost = StringField(
        "Annual cost in pounds", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["annual_cost"])]
    )
    cost_year = StringField(
        "Price year of the annual cost", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["cost_year"])]
    )
    latitude = StringField("Latitude", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["latitude"])])
    longitude = StringField("Longitude", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["longitude"])])
    postcode = StringField("Postcode", filters=[_strip], validators=[checked_by(COLUMN_CHECKS["postcode"])])
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

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field's own check, then the checks across fields (a latitude needs its longitude)."""
        valid = super().validate(extra_validators)
        _values, problems = clean_asset({column: self[column].data for column in COLUMN_CHECKS})
        for column, reason in problems.items():
            if not self[column].errors:
                self[column].errors = [reason]
                valid = False
        return valid

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
                "run_by": asset.run_by,
                "annual_cost": cost,
                "cost_year": "" if asset.cost_year is None else str(asset.cost_year),
                "sixways_dimensions": list(asset.sixways_dimensions),
                "question_phrase": asset.question_phrase,
                "latitude": "" if asset.latitude is None else str(asset.latitude),
                "longitude": "" if asset.longitude is None else str(asset.longitude),
                "postcode": asset.postcode,
            }
        )


def _percent_of(what: str) -> Callable[[Any], float]:
    """`check_percent` with the share named: four percentage boxes share one form, and the error
    summary lists the messages alone, so four identical ones would not say which box is wrong."""

    def check(raw: Any) -> float:
        try:
            return check_percent(raw)
        except ValueError:
            raise ValueError(
                f"Enter the {what} as a percentage from 0 to 100, like 25 or 12.5 (blank means 0)."
            ) from None

    return check


class AdjustmentForm(FlaskForm):
    """One asset's SROI adjustments, fractions typed as percentages (25 = 25%); each field runs the
    same check as the service (and, for the CSV, the same rules as `analysis.adjustments`)."""

    deadweight = StringField("Deadweight (%)", filters=[_strip], validators=[checked_by(_percent_of("deadweight"))])
    displacement = StringField(
        "Displacement (%)", filters=[_strip], validators=[checked_by(_percent_of("displacement"))]
    )
    attribution = StringField("Attribution (%)", filters=[_strip], validators=[checked_by(_percent_of("attribution"))])
    drop_off = StringField(
        "Drop-off a year (%)", filters=[_strip], validators=[checked_by(_percent_of("yearly drop-off"))]
    )
    years = StringField("Years valued", filters=[_strip], default="1", validators=[checked_by(check_years)])
    reason = TextAreaField("Reason", filters=[_strip], validators=[checked_by(check_reason)])
    agreed_by = StringField("Agreed by", filters=[_strip], validators=[checked_by(check_agreed_by)])
    agreed_on = StringField("Agreed on (YYYY-MM-DD)", filters=[_strip], validators=[checked_by(check_agreed_on)])
    require_agreed_by: ClassVar[bool] = True

    def values(self) -> AdjustmentValues:
        """The checked values (call after `validate`)."""
        raw = {name: self[name].data for name in ADJUSTMENT_FIELDS}
        check = check_agreed_by if self.require_agreed_by else check_workshop_agreed_by
        values, problems = clean_values(raw, agreed_by=check)
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


class WorkshopAdjustmentForm(AdjustmentForm):
    """The same, recorded at a workshop: "agreed by" may stay blank, as the workshop is where they were agreed."""

    agreed_by = StringField("Agreed by", filters=[_strip], validators=[checked_by(check_workshop_agreed_by)])
    require_agreed_by: ClassVar[bool] = False
