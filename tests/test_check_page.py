""" "Check your answers" reads as the questions were asked."""

from __future__ import annotations

import html as html_module

from tests.helpers import Resident, valid_answers

SIX_WAYS_LEAD_IN = "In the past two weeks, how often have you..."


def test_six_ways_answers_are_listed_under_the_words_their_questions_finish(client, make_campaign):
    # The six-ways questions are fragments ("tried something new or learned something new?") that
    # finish the page's lead-in; listed without it, "Check your answers" showed only the fragments.
    slug = make_campaign()
    resident = Resident(client, slug)
    assert resident.start().status_code == 303
    for number in range(1, 5):
        assert resident.post_page(number, valid_answers(resident.item_names(number))).status_code == 303

    page = html_module.unescape(client.get(f"/s/{slug}/check").get_data(as_text=True))
    six_ways = page.index("What you have been doing")
    lead_in = page.index(SIX_WAYS_LEAD_IN)
    first_fragment = page.index("tried something new")
    assert six_ways < lead_in < first_fragment
    # Only a stem the questions continue is repeated: WEMWBS statements stand on their own.
    assert page.count(SIX_WAYS_LEAD_IN) == 1
    assert "Below are some statements" not in page
