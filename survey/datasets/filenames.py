"""Downloads named for what they hold, and an export's filters said in words (issue 13, point 7).

A name reads ``survey-<scope>-<format>[-<content>][-verified][-with-partial][-coded][-labelled]-<YYYY-MM-DD>.zip``
(``coded``: missing answers as their codes in CSV/xlsx; ``labelled``: value labels in place of codes),
e.g. ``survey-dover-town-sav-verified-2026-12-04.zip``: the scope is the campaign and community
slugs asked for (``all`` for no restriction; up to three, then ``-and-N-more``), the content is
left out when it is both answers and scores, and the date is the day the data was read (UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

CONTENT_WORDS = {"both": "answers and scores", "items": "answers only", "scores": "scores only"}
FORMAT_WORDS = {"csv": "CSV", "xlsx": "Excel (xlsx)", "sav": "SPSS (.sav)", "dta": "Stata (.dta)"}
MISSING_IN_STATISTICS_FILES = {
    "sav": "user-missing codes (-1 to -5) with labels",
    "dta": "extended missing values (.a to .e) with labels",
}
_SCOPE_SLUGS = 3
_SCOPE_MAX = 80


def scope_of(campaigns: Sequence[str] | None, communities: Sequence[str] | None) -> str:
    """The slugs asked for, joined, or ``all``."""
    slugs = [*(campaigns or ()), *(communities or ())]
    if not slugs:
        return "all"
    shown = "-".join(slugs[:_SCOPE_SLUGS])
    if len(slugs) > _SCOPE_SLUGS:
        shown += f"-and-{len(slugs) - _SCOPE_SLUGS}-more"
    return shown


def download_name(
    *,
    campaigns: Sequence[str] | None,
    communities: Sequence[str] | None,
    format: str,
    content: str,
    verified_only: bool,
    include_partial: bool,
    missing: str = "blank",
    labels: str = "codes",
    when: datetime,
) -> str:
    """The zip's file name; every part is reduced to safe file-name characters."""
    scope = _safe(scope_of(campaigns, communities))[:_SCOPE_MAX].strip("-") or "all"
    parts = ["survey", scope, _safe(format)]
    if content != "both":
        parts.append(_safe(content))
    if verified_only:
        parts.append("verified")
    if include_partial:
        parts.append("with-partial")
    if missing == "codes" and format in ("csv", "xlsx"):  # SPSS and Stata files always carry the codes
        parts.append("coded")
    if labels == "labels" and format in ("csv", "xlsx"):
        parts.append("labelled")
    parts.append(when.strftime("%Y-%m-%d"))
    return "-".join(parts) + ".zip"


def _safe(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in text)


def filter_summary(
    *,
    campaigns: Sequence[str] | None,
    communities: Sequence[str] | None,
    format: str,
    content: str,
    verified_only: bool,
    include_partial: bool,
    missing: str = "blank",
    labels: str = "codes",
) -> list[tuple[str, str]]:
    """(what, chosen) pairs for a summary list: every filter of an export, in words."""
    return [
        ("Campaigns", ", ".join(campaigns) if campaigns else "all campaigns (practice runs never)"),
        ("Communities", ", ".join(communities) if communities else "all communities"),
        ("Format", FORMAT_WORDS.get(format, format)),
        ("Content", CONTENT_WORDS.get(content, content)),
        ("Verified only", "yes: paper forms awaiting their second keying left out" if verified_only else "no"),
        (
            "Partial responses",
            "included, with status partial" if include_partial else "left out (complete responses only)",
        ),
        *(
            [
                ("Missing answers", "as their codes (-1 to -5)" if missing == "codes" else "blank cells"),
                ("Answers", "as their labels" if labels == "labels" else "as codes"),
            ]
            if format in ("csv", "xlsx")
            else [("Missing answers", MISSING_IN_STATISTICS_FILES.get(format, "codes with labels"))]
        ),
    ]
