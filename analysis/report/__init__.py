"""The workshop report: one self-contained HTML file with embedded PNG figures, for non-statisticians.

Nothing in the file points outside it (no scripts, style sheets, fonts or images from
elsewhere): it is served as a download and opened from disk. Names are shown, never slugs;
counts under the disclosure threshold are blanked in tables and text alike.

The page is the Jinja template ``templates/report.html.j2`` (one template per section under
``templates/sections/``, autoescaped). The text of each section comes from `sections`
(wellbeing), `assets` (use and effects), `value` (ledger, sensitivity), `workshop` (impact
workshop ratings, when the result has them), `deep_dives` (what deep-dive interviews said, when
the result has it) and `methods` (methods, references, provenance),
with numbers phrased by `phrases`; `figures` draws the charts, `tables` writes table cells
and `names` gives names and community colours.
"""

from __future__ import annotations

from pathlib import Path

from analysis.report.assets import effects_section, use_section
from analysis.report.deep_dives import deep_dive_section
from analysis.report.methods import methods_section, provenance_section, write_provenance
from analysis.report.names import names_for
from analysis.report.sections import (
    introduction,
    kinds_section,
    personal_wellbeing_section,
    reliability_section,
    sixways_section,
    wellbeing_section,
)
from analysis.report.templating import render
from analysis.report.value import value_section
from analysis.report.workshop import workshop_section
from analysis.result import AnalysisTables

__all__ = ["render_report", "write_provenance", "write_report"]

TITLE = "Community wellbeing and assets: workshop report"


def write_report(result: AnalysisTables, path: str | Path) -> Path:
    """Write ``report.html`` for `result`; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(result), encoding="utf-8")
    return target


def render_report(result: AnalysisTables) -> str:
    """The report as one HTML document (a string)."""
    names = names_for(result)
    return render(
        "report.html.j2",
        title=TITLE,
        introduction=introduction(result, names),
        wellbeing=wellbeing_section(result, names),
        personal_wellbeing=personal_wellbeing_section(result, names),
        sixways=sixways_section(result, names),
        use=use_section(result, names),
        effects=effects_section(result, names),
        kinds=kinds_section(result),
        value=value_section(result, names),
        workshop=workshop_section(result, names),
        deep_dives=deep_dive_section(result, names),
        reliability=reliability_section(result, names),
        methods=methods_section(result),
        provenance=provenance_section(result),
    )
