"""Rules for paper forms: batches, printing, tracking, keying, resolving and statistics."""

from __future__ import annotations

from survey.paper.operations import Keyed, issue_batch, record_entry
from survey.paper.printing import form_sections
from tests.access import RESEARCH, STAFF, Rule

RULES = [
    Rule("paper.home", "GET", "/paper/", STAFF),
    Rule("paper.lookup", "GET", "/paper/entry", STAFF),
    Rule("paper.returns", "GET", "/paper/returns", STAFF),
    Rule("paper.returns", "POST", "/paper/returns", STAFF),
    Rule("paper.stats", "GET", "/paper/stats", RESEARCH),
    Rule("paper.issue", "GET", "/paper/campaigns/{campaign_own}/issue", RESEARCH),
    Rule("paper.issue", "POST", "/paper/campaigns/{campaign_own}/issue", RESEARCH),
    Rule("paper.issue", "GET", "/paper/campaigns/{campaign_other}/issue", RESEARCH),
    Rule("paper.issue", "POST", "/paper/campaigns/{campaign_other}/issue", RESEARCH),
    Rule("paper.print_form", "GET", "/paper/campaigns/{campaign_own}/print", STAFF),
    Rule("paper.print_form", "GET", "/paper/campaigns/{campaign_other}/print", RESEARCH),
    Rule("paper.batch", "GET", "/paper/batches/{paper_batch_own}", STAFF),
    Rule("paper.batch", "GET", "/paper/batches/{paper_batch_other}", RESEARCH),
    Rule("paper.batch_pdf", "GET", "/paper/batches/{paper_batch_own}/pdf", STAFF),
    Rule("paper.batch_pdf", "GET", "/paper/batches/{paper_batch_other}/pdf", RESEARCH),
    Rule("paper.form_status", "POST", "/paper/forms/{paper_form_own}/status", STAFF),
    Rule("paper.form_status", "POST", "/paper/forms/{paper_form_other}/status", RESEARCH),
    Rule("paper.entry", "GET", "/paper/forms/{paper_form_own}/entry", STAFF),
    Rule("paper.entry", "POST", "/paper/forms/{paper_form_own}/entry", STAFF),
    Rule("paper.entry", "GET", "/paper/forms/{paper_form_other}/entry", RESEARCH),
    Rule("paper.entry", "POST", "/paper/forms/{paper_form_other}/entry", RESEARCH),
    Rule("paper.resolve", "GET", "/paper/forms/{paper_discrepant_own}/resolve", RESEARCH),
    Rule("paper.resolve", "POST", "/paper/forms/{paper_discrepant_own}/resolve", RESEARCH),
    Rule("paper.resolve", "GET", "/paper/forms/{paper_discrepant_other}/resolve", RESEARCH),
    Rule("paper.resolve", "POST", "/paper/forms/{paper_discrepant_other}/resolve", RESEARCH),
]


def _answers(campaign, change: str | None = None) -> dict[str, Keyed]:
    """A whole form keyed: first code of every choice item, 10 for numbers, written answers blank."""
    items = [printed.item for section in form_sections(campaign) for printed in section.items]
    keyed = {}
    for item in items:
        if item.type == "choice":
            keyed[item.key] = Keyed(item.codes[-1] if item.key == change else item.codes[0])
        elif item.type == "integer":
            keyed[item.key] = Keyed(10)
        else:
            keyed[item.key] = Keyed(None, "blank")
    return keyed


def build(world) -> None:
    """In each community a batch of two forms: one blank, one keyed twice with one discrepancy."""
    researcher = world.users["researcher"]
    for key, community, peer in (("own", world.own, "peer"), ("other", world.other, "peer_other")):
        campaign = community.campaigns[0]
        batch = issue_batch(campaign, world.users[peer], researcher, 2)
        blank, discrepant = batch.forms
        discrepant.needs_double_entry = True
        record_entry(discrepant, world.users[peer], _answers(campaign), 1)
        record_entry(discrepant, researcher, _answers(campaign, change="wemwbs_1"), 2)
        world.ids[f"paper_batch_{key}"] = batch.id
        world.ids[f"paper_form_{key}"] = blank.serial
        world.ids[f"paper_discrepant_{key}"] = discrepant.serial
