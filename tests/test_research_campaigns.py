"""Research screens for campaigns: create and edit drafts, open (licence gate), close, QR code, poster."""

from __future__ import annotations

import io
from datetime import date

import segno
from sqlalchemy import func, select

from survey.campaigns.licences import add_licence
from survey.extensions import db
from survey.models import Campaign, Community
from tests.test_research_support import sign_in, submit

NEW = "/research/campaigns/new"


def _community_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Community.id).filter_by(slug=slug)).one()


def _campaign(app, slug: str) -> dict:
    with app.app_context():
        c = db.session.scalars(select(Campaign).filter_by(slug=slug)).one()
        return {
            name: getattr(c, name)
            for name in (
                "community_id",
                "title",
                "instrument_keys",
                "status",
                "opens_on",
                "closes_on",
                "target_sample_size",
                "population_size",
                "population_source",
                "sampling_method",
                "double_entry_percent",
                "wave",
                "show_score",
                "practice",
            )
        }


def _form(community_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "community_id": str(community_id),
        "slug": "dover-2026",
        "title": "Dover wellbeing 2026",
        "position_wemwbs": "",
        "position_swemwbs": "2",
        "position_sixways": "1",
        "position_asset_use": "3",
        "position_demographics": "",
        "opens_on": "2026-03-01",
        "closes_on": "2026-04-30",
        "target_sample_size": "400",
        "population_size": "25000",
        "population_source": "ONS mid-year estimates 2023, residents aged 16+",
        "sampling_method": "quota",
        "double_entry_percent": "10",
        "wave": "2",
        "practice": "y",
    }
    data.update(overrides)
    return data


def test_create_a_draft_with_instruments_in_the_chosen_order(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    community_id = _community_id(app, "dover-town")
    form_page = client.get(NEW).get_data(as_text=True)
    assert "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)" in form_page and "Registration needed" in form_page
    # Which scale the workshop's models use is said before a campaign is designed.
    assert 'aria-describedby="instruments-hint"' in form_page
    assert "on SWEMWBS when a survey asks only the short form" in form_page

    created = submit(client, NEW, _form(community_id))
    assert created.status_code == 303 and created.headers["Location"].endswith("/research/campaigns/dover-2026")
    assert _campaign(app, "dover-2026") == {
        "community_id": community_id,
        "title": "Dover wellbeing 2026",
        "instrument_keys": ["sixways", "swemwbs", "asset_use"],
        "status": "draft",
        "opens_on": date(2026, 3, 1),
        "closes_on": date(2026, 4, 30),
        "target_sample_size": 400,
        "population_size": 25000,
        "population_source": "ONS mid-year estimates 2023, residents aged 16+",
        "sampling_method": "quota",
        "double_entry_percent": 10,
        "wave": 2,
        "show_score": False,
        "practice": True,
    }
    page = client.get("/research/campaigns/dover-2026").get_data(as_text=True)
    assert "Practice campaign." in page and "Open to residents" in page and "http://localhost/s/dover-2026" in page


def test_campaign_form_problems_are_shown_and_nothing_is_created(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    community_id = _community_id(app, "dover-town")
    cases = [
        # Issue 16: positions in plain words ("2nd"), and WEMWBS with SWEMWBS named as such.
        ({"position_sixways": "2"}, "is already asked 2nd: give each questionnaire a different position."),
        ({"position_wemwbs": "2"}, "Ask WEMWBS or SWEMWBS, not both"),  # was "... is already asked 2."
        ({"position_sixways": "", "position_swemwbs": "", "position_asset_use": ""}, "Choose at least one instrument."),
        ({"position_wemwbs": "4"}, "Ask WEMWBS or SWEMWBS, not both"),
        ({"slug": "Dover 2026!"}, "Use lower-case letters and digits"),
        ({"slug": "dover-town"}, "is already used by the campaign"),
        ({"closes_on": "2026-02-01"}, "on or after the opening date"),
        ({"double_entry_percent": "101"}, "Enter a percentage from 0 to 100."),
        ({"wave": "0"}, "Enter a wave from 1 to 99."),
        ({"wave": "second"}, "Enter the wave as a whole number, like 2."),
        ({"target_sample_size": "0"}, "Enter a whole number from 1 to 10,000,000."),
        # A population past any nation the platform could survey is a slip that would scale every value.
        ({"population_size": "250000000"}, "Enter a whole number from 1 to 100,000,000."),
        ({"title": ""}, "Enter a title."),
        ({"sampling_method": "snowball"}, "Choose random, quota or convenience"),
        ({"population_source": ""}, "Say where the population figure comes from"),
    ]
    for overrides, message in cases:
        refused = submit(client, NEW, _form(community_id, **overrides))
        assert refused.status_code == 422, overrides
        html = refused.get_data(as_text=True)
        assert message in html, (overrides, message)
        # What was typed is kept.
        assert 'value="Dover wellbeing 2026"' in html or overrides.get("title") == "", overrides
        if "sampling_method" not in overrides:
            assert '<option selected value="quota">' in html, overrides
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_one_submit_names_the_field_problems_and_the_service_checks_together(
    app, client, make_campaign, make_user, login
):
    # The web address and instrument checks ran only once the fields were valid, so a bad date hid
    # them: fixed, the form came back a second time with problems it could have named at first.
    make_campaign("dover-town")
    make_campaign("deal", keys=("sixways",), open_it=False, asset_slugs=())
    sign_in(make_user, login)
    no_instruments = {"position_sixways": "", "position_swemwbs": "", "position_asset_use": ""}
    for url, community in ((NEW, "dover-town"), ("/research/campaigns/deal/edit", "deal")):
        refused = submit(
            client,
            url,
            _form(
                _community_id(app, community), slug="Dover 2026!", wave="second", population_source="", **no_instruments
            ),
        )
        assert refused.status_code == 422, url
        html = refused.get_data(as_text=True)
        for message in (
            "Use lower-case letters and digits",
            "Choose at least one instrument.",
            "Enter the wave as a whole number, like 2.",
            "Say where the population figure comes from",
        ):
            assert html.count(message) == 2, (url, message)  # in the summary and beside the field
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 2
        assert db.session.scalars(select(Campaign.slug).filter_by(slug="deal")).one() == "deal"


def test_edit_a_draft_but_not_an_open_campaign(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("deal", keys=("sixways",), open_it=False, asset_slugs=())
    sign_in(make_user, login)
    deal_id = _community_id(app, "deal")
    form_page = client.get("/research/campaigns/deal/edit").get_data(as_text=True)
    assert 'value="Deal survey"' in form_page

    saved = submit(
        client,
        "/research/campaigns/deal/edit",
        _form(
            deal_id,
            slug="deal",
            title="Deal, spring",
            position_swemwbs="",
            position_asset_use="",
            position_demographics="2",
            practice="",
        ),
    )
    assert saved.status_code == 303
    stored = _campaign(app, "deal")
    assert (stored["title"], stored["instrument_keys"], stored["practice"]) == (
        "Deal, spring",
        ["sixways", "demographics"],
        False,
    )

    before = _campaign(app, "dover-town")
    refused = client.get("/research/campaigns/dover-town/edit")
    assert refused.status_code == 303
    assert "Only a draft campaign can be edited" in client.get(refused.headers["Location"]).get_data(as_text=True)
    tampered = submit(
        client, "/research/campaigns/dover-town/edit", _form(_community_id(app, "dover-town")), token_url="/research/"
    )
    assert tampered.status_code == 303 and _campaign(app, "dover-town") == before


def test_opening_without_a_wemwbs_licence_shows_the_message(app, client, make_campaign, make_user, login):
    make_campaign("dover-town", open_it=False, licence=False)
    sign_in(make_user, login)
    url = "/research/campaigns/dover-town"
    refused = submit(client, f"{url}/open", token_url=url)
    assert refused.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "is copyright and free only after registration" in page and "flask licence add wemwbs" in page
    assert _campaign(app, "dover-town")["status"] == "draft"

    with app.app_context():
        add_licence("wemwbs", holder="Dover District Council", reference="WEMWBS-2026-17")
        db.session.commit()
    opened = submit(client, f"{url}/open", token_url=url)
    assert opened.status_code == 303 and _campaign(app, "dover-town")["status"] == "open"
    assert "The campaign is open" in client.get(url).get_data(as_text=True)


def test_closing_needs_confirmation_and_cannot_be_undone(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    url = "/research/campaigns/dover-town"
    unconfirmed = submit(client, f"{url}/close", token_url=url)
    assert unconfirmed.status_code == 422 and _campaign(app, "dover-town")["status"] == "open"
    # The page comes back with an error summary linking to the box and the message beside it (it
    # was a banner after a redirect, linked to nothing).
    html = unconfirmed.get_data(as_text=True)
    assert "<title>Error: " in html and 'href="#confirm-close">Tick the box to confirm' in html
    assert 'id="confirm-close-error"' in html and 'aria-describedby="confirm-close-error"' in html

    closed = submit(client, f"{url}/close", {"confirm": "y"}, token_url=url)
    assert closed.status_code == 303 and _campaign(app, "dover-town")["status"] == "closed"
    reopen = submit(client, f"{url}/open", token_url=url)
    assert reopen.status_code == 303 and _campaign(app, "dover-town")["status"] == "closed"
    assert "Only a draft campaign can be opened." in client.get(url).get_data(as_text=True)


def test_qr_code_is_an_svg_of_the_public_link(client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    qr = client.get("/research/campaigns/dover-town/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"<script" not in qr.data
    # Drawn independently from the link the residents' route answers to, it is the same picture.
    expected = io.BytesIO()
    segno.make("http://localhost/s/dover-town", error="m").save(
        expected, kind="svg", scale=8, border=4, title="Dover Town survey"
    )
    assert qr.data == expected.getvalue()
    assert client.get("/s/dover-town").status_code == 200


def test_poster_shows_the_qr_code_and_the_link(client, make_campaign, make_user, login):
    make_campaign("dover-town", closes_on=date(2030, 5, 31))
    sign_in(make_user, login)
    poster = client.get("/research/campaigns/dover-town/poster").get_data(as_text=True)
    assert 'src="/research/campaigns/dover-town/qr.svg"' in poster
    assert "http://localhost/s/dover-town" in poster and "31 May 2030" in poster and "It takes about" in poster


def test_home_lists_campaigns_with_status_and_links(client, make_campaign, make_user, login):
    make_campaign("dover-town", target_sample_size=250)
    make_campaign("deal", keys=("sixways",), open_it=False, asset_slugs=(), practice=True)
    sign_in(make_user, login)
    home = client.get("/research/").get_data(as_text=True)
    assert home.index("Dover Town survey") < home.index("Deal survey")  # open before draft
    assert 'href="/research/campaigns/deal"' in home and ">practice</strong>" in home and ">250<" in home
