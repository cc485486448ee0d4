"""The report's "What people said" section from the optional deep-dive tables: absent without them,
counts in a table and ``deep_dive_counts.csv`` (no text), at most two quotes per asset with the
caveats, bad tables refused with a clear ValueError."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analysis import with_deep_dive_quotes
from analysis.deep_dive_quotes import (
    DEEP_DIVE_COUNT_COLUMNS,
    REPORT_QUOTES,
    check_deep_dive_counts,
    check_deep_dive_quotes,
)
from analysis.report import render_report

HEADING = "<h2 id='deep-dives'>What people said</h2>"


def section(document: str) -> str:
    return html.unescape(document.split(HEADING, 1)[1].split("<h2", 1)[0])


def frames(asset: str, community: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = pd.DataFrame([{"community": community, "asset": asset, "excerpts": 5, "interviews": 3, "quotable": 3}])
    quotes = pd.DataFrame(
        [
            (community, asset, "NOR-01", "2026-01-05", "First <words>, from January.", False),
            (community, asset, "NOR-02", "2026-03-12", "Second words, from March.", True),
            (community, asset, "NOR-02", "2026-03-12", "Third words: never shown, two at most.", True),
        ],
        columns=["community", "asset", "participant", "held_on", "text", "synthetic"],
    )
    return counts, quotes


def _first_asset(result) -> tuple[str, str, str]:
    row = result.dataset.assets.iloc[0]
    return str(row["slug"]), str(row["community"]), str(row["name"])


def test_without_deep_dives_the_report_and_tables_are_unchanged(synthetic_result) -> None:
    assert synthetic_result.deep_dive_counts is None and "deep_dive_counts" not in synthetic_result.tables()
    assert with_deep_dive_quotes(synthetic_result, None) is synthetic_result
    counts, quotes = frames("x", "y")
    assert with_deep_dive_quotes(synthetic_result, counts[0:0], quotes[0:0]) is synthetic_result
    assert HEADING not in render_report(synthetic_result)


def test_the_section_shows_counts_and_two_quotes_with_the_caveats(synthetic_result, tmp_path) -> None:
    slug, community, name = _first_asset(synthetic_result)
    counts, quotes = frames(slug, community)
    result = with_deep_dive_quotes(synthetic_result, counts, quotes)
    assert synthetic_result.deep_dive_counts is None  # the original result is left alone
    pd.testing.assert_frame_equal(result.tables()["deep_dive_counts"], check_deep_dive_counts(counts))
    document = render_report(result)
    assert "First &lt;words&gt;" in document  # escaped
    shown = section(document)
    assert f"<h3>{name} (" in shown
    assert "5 excerpts from 3 interviews code this asset (3 may be quoted)." in shown
    assert "“First <words>, from January.”" in shown and "“Second words, from March.”" in shown
    assert "Third words" not in shown and REPORT_QUOTES == 2
    assert "— participant NOR-01, interviewed 5 January 2026" in shown
    assert shown.count(">Synthetic<") == 1
    assert "not evidence that an asset has an effect" in shown and "chosen by consent and by order" in shown
    assert "not to represent the community" in shown
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown)
    assert cells[:5] == [name, cells[1], "5", "3", "3"]

    paths = result.write(tmp_path, report=False)
    written = pd.read_csv(paths["deep_dive_counts"])
    assert list(written.columns) == list(DEEP_DIVE_COUNT_COLUMNS)  # counts only: no text column
    assert "words" not in paths["deep_dive_counts"].read_text(encoding="utf-8")


def test_an_asset_with_counts_but_no_quotable_excerpt_shows_its_counts_only(synthetic_result) -> None:
    slug, community, _ = _first_asset(synthetic_result)
    counts, _ = frames(slug, community)
    shown = section(render_report(with_deep_dive_quotes(synthetic_result, counts.assign(quotable=0))))
    assert "(0 may be quoted)" in shown and "<blockquote>" not in shown


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["quotable"]), "missing column"),
        (lambda f: f.assign(asset=" "), "asset is blank"),
        (lambda f: f.assign(excerpts=-1), "excerpts must be a whole number"),
        (lambda f: f.assign(interviews=1.5), "interviews must be a whole number"),
        (lambda f: f.assign(interviews=9), "more interviews than excerpts"),
        (lambda f: f.assign(quotable=9), "more quotable excerpts than excerpts"),
        (lambda f: pd.concat([f, f]), "more than one row"),
    ],
)
def test_bad_counts_are_refused_with_the_reason(synthetic_result, change, message) -> None:
    counts, quotes = frames("north_library", "north")
    with pytest.raises(ValueError, match=message):
        with_deep_dive_quotes(synthetic_result, change(counts), quotes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["participant"]), "missing column"),
        (lambda f: f.assign(text=""), "text is blank"),
        (lambda f: f.assign(held_on="12 March"), "held_on must be a date"),
        (lambda f: f.assign(synthetic="maybe"), "synthetic must be true or false"),
        (lambda f: f.assign(asset="elsewhere"), "no counts for elsewhere"),
        (lambda f: pd.concat([f, f]), "more quotes of an asset than its quotable excerpts"),
    ],
)
def test_bad_quotes_are_refused_with_the_reason(synthetic_result, change, message) -> None:
    counts, quotes = frames("north_library", "north")
    assert len(check_deep_dive_quotes(quotes, check_deep_dive_counts(counts))) == 3
    with pytest.raises(ValueError, match=message):
        with_deep_dive_quotes(synthetic_result, counts, change(quotes))
