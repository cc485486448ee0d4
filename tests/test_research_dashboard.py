"""Campaign dashboard counts (checked against the rows created here), nominations, and who may see the screens."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey.campaigns.dashboard import campaign_dashboard, response_counts
from survey.campaigns.operations import create_campaign
from survey.extensions import db
from survey.models import Campaign, Community, Discrepancy, PaperBatch, PaperEntry, PaperForm, User
from tests.helpers import csrf_token
from tests.test_research_support import add_response, sign_in

LONDON = ZoneInfo("Europe/London")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (status, mode, submitted at, verified) for the campaign under test.
RESPONSES = [
    ("complete", "online", _utc(2025, 6, 1, 9, 0), True),
    ("complete", "online", _utc(2025, 6, 1, 22, 59), True),  # 23:59 in London: still 1 June
    ("complete", "interview", _utc(2025, 6, 1, 23, 30), True),  # 00:30 BST: counts on 2 June
    ("complete", "paper", _utc(2025, 6, 2, 12, 0), False),  # awaiting its second entry
    ("complete", "paper", _utc(2025, 6, 4, 8, 0), True),  # 3 June has none
    ("complete", "interview", _utc(2025, 6, 4, 18, 0), False),
    ("partial", "online", None, True),
    ("partial", "online", None, True),
    ("partial", "interview", None, True),
]
# (serial, status, needs double entry, entries made, discrepancy: None / "open" / "resolved")
PAPER = [
    ("P-001", "issued", False, 0, None),
    ("P-002", "issued", True, 0, None),
    ("P-003", "returned", False, 0, None),
    ("P-004", "keyed", True, 1, None),  # awaiting the second entry
    ("P-005", "keyed", True, 2, "open"),  # entries disagree
    ("P-006", "keyed", False, 1, None),
    ("P-007", "keyed", True, 2, "resolved"),
    ("P-008", "verified", True, 2, "resolved"),
    ("P-009", "spoiled", True, 0, None),
]


@pytest.fixture
def fieldwork(app, make_campaign, make_user):
    """The campaign under test with RESPONSES and PAPER, plus noise in another campaign."""
    make_campaign("dover-town", target_sample_size=8)
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    make_user("peer1@example.org", "peer", ("dover-town",))
    make_user("peer2@example.org", "peer", ("dover-town",))
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        other = db.session.scalars(select(Campaign).filter_by(slug="sheppey")).one()
        first, second = db.session.scalars(select(User).order_by(User.email)).all()
        for status, mode, submitted_at, verified in RESPONSES:
            db.session.add(
                add_response(campaign, status=status, mode=mode, submitted_at=submitted_at, verified=verified)
            )
        for _ in range(3):  # noise: must not be counted for dover-town
            db.session.add(add_response(other, mode="paper", submitted_at=_utc(2025, 6, 2, 10, 0), verified=False))
        batch = PaperBatch(campaign=campaign, issued_to=first, size=len(PAPER))
        other_batch = PaperBatch(campaign=other, issued_to=first, size=1)
        db.session.add_all([batch, other_batch])
        db.session.add(PaperForm(batch=other_batch, campaign=other, serial="S-001", status="issued"))
        for serial, status, double, entries, discrepancy in PAPER:
            form = PaperForm(batch=batch, campaign=campaign, serial=serial, status=status, needs_double_entry=double)
            for number, person in list(enumerate((first, second), start=1))[:entries]:
                form.entries.append(PaperEntry(entry_number=number, entered_by=person, values={}))
            if discrepancy:
                db.session.add(
                    Discrepancy(
                        form=form,
                        item_key="wemwbs_1",
                        first_value="3",
                        second_value="4",
                        resolved=discrepancy == "resolved",
                    )
                )
            db.session.add(form)
        db.session.commit()
        return campaign.id


def _expected() -> dict:
    """The dashboard's numbers, tallied here in Python straight from RESPONSES and PAPER."""
    complete = [r for r in RESPONSES if r[0] == "complete"]
    days = Counter(r[2].astimezone(LONDON).date() for r in complete)
    return {
        "complete": len(complete),
        "partial": len(RESPONSES) - len(complete),
        "by_mode": {
            mode: (
                sum(1 for r in complete if r[1] == mode),
                sum(1 for r in RESPONSES if r[0] == "partial" and r[1] == mode),
            )
            for mode in ("online", "interview", "paper")
        },
        "verified": sum(1 for r in complete if r[3]),
        "awaiting": sum(1 for r in complete if not r[3]),
        "days": days,
        "paper_status": Counter(p[1] for p in PAPER),
        "awaiting_second": sum(1 for p in PAPER if p[1] == "keyed" and p[2] and p[3] < 2),
        "disputed": sum(1 for p in PAPER if p[4] == "open" and p[1] != "spoiled"),
    }


def test_dashboard_counts_match_the_rows(app, fieldwork):
    expected = _expected()
    with app.app_context():
        dashboard = campaign_dashboard(db.session.get(Campaign, fieldwork), "Europe/London")
        assert (dashboard.counts.complete, dashboard.counts.partial) == (expected["complete"], expected["partial"])
        assert {m: (c.complete, c.partial) for m, c in dashboard.by_mode.items()} == expected["by_mode"]
        assert (dashboard.verified, dashboard.awaiting_verification) == (expected["verified"], expected["awaiting"])
        # Days in London time, gaps filled with zero; written out by hand as well as tallied.
        assert dashboard.by_day == [
            (date(2025, 6, 1), 2),
            (date(2025, 6, 2), 2),
            (date(2025, 6, 3), 0),
            (date(2025, 6, 4), 2),
        ]
        assert {day: n for day, n in dashboard.by_day if n} == dict(expected["days"])
        assert dashboard.percent_of_target == round(100 * 6 / 8)
        paper = dashboard.paper
        assert {k: v for k, v in paper.by_status.items() if v} == dict(expected["paper_status"])
        assert (paper.not_returned, paper.returned_not_keyed, paper.issued) == (2, 1, len(PAPER))
        assert (
            (paper.awaiting_second_entry, paper.unresolved_discrepancies)
            == (expected["awaiting_second"], expected["disputed"])
            == (1, 1)
        )
        other = db.session.scalars(select(Campaign.id).filter_by(slug="sheppey")).one()
        counts = response_counts([fieldwork, other])
        assert (counts[fieldwork].complete, counts[other].complete, counts[other].partial) == (6, 3, 0)


def test_dashboard_page_shows_the_counts(client, fieldwork, make_user, login):
    sign_in(make_user, login)
    html = client.get("/research/campaigns/dover-town").get_data(as_text=True)
    assert "6 complete of a target of 8 (75%)" in html and "3 started but not finished" in html
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="number">(\d+)</td>', html))
    assert cells["Issued, not yet returned"] == "2" and cells["Returned, not yet keyed"] == "1"
    assert cells["of which awaiting the second entry"] == "1" and cells["of which with unresolved discrepancies"] == "1"
    # The stages add up to the forms issued: "Keyed" was listed after its own parts, as if another stage.
    stages = ("Issued, not yet returned", "Returned, not yet keyed", "Keyed, not yet verified", "Verified", "Spoiled")
    assert [cells[stage] for stage in stages] == ["2", "1", "4", "1", "1"]
    assert sum(int(cells[stage]) for stage in stages) == int(cells["Issued in all"]) == len(PAPER)
    assert cells["Awaiting verification (paper forms sampled for double entry)"] == "2"
    assert re.search(r"<th scope=\"row\">interview</th><td class=\"number\">2</td><td class=\"number\">1</td>", html)
    assert "Tue 03 Jun 2025" in html and '<meter min="0" max="2" value="0"' in html
    home = client.get("/research/").get_data(as_text=True)
    assert re.search(r'<td class="number">6</td>\s*<td class="number">3</td>\s*<td class="number">8</td>', home)


def test_nominations_newest_first_with_matches_and_merge(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    with app.app_context():
        dover = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        practice = create_campaign(dover, "dover-practice", "Training", ["asset_use"], practice=True)
        sheppey = db.session.scalars(select(Campaign).filter_by(slug="sheppey")).one()
        rows = [
            add_response(campaign, submitted_at=_utc(2025, 5, 1, 10), nomination="The allotments on Elms Vale"),
            add_response(campaign, submitted_at=_utc(2025, 5, 3, 10), nomination="the DOVER LIBRARY homework club"),
            add_response(campaign, submitted_at=_utc(2025, 5, 2, 10), nomination="Pencester Gardens"),
            add_response(campaign, status="partial", nomination="Unfinished: not shown"),
            add_response(campaign, submitted_at=_utc(2025, 5, 4, 10), nomination=""),
            add_response(practice, submitted_at=_utc(2025, 5, 5, 10), nomination="Practice: not shown"),
            add_response(sheppey, submitted_at=_utc(2025, 5, 6, 10), nomination="Sheppey: not shown"),
        ]
        db.session.add_all(rows)
        db.session.commit()
        sheppey_answer = rows[-1].answers[0].id
    html = client.get("/research/communities/dover-town/nominations").get_data(as_text=True)
    texts = re.findall(r"<td>([^<]*)</td>\s*<td>(Mentions [^<]*|No match)</td>", html)
    assert texts == [
        ("the DOVER LIBRARY homework club", "Mentions Dover Library"),
        ("Pencester Gardens", "No match"),
        ("The allotments on Elms Vale", "No match"),
    ]
    assert "3 nominations" in html and "not shown" not in html

    link = re.findall(r'href="(/research/communities/dover-town/assets/new\?nomination=\d+)"', html)[1]
    form = client.get(link).get_data(as_text=True)
    assert re.search(r'name="description">\s*Pencester Gardens</textarea>', form)
    foreign = client.get(f"/research/communities/dover-town/assets/new?nomination={sheppey_answer}")
    assert foreign.status_code == 404
    for number in ("9" * 25, "-" + "9" * 25):  # past 64 bits: SQLite's driver cannot send it (was a 500)
        assert client.get(f"/research/communities/dover-town/assets/new?nomination={number}").status_code == 404


def _research_urls(app) -> list[tuple[str, str]]:
    """Every research route, with the own community's objects (and a finished report) filled in."""
    from tests.access.export_rules import finished_export_job
    from tests.access.profiles import finished_pack_job
    from tests.access.research import finished_report_job

    with app.app_context():
        job_id = finished_report_job()
        export_id = finished_export_job()
        pack_id = finished_pack_job("dover-town")
        db.session.commit()
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("research."):
            continue
        value = "dover_library" if rule.rule.startswith("/research/assets/") else "dover-town"
        job = {"/research/exports/": export_id, "/research/profile-packs/": pack_id}.get(
            rule.rule[: rule.rule.find("/", len("/research/")) + 1], job_id
        )
        url = rule.rule.replace("<slug>", value).replace("<int:job_id>", str(job)).replace("<name>", "profiles.html")
        if "<" in url:  # a one-time token only a previous POST can make (the responses import's confirm)
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            urls.append((method, url))
    return urls


ERASE = "/research/deep-dives/erase"


def test_peers_get_403_and_anonymous_visitors_the_login_page_everywhere(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    routes = _research_urls(app)
    assert len(routes) >= 20
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for method, url in routes:
        answer = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], (method, url)
    sign_in(make_user, login, "peer", ("dover-town",))
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    # Peers run workshops, record deep dives and read their assets' GeoJSON for their own communities
    # (tests/access/workshops.py, deepdives.py and asset_map.py have their rules); erasing deep dives stays
    # with researchers.
    peers_pages = ("/research/workshops", "/research/deep-dives", "/research/assets.geojson")
    for method, url in [(m, u) for m, u in routes if not u.startswith(peers_pages) or u.startswith(ERASE)]:
        answer = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert answer.status_code == 403, (method, url, answer.status_code)


def test_admins_see_every_research_page(app, client, make_campaign, make_user, login):
    make_campaign("dover-town", open_it=False)  # a draft, so its edit page shows too
    sign_in(make_user, login, "admin")
    for method, url in _research_urls(app):
        if method == "GET":
            response = client.get(url)
            response.close()  # downloads are sent from open files
            assert response.status_code == 200, url
