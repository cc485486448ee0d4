"""The options of a radio question as markup, for the macros of `_fields.html`.

Drawn in Python rather than by a Jinja loop: with a `{% set %}` and five escapes per option and
about 70 options a page, the loop was the largest part of drawing a survey page
(bench/bench_load.py). The markup is byte for byte what the loop wrote.
"""

from __future__ import annotations

from typing import Any, Literal

from markupsafe import Markup, escape

RadioStyle = Literal["scale", "radios", "likert"]

# Per style: the option's <div> class, the <input>'s class attribute and the <label>'s class.
_CLASSES: dict[str, tuple[str, str, str]] = {
    "scale": ("scale-option", "", "govuk-label"),
    "radios": ("govuk-radios__item", ' class="govuk-radios__input"', "govuk-label govuk-radios__label"),
    "likert": ("app-likert__item", ' class="app-likert__input"', "govuk-label app-likert__label"),
}


def radio_options(field: Any, style: RadioStyle) -> Markup:
    """Every option of a radio `field`, with the ids WTForms' option widgets use (`<field id>-<n>`).

    A scale ("scale") labels each radio with its number, and its two end points also with their
    words for screen readers; the others label it with its words.
    """
    div_class, input_class, label_class = _CLASSES[style]
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
