"""The workshop report: one self-contained HTML file with embedded PNG figures, for non-statisticians.

Nothing in the file points outside it (no scripts, style sheets, fonts or images from
elsewhere): it is served as a download and opened from disk. Names are shown, never slugs;
counts under the disclosure threshold are blanked in tables and text alike.

Modules: `html` (style sheet, tables, phrasing), `names` (names and community colours),
`figures`, `sections` (wellbeing), `assets` (use and effects), `value` (ledger, sensitivity),
`methods` (methods, references, provenance).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.assets import effects_section, use_section
from analysis.report.html import CSS
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
from analysis.report.value import value_section

if TYPE_CHECKING:
    from analysis.pipeline import AnalysisResult

__all__ = ["render_report", "write_provenance", "write_report"]

TITLE = "Community wellbeing and assets: workshop report"


def write_report(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``report.html`` for `result`; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(result), encoding="utf-8")
    return target


def render_report(result: AnalysisResult) -> str:
    """The report as one HTML document (a string)."""
    names = names_for(result)
    sections = [
        introduction(result, names),
        wellbeing_section(result, names),
        personal_wellbeing_section(result, names),
        sixways_section(result, names),
        use_section(result, names),
        effects_section(result, names),
        kinds_section(result),
        value_section(result, names),
        reliability_section(result, names),
        methods_section(result),
        provenance_section(result),
    ]
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{TITLE}</h1>
{body}
</main>
</body>
</html>
"""
