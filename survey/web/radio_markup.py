"""A radio question in GOV.UK Frontend markup, for the `question` macro of `_fields.html`.

Drawn in Python rather than by Jinja macros: a question took four macro calls (the question, its
style, its error message, its "(optional)" tag) and a `{% set %}` per option, about 80 µs, and a
survey page asks up to 22 questions; this takes a tenth of that (bench/bench_load.py). The markup
is what the macros wrote, less their blank lines, which is checked in tests/test_radio_markup.py
against a copy of those macros.

Three styles, chosen from the item as the macros chose them:
- a rating scale (the ONS 0-10 questions, `Item.scale_anchors`): one row of numbered radios that
  wraps on a narrow phone, the worded end points under it; each end point's words are also in its
  radio's label, so a screen reader hears "0 – Not at all satisfied" (the visible line is hidden from it);
- a Likert row of three to five worded points (WEMWBS, six ways, how often, how much it matters):
  each radio above its own label, so a question takes one short row on a phone instead of five;
- GOV.UK radios, side by side when asked (`inline`: yes/no) or when every label is short, with
  "Prefer not to say" after an "or" divider; its value is never an option code.
An error is shown above the options and linked by aria-describedby.
"""

from __future__ import annotations

from typing import Any, Literal

from markupsafe import Markup, escape

from instruments import Item

RadioStyle = Literal["scale", "radios", "likert"]
SHORT_LABEL = 14  # radios whose labels are all this short sit side by side

# Per style: the option's <div> class, the <input>'s class attribute and the <label>'s class.
_CLASSES: dict[str, tuple[str, str, str]] = {
    "scale": ("scale-option", "", "govuk-label"),
    "radios": ("govuk-radios__item", ' class="govuk-radios__input"', "govuk-label govuk-radios__label"),
    "likert": ("app-likert__item", ' class="app-likert__input"', "govuk-label app-likert__label"),
}


def radio_question(
    field: Any, item: Item, *, declined: object, declined_value: str, inline: bool = False, follow_up: bool = False
) -> Markup:
    """The whole form group of a radio `field` asking `item`.

    `declined` is the field's data when "Prefer not to say" was chosen, sent as `declined_value`.
    A `follow_up` ("How often ...?" after "Yes") is shown only when it must be answered, so it is
    not marked "(optional)", though the item is optional on the page as a whole.
    """
    style = _style(item, inline)
    error = field.errors[0] if field.errors else None
    field_id = escape(field.id)
    group_class = "govuk-form-group" + (" app-likert-group" if style == "likert" else "")
    described = ""
    error_line = ""
    if error is not None:
        group_class += " govuk-form-group--error"
        described = f' aria-describedby="{field_id}-error"'
        error_line = (
            f'\n    <p class="govuk-error-message" id="{field_id}-error">'
            f'<span class="govuk-visually-hidden">Error:</span> {escape(error)}</p>'
        )
    optional = "" if item.required or follow_up else ' <span class="app-optional">(optional)</span>'
    parts = [
        f'<div class="{group_class}">\n  <fieldset class="govuk-fieldset"{described}>\n',
        f'    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{escape(item.text)}{optional}</legend>',
        error_line,
        f'\n    <div class="{_options_class(style, item, inline)}"',
        ' data-module="govuk-radios">' if style == "radios" else ">",
        _options(field, style),
    ]
    if style == "radios" and item.prefer_not_to_say:
        option_id = f"{field_id}-declined"
        checked = " checked" if field.data is declined else ""
        parts.append(
            '\n      <div class="govuk-radios__divider">or</div>\n      <div class="govuk-radios__item">'
            f'<input class="govuk-radios__input" id="{option_id}" name="{escape(field.name)}" type="radio"'
            f' value="{escape(declined_value)}"{checked}>'
            f'<label class="govuk-label govuk-radios__label" for="{option_id}">Prefer not to say</label></div>'
        )
    parts.append("\n    </div>")
    anchors = item.scale_anchors if style == "scale" else None
    if anchors is not None:
        low, high = anchors
        parts.append(
            '\n    <p class="govuk-body-s scale-anchors" aria-hidden="true">'
            f"<span>{low.code} = {escape(low.label)}</span> <span>{high.code} = {escape(high.label)}</span></p>"
        )
    parts.append("\n  </fieldset>\n</div>\n")
    return Markup("".join(parts))


def _style(item: Item, inline: bool) -> RadioStyle:
    if item.scale_anchors is not None:
        return "scale"
    if not inline and not item.prefer_not_to_say and 3 <= len(item.options) <= 5:
        return "likert"
    return "radios"


def _options_class(style: RadioStyle, item: Item, inline: bool) -> str:
    if style == "scale":
        return "scale-options"
    if style == "likert":
        return f"app-likert app-likert--{len(item.options)}"
    short = max((len(option.label) for option in item.options), default=0) <= SHORT_LABEL
    return "govuk-radios govuk-radios--small" + (" govuk-radios--inline" if inline or short else "")


def _options(field: Any, style: RadioStyle) -> str:
    """Every option of the field, with the ids WTForms' option widgets use (`<field id>-<n>`)."""
    div_class, input_class, label_class = _CLASSES[style]
    name = escape(field.name)
    choices = list(field.iter_choices())
    last = len(choices) - 1
    parts = []
    for index, choice in enumerate(choices):
        option_id = escape(f"{field.id}-{index}")
        value = escape(choice.value)
        label = escape(choice.label)
        if style == "scale":
            words = f'<span class="govuk-visually-hidden"> – {label}</span>' if index in (0, last) else ""
            label = Markup(f"{value}{words}")
        checked = " checked" if choice.selected else ""
        parts.append(
            f'\n      <div class="{div_class}"><input{input_class} id="{option_id}" name="{name}" type="radio"'
            f' value="{value}"{checked}><label class="{label_class}" for="{option_id}">{label}</label></div>'
        )
    return "".join(parts)
