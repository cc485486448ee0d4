"""The fixed lists the tables store (as text with a CHECK constraint), and the asset question's wording.

The lists a dataset shares with the analysis (modes, asset kinds, six ways dimensions, sampling
methods, the slug rule) are defined once, in `analysis.columns`, and imported here.
"""

from __future__ import annotations

from analysis.columns import ASSET_KINDS as ASSET_KINDS
from analysis.columns import MODES as MODES
from analysis.columns import POPULATION_SIZE_MAX as POPULATION_SIZE_MAX
from analysis.columns import SAMPLING_METHODS as SAMPLING_METHODS
from analysis.columns import SIXWAYS_DIMENSIONS as SIXWAYS_DIMENSIONS
from analysis.columns import SLUG_PATTERN, STORED_MISSING_REASONS

ROLES = ("admin", "researcher", "peer")


# "importing": written by a response import that has not published its batch yet (survey.datasets.
# import_batches); every reader already counts "complete" (or "partial") only, so these stay unseen.
RESPONSE_STATUSES = ("partial", "complete", "importing")


CAMPAIGN_STATUSES = ("draft", "open", "closed")


# "declined": the person chose "Prefer not to say" (residents online); never stored as an option code.
# The export's missing-data codes (analysis.columns.MISSING_REASON_CODES) are built on these.
MISSING_REASONS = STORED_MISSING_REASONS


PAPER_FORM_STATUSES = ("issued", "returned", "keyed", "verified", "spoiled")


AUDIT_ACTIONS = ("create", "update", "delete")


REPORT_STATUSES = ("queued", "running", "done", "failed")


# What a campaign's fieldwork quotas count: the community, or a demographics answer.
QUOTA_DIMENSIONS = ("community", "age_band", "gender")


ACCESS_CHANNELS = ("web", "api", "cli")


EXPORT_FORMATS = ("csv", "xlsx", "sav", "dta")


EXPORT_CONTENTS = ("both", "items", "scores")


# CSV and xlsx exports: a missing answer as a blank cell or as its missing-data code (issue 13), and
# coded answers as their codes or their labels. SPSS and Stata files always carry both.
EXPORT_MISSING = ("blank", "codes")


EXPORT_LABELS = ("codes", "labels")


# `analysis.adjustments.FRACTIONS` in the order staff read them (the form, the CSV download).
ADJUSTMENT_FRACTIONS = ("deadweight", "displacement", "attribution", "drop_off")


# An asset slug becomes a variable name (`asset_<slug>`) in SPSS and Stata files (analysis.columns says why).
ASSET_SLUG_PATTERN = SLUG_PATTERN.pattern


# The verb residents read in "Do you <phrase> <asset>?" unless the asset log gives its own.
DEFAULT_QUESTION_PHRASES = {
    "place": "go to",
    "community_group": "take part in",
    "voluntary_org": "use",
    "individual": "see",
    "other": "use or go to",
}


QUESTION_PHRASE_MAX = 40


def default_question_phrase(kind: str | None) -> str:
    return DEFAULT_QUESTION_PHRASES.get(kind or "", DEFAULT_QUESTION_PHRASES["other"])


WORKSHOP_STATUSES = ("open", "closed")
# Whom an impact workshop's participant speaks for (optional): the stakeholder groups of the issue.
PARTICIPANT_GROUPS = ("resident", "voluntary_group", "council", "health", "business", "other")


# A deep-dive participant's pseudonym ("DOV-07"): letters, digits, "-", "_" and ".", starting with a
# letter or digit, so an e-mail address or a full name with spaces cannot be typed into it.
PARTICIPANT_CODE_MAX = 40
PARTICIPANT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
# UK postcodes as written ("CT17 9DQ"), checked loosely: the outward code, a space or none, the inward code.
POSTCODE_PATTERN = r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"
