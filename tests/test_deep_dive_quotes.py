"""Deep-dive quotes in the evidence (issue 15, point 3): counts against an independent recount, quotes
only with quotation consent and in a fixed order, participant codes and never names, erasure felt at
once, on the asset profiles (researchers' and peers') and the workshop cards."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from survey.deepdives.quotes import (
    CARD_QUOTE_MAX,
    ELLIPSIS,
    asset_quotes,
    card_quotes,
    excerpt_counts_for_assets,
    quotes_for_assets,
    shorten,
)
from survey.extensions import db
from survey.models import Asset
from tests.quote_support import Said, add_deep_dive, erase, name_interviewers, recount
from tests.workshop_support import join, open_via_web, workshop_id

RESEARCHER, PEER, INTERVIEWER = "r@example.org", "peer@example.org", "interviewer.name@example.org"
FOUND_PEOPLE = "The library is where I found people again after the winter."
HEAD_CLEAR = "The seafront walk clears my head, and the library is on the way back."
PRIVATE = "I would not want this written down anywhere, but the library saved me."
LONG = " ".join(["When the heating went off I spent whole days in the library reading room."] * 7)  # over 400
PIER = " ".join(["The pier is where my grandfather fished and where I take my grandchildren on a Sunday."] * 5)


@pytest.fixture
def world(app, make_campaign, make_user):
    """Two communities, a researcher, a Dover peer, and deep dives of every kind of consent."""
    make_campaign("dover-town", asset_slugs=("dover_library", "dover_seafront"))
    make_campaign("deal", asset_slugs=("deal_pier",))
    make_user(RESEARCHER, "researcher")
    make_user(PEER, "peer", communities=("dover-town",))
    make_user(INTERVIEWER, "researcher")
    ids = {
        "recent": add_deep_dive(
            app,
            "dover-town",
            "DOV-03",
            date(2026, 3, 12),
            [
                Said(FOUND_PEOPLE, assets=("dover_library",), sixways=("connect",), themes=("isolation",)),
                Said(HEAD_CLEAR, assets=("dover_seafront", "dover_library"), sixways=("take_notice",)),
            ],
            synthetic=True,
            interviewer=INTERVIEWER,
        ),
        "private": add_deep_dive(
            app, "dover-town", "DOV-01", date(2026, 2, 1), [Said(PRIVATE, assets=("dover_library",))], quotation=False
        ),
        "long": add_deep_dive(
            app, "dover-town", "DOV-02", date(2026, 1, 5), [Said(LONG, assets=("dover_library",))], interviewer=PEER
        ),
        # Another community's interview coded to a Dover asset: never counted or quoted for it.
        "deal": add_deep_dive(
            app, "deal", "DEA-01", date(2025, 12, 1), [Said(PIER, assets=("deal_pier", "dover_library"))]
        ),
    }
    ids["people"] = name_interviewers(app)
    return ids


def _ids(app, *slugs: str) -> dict[str, int]:
    with app.app_context():
        return {slug: db.session.scalars(select(Asset.id).filter_by(slug=slug)).one() for slug in slugs}


def test_counts_and_quotes_agree_with_a_recount(app, world):
    ids = _ids(app, "dover_library", "dover_seafront", "deal_pier")
    with app.app_context():
        counts = excerpt_counts_for_assets(ids.values())
        quotes = quotes_for_assets(ids.values())
        limited = quotes_for_assets(ids.values(), limit_per_asset=2)
    for slug, asset_id in ids.items():
        expected = recount(app, slug)
        found = counts[asset_id]
        assert (found.excerpts, found.interviews, found.quotable) == (
            expected.excerpts,
            expected.interviews,
            expected.quotable,
        )
        assert [(quote.participant_code, quote.text) for quote in quotes[asset_id]] == expected.quotes
        assert [(quote.participant_code, quote.text) for quote in limited[asset_id]] == expected.quotes[:2]
    library = recount(app, "dover_library")
    assert (library.excerpts, library.interviews, library.quotable) == (4, 3, 3)  # the Deal interview left out
    assert [code for code, _ in library.quotes] == ["DOV-02", "DOV-03", "DOV-03"]  # by date, then transcript
    assert library.unquotable == [PRIVATE]
    first = quotes[ids["dover_library"]][1]
    assert first.attribution == "participant DOV-03, interviewed 12 March 2026"
    assert first.synthetic and first.community == "dover-town"
    assert first.other_codes == ("Connect", "Isolation")  # six ways first, then themes; not the asset itself
    assert quotes[ids["dover_seafront"]][0].other_codes == ("Take notice", "Dover Library")


def test_an_asset_nothing_codes_counts_zero_and_has_no_quotes(app, world):
    with app.app_context():
        asset = Asset(slug="dover_park", name="Dover Park", kind="place", community_id=_community_id("dover-town"))
        db.session.add(asset)
        db.session.commit()
        found = asset_quotes([asset.id], limit_per_asset=3)[asset.id]
        assert (found.counts.excerpts, found.quotes) == (0, ())
        assert found.counts.sentence == "No deep-dive interview has been coded to this asset yet."
        assert asset_quotes([], limit_per_asset=3) == {} and card_quotes([]) == {}


def _community_id(slug: str) -> int:
    from survey.models import Community

    return db.session.scalars(select(Community.id).filter_by(slug=slug)).one()


def test_profile_shows_consented_quotes_and_never_a_name(app, client, login, world):
    assert login(RESEARCHER).status_code == 303
    page = unescape(client.get("/research/assets/dover_library/profile").get_data(as_text=True))
    assert "What people said in deep-dive interviews" in page
    assert "4 excerpts from 3 interviews code this asset (3 may be quoted)." in page
    for text in (LONG, FOUND_PEOPLE, HEAD_CLEAR):
        assert f"“{text}”" in page
    assert PRIVATE not in page and PIER not in page
    assert "— participant DOV-03, interviewed 12 March 2026" in page
    assert "— participant DOV-02, interviewed 5 January 2026" in page
    assert page.count(">Synthetic<") == 2  # DOV-03's two excerpts are demo words
    assert "Also coded: Connect, Isolation" in page and "Also coded: Take notice, Dover Seafront" in page
    others = [person for person in world["people"] if person != RESEARCHER]  # the page names who is signed in
    assert len(others) == 4 and not [person for person in others if person in page]  # never an interviewer

    seafront = unescape(client.get("/research/assets/dover_seafront/profile").get_data(as_text=True))
    assert "1 excerpt from 1 interview codes this asset (1 may be quoted)." in seafront and HEAD_CLEAR in seafront


def test_profile_shows_at_most_three_quotes(app, client, login, world):
    add_deep_dive(
        app, "dover-town", "DOV-09", date(2026, 4, 1), [Said("A fourth quotable excerpt.", ("dover_library",))]
    )
    assert login(RESEARCHER).status_code == 303
    page = unescape(client.get("/research/assets/dover_library/profile").get_data(as_text=True))
    assert "(4 may be quoted)" in page and "A fourth quotable excerpt." not in page
    assert page.count('<figure class="deep-dive-quote">') == 3


def test_peers_see_their_own_communitys_quotes(app, client, login, world):
    assert login(PEER).status_code == 303
    page = unescape(client.get("/fieldwork/assets/dover_library/profile").get_data(as_text=True))
    assert FOUND_PEOPLE in page and PRIVATE not in page and "(3 may be quoted)" in page
    assert client.get("/fieldwork/assets/deal_pier/profile").status_code == 404


def test_erasing_a_deep_dive_removes_its_quotes_from_the_next_page(app, client, login, world):
    assert login(RESEARCHER).status_code == 303
    assert FOUND_PEOPLE in unescape(client.get("/research/assets/dover_library/profile").get_data(as_text=True))
    erase(app, world["recent"])
    page = unescape(client.get("/research/assets/dover_library/profile").get_data(as_text=True))
    assert FOUND_PEOPLE not in page and HEAD_CLEAR not in page and "DOV-03" not in page
    assert "2 excerpts from 2 interviews code this asset (1 may be quoted)." in page
    seafront = unescape(client.get("/research/assets/dover_seafront/profile").get_data(as_text=True))
    assert "No deep-dive interview has been coded to this asset yet." in seafront


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    assert shorten("Short and sweet.") == "Short and sweet."
    cut = shorten(LONG)
    assert len(cut) <= CARD_QUOTE_MAX and cut.endswith(ELLIPSIS)
    assert LONG.startswith(cut[: -len(ELLIPSIS)]) and LONG[len(cut) - len(ELLIPSIS)] in " ,.;"  # a whole word
    assert shorten("x" * 500, 20) == "x" * 19 + ELLIPSIS  # one long word: cut inside it
    assert shorten("aaaa bbbb.\n\ncccc dddd", 13) == "aaaa bbbb" + ELLIPSIS  # a paragraph break is a boundary


def test_card_quote_prefers_the_first_short_one_else_shortens_the_first(app, world):
    ids = _ids(app, "dover_library", "deal_pier")
    with app.app_context():
        cards = card_quotes(ids.values())
    assert cards[ids["dover_library"]].text == FOUND_PEOPLE  # DOV-02's earlier quote is too long for a card
    pier = cards[ids["deal_pier"]]
    assert pier.text == shorten(PIER) and pier.text.endswith(ELLIPSIS) and len(pier.text) <= CARD_QUOTE_MAX


def test_workshop_cards_show_one_resident_quote(app, client, login, world):
    assert login(RESEARCHER).status_code == 303
    code = open_via_web(client, community="dover-town")
    screen = unescape(client.get(f"/research/workshops/{workshop_id(app, code)}").get_data(as_text=True))
    assert screen.count("One resident's words, from a deep-dive interview") == 2  # library and seafront
    assert f"“{FOUND_PEOPLE}”" in screen and "— participant DOV-03, interviewed 12 March 2026" in screen
    assert LONG not in screen and PRIVATE not in screen and "Ada Interviewer" not in screen

    participant = app.test_client()
    join(participant, code)
    cards = unescape(participant.get(f"/w/{code}").get_data(as_text=True))
    assert f"“{FOUND_PEOPLE}”" in cards and f"“{HEAD_CLEAR}”" in cards and PRIVATE not in cards
    rate_page = unescape(participant.get(f"/w/{code}/assets/dover_seafront").get_data(as_text=True))
    assert f"“{HEAD_CLEAR}”" in rate_page and FOUND_PEOPLE not in rate_page

    erase(app, world["recent"])
    after = unescape(participant.get(f"/w/{code}").get_data(as_text=True))
    assert FOUND_PEOPLE not in after and "One resident's words" in after  # the library's next quote, shortened
    assert f"“{shorten(LONG)}”" in after


def test_a_card_without_a_quotable_excerpt_shows_none(app, client, login, world):
    erase(app, world["recent"])
    erase(app, world["long"])
    assert login(RESEARCHER).status_code == 303
    code = open_via_web(client, community="dover-town")
    screen = unescape(client.get(f"/research/workshops/{workshop_id(app, code)}").get_data(as_text=True))
    assert "One resident's words" not in screen and PRIVATE not in screen
