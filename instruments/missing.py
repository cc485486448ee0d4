"""The project's missing-data codes: numbers an export may write where an answer is missing.

One scheme for every export (issue 13), after REDCap's missing-data codes: -1 not asked, -2
skipped, -3 more than one answer (paper), -4 prefer not to say, -5 don't know. No item's answer
is negative, so the scoring and the code checks read these numbers as missing answers, wherever they
come from (a coded CSV export, a DataFrame read from one, `python -m instruments score`). Defined
here, the lowest package, so that `instruments` and `analysis` share one list.
"""

from __future__ import annotations

MISSING_REASON_CODES = {"not_asked": -1, "skipped": -2, "multiple": -3, "declined": -4, "dont_know": -5}
MISSING_DATA_CODES = tuple(sorted(MISSING_REASON_CODES.values()))
