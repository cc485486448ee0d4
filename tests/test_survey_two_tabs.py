"""Two tabs of one browser on one campaign: a page drawn for one response never saves into another.

The cookie names the response this browser is filling in, for every tab; a Start (or a resume code)
in a second tab changes it. The first tab's pages then saved their answers into the second
response (two people at one computer: one person's answers in the other's survey).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Response
from tests.helpers import Resident, csrf_token, valid_answers

PAGES = 4
MARKER = re.compile(r'name="response" value="([0-9a-f]{32})"')


def _answers_by_response(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(Response.public_id, Answer.id).outerjoin(Answer)).all()
    counts: dict[str, int] = {}
    for public_id, answer_id in rows:
        counts[public_id] = counts.get(public_id, 0) + (answer_id is not None)
    return counts


def _page_form(client, slug: str, number: int) -> tuple[str, dict[str, str]]:
    html = client.get(f"/s/{slug}/page/{number}").get_data(as_text=True)
    marker = MARKER.search(html)
    assert marker is not None, "the page names its response"
    return marker.group(1), {"csrf_token": csrf_token(html), "response": marker.group(1), "action": "next"}


def test_a_page_from_another_tab_is_shown_again_not_saved_into_the_new_response(app, client, make_campaign):
    slug = make_campaign()
    first_tab = Resident(client, slug)
    first_tab.start()
    first_id, form = _page_form(client, slug, 1)
    answers = valid_answers(first_tab.item_names(1), code=2)
    # The second tab: the consent page again, Start (a new response; the cookie now names it).
    Resident(client, slug).start()
    assert set(_answers_by_response(app)) - {first_id}

    refused = client.post(f"/s/{slug}/page/1", data={**form, **{k: str(v) for k, v in answers.items()}})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "your answers were not saved" in html
    assert 'value="2" checked' in html  # what was typed is still on the page
    assert all(count == 0 for count in _answers_by_response(app).values())

    # Sent again from that page (it now names the survey open now), the answers are saved there, once.
    second_id = MARKER.search(html).group(1)  # type: ignore[union-attr]
    assert second_id != first_id
    again = client.post(
        f"/s/{slug}/page/1",
        data={"csrf_token": csrf_token(html), "response": second_id, "action": "next", **answers},
    )
    assert again.status_code == 303
    counts = _answers_by_response(app)
    assert counts[first_id] == 0 and counts[second_id] == len([k for k in answers if not k.endswith("-declined")])


def test_check_your_answers_from_another_tab_submits_nothing(app, client, make_campaign):
    slug = make_campaign()
    first_tab = Resident(client, slug)
    first_tab.start()
    for number in range(1, PAGES + 1):
        assert first_tab.post_page(number, valid_answers(first_tab.item_names(number))).status_code == 303
    html = client.get(f"/s/{slug}/check").get_data(as_text=True)
    first_id = MARKER.search(html).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf_token(html), "response": first_id}
    Resident(client, slug).start()  # the second tab starts another

    refused = client.post(f"/s/{slug}/check", data=data)
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/s/{slug}/check")
    with app.app_context():
        assert set(db.session.scalars(select(Response.status))) == {"partial"}
    # The first response is untouched, and sending its own page as the cookie names it still works.
    assert _answers_by_response(app)[first_id] > 0
