"""The grades of the evidence that an asset goes with higher wellbeing, and how outputs name them.

Apart from `analysis.evidence`, which grades with the models (statsmodels, scipy), so that a map or
an export that only shows a stored grade need not load them.
"""

EVIDENCE_GRADES = ("clear", "suggestive", "none", "not_estimated")
# How every output names a grade (report, profiles, map key).
EVIDENCE_LABELS = {
    "clear": "Clear",
    "suggestive": "Suggestive (not established)",
    "none": "None",
    "not_estimated": "Not estimated",
}
