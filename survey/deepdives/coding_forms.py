"""Forms for the codebook, coding a deep dive, an excerpt's codes and the retrieval filter.

The choices come from the deep dive (its paragraphs, its community's assets, its codebook's themes);
what a form sends is checked by the operations (`survey.deepdives.coding`, `survey.deepdives.themes`),
which give the messages, so the command line and the pages refuse the same things alike.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from survey.assets.fields import DIMENSION_LABELS
from survey.deepdives.coding import Paragraph
from survey.models import SIXWAYS_DIMENSIONS, Asset, Community, Excerpt, Theme
from survey.web.fields import CheckboxesField, WholeNumberField
from survey.web.fields import strip as _strip


class ThemeForm(FlaskForm):
    """A theme of a campaign's codebook."""

    key = StringField("Key", filters=[_strip])
    name = StringField("Name", filters=[_strip])
    description = TextAreaField("Description", filters=[_strip])


class ConfirmDeleteForm(FlaskForm):
    """Deleting a theme that codes excerpts: sent again with `confirm` once the count was shown."""

    confirm = HiddenField()


def _sixways_field() -> CheckboxesField:
    return CheckboxesField(
        "Six ways to wellbeing",
        choices=[SelectChoice(key, DIMENSION_LABELS[key]) for key in SIXWAYS_DIMENSIONS],
        validate_choice=False,
    )


# The code fields are made afresh for each form, after that form's own fields, so they come last in
# its error summary as on the page.
class CodesForm(FlaskForm):
    """An excerpt's codes: six ways dimensions, assets and themes (`set_code_choices` fills in the last two)."""

    sixways = _sixways_field()
    assets = CheckboxesField("Assets", validate_choice=False)
    themes = CheckboxesField("Themes", validate_choice=False)


class CodingForm(FlaskForm):
    """Coding a deep dive: ticked paragraphs or a typed character range, and the codes."""

    paragraphs = CheckboxesField("Paragraphs", validate_choice=False)
    combine = BooleanField("Combine the ticked paragraphs into one excerpt")
    start = WholeNumberField(
        "Start", validators=[Optional()], message="Enter the start as a whole number of characters, like 120."
    )
    end = WholeNumberField(
        "End", validators=[Optional()], message="Enter the end as a whole number of characters, like 245."
    )
    sixways = _sixways_field()
    assets = CheckboxesField("Assets", validate_choice=False)
    themes = CheckboxesField("Themes", validate_choice=False)


def set_code_choices(
    form: CodesForm | CodingForm, community: Community, assets: list[Asset], themes: list[Theme]
) -> None:
    """Offer these assets and themes."""
    form.assets.label.text = f"Assets of {community.name}"
    form.assets.choices = [SelectChoice(asset.slug, asset.name) for asset in assets]
    form.themes.choices = [SelectChoice(theme.key, theme.name) for theme in themes]


def coding_form(
    community: Community, paragraphs: list[Paragraph], assets: list[Asset], themes: list[Theme], **kwargs: Any
) -> CodingForm:
    """The coding form of one deep dive (`kwargs` as for FlaskForm)."""
    form = CodingForm(**kwargs)
    set_code_choices(form, community, assets, themes)
    form.paragraphs.choices = [SelectChoice(p.value, f"Paragraph {p.number}") for p in paragraphs]
    return form


def codes_form(
    community: Community, assets: list[Asset], themes: list[Theme], excerpt: Excerpt, *, submitted: bool
) -> CodesForm:
    """The form changing an excerpt's codes: as sent when `submitted`, else ticked as they stand."""
    if submitted:
        form = CodesForm()
    else:
        ticked = {
            "sixways": [code.sixways for code in excerpt.codes if code.sixways],
            "assets": [code.asset.slug for code in excerpt.codes if code.asset is not None],
            "themes": [code.theme.key for code in excerpt.codes if code.theme is not None],
        }
        form = CodesForm(formdata=None, data=ticked)
    set_code_choices(form, community, assets, themes)
    return form


class FilterForm(FlaskForm):
    """The retrieval page's filter (a GET: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    community = SelectField("Community", validate_choice=False)
    sixways = SelectField(
        "Six ways to wellbeing",
        choices=[SelectChoice("", "Any"), *(SelectChoice(key, DIMENSION_LABELS[key]) for key in SIXWAYS_DIMENSIONS)],
        validate_choice=False,
    )
    asset = SelectField("Asset", validate_choice=False)
    theme = SelectField("Theme", validate_choice=False)
