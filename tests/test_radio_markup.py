"""The radio questions drawn in Python (`survey.web.radio_markup`) are the markup the Jinja macros
drew before them, less blank lines: every choice item of every instrument, the asset page's
screeners and follow-ups, in every state (blank, each option chosen, "Prefer not to say", an error
with characters to escape), inline and not."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup, escape

import instruments
from instruments import Instrument, Item, Option
from survey import create_app
from survey.responses.operations import DECLINED
from survey.responses.pages import survey_pages
from survey.responses.resident_forms import DECLINED_VALUE, section_form

# The macros as they were, kept as the reference.
REFERENCE_MACROS = (Path(__file__).parent / "reference" / "question_macros.html").read_text()
REFERENCE = REFERENCE_MACROS + "{{ question(field, item, form, inline=inline) }}"
CURRENT = '{% from "_fields.html" import question with context %}{{ question(field, item, form, inline=inline) }}'
# The Python the macros called for the options (it matched the Jinja loop before it byte for byte).
_REFERENCE_CLASSES: dict[str, tuple[str, str, str]] = {
    "scale": ("scale-option", "", "govuk-label"),
    "radios": ("govuk-radios__item", ' class="govuk-radios__input"', "govuk-label govuk-radios__label"),
    "likert": ("app-likert__item", ' class="app-likert__input"', "govuk-label app-likert__label"),
}


def _reference_radio_options(field: Any, style: str) -> Markup:
    """Every option of a radio `field`, with the ids WTForms' option widgets use (`<field id>-<n>`).

    A scale ("scale") labels each radio with its number, and its two end points also with their
    words for screen readers; the others label it with its words.
    """
    div_class, input_class, label_class = _REFERENCE_CLASSES[style]
    name = escape(field.name)
    choices = list(field.iter_choices())
    parts = []
    for index, choice in enumerate(choices):
        option_id = escape(f"{field.id}-{index}")
        value = escape(choice.value)
        label = escape(choice.label)
        if style == "scale":
            words = f'<span class="govuk-visually-hidden"> – {label}</span>' if index in (0, len(choices) - 1) else ""
            label = Markup(f"{value}{words}")
        checked = " checked" if choice.selected else ""
        parts.append(
            f'\n      \n      <div class="{div_class}">\n'
            f'        <input{input_class} id="{option_id}" name="{name}" type="radio" value="{value}"{checked}>\n'
            f'        <label class="{label_class}" for="{option_id}">{label}</label>\n'
            "      </div>\n    "
        )
    return Markup("".join(parts))


ASSETS = [("park", 'Swanley Park <&> "quoted"', "go to"), ("library", "The library", None)]


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _sections() -> list[Instrument]:
    sections = [instruments.get(key) for key in instruments.catalogue() if key != "asset_use"]
    asset_use = instruments.instantiate_asset_use(instruments.get("asset_use"), ASSETS)
    return [*sections, *(page.form for page in survey_pages([asset_use], {})), _to_escape(sections)]


def _to_escape(sections: list[Instrument]) -> Instrument:
    """Every choice item again with option labels and texts that must be escaped."""
    items = [
        dataclasses.replace(
            item,
            key=f"{item.key}_escaped",
            text=f"{item.text} <b>&</b>",
            options=tuple(
                Option(option.code, option.label if option.label == str(option.code) else f'{option.label} <&> "x"')
                for option in item.options
            ),
        )
        for section in sections
        for item in section.items
        if item.type == "choice"
    ]
    return dataclasses.replace(sections[0], key="escaped", items=tuple(items))


def _states(item: Item) -> Iterator[tuple[str, Any, str | None]]:
    yield "blank", {}, None
    for option in item.options:
        yield f"chose {option.code}", {item.key: option.code}, None
    if item.prefer_not_to_say:
        yield "declined", {item.key: DECLINED}, None
    yield "error", {}, 'Answer <this> & "that"'


@pytest.fixture(scope="module")
def markup_app() -> Flask:
    return create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "radio-markup", "WTF_CSRF_ENABLED": False})


def test_radio_questions_match_the_macros_they_replaced(markup_app: Flask) -> None:
    compared = 0
    seen: set[str] = set()
    reference = markup_app.jinja_env.from_string(REFERENCE, {"radio_options": _reference_radio_options})
    current = markup_app.jinja_env.from_string(CURRENT)
    with markup_app.test_request_context():
        for section in _sections():
            for item in section.items:
                if item.type != "choice":
                    continue
                for state, data, error in _states(item):
                    for inline in (False, True):
                        form = section_form(section, enforce_required=True, data=data)
                        field = form[item.key]
                        if error:
                            field.errors = [error]
                        context = dict(
                            field=field,
                            item=item,
                            form=form,
                            inline=inline,
                            declined=DECLINED,
                            declined_value=DECLINED_VALUE,
                        )
                        expected = _normalised(reference.render(context))
                        drawn = _normalised(current.render(context))
                        assert drawn == expected, f"{section.key} {item.key} {state} inline={inline}"
                        compared += 1
                        style = re.search(r'class="(scale-options|app-likert |govuk-radios )', drawn)
                        seen.add(style.group(1) if style else "none")
    # Every style and the escaping were exercised, not just the common case.
    assert seen == {"scale-options", "app-likert ", "govuk-radios "}
    assert compared > 300
