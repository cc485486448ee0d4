"""Residents' optional follow-up contact details: the form, storage apart from answers, admin screen, erasure."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from survey.extensions import db
from survey.models import Answer, AssetUse, AuditEvent, ContactDetail, Response
from tests.helpers import Resident, complete_survey, csrf_token

TOKEN_PATTERN = re.compile(r'name="contact_token" value="([^"]+)"')

PAGES = 4  # wemwbs, sixways, asset_use, demographics
ADMIN = "admin@example.org"
NAME, EMAIL, PHONE = "Zebedee Quillfeather", "zq.follow-up@resident.example", "07700 900481"
GOOD = {"name": NAME, "email": EMAIL, "phone": PHONE, "purposes": ["interview", "workshop"]}


@pytest.fixture
def finished(client, make_campaign):
    """A resident (the `client`) who has just completed the survey; returns the campaign slug."""
    slug = make_campaign()
    complete_survey(Resident(client, slug), PAGES)
    return slug


_THANKS: dict[int, str] = {}  # the thank-you page each test client saw right after submitting (shown once)


def _thanks(client, slug: str) -> str:
    if id(client) not in _THANKS:
        _THANKS[id(client)] = client.get(f"/s/{slug}/done").get_data(as_text=True)
    return _THANKS[id(client)]


def _send(client, slug: str, data: dict):
    """Send the contact form of the thank-you page shown right after submitting (its one-time token)."""
    html = _thanks(client, slug)
    token = TOKEN_PATTERN.search(html).group(1)  # type: ignore[union-attr]
    return client.post(f"/s/{slug}/contact", data={"csrf_token": csrf_token(html), "contact_token": token, **data})


@pytest.fixture(autouse=True)
def _forget_thanks():
    _THANKS.clear()
    yield
    _THANKS.clear()


def _contacts(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.response_public_id, c.community_id, c.name, c.email, c.phone, c.purposes)
            for c in db.session.scalars(select(ContactDetail))
        ]


def _answers_snapshot(app) -> tuple:
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        answers = sorted((a.item_key, a.value, a.text) for a in response.answers)
        uses = sorted((u.campaign_asset_id, u.frequency, u.importance) for u in response.asset_uses)
        return response.public_id, response.community_id, response.updated_at, response.status, answers, uses


def _everything_stored(app) -> str:
    """Every row of every table, as text, lower-cased: where a trace of erased details would show."""
    with app.app_context():
        parts = [repr(tuple(row)) for table in db.metadata.sorted_tables for row in db.session.execute(select(table))]
    return "\n".join(parts).lower()


def _audit_changes(app) -> str:
    with app.app_context():
        return "\n".join(json.dumps(changes) for changes in db.session.scalars(select(AuditEvent.changes))).lower()


def _admin(app, make_user, login):
    make_user(ADMIN, "admin")
    browser = app.test_client()
    assert login(ADMIN, target=browser).status_code == 303
    return browser


def test_thank_you_page_offers_the_optional_form(client, finished):
    html = _thanks(client, finished)
    assert "Would you like to take part in a follow-up interview or the community workshop?" in html
    assert f'action="/s/{finished}/contact"' in html and "This is optional." in html
    for name in ('name="name"', 'name="email"', 'name="phone"', 'value="interview"', 'value="workshop"'):
        assert name in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Ann", "purposes": "interview"}, "Give an email address or a phone number"),
        ({"name": "Ann", "email": "ann-at-example", "purposes": "interview"}, "Enter an email address like"),
        ({"name": "Ann", "phone": "0770 CALL ME", "purposes": "interview"}, "only digits, spaces and +"),
        ({"name": "Ann", "phone": "12 34", "purposes": "interview"}, "only digits, spaces and +"),
        ({"name": "Ann", "email": "ann@example.org"}, "Tick an interview, the workshop, or both."),
        ({"name": "Ann", "email": "ann@example.org", "purposes": "newsletter"}, "Tick only the options shown."),
        ({"email": "ann@example.org", "purposes": "workshop"}, "Enter your name"),
        ({"name": "A" * 201, "email": "ann@example.org", "purposes": "workshop"}, "at most 200 characters"),
        ({"name": "Ann", "email": "a" * 250 + "@x.org", "purposes": "workshop"}, "at most 254 characters"),
    ],
)
def test_invalid_details_get_a_message_keep_the_input_and_store_nothing(app, client, finished, data, message):
    before = _answers_snapshot(app)
    refused = _send(client, finished, data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in html and "There is a problem" in html
    if "email" in data and len(data["email"]) < 100:
        assert f'value="{data["email"]}"' in html  # what was typed is kept
    assert _contacts(app) == []
    assert _answers_snapshot(app) == before


def test_details_are_stored_apart_in_one_row_per_response(app, client, finished):
    before = _answers_snapshot(app)
    public_id, community_id = before[0], before[1]
    sent = _send(client, finished, {**GOOD, "phone": " 07700   900481 "})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/s/{finished}/done"
    assert "Thank you. We will use your details only" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert _contacts(app) == [(public_id, community_id, NAME, EMAIL, PHONE, "interview,workshop")]
    assert _answers_snapshot(app) == before  # the response and its answers are untouched
    with app.app_context():
        texts = db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
        assert all(NAME not in text and EMAIL not in text for text in texts)

    # The form works once: a second sending (or someone else on the same tablet) changes nothing.
    again = _send(client, finished, {"name": "Someone Else", "phone": "+44 7700 900999", "purposes": "workshop"})
    assert again.status_code == 303
    assert "can no longer be used" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _contacts(app) == [(public_id, community_id, NAME, EMAIL, PHONE, "interview,workshop")]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).filter_by(entity_type="contact_detail")).all()
        assert [event.action for event in events] == ["create"]
        assert all(event.actor_label == "resident" and event.actor_id is None for event in events)
        assert all(set(event.changes.values()) == {"changed"} for event in events)
    audit = _audit_changes(app)
    for value in (NAME, EMAIL, PHONE):
        assert value.lower() not in audit


def test_form_acts_only_for_a_browser_holding_a_complete_response(app, client, make_campaign):
    slug = make_campaign()
    stranger = app.test_client()
    token = csrf_token(stranger.get(f"/s/{slug}").get_data(as_text=True))
    refused = stranger.post(f"/s/{slug}/contact", data={"csrf_token": token, **GOOD})
    assert refused.status_code == 303 and refused.headers["Location"] == f"/s/{slug}/done"
    forged = stranger.post(f"/s/{slug}/contact", data={"csrf_token": token, "contact_token": "x" * 32, **GOOD})
    assert forged.status_code == 303 and forged.headers["Location"] == f"/s/{slug}/done"

    resident = Resident(client, slug)
    resident.start()
    halfway = client.post(f"/s/{slug}/contact", data={"csrf_token": csrf_token(resident.page_html(1)), **GOOD})
    assert halfway.status_code == 303 and halfway.headers["Location"] == f"/s/{slug}/done"
    assert client.post(f"/s/{slug}/contact", data=GOOD).status_code == 400  # no CSRF token
    assert _contacts(app) == []


def test_details_appear_only_on_the_admin_contacts_screen(app, client, finished, make_user, login):
    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    listing = admin.get("/admin/contacts")
    assert listing.headers["Cache-Control"] == "no-store"
    html = listing.get_data(as_text=True)
    assert NAME in html and EMAIL in html and PHONE in html and "a follow-up interview, the community workshop" in html
    for url in (
        "/admin/",
        "/admin/audit",
        "/admin/audit.csv",
        "/admin/users",
        "/fieldwork/",
        "/research/",
        f"/s/{finished}/done",
    ):
        page = (admin if url.startswith(("/admin", "/fieldwork", "/research")) else client).get(url)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert NAME not in text and EMAIL not in text and PHONE not in text, url

    make_user("r@example.org", "researcher")
    researcher = app.test_client()
    login("r@example.org", target=researcher)
    assert researcher.get("/admin/contacts").status_code == 403


def _contact_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(ContactDetail.id)).one()


def test_erasing_contact_details_keeps_the_answers_and_leaves_no_trace(app, client, finished, make_user, login):
    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    contact_id = _contact_id(app)
    before = _answers_snapshot(app)
    page = admin.get(f"/admin/contacts/{contact_id}").get_data(as_text=True)
    erased = admin.post(f"/admin/contacts/{contact_id}/erase", data={"csrf_token": csrf_token(page), "confirm": "yes"})
    assert erased.status_code == 303
    assert _contacts(app) == []
    assert _answers_snapshot(app) == before
    assert admin.get(f"/admin/contacts/{contact_id}").status_code == 404

    stored = _everything_stored(app)
    for value in (NAME, EMAIL, PHONE, "Quillfeather", "900481"):
        assert value.lower() not in stored, value
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).filter_by(entity_type="contact_detail").order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.actor_label) for e in events] == [("create", "resident"), ("delete", ADMIN)]
        assert all(set(event.changes.values()) == {"changed"} for event in events)
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/audit.csv").get_data(as_text=True))))
    contact_rows = [row for row in rows if row["entity_type"] == "contact_detail"]
    assert {row["action"] for row in contact_rows} == {"create", "delete"}
    assert {(row["before"], row["after"]) for row in contact_rows} == {("", "changed")}


def test_erasing_with_the_response_deletes_its_answers_too(app, client, finished, make_user, login):
    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    contact_id = _contact_id(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) > 0
    page = admin.get(f"/admin/contacts/{contact_id}").get_data(as_text=True)
    erased = admin.post(
        f"/admin/contacts/{contact_id}/erase-with-response", data={"csrf_token": csrf_token(page), "confirm": "yes"}
    )
    assert erased.status_code == 303
    assert "survey response with all its answers have been erased" in admin.get("/admin/contacts").get_data(
        as_text=True
    )
    with app.app_context():
        for model in (ContactDetail, Response, Answer, AssetUse):
            assert db.session.scalar(select(func.count(model.id))) == 0, model
    stored = _everything_stored(app)
    for value in (NAME, EMAIL, PHONE, "Quillfeather", "900481"):
        assert value.lower() not in stored, value
    # The thank-you page shows nothing of any response.
    assert "Your wellbeing score" not in client.get(f"/s/{finished}/done").get_data(as_text=True)


def test_erase_buttons_need_csrf_and_admins(app, client, finished, make_user, login):
    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    contact_id = _contact_id(app)
    assert admin.post(f"/admin/contacts/{contact_id}/erase").status_code == 400
    assert admin.post(f"/admin/contacts/{contact_id}/erase-with-response").status_code == 400
    make_user("p@example.org", "peer", communities=("dover-town",))
    peer = app.test_client()
    login("p@example.org", target=peer)
    token = csrf_token(peer.get("/fieldwork/").get_data(as_text=True))
    assert peer.post(f"/admin/contacts/{contact_id}/erase", data={"csrf_token": token}).status_code == 403
    assert len(_contacts(app)) == 1


def test_contact_form_works_only_within_30_minutes_of_submitting(app, client, finished):
    html = _thanks(client, finished)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        response.contact_token_expires_at = response.submitted_at + timedelta(minutes=30)
        response.submitted_at -= timedelta(minutes=31)
        response.contact_token_expires_at -= timedelta(minutes=31)
        db.session.commit()
    late = _send(client, finished, GOOD)
    assert late.status_code == 303
    assert "within 30 minutes" in client.get(late.headers["Location"]).get_data(as_text=True)
    assert _contacts(app) == []
    assert "contact_token" in html


def test_next_person_on_the_tablet_cannot_reach_the_first_persons_thanks_or_form(app, client, finished):
    thanks = _thanks(client, finished)
    assert "Your wellbeing score" in thanks or "Send my contact details" in thanks
    for url in (f"/s/{finished}/done", f"/s/{finished}/page/1", f"/s/{finished}/check"):
        page = client.get(url, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert "Your wellbeing score" not in text and 'name="contact_token"' not in text, url
        assert page.headers["Cache-Control"] == "no-store", url
    # Starting again gives a fresh, empty survey, a new response.
    resident = Resident(client, finished)
    assert "Carry on where you left off" not in resident.consent_page().get_data(as_text=True)
    resident.start()
    assert "checked" not in resident.page_html(1)
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 2


@pytest.mark.parametrize("action", ["erase", "erase-with-response"])
def test_erasing_asks_for_a_confirmation_first(app, client, finished, make_user, login, action):
    # Both buttons erased at once, with one click, and nothing said what was about to go.
    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    contact_id = _contact_id(app)
    page = admin.get(f"/admin/contacts/{contact_id}").get_data(as_text=True)
    assert f'action="/admin/contacts/{contact_id}/{action}"' not in page  # a link to the question, not a form
    assert f'href="/admin/contacts/{contact_id}/{action}"' in page
    bare = admin.post(f"/admin/contacts/{contact_id}/{action}", data={"csrf_token": csrf_token(page)})
    assert bare.status_code == 303 and bare.headers["Location"] == f"/admin/contacts/{contact_id}/{action}"
    assert len(_contacts(app)) == 1

    question = admin.get(f"/admin/contacts/{contact_id}/{action}")
    assert question.status_code == 200 and question.headers["Cache-Control"] == "no-store"
    html = question.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Erase the contact details' in html and f"of {NAME}?" in html
    assert "cannot be undone" in html and EMAIL in html
    kept = "kept, anonymous, in the results" in html
    assert kept == (action == "erase")
    assert f'href="/admin/contacts/{contact_id}"' in html  # Cancel and Back lead to the contact
    assert len(_contacts(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1

    erased = admin.post(
        f"/admin/contacts/{contact_id}/{action}", data={"csrf_token": csrf_token(html), "confirm": "yes"}
    )
    assert erased.status_code == 303 and erased.headers["Location"] == "/admin/contacts"
    assert _contacts(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == (1 if action == "erase" else 0)


@pytest.mark.parametrize("action", ["erase", "erase-with-response"])
def test_a_double_clicked_erase_erases_once_and_says_so(app, client, finished, make_user, login, action):
    # The second click's request waits for the first's turn, then finds the details gone: it says so
    # (it was a 404 page, and on PostgreSQL it read the row before the first deleted it).
    from survey.responses.contacts import _ERASE_LOCK_BASE
    from tests.test_research_support import save_while_another_writes

    assert _send(client, finished, GOOD).status_code == 303
    admin = _admin(app, make_user, login)
    contact_id = _contact_id(app)

    def first_click(other) -> None:
        other.execute(delete(ContactDetail).where(ContactDetail.id == contact_id))
        if action == "erase-with-response":
            other.execute(delete(Response))

    url = f"/admin/contacts/{contact_id}/{action}"
    pages: list[str] = []
    answers = save_while_another_writes(
        app, admin, url, {"confirm": "yes"}, _ERASE_LOCK_BASE + contact_id, first_click, pages
    )
    assert answers == [303], pages
    assert "already erased" in admin.get("/admin/contacts").get_data(as_text=True)
    with app.app_context():
        deletes = db.session.scalar(
            select(func.count(AuditEvent.id)).filter_by(entity_type="contact_detail", action="delete")
        )
        assert deletes == 0  # the other connection's raw delete is not audited; this request deleted nothing


def test_the_error_summary_lists_the_problems_in_page_order_and_links_to_a_checkbox(client, finished):
    # It listed the email before the tick boxes above it, and linked to their fieldset, which cannot
    # take the focus, so following the link left the keyboard where it was.
    answer = _send(client, finished, {"name": NAME, "email": "zq-at-example"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    start = html.index("govuk-error-summary__list")
    summary = html[start : html.index("</ul>", start)]
    assert re.findall(r'href="#([^"]+)"', summary) == ["purposes-0", "email"]
    assert 'id="purposes-0"' in html and 'value="zq-at-example"' in html and f'value="{NAME}"' in html
