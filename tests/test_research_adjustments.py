"""SROI adjustments per campaign and asset: the edit form, the CSV upload, the audit trail."""

from __future__ import annotations

import io
import re

from sqlalchemy import delete, func, select

from analysis.adjustments import read_adjustments
from survey.assets.adjustments import ADJUSTMENT_LOCK_BASE
from survey.extensions import db
from survey.models import Asset, AuditEvent, Campaign, ValuationAdjustment
from tests.helpers import csrf_token
from tests.test_research_support import save_while_another_writes, sign_in, submit

LIST = "/research/campaigns/dover-town/adjustments"
EDIT = f"{LIST}/dover_library"
HEADER = "asset,deadweight,attribution,displacement,drop_off,years,reason,agreed_by,agreed_on"


def _stored(app) -> dict[str, dict]:
    with app.app_context():
        rows = db.session.scalars(select(ValuationAdjustment)).all()
        return {
            row.asset.slug: {
                "deadweight": row.deadweight,
                "displacement": row.displacement,
                "attribution": row.attribution,
                "drop_off": row.drop_off,
                "years": row.years,
                "reason": row.reason,
                "agreed_by": row.agreed_by,
                "agreed_on": None if row.agreed_on is None else row.agreed_on.isoformat(),
            }
            for row in rows
        }


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).filter_by(entity_type="valuation_adjustment").order_by(AuditEvent.id)
        events = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(events)


FORM = {
    "deadweight": "25",
    "displacement": "",
    "attribution": "12.5%",
    "drop_off": "0",
    "years": "1",
    "reason": "Users were healthier before joining",
    "agreed_by": "Impact workshop: public health lead, two peer researchers",
    "agreed_on": "2025-03-14",
}


def test_adjustment_form_validates_keeps_input_saves_and_is_audited(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    page = client.get(LIST).get_data(as_text=True)
    assert "Dover Library" in page and "gross" in page and "Agree adjustments" in page

    for field, value, message in [
        # Each share named: the error summary lists the messages without their boxes' labels.
        ("deadweight", "120", "Enter the deadweight as a percentage from 0 to 100"),
        ("attribution", "lots", "Enter the attribution as a percentage from 0 to 100"),
        ("drop_off", "-5", "Enter the yearly drop-off as a percentage from 0 to 100"),
        ("years", "1.5", "Enter a whole number of years from 1 to 100"),
        ("reason", "  ", "Give the reason the workshop agreed these shares"),
        # valuation.md: each adjustment needs who agreed it; reports leave out a row that names nobody.
        ("agreed_by", "  ", "Say who agreed these adjustments (names or roles"),
        ("agreed_on", "14/03/2025", "Enter the date as YYYY-MM-DD"),
    ]:
        refused = submit(client, EDIT, {**FORM, field: value})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in html, field
        assert "There is a problem" in html and 'value="12.5%"' in html or field == "attribution"
        assert "Users were healthier before joining</textarea>" in html or field == "reason"
    assert _stored(app) == {}

    assert submit(client, EDIT, FORM).status_code == 303
    assert _stored(app)["dover_library"] == {
        "deadweight": 0.25,
        "displacement": 0.0,
        "attribution": 0.125,
        "drop_off": 0.0,
        "years": 1,
        "reason": "Users were healthier before joining",
        "agreed_by": "Impact workshop: public health lead, two peer researchers",
        "agreed_on": "2025-03-14",
    }
    listed = client.get(LIST).get_data(as_text=True)
    assert "net" in listed and "deadweight 25%" in listed and "attribution 12.5%" in listed
    assert 'value="12.5"' in client.get(EDIT).get_data(as_text=True)  # shown back as typed percentages

    assert submit(client, EDIT, {**FORM, "deadweight": "30"}).status_code == 303
    # Remove asks first (it removed at once), showing what goes.
    asked = submit(client, f"{EDIT}/remove", token_url=LIST)
    assert asked.status_code == 200 and "Remove the adjustments for" in asked.text and "deadweight 30%" in asked.text
    assert len(_stored(app)) == 1
    assert submit(client, f"{EDIT}/remove", {"confirm": "yes"}, token_url=LIST).status_code == 303
    assert _stored(app) == {}
    created, changed, removed = _events(app)
    assert created.action == "create" and created.actor_label == "researcher@example.org"
    assert created.changes["deadweight"] == [None, 0.25] and created.changes["reason"][1].startswith("Users")
    assert changed.action == "update" and changed.changes == {"deadweight": [0.25, 0.3]}
    assert removed.action == "delete"


def test_unknown_asset_or_campaign_answers_404(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    assert client.get(f"{LIST}/sheppey_library").status_code == 404  # another campaign's asset
    assert client.get("/research/campaigns/nowhere/adjustments").status_code == 404


def _upload(client, text: str):
    token = csrf_token(client.get(LIST).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "adjustments.csv")}
    return client.post(f"{LIST}/upload", data=data, content_type="multipart/form-data")


def _confirm(client, html: str):
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="content" name="content" type="hidden" value="([^"]+)"', html
    )
    assert content, "no confirmation form"
    return client.post(f"{LIST}/upload/confirm", data={"csrf_token": csrf_token(html), "content": content.group(1)})


BAD = "\n".join(
    [
        HEADER,
        "dover_library,0.2,0.1,0,0,1,Fine,Workshop,",  # 1: valid, but nothing may be saved
        "dover_library,0.2,0.1,0,0,1,Twice,Workshop,",  # 2: repeated asset
        "sheppey_library,0.2,0,0,0,1,Not asked here,Workshop,",  # 3: not this campaign's asset
        "dover_seafront,25,0,0,0,0,,,2025-13-01",  # 4: percentage given, years 0, no reason or who agreed, bad date
    ]
)


def test_adjustments_csv_upload_reports_every_problem_and_saves_nothing(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    checked = _upload(client, BAD)
    assert checked.status_code == 422
    html = checked.get_data(as_text=True).replace("&#39;", "'")
    rows = re.findall(r'<tr><td class="number">(\w+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert [(int(row), column) for row, column, _reason in rows] == [
        (2, "asset"),
        (3, "asset"),
        (4, "deadweight"),
        (4, "years"),
        (4, "reason"),
        (4, "agreed_by"),
        (4, "agreed_on"),
    ]
    assert "Enter a fraction from 0 to 1, like 0.25 for 25%" in html and 'name="content"' not in html
    assert _stored(app) == {}

    header = _upload(client, "asset,deadweight,colour\ndover_library,0.1,red")
    text = header.get_data(as_text=True)
    assert header.status_code == 422 and "This column is missing from the header." in text and "Unknown column" in text
    # A file without who agreed its rows is refused at the header (it would be saved, then left out of every report).
    unattributed = _upload(client, "asset,deadweight,attribution,displacement,drop_off,years,reason\nd,0.1,0,0,0,1,x")
    text = unattributed.get_data(as_text=True)
    assert unattributed.status_code == 422 and "agreed_by" in text and "This column is missing from the header." in text

    tabs = _upload(client, "asset\tdeadweight\nd\t0.1\n")  # a tab-separated file named .csv
    text = tabs.get_data(as_text=True)
    assert tabs.status_code == 422 and "The columns are separated by semicolons or tabs, not commas." in text
    assert "This column is missing from the header." not in text


def test_adjustments_csv_upload_dry_run_then_save_and_download(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    good = "\ufeff" + "\r\n".join(
        [
            HEADER + ",campaign",
            "dover_library,0.25,0.1,0.05,0.2,3,Workshop judgement,Workshop,2025-03-14,dover-town",
            "dover_seafront,,,,,,Only attribution considered,Team meeting,,",
        ]
    )
    checked = _upload(client, good)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "add 2, change 0" in html and "Nothing has been saved yet." in html
    assert _stored(app) == {}
    assert _confirm(client, html).status_code == 303
    stored = _stored(app)
    assert stored["dover_library"]["drop_off"] == 0.2 and stored["dover_library"]["years"] == 3
    assert stored["dover_seafront"]["deadweight"] == 0.0 and stored["dover_seafront"]["years"] == 1

    downloaded = client.get("/research/campaigns/dover-town/adjustments.csv")
    assert downloaded.status_code == 200 and downloaded.mimetype == "text/csv"
    again = _upload(client, downloaded.data.decode("utf-8-sig"))
    assert "leave 2 unchanged" in again.get_data(as_text=True)  # the download goes straight back in
    before = len(_events(app))
    assert _confirm(client, again.get_data(as_text=True)).status_code == 303
    assert len(_events(app)) == before

    frame = read_adjustments(io.StringIO(downloaded.data.decode("utf-8-sig")))
    assert list(frame["asset"]) == ["dover_library", "dover_seafront"] and frame["years"].tolist() == [3, 1]


def test_peers_cannot_see_adjustments(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_user("peer@example.org", "peer", ("dover-town",))
    login("peer@example.org")
    assert client.get(LIST).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(ValuationAdjustment.id))) == 0


def test_formula_like_reasons_are_defused_in_the_download_and_round_trip(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    typed = '=HYPERLINK("http://x.example","see")'
    row = f'dover_library,0.25,0,0,0,1,"{typed.replace(chr(34), chr(34) * 2)}",+44 workshop,2025-03-14'
    checked = _upload(client, "\r\n".join([HEADER, row]))
    assert _confirm(client, checked.get_data(as_text=True)).status_code == 303
    downloaded = client.get("/research/campaigns/dover-town/adjustments.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in downloaded and "'+44 workshop" in downloaded  # a spreadsheet shows text, runs nothing
    again = _upload(client, downloaded)
    assert "leave 1 unchanged" in again.get_data(as_text=True)  # the quote mark comes off on the way back in


def test_a_double_clicked_save_stores_the_assets_adjustments_once(app, client, make_campaign, make_user, login):
    # The other click's request stores the asset's new row first: this one waits, then updates it
    # (it inserted a second row, and PostgreSQL's unique constraint made that a 500).
    make_campaign("dover-town")
    sign_in(make_user, login)
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()
        asset_id = db.session.scalars(select(Asset.id).filter_by(slug="dover_library")).one()

    def first_click(other) -> None:
        other.add(ValuationAdjustment(campaign_id=campaign_id, asset_id=asset_id, deadweight=0.25, reason="First"))

    answers = save_while_another_writes(app, client, EDIT, FORM, ADJUSTMENT_LOCK_BASE + campaign_id, first_click)
    assert answers == [303]
    stored = _stored(app)
    assert list(stored) == ["dover_library"] and stored["dover_library"]["reason"] == FORM["reason"]


def test_a_double_clicked_remove_finds_the_adjustments_gone(app, client, make_campaign, make_user, login):
    # The other click's request removes the row first: this one waits for the campaign's turn, then
    # says there was nothing to remove (on PostgreSQL it read the row first and its DELETE matched nothing).
    make_campaign("dover-town")
    sign_in(make_user, login)
    assert submit(client, EDIT, FORM).status_code == 303
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()

    def first_click(other) -> None:
        other.execute(delete(ValuationAdjustment))

    pages: list[str] = []
    answers = save_while_another_writes(
        app,
        client,
        f"{EDIT}/remove",
        {"confirm": "yes"},
        ADJUSTMENT_LOCK_BASE + campaign_id,
        first_click,
        pages,
        token_url=LIST,
    )
    assert answers == [303] and _stored(app) == {}
    assert "had no adjustments to remove" in client.get(LIST).get_data(as_text=True)


def test_adjustments_that_name_nobody_who_agreed_them_are_listed_as_gross(app, client, make_campaign, make_user, login):
    # Reports leave such a row out (valuation.md: who agreed it is needed; numbers8 audit), so the list must not
    # call the asset's figures net. The form no longer saves one (it did, with a 303); a row stored before that
    # (or by a workshop whose record was later edited) is still listed gross.
    make_campaign("dover-town")
    sign_in(make_user, login)
    refused = submit(client, EDIT, {**FORM, "agreed_by": ""})
    assert refused.status_code == 422 and "Say who agreed these adjustments" in refused.text
    assert "Users were healthier before joining</textarea>" in refused.text and 'value="12.5%"' in refused.text
    assert _stored(app) == {}
    with app.app_context():
        campaign_id = db.session.scalars(select(Campaign.id).filter_by(slug="dover-town")).one()
        asset_id = db.session.scalars(select(Asset.id).filter_by(slug="dover_library")).one()
        db.session.add(ValuationAdjustment(campaign_id=campaign_id, asset_id=asset_id, deadweight=0.25, reason="Old"))
        db.session.commit()
    listed = client.get(LIST).get_data(as_text=True)
    assert "gross: say who agreed it" in listed and "<td>net</td>" not in listed
    assert submit(client, EDIT, FORM).status_code == 303
    assert "<td>net</td>" in client.get(LIST).get_data(as_text=True)
