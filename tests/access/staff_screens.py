"""Rules for the staff screens added by issue 16: campaign quotas and making a failed batch PDF again."""

from __future__ import annotations

from tests.access import RESEARCH, Rule

RULES = [
    Rule("research.quotas", "GET", "/research/campaigns/{campaign_own}/quotas", RESEARCH),
    Rule("research.quotas", "GET", "/research/campaigns/{campaign_other}/quotas", RESEARCH),
    # A POST with only the CSRF token leaves every box blank: nothing is set (303 back to the campaign).
    Rule("research.quotas", "POST", "/research/campaigns/{campaign_own}/quotas", RESEARCH),
    Rule("research.quotas", "POST", "/research/campaigns/{campaign_other}/quotas", RESEARCH),
    # Only a failed PDF is made again; the matrix's batches have theirs (303 back to the batch).
    Rule("paper.remake_pdf", "POST", "/paper/batches/{paper_batch_own}/pdf/again", RESEARCH),
    Rule("paper.remake_pdf", "POST", "/paper/batches/{paper_batch_other}/pdf/again", RESEARCH),
]
