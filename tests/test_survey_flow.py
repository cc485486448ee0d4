"""The residents' online survey end to end through the test client, CSRF on, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from survey.database import utcnow
from survey.extensions import db
from survey.models import Answer, AssetUse, Response
from tests.helpers import (
    START_TOKEN_PATTERN,
    Resident,
    checked_answers,
    complete_survey,
    csrf_token,
    valid_answers,
)

PAGES = 4  # wemwbs, sixways, asset_use, demographics


def _count(app, *criteria) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)).where(*criteria))


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Answer.id))) + db.session.scalar(select(func.count(AssetUse.id)))


def test_whole_survey_is_stored_complete_with_its_answers(app, client, make_campaign):
    slug = make_campaign(show_score=True)
    final = complete_survey(Resident(client, slug), PAGES, code=4)
    assert final.headers["Location"].endswith(f"/s/{slug}/done")

    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert (response.status, response.mode, response.consent) == ("complete", "online", True)
        assert response.submitted_at is not None and response.submitted_at.tzinfo is not None
        assert response.instrument_versions == {"wemwbs": 1, "sixways": 1, "asset_use": 2, "demographics": 2}
        answers = {a.item_key: (a.value, a.text) for a in response.answers}
        assert all(answers[f"wemwbs_{i}"] == (4, None) for i in range(1, 15))
        assert answers["postcode_district"] == (None, "CT16")  # normalised to upper case
        assert answers["asset_nominations"] == (None, "The allotments")
        uses = {u.campaign_asset.slug: (u.frequency, u.importance) for u in response.asset_uses}
        assert uses == {"dover_library": (3, 5), "dover_seafront": (3, 5)}

    thanks = client.get(f"/s/{slug}/done").get_data(as_text=True)
    # 14 items answered "Often" (4): 14 x 4 = 56, computed here independently of the scorer.
    assert "score is <strong>56</strong>" in thanks
    assert "not a diagnosis" in thanks
    assert "116 123" in thanks


def test_score_is_not_shown_unless_the_campaign_asks(client, make_campaign):
    slug = make_campaign(show_score=False)
    complete_survey(Resident(client, slug), PAGES)
    thanks = client.get(f"/s/{slug}/done").get_data(as_text=True)
    assert "Thank you" in thanks and "Your wellbeing score" not in thanks


def test_consent_page_gives_time_estimate_privacy_notice_and_copyright(client, make_campaign):
    slug = make_campaign()
    html = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "It takes about" in html and "minutes" in html
    assert "privacy notice" in html.lower()
    page = Resident(client, slug)
    page.start()
    first = page.page_html(1)
    assert "Part 1 of 4" in first
    # A friendly heading, with the scale's own name kept visible above it.
    assert "How you have been feeling</h1>" in first
    assert "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)" in first
    assert "© NHS Health Scotland, The University of Warwick and University of Edinburgh, 2006" in first


def test_the_privacy_notice_tells_of_the_contact_form_it_is_followed_by(client, make_campaign):
    # The notice said "we do not ask for your ... contact details" and "we cannot find or delete" the
    # answers, then the thank-you page asked for contact details, which an admin can erase with the answers.
    slug = make_campaign()
    for html in (client.get(f"/s/{slug}").get_data(as_text=True), client.get("/privacy").get_data(as_text=True)):
        text = " ".join(html.split())
        assert "we do not ask for your name, address or contact details" not in text
        assert "Unless you leave contact details at the end, your answers are not linked to you" in text
        assert "deleted if you ask (your answers too, if you wish)" in text


def test_start_without_consent_is_refused_and_writes_nothing(app, client, make_campaign):
    slug = make_campaign()
    refused = Resident(client, slug).start(consent=False)
    assert refused.status_code == 422
    assert "Tick the box to say you agree" in refused.get_data(as_text=True)
    assert _count(app) == 0


def test_tampered_start_token_is_a_bad_request(app, client, make_campaign):
    slug = make_campaign()
    refused = Resident(client, slug).start(start_token="<script>")
    assert refused.status_code == 400
    assert _count(app) == 0


def test_double_clicked_start_creates_one_response(app, client, make_campaign):
    slug = make_campaign()
    html = client.get(f"/s/{slug}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "consent": "y", "start_token": START_TOKEN_PATTERN.search(html).group(1)}
    first = client.post(f"/s/{slug}/start", data=data)
    second = client.post(f"/s/{slug}/start", data=data)
    assert first.status_code == second.status_code == 303
    assert _count(app) == 1


def test_missing_answers_get_a_message_keep_what_was_typed_and_write_nothing(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    answers = valid_answers(resident.item_names(1), code=2)
    del answers["wemwbs_7"]
    refused = resident.post_page(1, answers)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "There is a problem" in html
    # The message names the question (GOV.UK: say what to do, about which question).
    assert "Select an answer for “I’ve been feeling loved”" in html or "wemwbs_7-error" in html
    assert html.count("Select an answer for") == 2  # in the error summary and beside the question
    assert 'href="#wemwbs_7-0"' in html  # the summary links to the unanswered question
    # The other thirteen answers are still selected on the re-shown page.
    expected = {f"wemwbs_{i}": "2" for i in range(1, 15) if i != 7}
    assert checked_answers(html) == expected
    assert _answers(app) == 0


def test_out_of_range_and_non_numeric_codes_are_refused(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    names = resident.item_names(1)
    for bad in ("6", "0", "x", "3.5", ""):
        answers = valid_answers(names)
        answers["wemwbs_3"] = bad
        refused = resident.post_page(1, answers)
        assert refused.status_code == 422, bad
        assert "wemwbs_3-error" in refused.get_data(as_text=True)
    assert _answers(app) == 0


def test_unknown_action_and_missing_csrf_are_bad_requests(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    names = resident.item_names(1)
    assert resident.post_page(1, valid_answers(names), action="delete").status_code == 400
    no_csrf = client.post(f"/s/{slug}/page/1", data={"action": "next", **valid_answers(names)})
    assert no_csrf.status_code == 400
    assert "This form has expired" in no_csrf.get_data(as_text=True)
    assert _answers(app) == 0


def test_oversized_body_is_refused_without_writing(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    html = resident.page_html(3)
    too_big = client.post(
        f"/s/{slug}/page/3",
        data={"csrf_token": csrf_token(html), "action": "next", "asset_nominations": "x" * (1024 * 1024)},
    )
    assert too_big.status_code == 413
    assert _answers(app) == 0


def test_text_longer_than_allowed_is_refused_with_a_message(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    answers = valid_answers(resident.item_names(3))
    answers["asset_nominations"] = "y" * 2001
    refused = resident.post_page(3, answers)
    assert refused.status_code == 422
    assert "Use at most 2000 characters." in refused.get_data(as_text=True)
    assert _answers(app) == 0


def test_unknown_draft_and_closed_campaigns_get_friendly_pages(app, client, make_campaign):
    assert client.get("/s/nowhere").status_code == 404
    draft = make_campaign("aylesham", open_it=False, asset_slugs=("aylesham_library",))
    assert client.get(f"/s/{draft}").status_code == 404
    closed = make_campaign("sheppey", asset_slugs=("sheppey_library",))
    with app.app_context():
        from survey.campaigns.operations import close_campaign
        from survey.models import Campaign

        close_campaign(db.session.scalars(select(Campaign).filter_by(slug=closed)).one())
        db.session.commit()
    page = client.get(f"/s/{closed}")
    assert page.status_code == 410
    assert "no longer taking answers" in page.get_data(as_text=True)


def test_double_clicked_submit_stores_one_complete_response(app, client, make_campaign):
    slug = make_campaign(show_score=True)
    resident = Resident(client, slug)
    resident.start()
    for number in range(1, PAGES):
        resident.post_page(number, valid_answers(resident.item_names(number)))
    resident.post_page(PAGES, valid_answers(resident.item_names(PAGES)))
    html = client.get(f"/s/{slug}/check").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html)}
    # A browser sends both clicks with the cookie it had before the first answer came back.
    cookie = client.get_cookie("session").value
    first = client.post(f"/s/{slug}/check", data=data)
    client.set_cookie("session", cookie)
    second = client.post(f"/s/{slug}/check", data=data)
    third = client.post(f"/s/{slug}/check", data=data)  # and once more with the newer cookie
    assert first.headers["Location"] == second.headers["Location"] == f"/s/{slug}/done"
    assert third.headers["Location"] == f"/s/{slug}/done"
    assert _count(app) == 1
    assert _count(app, Response.status == "complete") == 1
    assert "Your wellbeing score" in client.get(f"/s/{slug}/done").get_data(as_text=True)


def test_partial_response_is_never_complete_and_skipped_pages_block_submission(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    resident.post_page(1, valid_answers(resident.item_names(1)))
    assert _count(app, Response.status == "partial") == 1
    # Jump straight to the last page by URL, skipping the six-ways and asset pages.
    skipped = resident.post_page(PAGES, valid_answers(resident.item_names(PAGES)))
    assert skipped.status_code == 303 and skipped.headers["Location"] == f"/s/{slug}/check"
    check = client.get(f"/s/{slug}/check")
    assert check.status_code == 303 and check.headers["Location"] == f"/s/{slug}/page/2"
    assert _count(app, Response.status == "complete") == 0
    assert "still need an answer" in client.get(f"/s/{slug}/page/2").get_data(as_text=True)


def test_back_keeps_answers_and_optional_questions_can_be_skipped(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    for number in range(1, PAGES):
        resident.post_page(number, valid_answers(resident.item_names(number)))
    back = resident.post_page(PAGES, {}, action="back")  # demographics all skipped
    assert back.headers["Location"] == f"/s/{slug}/page/{PAGES - 1}"
    assert checked_answers(resident.page_html(PAGES - 1))["asset_dover_library"] == "3"
    assert resident.post_page(PAGES, {}).headers["Location"] == f"/s/{slug}/check"
    assert resident.submit().headers["Location"] == f"/s/{slug}/done"
    assert _count(app, Response.status == "complete") == 1


def test_save_and_resume_on_another_device(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    resident.post_page(1, valid_answers(resident.item_names(1), code=5))
    partial_answers = valid_answers(resident.item_names(2), code=2)
    saved = resident.post_page(2, partial_answers, action="save")
    assert saved.headers["Location"] == f"/s/{slug}/saved"
    page = client.get(f"/s/{slug}/saved").get_data(as_text=True)
    code = page.split('class="resume-code">')[1].split("<")[0]
    assert len(code.replace("-", "")) == 12
    assert client.get(f"/s/{slug}/saved").status_code == 303  # the code is shown once

    other = app.test_client()
    form = other.get(f"/s/{slug}/resume").get_data(as_text=True)
    resumed = other.post(f"/s/{slug}/resume", data={"csrf_token": csrf_token(form), "code": code.lower()})
    assert resumed.status_code == 303
    assert resumed.headers["Location"] == f"/s/{slug}/page/2"  # the page they saved on
    second_device = Resident(other, slug)
    assert "Your answers have been saved" in second_device.page_html(2)
    assert set(checked_answers(second_device.page_html(2)).values()) == {"2"}
    for number in range(3, PAGES + 1):
        second_device.post_page(number, valid_answers(second_device.item_names(number)))
    second_device.submit()
    assert _count(app) == 1
    assert _count(app, Response.status == "complete") == 1


def test_resume_code_expires_and_wrong_codes_get_a_message(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    resident.post_page(1, valid_answers(resident.item_names(1)), action="save")
    page = client.get(f"/s/{slug}/saved").get_data(as_text=True)
    code = page.split('class="resume-code">')[1].split("<")[0]

    other = app.test_client()
    form = csrf_token(other.get(f"/s/{slug}/resume").get_data(as_text=True))
    wrong = other.post(f"/s/{slug}/resume", data={"csrf_token": form, "code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 422
    assert "could not find that resume code" in wrong.get_data(as_text=True)
    assert "AAAA-BBBB-CCCC" in wrong.get_data(as_text=True)  # what was typed is kept

    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        response.resume_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    expired = other.post(f"/s/{slug}/resume", data={"csrf_token": form, "code": code})
    assert expired.status_code == 422
    assert "expired" in expired.get_data(as_text=True)


def test_resume_code_lifetime_is_configurable(database_url, make_campaign):
    from tests.conftest import _app_for

    app = _app_for(database_url, RESUME_CODE_DAYS=3)
    client = app.test_client()
    with app.app_context():
        from survey.campaigns.operations import create_campaign, open_campaign
        from survey.models import Asset, Community

        community = Community(slug="swanley", name="Swanley")
        db.session.add(community)
        db.session.add(Asset(slug="swanley_park", community=community, name="Swanley Park", kind="place"))
        open_campaign(create_campaign(community, "swanley", "Swanley survey", ["sixways", "asset_use"]))
        db.session.commit()
    resident = Resident(client, "swanley")
    resident.start()
    resident.post_page(1, {}, action="save")
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        lifetime = response.resume_expires_at - utcnow()
        assert timedelta(days=2, hours=23) < lifetime <= timedelta(days=3)
        db.session.remove()
        db.engine.dispose()


def test_swemwbs_campaign_shows_the_metric_score(client, make_campaign):
    slug = make_campaign(keys=("swemwbs",), asset_slugs=(), show_score=True)
    resident = Resident(client, slug)
    resident.start()
    names = resident.item_names(1)
    assert names == ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]
    assert resident.post_page(1, valid_answers(names, code=3)).headers["Location"] == f"/s/{slug}/check"
    assert resident.submit().headers["Location"] == f"/s/{slug}/done"
    thanks = client.get(f"/s/{slug}/done").get_data(as_text=True)
    # Raw 7 x 3 = 21 -> 19.25 in the published SWEMWBS conversion table.
    assert "score is <strong>19.25</strong>" in thanks
    assert "SWEMWBS" in thanks


def test_postcode_district_must_match_whole_pattern(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    for bad in ("CT1!", "1CT", "C"):
        refused = resident.post_page(PAGES, {"postcode_district": bad})
        assert refused.status_code == 422, bad
        assert "first part of your postcode" in refused.get_data(as_text=True)
    assert _answers(app) == 0


ONS4_KEYS = ["ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"]


def test_ons_questions_come_first_as_0_to_10_scales_and_are_stored(app, client, make_campaign):
    slug = make_campaign(keys=("ons4", "wemwbs", "demographics"), asset_slugs=())
    resident = Resident(client, slug)
    resident.start()
    assert resident.item_names(1) == ONS4_KEYS
    html = resident.page_html(1)
    assert "Part 1 of 3" in html and "Personal well-being (ONS questions)" in html
    assert "where 0 is &#39;not at all&#39; and 10 is &#39;completely&#39;" in html  # the ONS introduction
    assert "© Crown copyright, Office for National Statistics" in html and "Open Government Licence" in html
    # Each question is a fieldset of eleven radios 0-10 with its worded end points, in the label too.
    assert html.count('<div class="scale-options">') == 4
    for key in ONS4_KEYS:
        values = re.findall(rf'name="{key}" type="radio" value="(\d+)"', html)
        assert values == [str(code) for code in range(11)], key
    assert "0 = Not at all satisfied" in html and "10 = Completely satisfied" in html
    assert '<span class="govuk-visually-hidden"> – Not at all anxious</span>' in html
    assert '<span class="govuk-visually-hidden"> – Completely anxious</span>' in html

    for bad in ("11", "-1", "x", ""):  # 11 is off the scale; blank: the four are required online
        answers = {**valid_answers(ONS4_KEYS), "ons_anxious": bad}
        refused = resident.post_page(1, answers)
        assert refused.status_code == 422, bad
        assert "ons_anxious-error" in refused.get_data(as_text=True)
    assert _answers(app) == 0

    answers = {"ons_life_satisfaction": 0, "ons_worthwhile": 10, "ons_happy": 7, "ons_anxious": 3}
    assert resident.post_page(1, answers).status_code == 303
    assert checked_answers(resident.page_html(1)) == {key: str(value) for key, value in answers.items()}
    for number in (2, 3):
        assert resident.post_page(number, valid_answers(resident.item_names(number))).status_code == 303
    assert resident.submit().headers["Location"] == f"/s/{slug}/done"
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.status == "complete"
        assert response.instrument_versions == {"ons4": 1, "wemwbs": 1, "demographics": 2}
        stored = {a.item_key: a.value for a in response.answers if a.item_key.startswith("ons_")}
        assert stored == answers  # 0 is an answer, not a missing value


def test_how_often_after_yes_is_not_marked_optional(client, make_campaign):
    """The follow-up is shown only when it must be answered (after "Yes"), so "(optional)" would
    mislead; how much an asset matters is optional for everyone and says so."""
    resident = Resident(client, make_campaign())
    resident.start()
    html = resident.page_html(3)  # the asset questions
    legends = dict(
        re.findall(r'<legend class="govuk-fieldset__legend[^"]*">(How (?:often|much)[^<]*)(.*?)</legend>', html)
    )
    often = [text for text in legends if text.startswith("How often")]
    much = [text for text in legends if text.startswith("How much")]
    assert often and much, legends
    assert all("(optional)" not in legends[text] for text in often)
    assert all("(optional)" in legends[text] for text in much)
