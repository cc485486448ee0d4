"""Keying paper forms: first entry, independent second entry, discrepancies and their resolution."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from survey.extensions import db
from survey.models import Answer, Discrepancy, PaperEntry, PaperForm, Response, User
from survey.paper.operations import find_form
from survey.paper.serials import SerialError
from tests.helpers import csrf_token
from tests.test_paper_support import (
    ITEMS_IN_DOVER_FORM,
    PEER,
    PEER2,
    PEER_OTHER,
    RESEARCHER,
    entry_inputs,
    issue,
    key_form,
    paper_setup,
    signed_in,
)


def _form(app, serial: str) -> PaperForm:
    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        db.session.expunge(form)
        return form


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_first_entry_of_an_unsampled_form_creates_a_verified_paper_response(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    peer = signed_in(app, PEER)
    saved = key_form(peer, serial, wemwbs_2="b", wemwbs_3="M", asset_dover_seafront="b", postcode_district="")
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/paper/entry")
    assert "not sampled for double entry, so it is verified" in peer.get("/paper/entry").get_data(as_text=True)

    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        response = form.response
        pat = db.session.scalars(select(User).filter_by(email=PEER)).one()
        assert (form.status, form.returned_at is not None) == ("verified", True)
        assert (response.mode, response.status, response.verified) == ("paper", "complete", True)
        assert response.entered_by_id == pat.id and response.submitted_at is not None
        answers = {a.item_key: (a.value, a.text, a.missing_reason) for a in response.answers}
        assert answers["wemwbs_1"] == (4, None, None)
        assert answers["wemwbs_2"] == (None, None, "blank")
        assert answers["wemwbs_3"] == (None, None, "multiple")
        assert answers["postcode_district"] == (None, None, "blank")  # nothing written
        assert answers["years_in_area"] == (12, None, None)
        assert answers["asset_nominations"] == (None, "The allotments", None)
        # Asset answers go to AssetUse; a missing one keeps its reason in an Answer row.
        uses = {u.campaign_asset.slug: (u.frequency, u.importance) for u in response.asset_uses}
        assert uses == {"dover_library": (3, 5), "dover_seafront": (None, 5)}
        assert answers["asset_dover_seafront"] == (None, None, "blank")
        (entry,) = form.entries
        assert (entry.entry_number, entry.entered_by_id) == (1, pat.id)
        assert entry.values["wemwbs_1"] == 4 and entry.missing_reasons == {
            "wemwbs_2": "blank",
            "wemwbs_3": "multiple",
            "asset_dover_seafront": "blank",
            "postcode_district": "blank",
        }


def test_double_entry_with_a_planted_discrepancy_is_resolved_by_a_researcher(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    first = key_form(signed_in(app, PEER), serial, wemwbs_3="4")
    assert first.status_code == 303
    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        assert (form.status, form.response.verified) == ("keyed", False)
        assert {a.item_key: a.value for a in form.response.answers}["wemwbs_3"] == 4

    second_enterer = signed_in(app, PEER2)
    blind = second_enterer.get(f"/paper/forms/{serial}/entry").get_data(as_text=True)
    assert "second entry" in blind
    assert set(entry_inputs(blind).values()) == {""}  # the first entry's values are not shown
    second = key_form(second_enterer, serial, wemwbs_3="2")
    assert second.status_code == 303
    assert "1 item differs" in second_enterer.get("/paper/entry").get_data(as_text=True)

    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        (discrepancy,) = db.session.scalars(select(Discrepancy).filter_by(form_id=form.id)).all()
        assert (discrepancy.item_key, discrepancy.first_value, discrepancy.second_value) == ("wemwbs_3", "4", "2")
        assert (form.status, form.response.verified, discrepancy.resolved) == ("keyed", False, False)
        assert [e.entry_number for e in form.entries] == [1, 2]
        assert form.entries[1].values["wemwbs_3"] == 2 and form.entries[0].values["wemwbs_3"] == 4
        discrepancy_id = discrepancy.id

    researcher = signed_in(app, RESEARCHER)
    assert f"/paper/forms/{serial}/resolve" in researcher.get("/paper/").get_data(as_text=True)
    page = researcher.get(f"/paper/forms/{serial}/resolve")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "I&#39;ve been feeling relaxed" in html  # the paper wording of the item
    assert "4 – Often" in html and "2 – Rarely" in html  # both entries side by side
    assert "None of the time" in html and "All of the time" in html  # the options as printed
    assert f"First entry ({PEER})" in html and f"Second entry ({PEER2})" in html

    # Neither enterer read it right: the paper shows "Some of the time".
    resolved = researcher.post(
        f"/paper/forms/{serial}/resolve",
        data={"csrf_token": csrf_token(html), f"choice-{discrepancy_id}": "other", f"other-{discrepancy_id}": "3"},
    )
    assert resolved.status_code == 303
    with app.app_context():
        form = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one()
        discrepancy = db.session.get(Discrepancy, discrepancy_id)
        rita = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        assert (discrepancy.resolved, discrepancy.resolved_value, discrepancy.resolved_by_id) == (True, "3", rita.id)
        assert (form.status, form.response.verified) == ("verified", True)
        answers = {a.item_key: a.value for a in form.response.answers}
        assert answers["wemwbs_3"] == 3 and answers["wemwbs_1"] == 4
        assert form.entries[0].values["wemwbs_3"] == 4  # both entries are kept as keyed


def test_resolution_can_choose_an_entry_and_refuses_missing_or_invalid_choices(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    key_form(signed_in(app, PEER), serial, gender="2", asset_dover_library="1")
    key_form(signed_in(app, PEER2), serial, gender="m", asset_dover_library="b")
    with app.app_context():
        ids = {d.item_key: d.id for d in db.session.scalars(select(Discrepancy))}
    assert set(ids) == {"gender", "asset_dover_library"}

    researcher = signed_in(app, RESEARCHER)
    html = researcher.get(f"/paper/forms/{serial}/resolve").get_data(as_text=True)
    assert "m – more than one box ticked" in html and "b – left blank" in html
    bad = researcher.post(
        f"/paper/forms/{serial}/resolve",
        data={"csrf_token": csrf_token(html), f"choice-{ids['gender']}": "other", f"other-{ids['gender']}": "7"},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    # Issue 16: the typed entry in quotation marks, not Python's repr.
    assert "“7” is not a code for this question" in text
    assert "Choose the first entry, the second entry or another value" in text
    assert _count(app, Discrepancy) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Discrepancy.resolved.is_(True))) == 0

    good = researcher.post(
        f"/paper/forms/{serial}/resolve",
        data={
            "csrf_token": csrf_token(html),
            f"choice-{ids['gender']}": "second",
            f"choice-{ids['asset_dover_library']}": "second",
        },
    )
    assert good.status_code == 303
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        answers = {a.item_key: (a.value, a.missing_reason) for a in response.answers}
        assert answers["gender"] == (None, "multiple")
        assert answers["asset_dover_library"] == (None, "blank")
        uses = {u.campaign_asset.slug: (u.frequency, u.importance) for u in response.asset_uses}
        assert uses["dover_library"] == (None, 5)  # the frequency cleared, the importance kept
        assert response.verified is True


def test_a_value_typed_for_neither_without_its_option_is_taken_as_neither(app, make_campaign, make_user):
    # The box for "Neither: the paper shows" is always visible; a researcher who typed the paper's
    # value there without also ticking "Neither" was told to choose a value they had just given.
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    key_form(signed_in(app, PEER), serial, gender="2")
    key_form(signed_in(app, PEER2), serial, gender="1")
    with app.app_context():
        discrepancy_id = db.session.scalars(select(Discrepancy.id)).one()
    researcher = signed_in(app, RESEARCHER)
    html = researcher.get(f"/paper/forms/{serial}/resolve").get_data(as_text=True)
    resolved = researcher.post(
        f"/paper/forms/{serial}/resolve", data={"csrf_token": csrf_token(html), f"other-{discrepancy_id}": " 3 "}
    )
    assert resolved.status_code == 303
    with app.app_context():
        assert db.session.get(Discrepancy, discrepancy_id).resolved_value == "3"


def test_matching_second_entry_verifies_the_form(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    key_form(signed_in(app, PEER), serial, wemwbs_5="b")
    # Case and spacing of codes do not matter: "B" is the same entry as "b".
    key_form(signed_in(app, RESEARCHER), serial, wemwbs_5=" B ", asset_nominations="The   allotments")
    form = _form(app, serial)
    assert form.status == "verified"
    assert _count(app, Discrepancy) == 0
    with app.app_context():
        assert db.session.scalars(select(Response)).one().verified is True


def test_the_same_person_cannot_make_both_entries(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    peer = signed_in(app, PEER)
    key_form(peer, serial)
    refused = peer.get(f"/paper/forms/{serial}/entry")
    assert refused.status_code == 409
    assert "The second entry must be made by someone else" in refused.get_data(as_text=True)
    lookup = peer.get(f"/paper/entry?serial={serial}")
    assert lookup.status_code == 409
    # A POST made anyway (an old tab) is refused too.
    token = csrf_token(peer.get("/paper/entry").get_data(as_text=True))
    posted = peer.post(f"/paper/forms/{serial}/entry", data={"csrf_token": token, "entry_number": "2", "wemwbs_1": "4"})
    assert posted.status_code == 409
    assert _count(app, PaperEntry) == 1


def test_a_serial_cannot_be_keyed_twice(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    key_form(signed_in(app, PEER), serial)
    other = signed_in(app, PEER2)
    lookup = other.get(f"/paper/entry?serial={serial.lower()}")
    assert lookup.status_code == 409
    message = lookup.get_data(as_text=True)
    assert re.search(rf"Form {serial} was already entered on \d{{1,2}} \w+ \d{{4}} by {PEER}", message)
    assert other.get(f"/paper/forms/{serial}/entry").status_code == 409
    assert _count(app, PaperEntry) == 1 and _count(app, Response) == 1


def test_a_number_too_long_for_int_is_refused_beside_the_item(app, make_campaign, make_user):
    # int() refuses more than 4,300 digits: its own message was shown instead of ours.
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    bad = key_form(signed_in(app, PEER), serial, years_in_area="1" * 5000)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "is not a whole number: type the number written" in html
    assert "int()" not in html and "digits" not in html


def test_a_concurrent_first_entry_is_not_saved_as_a_second(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=100)
    (serial,) = issue(app, size=1)
    slow = signed_in(app, PEER2)
    opened = slow.get(f"/paper/forms/{serial}/entry").get_data(as_text=True)  # shown as first entry
    key_form(signed_in(app, PEER), serial)
    data = {key: "4" if key.startswith(("wemwbs", "sixways")) else "b" for key in entry_inputs(opened)}
    data.update(csrf_token=csrf_token(opened), entry_number="1")
    late = slow.post(f"/paper/forms/{serial}/entry", data=data)
    assert late.status_code == 409
    assert "entered by someone else while you were typing" in late.get_data(as_text=True)
    assert _count(app, PaperEntry) == 1


def test_bad_codes_are_refused_beside_the_item_with_the_typed_values_kept(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=0)
    (serial,) = issue(app, size=1)
    peer = signed_in(app, PEER)
    bad = key_form(peer, serial, wemwbs_1="7", sixways_connect_1="", years_in_area="abc", postcode_district="zz9zz")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "4 items need correcting" in html
    assert "“7” is not a code for this question: type 1, 2, 3, 4, 5, b or m." in html
    assert "Type the code of the ticked box (1, 2, 3, 4, 5), b if left blank, m if more than one." in html
    assert "“abc” is not a whole number" in html
    assert "Enter the first part of your postcode" in html
    values = entry_inputs(html)
    assert (values["wemwbs_1"], values["years_in_area"], values["postcode_district"]) == ("7", "abc", "zz9zz")
    assert values["wemwbs_2"] == "4" and values["asset_nominations"] == "The allotments"
    assert 'id="f-wemwbs_1"' in html and 'aria-invalid="true"' in html and 'href="#f-wemwbs_1"' in html
    assert _count(app, PaperEntry) == 0 and _count(app, Response) == 0 and _count(app, Answer) == 0
    assert _form(app, serial).status == "issued"


def test_ons_scales_are_keyed_from_0_to_10_and_11_is_refused(app, make_campaign, make_user):
    make_campaign(keys=("ons4", "wemwbs", "demographics"), asset_slugs=())
    make_user(RESEARCHER, "researcher")
    make_user(PEER, "peer", ("dover-town",))
    (serial,) = issue(app, size=1)
    peer = signed_in(app, PEER)
    html = peer.get(f"/paper/forms/{serial}/entry").get_data(as_text=True)
    assert list(entry_inputs(html))[:5] == [
        "ons_life_satisfaction",
        "ons_worthwhile",
        "ons_happy",
        "ons_anxious",
        "wemwbs_1",
    ]
    assert "A number from 0 (Not at all anxious) to 10 (Completely anxious); b = left blank" in html
    assert 'data-codes="0 1 2 3 4 5 6 7 8 9 10 b m"' in html  # "1" waits: it may be the start of 10

    bad = key_form(peer, serial, ons_life_satisfaction="11", ons_happy="")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "“11” is not a code for this question: type 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, b or m." in text
    assert "Type the code of the ticked box (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)" in text
    assert _count(app, Response) == 0

    saved = key_form(peer, serial, ons_life_satisfaction="0", ons_worthwhile="10", ons_happy="b", ons_anxious="m")
    assert saved.status_code == 303
    with app.app_context():
        response = db.session.scalars(select(PaperForm).filter_by(serial=serial)).one().response
        answers = {a.item_key: (a.value, a.missing_reason) for a in response.answers if a.item_key.startswith("ons_")}
    assert answers == {
        "ons_life_satisfaction": (0, None),
        "ons_worthwhile": (10, None),
        "ons_happy": (None, "blank"),
        "ons_anxious": (None, "multiple"),
    }


def test_a_mistyped_serial_is_refused_before_any_lookup(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    (serial,) = issue(app, size=1)
    number, check = serial.split("-")[1:]
    typo = f"DOV-{number}-{(int(check) + 1) % 10}"
    statements: list[str] = []
    with app.app_context():
        researcher = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            with pytest.raises(SerialError, match="check digit"):
                find_form(typo, researcher)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert not any("paper_form" in statement for statement in statements)

    page = signed_in(app, PEER).get(f"/paper/entry?serial={typo}")
    assert page.status_code == 422
    assert "is not a valid serial number: its check digit" in page.get_data(as_text=True)


def test_unissued_and_spoiled_serials_are_refused(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    first, second = issue(app, size=2)
    peer = signed_in(app, PEER)
    unissued = peer.get("/paper/entry?serial=DOV-00042-7")  # a valid check digit, never printed
    assert unissued.status_code == 404
    assert "No form with serial DOV-00042-7 has been issued" in unissued.get_data(as_text=True)

    batch_page = peer.get(f"/paper/batches/{_form(app, first).batch_id}").get_data(as_text=True)
    token = csrf_token(batch_page)
    spoiled = peer.post(f"/paper/forms/{first}/status", data={"csrf_token": token, "status": "spoiled"})
    assert spoiled.status_code == 303
    refused = peer.get(f"/paper/entry?serial={first}")
    assert refused.status_code == 409 and "was marked spoiled" in refused.get_data(as_text=True)
    assert peer.get(f"/paper/forms/{first}/entry").status_code == 409
    # The other form of the batch opens normally.
    opened = peer.get(f"/paper/entry?serial={second}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/paper/forms/{second}/entry")


def test_a_peer_cannot_see_or_key_another_communitys_forms(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    (sheppey_serial,) = issue(app, slug="sheppey", size=1, to=PEER_OTHER)
    peer = signed_in(app, PEER)
    token = csrf_token(peer.get("/paper/entry").get_data(as_text=True))
    assert peer.get(f"/paper/forms/{sheppey_serial}/entry").status_code == 404
    posted = peer.post(f"/paper/forms/{sheppey_serial}/entry", data={"csrf_token": token, "entry_number": "1"})
    assert posted.status_code == 404
    lookup = peer.get(f"/paper/entry?serial={sheppey_serial}")
    assert lookup.status_code == 404 and "has been issued" in lookup.get_data(as_text=True)  # as if never printed
    status = peer.post(f"/paper/forms/{sheppey_serial}/status", data={"csrf_token": token, "status": "spoiled"})
    assert status.status_code == 404
    batch_id = _form(app, sheppey_serial).batch_id
    assert peer.get(f"/paper/batches/{batch_id}").status_code == 404
    assert peer.get(f"/paper/batches/{batch_id}/pdf").status_code == 404
    assert f"Batch {batch_id}" not in peer.get("/paper/").get_data(as_text=True)
    assert _count(app, PaperEntry) == 0 and _form(app, sheppey_serial).status == "issued"
    # Their own colleague in Sheppey can key it.
    assert key_form(signed_in(app, PEER_OTHER), sheppey_serial).status_code == 303


def test_entry_statistics_per_enterer(app, make_campaign, make_user):
    """Three double-entry forms, the numbers worked out by hand (36 items per form):

    A: Pat first, Pip second, one item differs, resolved as Pat keyed it.
    B: Pip first, Rita second, identical.
    C: Pat first only (waiting for its second entry: nothing compared yet).
    Pat: 2 first, 0 second; compared A only: 36 items, 1 discrepant (2.8%), 0 errors.
    Pip: 1 first, 1 second; compared A and B: 72 items, 1 discrepant (1.4%), 1 error (A).
    Rita: 0 first, 1 second; compared B: 36 items, 0 discrepant (0.0%), 0 errors.
    """
    paper_setup(make_campaign, make_user, percent=100)
    form_a, form_b, form_c = issue(app, size=3)
    pat, pip, rita = signed_in(app, PEER), signed_in(app, PEER2), signed_in(app, RESEARCHER)
    assert len(entry_inputs(pat.get(f"/paper/forms/{form_a}/entry").get_data(as_text=True))) == ITEMS_IN_DOVER_FORM
    key_form(pat, form_a, wemwbs_7="5")
    key_form(pip, form_a, wemwbs_7="3")
    key_form(pip, form_b)
    key_form(rita, form_b)
    key_form(pat, form_c)
    with app.app_context():
        discrepancy = db.session.scalars(select(Discrepancy)).one()
    html = rita.get(f"/paper/forms/{form_a}/resolve").get_data(as_text=True)
    choice = {"csrf_token": csrf_token(html), f"choice-{discrepancy.id}": "first"}
    assert rita.post(f"/paper/forms/{form_a}/resolve", data=choice).status_code == 303

    table = rita.get("/paper/stats").get_data(as_text=True)
    rows = {
        name: [cell.strip() for cell in re.findall(r'<td class="number">([^<]*)</td>', row)]
        for name, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
    }
    assert rows == {
        PEER: ["2", "0", "1", "36", "1", "2.8%", "0"],
        PEER2: ["1", "1", "2", "72", "1", "1.4%", "1"],
        RESEARCHER: ["0", "1", "1", "36", "0", "0.0%", "0"],
    }
    assert signed_in(app, PEER).get("/paper/stats").status_code == 403
