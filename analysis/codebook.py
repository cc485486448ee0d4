"""The codebook of the analysis dataset, generated from the instrument definitions.

One row per variable of ``responses.csv``, ``assets.csv`` and ``campaigns.csv``: label, the
question's stem (the instrument's lead-in, e.g. "In the past two weeks, how often have you..."), type,
codes and their labels, instrument and version, source, licence, and whether the questions
are the project's own (unvalidated) or a published instrument. The downloads issue exports it.
"""

from __future__ import annotations

import pandas as pd

import instruments
from analysis.columns import ASSET_KINDS, MODES, RESPONSE_STATUSES, kind_columns
from analysis.dataset import records
from instruments import Instrument, Item, ScoringRule

CODEBOOK_COLUMNS = (
    "file",
    "variable",
    "label",
    "stem",
    "type",
    "codes",
    "instrument",
    "version",
    "source",
    "licence",
    "project_own",
)
PROJECT = "Project's own (community wellbeing survey platform)"
PROJECT_LICENCE = "The project's own wording; free to use and adapt."


def fixed_category_codes(texts: tuple[str, ...]) -> str:
    """A category's values, and the numbers SPSS and Stata hold for them (labelled; from 1, in this order)."""
    numbers = ", ".join(f"{code} = {text}" for code, text in enumerate(texts, start=1))
    return f"{'; '.join(texts)} (SPSS and Stata: {numbers})"


# Paradata (analysis.paradata): how and when each response was collected; blank = not recorded.
PARADATA_ROWS = (
    (
        "status",
        "complete = submitted; partial = never submitted (exported only on request, never analysed)",
        "category",
        fixed_category_codes(RESPONSE_STATUSES),
    ),
    (
        "started_at",
        "When the response was started: consent given, interview begun or paper keying begun (UTC)",
        "datetime",
        "",
    ),
    (
        "duration_seconds",
        "Seconds from started_at to submitted_at; blank while partial and for paper forms",
        "integer",
        ">= 0",
    ),
    (
        "pages_saved",
        "Pages saved online or in the interview (Continue, Back, Save); blank for paper",
        "integer",
        ">= 0",
    ),
    ("resumed", "Came back later with a resume code (online only); blank for paper", "0/1", "0 = no; 1 = yes"),
    ("wave", "Round of a repeat survey of the same community (campaign attribute, 1 = first)", "integer", ">= 1"),
    (
        "interviewer",
        "Pseudonymous code of the interviewer (interviews only); the mapping to staff is kept by administrators",
        "text",
        "S + 5 characters",
    ),
    ("keyer", "Pseudonymous code of the person who keyed the paper form (first entry)", "text", "S + 5 characters"),
    (
        "second_keyer",
        "Pseudonymous code of the second, independent keyer of a double-entered paper form",
        "text",
        "S + 5 characters",
    ),
)
# The ONS questions are each their own measure; anxiety runs the other way from the other three.
ONS4_NOTES = {"ons_anxious": "; higher = more anxious, i.e. worse, unlike the other three"}


def codebook(assets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The codebook as a DataFrame with columns ``file, variable, label, stem, type, codes, instrument,
    version, source, licence, project_own`` (``stem`` blank where the question stands alone).

    Parameters
    ----------
    assets
        An assets table (``slug``, ``name`` at least): one pair of asset rows per asset.
        Without it, the asset columns appear once as the pattern ``asset_<slug>``.
    """
    rows: list[dict[str, object]] = []
    add = rows.append
    own = {
        "instrument": "(dataset)",
        "version": "",
        "source": PROJECT,
        "licence": PROJECT_LICENCE,
        "project_own": "yes",
    }
    meta = [
        ("response_id", "Public id of the response: random, never linked to contact details", "text", ""),
        ("community", "Community (slug)", "text", ""),
        ("campaign", "Survey campaign (slug); practice campaigns are never included", "text", ""),
        ("mode", "How the questionnaire was completed", "category", fixed_category_codes(MODES)),
        (
            "verified",
            "Verified: 0 while a paper form awaits its second keying or has unresolved differences",
            "0/1",
            "0 = not yet verified; 1 = verified",
        ),
        ("submitted_at", "When the response was submitted (ISO 8601, UTC; blank while partial)", "datetime", ""),
        *PARADATA_ROWS,
    ]
    for variable, label, kind, codes in meta:
        add({"file": "responses.csv", "variable": variable, "label": label, "type": kind, "codes": codes, **own})
    demographics = instruments.get("demographics")
    for key in ("age_band", "gender", "employment", "years_in_area"):
        add(_item_row(demographics, demographics.item(key)))
    ons4 = instruments.get("ons4")
    for item in ons4.items:
        note = f" (ONS personal well-being, 0-10{ONS4_NOTES.get(item.key, '')}; blank = not asked or not answered)"
        add(_item_row(ons4, item, text=item.text + note))
    for key in ("wemwbs", "sixways"):
        instrument = instruments.get(key)
        for item in instrument.items:
            add(_item_row(instrument, item))
    template = instruments.get("asset_use")
    if assets is None:
        pairs = [("<slug>", "<asset name>", "<phrase>")]
    else:
        phrases = assets["question_phrase"] if "question_phrase" in assets else ["use or go to"] * len(assets)
        pairs = list(
            zip(assets["slug"].astype(str), assets["name"].astype(str), [str(p) for p in phrases], strict=True)
        )
    for slug, name, phrase in pairs:
        for item_template in template.item_templates:
            key = item_template.key.replace("{slug}", slug)
            text = item_template.text.replace("{phrase}", phrase).replace("{name}", name)
            if item_template.screener:
                screener = item_template.screener.replace("{phrase}", phrase).replace("{name}", name)
                text += f' (online and in interviews asked after "{screener}": No = 0 Never)'
            add(_item_row(template, item_template, key=key, text=text + " (blank = not asked or not answered)"))
    for key in ("wemwbs", "swemwbs", "sixways"):
        instrument = instruments.get(key)
        for rule in instrument.scoring:
            add(_score_row(instrument, rule))
    for kind, column in zip(ASSET_KINDS, kind_columns(), strict=True):
        add(
            {
                "file": "responses.csv",
                "variable": column,
                "label": f"Number of assets of kind '{kind}' the person uses at all (use >= 1). Blank when the "
                "community has such assets but none of those questions was answered; 0 when it has none",
                "type": "count",
                "codes": "0 or more",
                **own,
            }
        )
    asset_rows = [
        ("slug", "Asset id; names the columns asset_<slug> and asset_<slug>_value", "text", ""),
        ("name", "Asset name as residents were asked about it (latest campaign)", "text", ""),
        ("kind", "Kind of asset", "category", "; ".join(ASSET_KINDS)),
        ("community", "Community (slug) whose residents were asked about the asset", "text", ""),
        ("annual_cost", "Annual running cost in pounds (blank = unknown)", "number", ">= 0"),
        ("cost_year", "Price year of annual_cost, e.g. 2024 (blank = unknown)", "integer", "1900-2100"),
        ("community_name", "Community name, for reports (optional)", "text", ""),
    ]
    for variable, label, kind, codes in asset_rows:
        add({"file": "assets.csv", "variable": variable, "label": label, "type": kind, "codes": codes, **own})
    campaign_rows = [
        ("campaign", "Survey campaign (slug)", "text", ""),
        ("community", "Community (slug)", "text", ""),
        (
            "population_size",
            "Residents in the surveyed ages (16+ by default) that the sample represents, never a whole-town "
            "total with children (blank = not recorded)",
            "integer",
            "> 0",
        ),
        (
            "sampling_method",
            "How respondents were chosen: random (users scaled to the population), quota (scaled, with a "
            "warning), convenience (surveyed users only); blank = not recorded",
            "category",
            "random; quota; convenience",
        ),
        ("population_source", "Where population_size comes from, e.g. ONS mid-year estimates 2023", "text", ""),
        ("community_name", "Community name, for reports (optional)", "text", ""),
    ]
    for variable, label, kind, codes in campaign_rows:
        add({"file": "campaigns.csv", "variable": variable, "label": label, "type": kind, "codes": codes, **own})
    adjustment_rows = [
        ("asset", "Asset (slug) the agreed SROI adjustments apply to", "text", ""),
        ("deadweight", "Share of the association judged not caused by the asset (deducted)", "number", "0-1"),
        ("attribution", "Share of the outcome due to others (deducted)", "number", "0-1"),
        ("displacement", "Share that only moved benefit from elsewhere (deducted)", "number", "0-1"),
        ("drop_off", "Yearly fall in the value after the first year", "number", "0-1"),
        ("years", "Years of the asset's activity valued (blank = 1)", "integer", ">= 1"),
        ("reason", "Why these shares were agreed", "text", ""),
        ("agreed_by", "Who agreed them (names or roles)", "text", ""),
        ("agreed_on", "When they were agreed (YYYY-MM-DD)", "date", ""),
        (
            "campaign",
            "Campaign (slug) the adjustments were stored for (the latest with some for the asset)",
            "text",
            "",
        ),
        ("source", "Where they were agreed: the impact workshop's title and date; blank = staff", "text", ""),
    ]
    for variable, label, kind, codes in adjustment_rows:
        add({"file": "adjustments.csv", "variable": variable, "label": label, "type": kind, "codes": codes, **own})
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS)).fillna({"stem": ""})


def codebook_markdown(table: pd.DataFrame | None = None) -> str:
    """The codebook as Markdown: one table per file, then each instrument's source and licence once."""
    frame = codebook() if table is None else table
    lines = [
        "# Codebook: the analysis dataset",
        "",
        "Generated by `python -m analysis codebook --format md` from the instrument definitions in",
        "`instruments/definitions/` (do not edit by hand). A blank cell is missing. Scores are computed by the",
        "scoring library on complete cases (a score with any item missing is blank).",
        "",
    ]
    for file, rows in frame.groupby("file", sort=False):
        lines += [
            f"## {file}",
            "",
            "| variable | label | type | codes | instrument | own |",
            "|---|---|---|---|---|---|",
        ]
        for row in records(rows):
            label = str(row["instrument"])
            instrument = f"{label} v{row['version']}" if row["version"] != "" else label
            cells = [f"`{row['variable']}`", row["label"], row["type"], row["codes"], instrument, row["project_own"]]
            lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    lines += ["## Instruments: sources and licences", ""]
    for key, rows in frame.groupby("instrument", sort=False):
        first = records(rows)[0]
        lines += [f"### {key}", "", f"- Source: {first['source']}", f"- Licence: {first['licence']}", ""]
    return "\n".join(lines)


def _item_row(
    instrument: Instrument, item: Item, *, key: str | None = None, text: str | None = None
) -> dict[str, object]:
    anchors = item.scale_anchors
    if anchors is not None:
        low, high = anchors
        codes = f"{low.code}-{high.code}: {low.code} = {low.label}; {high.code} = {high.label}"
        kind = "code"
    elif item.type == "choice":
        codes = "; ".join(f"{option.code} = {option.label}" for option in item.options)
        kind = "code"
    elif item.type == "integer":
        codes = f"whole number {item.min}-{item.max}"
        kind = "integer"
    else:
        codes = ""
        kind = "text"
    return {
        "file": "responses.csv",
        "variable": key or item.key,
        "label": text or item.text,
        "stem": " ".join(instrument.stem.split()),
        "type": kind,
        "codes": codes,
        **_instrument_columns(instrument),
    }


def _score_row(instrument: Instrument, rule: ScoringRule) -> dict[str, object]:
    low, high = rule.range
    method = {"sum": "sum of items", "mean": "mean of items", "lookup": f"conversion table from {rule.source}"}
    decimals = f", {rule.decimals} decimals" if rule.decimals is not None else ""
    columns = _instrument_columns(instrument)
    if rule.reference:
        columns["source"] = f"{columns['source']} Scoring: {rule.reference}"
    return {
        "file": "responses.csv",
        "variable": rule.name,
        "label": rule.label or rule.name,
        "type": f"score ({method[rule.method]}{decimals})",
        "codes": f"range {low:g}-{high:g}; blank = not scorable (an item missing)",
        **columns,
    }


def _instrument_columns(instrument: Instrument) -> dict[str, object]:
    licence = instrument.licence.terms
    if instrument.licence.notice:
        licence = f"{licence} Notice: {instrument.licence.notice}"
    return {
        "instrument": instrument.key,
        "version": instrument.version,
        "source": " ".join(instrument.source.split()),
        "licence": " ".join(licence.split()),
        "project_own": "yes" if instrument.project_own else "no",
    }
