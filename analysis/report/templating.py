"""The Jinja environment of the report: templates from ``analysis/report/templates``, autoescaped.

Every value a template prints is HTML-escaped unless it is `markupsafe.Markup`: the sentences
that carry emphasis are built as Markup with their names and numbers escaped.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

# What a section gives its template: sentences, figures and tables by name.
Context = dict[str, Any]


@functools.cache
def environment() -> Environment:
    """The report's Jinja environment (made once)."""
    return Environment(
        loader=PackageLoader("analysis.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name fails the report instead of leaving a gap
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """`template` rendered with `context`."""
    return environment().get_template(template).render(**context)
