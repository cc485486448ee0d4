"""Issuing batches of numbered forms, the stored PDF, the print view, and tracking returns."""

from __future__ import annotations

import logging
import re

import weasyprint
from sqlalchemy import select

from survey.extensions import db
from survey.models import PaperBatch, PaperForm, User
from survey.paper.serials import damm_is_valid
from tests.helpers import csrf_token
from tests.test_paper_support import PEER, PEER_OTHER, RESEARCHER, issue, key_form, paper_setup, signed_in, wait_for_pdf


def _issue_by_form(client, slug: str, recipient_email: str, size: str):
    page = client.get(f"/paper/campaigns/{slug}/issue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    option = re.search(rf'<option[^>]*value="(\d+)"[^>]*>[^<]*{re.escape(recipient_email)}', html)
    recipient = option.group(1) if option else "999"
    return client.post(
        f"/paper/campaigns/{slug}/issue", data={"csrf_token": csrf_token(html), "issued_to": recipient, "size": size}
    )


def _forms(app) -> list[PaperForm]:
    with app.app_context():
        forms = db.session.scalars(select(PaperForm).order_by(PaperForm.id)).all()
        db.session.expunge_all()
        return list(forms)


def test_issuing_a_batch_numbers_the_forms_and_stores_the_pdf_once(app, make_campaign, make_user, monkeypatch):
    paper_setup(make_campaign, make_user, percent=100)
    researcher = signed_in(app, RESEARCHER)
    issued = _issue_by_form(researcher, "dover-town", PEER, "3")
    assert issued.status_code == 303
    wait_for_pdf(app)  # issue 16: the PDF is made by a background job after the redirect
    forms = _forms(app)
    assert [f.serial for f in forms] == ["DOV-00001-3", "DOV-00002-1", "DOV-00003-7"]
    assert all(damm_is_valid(f.serial.replace("DOV-", "").replace("-", "")) for f in forms)
    assert all(f.needs_double_entry and f.status == "issued" for f in forms)  # 100%: every form
    with app.app_context():
        batch = db.session.scalars(select(PaperBatch)).one()
        stored, batch_id = batch.pdf, batch.id
        assert batch.size == 3 and batch.issued_to.email == PEER and batch.issued_by.email == RESEARCHER
    assert stored.startswith(b"%PDF-")
    page = researcher.get(issued.headers["Location"]).get_data(as_text=True)
    assert "Issued 3 forms (DOV-00001-3 to DOV-00003-7)" in page and "Download the PDF to print" in page

    # Downloading serves the stored bytes and never renders again.
    def no_rendering(*_args, **_kwargs):
        raise AssertionError("the PDF was rendered again")

    monkeypatch.setattr(weasyprint.HTML, "render", no_rendering)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", no_rendering)
    for client in (researcher, signed_in(app, PEER)):
        download = client.get(f"/paper/batches/{batch_id}/pdf")
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert download.data == stored and download.data.startswith(b"%PDF")
        assert "attachment" in download.headers["Content-Disposition"]


def test_the_sample_for_double_entry_follows_the_campaign_percentage(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user, percent=0)
    issue(app, size=20)
    assert not any(f.needs_double_entry for f in _forms(app))
    with app.app_context():
        from survey.models import Campaign

        db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one().double_entry_percent = 100
        db.session.commit()
    issue(app, size=20)
    assert [f.needs_double_entry for f in _forms(app)] == [False] * 20 + [True] * 20


def test_a_50_form_batch_draws_the_questionnaire_once(app, make_campaign, make_user):
    """Its speed (about 5 s here, a minute when every copy was laid out anew) is bench/bench_paper.py's."""
    paper_setup(make_campaign, make_user)
    issue(app, size=1)  # the 50 forms start at the second serial number
    serials = issue(app, size=50, render=True)
    assert serials[0] == "DOV-00002-1" and len(serials) == 50
    with app.app_context():
        pdf = db.session.scalars(select(PaperBatch).order_by(PaperBatch.id.desc())).first().pdf
    assert pdf.startswith(b"%PDF") and len(pdf) < 1_000_000  # the questionnaire is drawn once and reused


def test_a_batch_pdf_renders_without_weasyprint_warnings(app, make_campaign, make_user, caplog):
    # The phone layout's "screen and (max-width: 40em)" query made WeasyPrint (media types only) warn
    # twice on every PDF: eight WARNING lines in `make run`'s first output, for a rule it was to skip.
    paper_setup(make_campaign, make_user)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        issue(app, size=1, render=True)
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


def test_issuing_checks_the_recipient_and_the_size(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    researcher = signed_in(app, RESEARCHER)
    page = researcher.get("/paper/campaigns/dover-town/issue").get_data(as_text=True)
    assert PEER in page and f"Myself ({RESEARCHER})" in page
    assert PEER_OTHER not in page  # a Sheppey peer is not offered for Dover forms
    with app.app_context():
        sheppey_peer = db.session.scalars(select(User).filter_by(email=PEER_OTHER)).one().id
    wrong_person = researcher.post(
        "/paper/campaigns/dover-town/issue",
        data={"csrf_token": csrf_token(page), "issued_to": str(sheppey_peer), "size": "2"},
    )
    assert wrong_person.status_code == 422
    too_many = _issue_by_form(researcher, "dover-town", PEER, "501")
    assert too_many.status_code == 422 and "from 1 to 500" in too_many.get_data(as_text=True)
    assert _issue_by_form(researcher, "dover-town", PEER, "0").status_code == 422
    assert _forms(app) == []
    assert _issue_by_form(researcher, "dover-town", RESEARCHER, "1").status_code == 303  # to themselves
    assert signed_in(app, PEER).get("/paper/campaigns/dover-town/issue").status_code == 403


def test_forms_are_issued_only_for_open_campaigns(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    make_campaign("draft-town", asset_slugs=(), open_it=False)
    researcher = signed_in(app, RESEARCHER)
    assert researcher.get("/paper/campaigns/draft-town/issue").status_code == 404
    assert researcher.get("/paper/campaigns/draft-town/print").status_code == 404


def test_print_view_of_a_blank_form(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    page = signed_in(app, PEER).get("/paper/campaigns/dover-town/print")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/static/paper_print.css"' in html
    assert "Please tick the box that best describes your experience" in html  # the paper wording
    assert "© NHS Health Scotland, The University of Warwick and University of Edinburgh, 2006" in html
    assert "Your answers are anonymous" in html and "office use" in html.lower()
    assert re.search(r'<span class="code">5</span>', html)  # each tick box shows its code
    assert "<script" not in html and "style=" not in html
    assert signed_in(app, PEER).get("/paper/campaigns/sheppey/print").status_code == 404


def test_tracking_returned_and_spoiled_forms_with_counts_per_status(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    first, second, third, fourth = issue(app, size=4)
    peer = signed_in(app, PEER)
    batch_id = _forms(app)[0].batch_id
    batch_page = peer.get(f"/paper/batches/{batch_id}").get_data(as_text=True)
    token = csrf_token(batch_page)

    def mark(serial: str, status: str) -> int:
        return peer.post(f"/paper/forms/{serial}/status", data={"csrf_token": token, "status": status}).status_code

    assert mark(first, "returned") == 303 and mark(second, "spoiled") == 303
    key_form(peer, third)

    # The check-in screen: type a serial, press Enter.
    returns = csrf_token(peer.get("/paper/returns").get_data(as_text=True))
    typo = peer.post("/paper/returns", data={"csrf_token": returns, "serial": "DOV-00004-1", "status": "returned"})
    assert typo.status_code == 422 and "check digit" in typo.get_data(as_text=True)
    checked_in = peer.post("/paper/returns", data={"csrf_token": returns, "serial": fourth, "status": "returned"})
    assert checked_in.status_code == 303
    keyed = peer.post("/paper/returns", data={"csrf_token": returns, "serial": third, "status": "spoiled"})
    assert keyed.status_code == 409 and "can no longer be changed" in keyed.get_data(as_text=True)

    statuses = {f.serial: f.status for f in _forms(app)}
    assert statuses == {first: "returned", second: "spoiled", third: "verified", fourth: "returned"}
    assert all(f.returned_at is not None for f in _forms(app) if f.status != "spoiled")
    home = peer.get("/paper/").get_data(as_text=True)
    row = re.search(rf"Batch {batch_id}</a></th>(.*?)</tr>", home, re.S).group(1)
    # Forms, then issued / returned / keyed / verified / spoiled.
    assert re.findall(r'<td class="number">(\d+)</td>', row) == ["4", "0", "2", "0", "1", "1"]


def test_ons_scales_print_as_one_row_of_eleven_boxes_with_worded_ends(app, make_campaign, make_user):
    from flask import render_template
    from weasyprint import CSS, HTML

    from survey.models import Campaign
    from survey.paper.printing import _stylesheet_path, form_sections

    make_campaign(keys=("ons4", "wemwbs", "demographics"), asset_slugs=())
    make_user(PEER, "peer", ("dover-town",))
    html = signed_in(app, PEER).get("/paper/campaigns/dover-town/print").get_data(as_text=True)
    assert html.count('<table class="scale" role="presentation">') == 4
    for words in ("Not at all satisfied", "Completely worthwhile", "Not at all happy", "Completely anxious"):
        assert words in html
    assert "© Crown copyright, Office for National Statistics" in html
    # Laid out as the batch PDF is: each scale's eleven boxes on one line, inside the A4 text width.
    with app.test_request_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        body = render_template(
            "paper/print_batch.html", campaign=campaign, sections=form_sections(campaign), serials=["X"]
        )
        stylesheet = CSS(filename=str(_stylesheet_path()))
        first = HTML(string=body, base_url=str(_stylesheet_path().parent)).render(stylesheets=[stylesheet]).pages[0]

    def boxes(box):
        if getattr(box, "element_tag", None) == "span" and box.element.get("class") == "box":
            yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    page = first._page_box
    found = list(boxes(page))
    scales = [found[start : start + 11] for start in range(0, 44, 11)]  # the ONS questions come first
    right_edge = page.content_box_x() + page.width
    for row in scales:
        assert len({round(box.position_y) for box in row}) == 1  # one line
        assert row[-1].position_x + row[-1].margin_width() < right_edge - 20  # room for the code "10"


def test_a_double_clicked_issue_numbers_one_batch(app, make_campaign, make_user):
    """The form carries a one-time token: the second of two Issue clicks (no JavaScript to stop
    it) leads to the batch the first one numbered, and no serial numbers are used up twice."""
    paper_setup(make_campaign, make_user, percent=0)
    researcher = signed_in(app, RESEARCHER)
    html = researcher.get("/paper/campaigns/dover-town/issue").get_data(as_text=True)
    recipient = re.search(rf'<option[^>]*value="(\d+)"[^>]*>[^<]*{re.escape(PEER)}', html).group(1)
    token = re.search(r'name="issue_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(html), "issued_to": recipient, "size": "3", "issue_token": token}
    first = researcher.post("/paper/campaigns/dover-town/issue", data=data)
    second = researcher.post("/paper/campaigns/dover-town/issue", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_forms(app)) == 3
    with app.app_context():
        assert len(db.session.scalars(select(PaperBatch)).all()) == 1
    wait_for_pdf(app)
    tampered = researcher.post("/paper/campaigns/dover-town/issue", data={**data, "issue_token": "<not a token>"})
    assert tampered.status_code == 400
