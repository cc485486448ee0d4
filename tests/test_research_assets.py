"""Research screens for communities and asset logs: forms, retiring, CSV export and checked import."""

from __future__ import annotations

import io
import re
from base64 import b64encode

import pytest
from sqlalchemy import func, select

from survey.campaigns.operations import campaign_sections
from survey.extensions import db
from survey.models import Asset, AuditEvent, Campaign, Community
from tests.helpers import csrf_token
from tests.test_research_support import page_token, sign_in, submit

LOG = "/research/communities/dover-town/assets"
IMPORT = "/research/communities/dover-town/assets/import"
# Files exported before assets had a cost price year: still imported, keeping stored cost years.
HEADER = "slug,name,kind,description,location,annual_cost,sixways_dimensions,retired"
# Files exported before assets had map coordinates and postcodes: still imported, keeping stored ones.
PRE_MAP_HEADER = (
    "slug,name,kind,description,location,annual_cost,cost_year,sixways_dimensions,question_phrase,run_by,retired"
)
EXPORT_HEADER = (
    "slug,name,kind,description,location,annual_cost,cost_year,sixways_dimensions,question_phrase,run_by,"
    "latitude,longitude,postcode,retired"
)


def _assets(app, community: str = "dover-town") -> dict[str, dict]:
    with app.app_context():
        rows = db.session.scalars(select(Asset).join(Community).where(Community.slug == community)).all()
        return {
            a.slug: {
                "name": a.name,
                "kind": a.kind,
                "description": a.description,
                "location": a.location,
                "annual_cost": a.annual_cost,
                "cost_year": a.cost_year,
                "sixways_dimensions": a.sixways_dimensions,
                "retired": a.retired,
            }
            for a in rows
        }


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def _upload(client, text: str | bytes, name: str = "assets.csv"):
    data = text.encode() if isinstance(text, str) else text
    token = page_token(client, IMPORT)
    return client.post(
        IMPORT, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _confirm(client, html: str):
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(f"{IMPORT}/confirm", data={"csrf_token": csrf_token(html), "content": content})


def test_communities_list_create_and_edit(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    created = submit(client, "/research/communities/new", {"slug": "aylesham", "name": "Aylesham"})
    assert created.status_code == 303 and created.headers["Location"].endswith("/research/communities/aylesham/assets")
    for data, message in [
        ({"slug": "Aylesham Village", "name": "Aylesham"}, "words joined by single hyphens"),
        ({"slug": "dover-town", "name": "Dover again"}, "already used by Dover Town"),
        ({"slug": "deal-", "name": "Deal"}, "words joined by single hyphens"),
        ({"slug": "deal", "name": ""}, "Enter a name."),
    ]:
        refused = submit(client, "/research/communities/new", data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), data
    edited = submit(
        client, "/research/communities/aylesham/edit", {"slug": "aylesham-village", "name": "Aylesham village"}
    )
    assert edited.status_code == 303
    listing = client.get("/research/communities").get_data(as_text=True)
    assert "Aylesham village" in listing and "Dover Town" in listing
    with app.app_context():
        assert sorted(db.session.scalars(select(Community.slug))) == ["aylesham-village", "dover-town"]


ASSET = {
    "slug": "dover_mens_shed",
    "name": "Dover Men's Shed",
    "kind": "community_group",
    "description": "Woodwork and company",
    "location": "Tower Hamlets Road",
    "run_by": "Dover Men's Shed volunteers",
    "annual_cost": "£8,000.50",
    "sixways_dimensions": ["keep_learning", "connect"],
}


def test_asset_form_validates_every_field_and_saves(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    new = f"{LOG}/new"
    for field, value, message in [
        ("slug", "Mens Shed", "lower-case letters a-z, digits 0-9 and underscores"),
        ("slug", "a" * 27, "Use 1 to 26 characters"),
        ("slug", "shed_value", "cannot end in _value"),
        ("slug", "sheppey_library", "already used by an asset of Sheppey"),
        ("slug", "dover_library", "already used by Dover Library in this community"),
        ("name", " ", "Enter a name."),
        ("kind", "club", "Choose one of: community_group, individual, place, voluntary_org, other."),
        ("kind", "", "Choose what kind of asset it is."),  # not the CSV's codes, as it was
        ("annual_cost", "-5", "The annual cost cannot be negative."),
        ("annual_cost", "lots", "Enter an amount in pounds"),
        ("annual_cost", "12.345", "at most two decimal places"),
        ("sixways_dimensions", ["connect", "sleep"], "Unknown dimension(s) sleep"),
        ("location", "x" * 301, "Use at most 300 characters."),
        ("run_by", "x" * 201, "Use at most 200 characters."),
    ]:
        refused = submit(client, new, {**ASSET, field: value})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in html, (field, value)
        assert "There is a problem" in html and "Woodwork and company</textarea>" in html  # typed text kept
    assert "dover_mens_shed" not in _assets(app)

    assert submit(client, new, ASSET).status_code == 303
    assert _assets(app)["dover_mens_shed"] == {
        "name": "Dover Men's Shed",
        "kind": "community_group",
        "description": "Woodwork and company",
        "location": "Tower Hamlets Road",
        "annual_cost": 8000.5,
        "cost_year": None,
        "sixways_dimensions": ["connect", "keep_learning"],
        "retired": False,
    }
    with app.app_context():
        assert db.session.scalars(select(Asset.run_by).filter_by(slug="dover_mens_shed")).one() == (
            "Dover Men's Shed volunteers"
        )
    log = client.get(LOG).get_data(as_text=True)
    assert "£8,000.50" in log and "past campaigns" in log


def test_editing_an_asset_after_a_campaign_opened_leaves_its_questionnaire_unchanged(
    app, client, make_campaign, make_user, login
):
    make_campaign("dover-town")
    sign_in(make_user, login)

    def questionnaire():
        with app.app_context():
            campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
            return [(s.key, [(i.key, i.text) for i in s.items]) for s in campaign_sections(campaign)]

    before = questionnaire()
    assert any("Dover Library" in text for _, items in before for _, text in items)
    edit = "/research/assets/dover_library/edit"
    form = client.get(edit).get_data(as_text=True)
    assert "Campaigns already opened keep the copy" in form and 'type="hidden" value="dover_library"' in form
    saved = submit(client, edit, {**ASSET, "slug": "dover_library", "name": "Dover Discovery Centre"})
    assert saved.status_code == 303
    renamed = submit(client, edit, {**ASSET, "slug": "dover_discovery", "name": "Dover Discovery Centre"})
    assert renamed.status_code == 422 and "cannot change" in renamed.get_data(as_text=True)
    assert submit(client, "/research/assets/dover_seafront/retire", token_url=LOG).status_code == 303

    assert questionnaire() == before
    assets = _assets(app)
    assert assets["dover_library"]["name"] == "Dover Discovery Centre" and assets["dover_seafront"]["retired"]


def test_retire_and_bring_back(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    assert submit(client, "/research/assets/dover_library/retire", token_url=LOG).status_code == 303
    log = client.get(LOG).get_data(as_text=True)
    assert _assets(app)["dover_library"]["retired"] is True
    assert log.index("Retired (1)") < log.index('<th scope="row">Dover Library</th>') and "Bring back" in log
    assert "Dover Library retired" in log
    assert submit(client, "/research/assets/dover_library/unretire", token_url=LOG).status_code == 303
    assert _assets(app)["dover_library"]["retired"] is False


def _rich_log(app) -> None:
    """Awkward values: commas, quotes, a line break, a pound sign, a formula-like name, blanks, retired."""
    with app.app_context():
        community = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        library.description = 'Books, "talks" and\nhomework club'
        library.annual_cost = 180000.0
        library.cost_year = 2024
        library.sixways_dimensions = ["connect", "keep_learning"]
        library.location = "Market Square, £ free entry"
        library.run_by = "Kent Libraries, with the Friends of Dover Library"
        # A float with no short decimal form: the export must still read back as the same number.
        library.latitude, library.longitude, library.postcode = 51.12470000000001, -0.1 / 3, "CT16 1DQ"
        db.session.add(
            Asset(
                slug="bingo",
                community=community,
                name="=Bingo night",
                kind="other",
                retired=True,
                annual_cost=0.5,
                sixways_dimensions=["give"],
            )
        )
        db.session.commit()


def test_csv_round_trip_is_a_no_op(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    _rich_log(app)
    before = _assets(app)
    exported = client.get(f"{LOG[:-7]}/assets.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    text = exported.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == EXPORT_HEADER
    assert "bingo,'=Bingo night,other,,,0.50,,give,use or go to,,,,,yes" in lines  # formula defused for spreadsheets
    assert (
        '180000.00,2024,connect;keep_learning,go to,"Kent Libraries, with the Friends of Dover Library",'
        "51.12470000000001,-0.03333333333333333,CT16 1DQ,no" in text
    )

    checked = _upload(client, exported.data)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "The file is valid." in html
    assert "add 0, update 0" in html and "leave 3 unchanged" in html
    audit_before = _audit_count(app)
    imported = _confirm(client, html)
    assert imported.status_code == 303
    assert "0 added, 0 updated, 3 unchanged" in client.get(LOG).get_data(as_text=True)
    assert _assets(app) == before and _audit_count(app) == audit_before
    with app.app_context():
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        assert library.run_by.startswith("Kent Lib")
        assert (library.latitude, library.longitude, library.postcode) == (51.12470000000001, -0.1 / 3, "CT16 1DQ")


PLANTED = "\n".join(
    [
        HEADER,
        "good_new,Good new asset,place,,,100,connect,no",  # 1: valid, but must not be imported
        "Bad Slug,Bad slug,place,,,,,no",  # 2: bad slug
        "cost_below,Negative cost,place,,,-20,,no",  # 3: negative cost
        "odd_kind,Odd kind,club,,,,,no",  # 4: unknown kind
        "sheppey_library,Stolen slug,place,,,,,no",  # 5: another community's slug
        "good_new,Same slug again,place,,,,,no",  # 6: duplicate within the file
        "",  # 7: blank line, skipped but counted
        "many,Many problems,,,,abc,sleep,maybe",  # 8: kind, cost, dimensions, retired
    ]
)


def test_csv_with_planted_problems_reports_each_and_imports_nothing(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    before, audit_before = _assets(app), _audit_count(app)
    checked = _upload(client, PLANTED)
    assert checked.status_code == 422
    html = checked.get_data(as_text=True)
    rows = re.findall(r'<tr><td class="number">(\w+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert [(int(row), column, reason.replace("&#39;", "'")) for row, column, reason in rows] == [
        (2, "slug", "Use 1 to 26 characters: lower-case letters a-z, digits 0-9 and underscores."),
        (3, "annual_cost", "The annual cost cannot be negative."),
        (4, "kind", "Choose one of: community_group, individual, place, voluntary_org, other."),
        (5, "slug", "The web address sheppey_library belongs to an asset of Sheppey."),  # issue 16: "web address"
        (6, "slug", "The web address good_new is already used in row 1."),
        (8, "kind", "Choose one of: community_group, individual, place, voluntary_org, other."),
        (8, "annual_cost", "Enter an amount in pounds, like 1200 or 1200.50, or leave it blank."),
        (
            8,
            "sixways_dimensions",
            "Unknown dimension(s) sleep; use: connect, be_active, keep_learning, take_notice, give, care.",
        ),
        (8, "retired", "Use yes or no (blank means no)."),
    ]
    assert "Nothing was imported: the file has 9 problems" in html and 'name="content"' not in html

    # Forcing the confirmation step with the same file changes nothing either.
    forced = client.post(
        f"{IMPORT}/confirm", data={"csrf_token": csrf_token(html), "content": b64encode(PLANTED.encode()).decode()}
    )
    assert forced.status_code == 422
    assert _assets(app) == before and _assets(app, "sheppey")["sheppey_library"]["name"] == "Sheppey Library"
    assert _audit_count(app) == audit_before


def test_csv_import_creates_and_updates_in_one_go(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    text = "\r\n".join(
        [
            "name,slug,kind,description,location,annual_cost,sixways_dimensions,retired",  # any column order
            "Dover Library (Discovery Centre),dover_library,place,,,180000,keep_learning;connect,no",
            "Dover Seafront,dover_seafront,place,,,,,yes",
            'Tuesday health walks,dover_health_walks,community_group,Led walks,,"£2,500",be_active,',
        ]
    )
    with app.app_context():  # a stored cost year survives a file without the column
        db.session.scalars(select(Asset).filter_by(slug="dover_library")).one().cost_year = 2023
        db.session.commit()
    checked = _upload(client, "\ufeff" + text)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "add 1, update 2" in html and "Nothing has been saved yet." in html
    assert "dover_health_walks" not in _assets(app)
    assert _confirm(client, html).status_code == 303
    assets = _assets(app)
    assert assets["dover_library"]["name"] == "Dover Library (Discovery Centre)"
    assert assets["dover_library"]["sixways_dimensions"] == ["connect", "keep_learning"]
    assert assets["dover_library"]["cost_year"] == 2023
    assert assets["dover_seafront"]["retired"] is True
    assert assets["dover_health_walks"] == {
        "name": "Tuesday health walks",
        "kind": "community_group",
        "description": "Led walks",
        "location": "",
        "annual_cost": 2500.0,
        "cost_year": None,
        "sixways_dimensions": ["be_active"],
        "retired": False,
    }


def test_cost_year_in_the_csv_and_the_form(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    bad = _upload(
        client, f"{PRE_MAP_HEADER}\ndover_library,Library,place,,,100,1850,,,,no\ndover_seafront,Sea,place,,,,x,,,,no"
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and html.count("Enter the year the cost is priced in") == 2
    good = _upload(client, f"{PRE_MAP_HEADER}\ndover_library,Library,place,,,100,2024,,,,no")
    assert good.status_code == 200 and _confirm(client, good.get_data(as_text=True)).status_code == 303
    assert _assets(app)["dover_library"]["cost_year"] == 2024

    edit = "/research/assets/dover_library/edit"
    form = {"name": "Library", "slug": "dover_library", "kind": "place", "annual_cost": "120", "cost_year": "20x4"}
    refused = submit(client, edit, form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter the year the cost is priced in" in page and 'value="20x4"' in page
    assert submit(client, edit, {**form, "cost_year": "2025"}).status_code == 303
    assert _assets(app)["dover_library"]["cost_year"] == 2025
    assert "(2025 prices)" in client.get(LOG).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["\u00b2\u00b9", "2" * 5000])
def test_a_cost_year_int_cannot_read_is_refused_in_plain_words(app, client, make_campaign, make_user, login, typed):
    # isdigit() is true of superscripts, and int() refuses over 4,300 digits: Python's own words
    # ("invalid literal for int()") were shown beside the box and in the CSV's dry run.
    make_campaign("dover-town")
    sign_in(make_user, login)
    form = {"name": "Library", "slug": "dover_library", "kind": "place", "annual_cost": "120", "cost_year": typed}
    for answer in (
        submit(client, "/research/assets/dover_library/edit", form),
        _upload(client, f"{PRE_MAP_HEADER}\ndover_library,Library,place,,,100,{typed},,,,no"),
    ):
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and "Enter the year the cost is priced in" in html
        assert "int()" not in html


def test_unreadable_files_and_bad_headers_are_refused(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    latin1 = _upload(client, "slug,name\ncafe,Caf\xe9".encode("latin-1"))
    assert latin1.status_code == 422 and "not UTF-8 text" in latin1.get_data(as_text=True)
    wrong_type = _upload(client, HEADER, name="assets.xlsx")
    assert wrong_type.status_code == 422 and "Choose a .csv file" in wrong_type.get_data(as_text=True)
    too_big = _upload(client, HEADER + "\n" + "x" * (101 * 1024))
    assert too_big.status_code == 422 and "larger than 100 KB" in too_big.get_data(as_text=True)
    no_file = submit(client, IMPORT)
    assert no_file.status_code == 422 and "Choose a CSV file to check." in no_file.get_data(as_text=True)
    header = _upload(client, "slug,name,kind,cost\nx,X,place,1")
    html = header.get_data(as_text=True)
    assert header.status_code == 422
    assert "This column is missing from the header." in html and "Unknown column" in html
    empty = _upload(client, HEADER + "\n")
    assert empty.status_code == 422 and "has a header but no assets" in empty.get_data(as_text=True)


def test_question_phrase_defaults_by_kind_and_is_edited_in_the_form_and_the_csv(app):
    """The words residents read ("Do you go to Swanley Park?"): the kind's default unless given."""
    from survey.assets.csv_files import export_assets
    from survey.assets.fields import AssetFields, clean_asset
    from survey.assets.operations import create_asset

    with app.app_context():
        community = Community(slug="swanley", name="Swanley")
        db.session.add(community)
        park = create_asset(community, AssetFields(slug="swanley_park", name="Swanley Park", kind="place"))
        values, problems = clean_asset(
            {
                "slug": "neighbours",
                "name": "Good neighbours scheme",
                "kind": "voluntary_org",
                "question_phrase": " take  part in ",
            }
        )
        assert problems == {}
        neighbours = create_asset(community, values)
        db.session.flush()
        assert (park.question_phrase, neighbours.question_phrase) == ("go to", "take part in")
        _, refused = clean_asset({"slug": "x", "name": "X", "kind": "place", "question_phrase": "<b>go</b>"})
        assert "words only" in refused["question_phrase"]
        exported = export_assets(community)
        assert "question_phrase" in exported.splitlines()[0] and ",take part in," in exported


def test_csv_with_control_characters_is_refused_in_the_dry_run_with_row_and_column(
    app, client, make_campaign, make_user, login
):
    """A NUL passed the dry run and then answered 500 on PostgreSQL (stored as-is on SQLite)."""
    make_campaign("dover-town")
    sign_in(make_user, login)
    before, audit_before = _assets(app), _audit_count(app)
    text = "\r\n".join(
        [
            HEADER,
            'tabbed,Tab\there,place,"Two\r\nlines",,,,no',  # 1: tab and line breaks are fine
            "nul_name,Cafe\x00,place,,,,,no",  # 2: NUL in the name
            "bell,Bell,place,,Ring \x07 twice,,,no",  # 3: BEL in the location
            "escape,Escape,place,,,,,no\x1b",  # 4: ESC in the last column
        ]
    )
    checked = _upload(client, text)
    assert checked.status_code == 422
    html = checked.get_data(as_text=True)
    rows = re.findall(r'<tr><td class="number">(\w+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert [(int(row), column) for row, column, _reason in rows] == [(2, "name"), (3, "location"), (4, "retired")]
    assert "a NUL byte (U+0000)" in rows[0][2] and "U+0007" in rows[1][2] and "U+001B" in rows[2][2]
    assert 'name="content"' not in html
    forced = client.post(
        f"{IMPORT}/confirm", data={"csrf_token": csrf_token(html), "content": b64encode(text.encode()).decode()}
    )
    assert forced.status_code == 422
    assert _assets(app) == before and _audit_count(app) == audit_before

    header = _upload(client, HEADER.replace("name", "na\x00me", 1) + "\nx,X,place,,,,,no")
    assert header.status_code == 422
    named = r'<td class="number">header</td><td>column 2</td><td>This cell holds a NUL byte'
    assert re.search(named, header.get_data(as_text=True))


def test_csv_round_trip_is_a_no_op_whatever_order_the_dimensions_were_stored_in(
    app, client, make_campaign, make_user, login
):
    """Six-ways dimensions stored out of the catalogue order (older rows, the demo, the API) used to
    re-import as "update 1" with an audit event: the file was normalised and the stored value was not."""
    make_campaign("dover-town")
    sign_in(make_user, login)
    with app.app_context():
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        library.sixways_dimensions = ["keep_learning", "connect"]
        db.session.commit()
    before, audit_before = _assets(app), _audit_count(app)
    exported = client.get(f"{LOG[:-7]}/assets.csv")
    checked = _upload(client, exported.data)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "add 0, update 0" in html
    assert _confirm(client, html).status_code == 303
    assert "0 added, 0 updated" in client.get(LOG).get_data(as_text=True)
    assert _assets(app) == before and _audit_count(app) == audit_before
