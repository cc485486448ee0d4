"""Impact workshop staff side: the facilitator's figures, comments, the results CSV, the CLI, agreed
adjustments (the workshop as their source in the audit trail and the provenance), peers' scope."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from analysis.config import AnalysisConfig
from analysis.provenance import build_provenance
from survey.campaigns.operations import create_campaign, open_campaign
from survey.datasets.reader import build_dataset
from survey.extensions import db
from survey.models import AuditEvent, Campaign, Community, ValuationAdjustment, Workshop
from tests.test_research_support import sign_in, submit
from tests.workshop_support import join, latest_code, open_via_web, rate, workshop_id

# Five participants' (social, economic) ratings of the library: medians 4 and 2.
ROOM = [(5, 2), (4, 1), (4, 3), (2, 2), (3, 5)]
COLUMNS = "workshop,participant,participant_group,asset,social_impact,economic_impact,comment,rated_at"


@pytest.fixture
def code(app, client, make_campaign, make_user, login) -> str:
    make_campaign("dover-town")
    sign_in(make_user, login)
    return open_via_web(client)


def _room(app, code: str, comments: list[str] | None = None) -> None:
    groups = ["resident", "council", None, "health", "business"]
    for number, ((social, economic), group) in enumerate(zip(ROOM, groups, strict=True)):
        participant = app.test_client()
        join(participant, code, group)
        comment = (comments or [""] * 5)[number]
        assert rate(participant, code, "dover_library", social, economic, comment).status_code == 303


def test_facilitator_figures_match_an_independent_count(app, client, code):
    _room(app, code)
    base = f"/research/workshops/{workshop_id(app, code)}"
    figures = client.get(f"{base}/ratings.json").get_json()
    library, seafront = figures["assets"]
    assert figures["participants"] == 5 and library["slug"] == "dover_library"
    for key, column in (("social", 0), ("economic", 1)):
        values = np.array([pair[column] for pair in ROOM])
        assert library[key]["count"] == len(values)
        assert library[key]["median"] == float(np.median(values))
        assert library[key]["distribution"] == [int((values == point).sum()) for point in range(1, 6)]
    assert seafront["social"] == {"count": 0, "median": None, "distribution": [0, 0, 0, 0, 0]}
    page = client.get(base).get_data(as_text=True)
    assert code in page and 'data-figure="dover_library:social:median">4<' in page
    assert 'data-figure="dover_library:economic:median">2<' in page and "http-equiv" not in page
    assert 'src="/static/workshop.js"' in page and 'data-url="/research/workshops/' in page
    assert f'href="http://127.0.0.1:5000/w/{code}"' in page  # PUBLIC_BASE_URL, as the CLI prints it
    # An even count: the median is the mean of the middle two, as statistics.median says.
    extra = app.test_client()
    join(extra, code)
    assert rate(extra, code, "dover_library", 5, 5).status_code == 303
    social = client.get(f"{base}/ratings.json").get_json()["assets"][0]["social"]
    assert social["median"] == statistics.median([5, 4, 4, 2, 3, 5]) == 4.0


def test_comments_are_escaped_hidden_and_shown_again_and_audited(app, client, code):
    _room(app, code, ["<script>alert(1)</script>", '=HYPERLINK("x")', "", "Lovely staff", ""])
    base = f"/research/workshops/{workshop_id(app, code)}"
    page = client.get(base).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with app.app_context():
        from survey.models import WorkshopRating

        rating_id = db.session.scalars(select(WorkshopRating.id).where(WorkshopRating.comment == "Lovely staff")).one()
    assert submit(client, f"{base}/comments/{rating_id}/hide", token_url=base).status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "Lovely staff" not in page and "Comment hidden from the room" in page
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["comment"] for row in rows] == ["<script>alert(1)</script>", '\'=HYPERLINK("x")', "", "", ""]
    assert submit(client, f"{base}/comments/{rating_id}/show", token_url=base).status_code == 303
    assert "Lovely staff" in client.get(base).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).filter_by(entity_type="workshop_rating").order_by(AuditEvent.id)
        ).all()
        assert [event.changes for event in events] == [{"hidden": [False, True]}, {"hidden": [True, False]}]
        assert all(event.actor_label == "researcher@example.org" for event in events)


def test_results_csv_has_the_exact_columns_and_one_row_per_participant_and_asset(app, client, code):
    _room(app, code)
    participant = app.test_client()
    join(participant, code, "other")
    assert rate(participant, code, "dover_seafront", 1, 4, "Windy").status_code == 303
    answer = client.get(f"/research/workshops/{workshop_id(app, code)}/results.csv")
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    text = answer.get_data(as_text=True).lstrip("\ufeff")
    assert text.splitlines()[0] == COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = [
        (str(n + 1), group, "dover_library", str(s), str(e))
        for n, ((s, e), group) in enumerate(zip(ROOM, ["resident", "council", "", "health", "business"], strict=True))
    ] + [("6", "other", "dover_seafront", "1", "4")]
    got = [
        (r["participant"], r["participant_group"], r["asset"], r["social_impact"], r["economic_impact"]) for r in rows
    ]
    assert got == expected
    assert {row["workshop"] for row in rows} == {code} and rows[-1]["comment"] == "Windy"
    assert all(row["rated_at"].endswith("Z") and len(row["rated_at"]) == 20 for row in rows)


def test_cli_opens_exports_and_closes_by_code_in_any_form(app, runner, make_campaign, tmp_path):
    make_campaign("dover-town")
    opened = runner.invoke(
        args=["workshop", "open", "--community", "dover-town", "--title", "CLI workshop", "--date", "2026-03-14"]
    )
    assert opened.exit_code == 0, opened.output
    code = latest_code(app)
    assert f"Join code: {code}" in opened.output and f"Join link: http://127.0.0.1:5000/w/{code}" in opened.output
    with app.app_context():
        workshop = db.session.scalars(select(Workshop)).one()
        assert workshop.held_on == date(2026, 3, 14) and [link.asset.slug for link in workshop.assets] == [
            "dover_library",
            "dover_seafront",
        ]
    participant = app.test_client()
    join(participant, code, "health")
    assert rate(participant, code, "dover_seafront", 3, 4, "Good").status_code == 303
    closed = runner.invoke(args=["workshop", "close", code.lower().replace("-", " ")])
    assert closed.exit_code == 0 and "Closed CLI workshop." in closed.output
    out = tmp_path / "results.csv"
    exported = runner.invoke(args=["workshop", "export", code.lower(), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    lines = out.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == COLUMNS and lines[1].startswith(f"{code},1,health,dover_seafront,3,4,Good,")
    missing = runner.invoke(args=["workshop", "export", "AAAA-AAAA", "--out", str(out)])
    assert missing.exit_code != 0 and "No workshop has the code" in missing.output
    # A date in another form is refused in words (it printed the pattern '%Y-%m-%d').
    dated = runner.invoke(
        args=["workshop", "open", "--community", "dover-town", "--title", "x", "--date", "14/03/2026"]
    )
    assert dated.exit_code == 2 and "14/03/2026 is not a date written as YYYY-MM-DD" in dated.output
    assert "%" not in dated.output
    unknown = runner.invoke(args=["workshop", "open", "--community", "nowhere", "--title", "x"])
    assert unknown.exit_code != 0 and "No community" in unknown.output
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    elsewhere = ["workshop", "open", "--community", "dover-town", "--title", "x", "--campaign", "sheppey"]
    refused = runner.invoke(args=elsewhere)
    assert refused.exit_code != 0 and "Choose a campaign of Dover Town" in refused.output


AGREED = {"deadweight": "20", "displacement": "", "attribution": "10", "drop_off": "0", "years": "1"}


def test_agreed_adjustments_name_the_workshop_in_audit_list_and_provenance(app, client, code):
    wid = workshop_id(app, code)
    url = f"/research/workshops/{wid}/assets/dover_library/adjustments"
    refused = submit(client, url, {**AGREED, "deadweight": "150", "reason": ""})
    assert refused.status_code == 422 and 'value="150"' in refused.get_data(as_text=True)
    answer = submit(client, url, {**AGREED, "reason": "Users were active before", "agreed_by": "", "agreed_on": ""})
    assert answer.status_code == 303
    with app.app_context():
        row = db.session.scalars(select(ValuationAdjustment)).one()
        assert (row.workshop_id, row.deadweight, row.attribution, row.campaign.slug) == (wid, 0.2, 0.1, "dover-town")
        assert row.agreed_on == date(2026, 3, 14)
        event = db.session.scalars(select(AuditEvent).filter_by(entity_type="valuation_adjustment")).one()
        assert event.changes["workshop_id"] == [None, wid] and event.actor_label == "researcher@example.org"
        dataset = build_dataset(db.engine)
    listing = client.get("/research/campaigns/dover-town/adjustments").get_data(as_text=True)
    assert "Agreed at workshop Dover Town impact workshop (14 March 2026)" in listing
    provenance = build_provenance(dataset, AnalysisConfig(), {})
    assert provenance["adjustments"][0]["asset"] == "dover_library"
    assert provenance["adjustments"][0]["source"] == "workshop Dover Town impact workshop (2026-03-14)"
    # Changed later on the adjustments screen, the values are no longer the workshop's.
    edit = "/research/campaigns/dover-town/adjustments/dover_library"
    # There (not at a workshop) who agreed them is required: the workshop no longer vouches for new values.
    assert submit(client, edit, {**AGREED, "deadweight": "30", "reason": "Revised"}).status_code == 422
    revised = {**AGREED, "deadweight": "30", "reason": "Revised", "agreed_by": "Lead"}
    assert submit(client, edit, revised).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ValuationAdjustment.workshop_id)).one() is None


def test_a_workshop_without_a_campaign_writes_to_the_latest_non_practice_one(app, client, code):
    with app.app_context():
        community = db.session.scalars(select(Community)).one()
        for slug, practice in (("dover-later", False), ("dover-practice", True)):
            later = create_campaign(community, slug, slug, ["asset_use"], practice=practice)
            open_campaign(later)
        db.session.commit()
    url = f"/research/workshops/{workshop_id(app, code)}/assets/dover_seafront/adjustments"
    assert submit(client, url, {**AGREED, "reason": "Agreed"}).status_code == 303
    with app.app_context():
        slugs = db.session.scalars(select(Campaign.slug).join(ValuationAdjustment.campaign)).all()
        assert slugs == ["dover-later"]


def test_a_double_clicked_open_opens_one_workshop(app, client, code):
    data = {"title": "Dover Town impact workshop", "held_on-day": "14", "held_on-month": "3", "held_on-year": "2026"}
    assert submit(client, "/research/workshops/new?community=dover-town", data).status_code == 303
    assert latest_code(app) == code
    assert (
        submit(client, "/research/workshops/new?community=dover-town", {**data, "title": "Second"}).status_code == 303
    )
    with app.app_context():
        assert db.session.scalars(select(Workshop.title).order_by(Workshop.id)).all() == [
            "Dover Town impact workshop",
            "Second",
        ]


def test_peers_run_workshops_only_for_their_own_communities(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login, role="peer", communities=("dover-town",))
    page = client.get("/research/workshops/new").get_data(as_text=True)
    assert "Dover Town" in page and "Sheppey" not in page
    assert client.get("/research/workshops/new?community=sheppey").status_code == 422
    code = open_via_web(client)
    assert client.get(f"/research/workshops/{workshop_id(app, code)}").status_code == 200
    with app.app_context():
        from survey.workshops.operations import open_workshop

        other = open_workshop(db.session.scalars(select(Community).filter_by(slug="sheppey")).one(), "S", date.today())
        db.session.commit()
        other_id = other.id
    assert client.get(f"/research/workshops/{other_id}").status_code == 404
    assert "Dover Town impact workshop" in client.get("/research/workshops").get_data(as_text=True)
    assert ">S<" not in client.get("/research/workshops").get_data(as_text=True)


def test_a_datasets_adjustments_file_with_its_source_column_still_uploads(app, client, code):
    header = "asset,deadweight,attribution,displacement,drop_off,years,reason,agreed_by,agreed_on,campaign,source\n"
    row = "dover_library,0.2,0.1,0,0,1,From the export,{},2026-03-14,dover-town,workshop Dover Town (2026-03-14)\n"
    url = "/research/campaigns/dover-town/adjustments"
    for agreed_by, status, said in (("", 422, "Say who agreed these adjustments"), ("Dover Town workshop", 200, "")):
        # The source column is read and ignored (the uploader says who agreed the row), so who agreed it is needed.
        data = {"file": (io.BytesIO((header + row.format(agreed_by)).encode()), "adjustments.csv")}
        answer = submit(client, f"{url}/upload", data, token_url=url, content_type="multipart/form-data")
        assert answer.status_code == status and said in answer.get_data(as_text=True)
    assert "The file is valid." in answer.get_data(as_text=True)
