"""The asset map (issue 15, point 5): coordinates and postcodes on the form and in the CSV, the map's table
and data on the asset log, `/research/assets.geojson` scoped like the pages, the tile server in the CSP,
and ``assets.geojson`` in the export zip."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html import unescape as html_unescape

import geojson
import pytest
from sqlalchemy import select

from survey import create_app
from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset, Community
from tests.helpers import post_form
from tests.test_research_support import page_token, sign_in, submit

LOG = "/research/communities/dover-town/assets"
GEOJSON = "/research/assets.geojson"
FORM = {"slug": "dover_mens_shed", "name": "Dover Men's Shed", "kind": "community_group", "location": "Shed lane"}


def _place(app, slug: str, latitude: float | None, longitude: float | None, postcode: str = "") -> None:
    with app.app_context():
        asset = db.session.scalars(select(Asset).filter_by(slug=slug)).one()
        asset.latitude, asset.longitude, asset.postcode = latitude, longitude, postcode
        db.session.commit()


def _stored(app, slug: str) -> tuple[float | None, float | None, str]:
    with app.app_context():
        asset = db.session.scalars(select(Asset).filter_by(slug=slug)).one()
        return asset.latitude, asset.longitude, asset.postcode


def _valid(collection: dict) -> dict:
    """Checked by the `geojson` package, and by hand: [longitude, latitude] within WGS 84's ranges."""
    checked = geojson.GeoJSON.to_instance(collection, strict=True)
    assert checked.is_valid, checked.errors()
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -180 <= longitude <= 180 and -90 <= latitude <= 90
    return collection


def test_the_form_checks_coordinates_and_postcode_and_keeps_what_was_typed(
    app, client, make_campaign, make_user, login
):
    make_campaign("dover-town")
    sign_in(make_user, login)
    new = f"{LOG}/new"
    for typed, field, message in [
        ({"latitude": "51.13"}, "longitude", "Enter the longitude as well as the latitude"),
        ({"longitude": "1.31"}, "latitude", "Enter the latitude as well as the longitude"),
        ({"latitude": "north", "longitude": "1.31"}, "latitude", "Enter the latitude in decimal degrees"),
        ({"latitude": "91", "longitude": "1.31"}, "latitude", "between -90 and 90"),
        ({"latitude": "51.13", "longitude": "-180.5"}, "longitude", "between -180 and 180"),
        ({"latitude": "51,13", "longitude": "1.31"}, "latitude", "like 51.1247"),
        ({"latitude": "nan", "longitude": "inf"}, "latitude", "Enter the latitude in decimal degrees"),
        ({"postcode": "CT17"}, "postcode", "Enter a UK postcode, like CT17 9DQ"),
        ({"postcode": "12345"}, "postcode", "Enter a UK postcode"),
    ]:
        refused = submit(client, new, {**FORM, **typed})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in html, typed
        assert f'href="#{field}"' in html and 'aria-invalid="true"' in html  # the summary links to the field
        for value in typed.values():
            assert f'value="{value}"' in html, typed  # what was typed is kept
    with app.app_context():
        assert db.session.scalars(select(Asset).filter_by(slug="dover_mens_shed")).first() is None

    saved = submit(client, new, {**FORM, "latitude": " 51.1335 ", "longitude": "1.2975", "postcode": " ct17  0hq "})
    assert saved.status_code == 303
    assert _stored(app, "dover_mens_shed") == (51.1335, 1.2975, "CT17 0HQ")  # postcode upper case, one space
    edit = client.get("/research/assets/dover_mens_shed/edit").get_data(as_text=True)
    assert 'value="51.1335"' in edit and 'value="1.2975"' in edit and 'value="CT17 0HQ"' in edit
    cleared = submit(client, "/research/assets/dover_mens_shed/edit", {**FORM, "postcode": "CT170HQ"})
    assert cleared.status_code == 303 and _stored(app, "dover_mens_shed") == (None, None, "CT17 0HQ")


def test_the_csv_imports_the_new_columns_checks_them_and_older_files_keep_them(
    app, client, make_campaign, make_user, login
):
    make_campaign("dover-town")
    sign_in(make_user, login)
    _place(app, "dover_seafront", 51.1222, 1.317, "CT17 9DQ")
    header = "slug,name,kind,description,location,annual_cost,sixways_dimensions,latitude,longitude,postcode,retired"
    bad = "\n".join(
        [
            header,
            "dover_library,Library,place,,,,,51.12,,,no",
            "dover_seafront,Seafront,place,,,,,95,1.3,X1,no",
        ]
    )
    url = f"{LOG}/import"
    checked = client.post(
        url,
        data={"csrf_token": page_token(client, url), "file": (io.BytesIO(bad.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    html = checked.get_data(as_text=True)
    assert checked.status_code == 422
    assert "Enter the longitude as well as the latitude" in html and "between -90 and 90" in html
    assert "Enter a UK postcode" in html
    good = f"{header}\ndover_library,Library,place,,,,,51.1247,1.3133,ct161ph,no"
    checked = client.post(
        url,
        data={"csrf_token": page_token(client, url), "file": (io.BytesIO(good.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "The file is valid." in page
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"{url}/confirm", data={"csrf_token": token, "content": content}).status_code == 303
    assert _stored(app, "dover_library") == (51.1247, 1.3133, "CT16 1PH")
    # The seafront was not in the file: it keeps its place. A file without the columns keeps them too.
    assert _stored(app, "dover_seafront") == (51.1222, 1.317, "CT17 9DQ")


def _snapshot(app, community: str, figures: dict, status: str = "done") -> None:
    with app.app_context():
        found = db.session.scalars(select(Community).filter_by(slug=community)).one()
        db.session.add(AnalysisSnapshot(community_id=found.id, campaign_slug=None, status=status, figures=figures))
        db.session.commit()


def test_the_asset_log_shows_the_map_data_and_a_table_of_every_asset(app, client, make_campaign, make_user, login):
    make_campaign("dover-town", asset_slugs=("dover_library", "dover_seafront", "dover_walks", "dover_warden"))
    sign_in(make_user, login)
    empty = client.get(LOG).get_data(as_text=True)
    assert "No asset has a latitude and longitude yet" in empty and "data-asset-map" not in empty
    _place(app, "dover_library", 51.1247, 1.3133, "CT16 1PH")
    _place(app, "dover_seafront", 51.1222, 1.317)
    _place(app, "dover_walks", None, None, "CT16 1DQ")
    with app.app_context():  # quotes and markup in a name must survive the attribute the data travels in
        db.session.scalars(select(Asset).filter_by(slug="dover_seafront")).one().name = "Sea 'front' \"<b>&"
        db.session.commit()
    _snapshot(app, "dover-town", {"assets": {"dover_library": {"use": {"user_share": 0.1}}}})  # an older run
    _snapshot(
        app, "dover-town", {"assets": {"dover_library": {"use": {"user_share": 0.35}, "valued": {"evidence": "clear"}}}}
    )
    _snapshot(app, "dover-town", {"assets": {"dover_library": {"use": {"user_share": 0.9}}}}, status="running")
    page = client.get(LOG)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    data = json.loads(html_unescape(re.search(r"data-geojson='([^']*)'", html)[1]))
    assert [feature["id"] for feature in _valid(data)["features"]] == ["dover_library", "dover_seafront"]
    assert data["features"][1]["properties"]["name"] == "Sea 'front' \"<b>&" and "<b>&" not in html
    library = data["features"][0]["properties"]
    assert (library["user_share"], library["evidence"]) == (0.35, "clear")  # the newest finished run's figures
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "leaflet/leaflet.js" in html and "asset_map.js" in html and "The map shows 2 of 4 assets" in html
    table = html[html.index("Assets and where they are</caption>") :]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    cells = {name: re.sub(r"\s+", " ", body) for name, body in rows[:4]}
    assert "51.12470, 1.31330 (CT16 1PH)" in cells["Dover Library"] and "35%" in cells["Dover Library"]
    assert "Clear" in cells["Dover Library"]
    assert "CT16 1DQ: not on the map (postcode only)" in cells["Dover Walks"]
    assert "Not on the map (no location given)" in cells["Dover Warden"] and "Not known yet" in cells["Dover Warden"]


def test_the_asset_table_shows_the_postcode_in_its_location_column(app, client, make_campaign, make_user, login):
    # The column showed only the free-text location, so assets placed by postcode (all the demo's)
    # had an empty Location column above a map that placed them.
    make_campaign("dover-town", asset_slugs=("dover_library", "dover_walks", "dover_warden"))
    sign_in(make_user, login)
    _place(app, "dover_library", 51.1247, 1.3133, "CT16 1PH")
    _place(app, "dover_walks", None, None, "CT16 1DQ")
    with app.app_context():
        db.session.scalars(select(Asset).filter_by(slug="dover_walks")).one().location = "Market Square"
        db.session.commit()
    html = client.get(LOG).get_data(as_text=True)
    table = html[html.index("Active assets</caption>") : html.index("</table>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    locations = {name: re.findall(r"<td>(.*?)</td>", body, re.S)[2].strip() for name, body in rows}
    assert locations == {"Dover Library": "CT16 1PH", "Dover Walks": "Market Square, CT16 1DQ", "Dover Warden": ""}


def test_geojson_is_valid_and_scoped_like_the_pages(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library", "sheppey_old_pier"))
    _place(app, "dover_library", 51.1247, 1.3133, "CT16 1PH")
    _place(app, "sheppey_library", 51.4405, 0.7610)
    _place(app, "sheppey_old_pier", 51.4400, 0.7650)
    with app.app_context():
        db.session.scalars(select(Asset).filter_by(slug="sheppey_old_pier")).one().retired = True
        db.session.commit()
    anonymous = client.get(GEOJSON)
    assert anonymous.status_code in (302, 401) and "geo+json" not in anonymous.mimetype

    sign_in(make_user, login, "peer", ("dover-town",))
    mine = client.get(GEOJSON)
    assert mine.status_code == 200 and mine.mimetype == "application/geo+json"
    assert [f["id"] for f in _valid(mine.get_json(force=True))["features"]] == ["dover_library"]
    assert client.get(f"{GEOJSON}?community=sheppey").status_code == 404  # another community does not exist
    assert client.get(f"{GEOJSON}?community=atlantis").status_code == 404

    researcher = app.test_client()
    assert login(make_user("r@example.org", "researcher"), target=researcher).status_code == 303
    every = _valid(researcher.get(GEOJSON).get_json(force=True))
    assert [f["id"] for f in every["features"]] == ["dover_library", "sheppey_library"]  # retired left out
    sheppey = _valid(researcher.get(f"{GEOJSON}?community=sheppey").get_json(force=True))
    assert sheppey["features"][0]["geometry"]["coordinates"] == [0.761, 51.4405]
    assert sheppey["features"][0]["properties"] == {
        "slug": "sheppey_library",
        "name": "Sheppey Library",
        "kind": "place",
        "community": "sheppey",
        "location": None,
        "postcode": None,
        "user_share": None,
        "evidence": None,
    }


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        (None, "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("", None),
    ],
)
def test_the_csp_lets_images_come_from_the_tile_server_only(database_url, tile_url, source):
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "k", "TESTING": True}
    app = create_app(settings if tile_url is None else {**settings, "MAP_TILE_URL": tile_url})
    csp = app.test_client().get("/accessibility").headers["Content-Security-Policy"]
    [images] = [part.strip() for part in csp.split(";") if part.strip().startswith("img-src")]
    assert images == "img-src 'self' data:" + (f" {source}" if source else "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize("tile_url", ["tile.example.org/{z}/{x}/{y}.png", "javascript:alert(1)", "https://a b/{z}"])
def test_a_malformed_tile_url_stops_the_app_at_start(database_url, tile_url):
    with pytest.raises(RuntimeError, match="MAP_TILE_URL must be an http"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "TESTING": True, "MAP_TILE_URL": tile_url})


def test_the_export_zip_has_the_located_assets_as_geojson(app, client, make_user, login, demo):
    demo("--responses", "12", "--no-paper", "--no-profiles")
    sign_in(make_user, login)
    download = post_form(client, "/research/exports", "/research/exports", {"format": "csv", "content": "both"})
    archive = zipfile.ZipFile(io.BytesIO(download.get_data()))
    collection = _valid(json.loads(archive.read("assets.geojson")))
    with app.app_context():
        located = db.session.scalars(select(Asset.slug).where(Asset.latitude.is_not(None)).order_by(Asset.slug)).all()
    assert sorted(f["id"] for f in collection["features"]) == list(located) and len(located) == 5
    library = next(f for f in collection["features"] if f["id"] == "dover_library")
    assert library["geometry"]["coordinates"] == [1.3133, 51.1247]
    assert library["properties"]["community"] == "dover-town" and library["properties"]["postcode"] == "CT16 1PH"
    package = json.loads(archive.read("datapackage.json"))
    [resource] = [r for r in package["resources"] if r["path"] == "assets.geojson"]
    assert (resource["format"], resource["mediatype"]) == ("geojson", "application/geo+json")
    provenance = json.loads(archive.read("provenance.json"))
    assert provenance["files"]["assets.geojson"]["rows"] == 5


def test_the_peers_asset_list_maps_their_own_communities_only(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    _place(app, "dover_library", 51.1247, 1.3133)
    _place(app, "sheppey_library", 51.4405, 0.7610)
    sign_in(make_user, login, "peer", ("dover-town",))
    html = client.get("/fieldwork/assets").get_data(as_text=True)
    data = json.loads(html_unescape(re.search(r"data-geojson='([^']*)'", html)[1]))
    assert [feature["id"] for feature in _valid(data)["features"]] == ["dover_library"]
    table = html[html.index("Assets and where they are</caption>") :]
    assert '<th scope="col">Community</th>' in table and "Sheppey" not in html


def test_the_profile_page_shows_the_static_map_of_a_located_asset(app, client, make_campaign, make_user, login):
    make_campaign("dover-town")
    sign_in(make_user, login)
    assert "<svg" not in client.get("/research/assets/dover_library/profile").get_data(as_text=True)
    _place(app, "dover_library", 51.1247, 1.3133)
    _place(app, "dover_seafront", 51.1222, 1.317)
    html = client.get("/research/assets/dover_library/profile").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle") == 2 and ">Dover Library</text>" in svg
    assert 'aria-label="Map of Dover Library and 1 other asset of the community, with a scale bar"' in svg


def test_the_profile_says_where_the_asset_is_as_the_asset_log_does(app, client, make_campaign, make_user, login):
    # "Where" showed only the free-text location: "not recorded" for assets placed by postcode or
    # coordinates (all of the demo's), under a map of the very asset and beside the log's CT16 1PH.
    make_campaign("dover-town", asset_slugs=("dover_library", "dover_seafront", "dover_walks", "dover_warden"))
    sign_in(make_user, login)
    _snapshot(app, "dover-town", {"assets": {}})
    _place(app, "dover_library", 51.1247, 1.3133, "CT16 1PH")
    _place(app, "dover_seafront", 51.1222, 1.317)
    with app.app_context():
        db.session.scalars(select(Asset).filter_by(slug="dover_walks")).one().location = "Market Square"
        db.session.commit()
    _place(app, "dover_walks", None, None, "CT16 1DQ")

    def where(slug: str) -> str:
        html = client.get(f"/research/assets/{slug}/profile").get_data(as_text=True)
        return re.search(r"<dt[^>]*>Where</dt><dd[^>]*>(.*?)</dd>", html, re.S)[1]

    assert where("dover_library") == "CT16 1PH"
    assert where("dover_seafront") == "51.12220, 1.31700 (latitude, longitude)"
    assert where("dover_walks") == "Market Square, CT16 1DQ"
    assert where("dover_warden") == "not recorded"
