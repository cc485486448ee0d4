"""Fuzzing the asset map's inputs (issue 15): any latitude, longitude and postcode typed into the asset
form never gives a 5xx, and what is saved is always a placeable point (both coordinates in range, or
neither) and a postcode in capitals with one space; any `?community=` of the GeoJSON answers 200 or 404."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from survey.extensions import db
from survey.models import POSTCODE_PATTERN, Asset
from tests.fuzz_support import NASTY_VALUES
from tests.helpers import csrf_token
from tests.test_fuzz import FUZZ, ErrorLog, error_log  # noqa: F401  (the fuzzers' error log fixture)

pytestmark = pytest.mark.fuzz
SLUG = "dover-town"
EDIT = "/research/assets/dover_library/edit"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
DEGREES = st.one_of(
    st.sampled_from(NASTY_VALUES),
    TEXT,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-200, max_value=200).map(lambda value: f"{value:.6f}"),
)
POSTCODES = st.one_of(st.sampled_from(["CT16 1PH", "ct161ph", " CT16  1PH ", "CT16", "SW1A 1AA"]), TEXT)


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login, error_log: ErrorLog):  # noqa: F811
    make_campaign(SLUG)
    make_user("fuzz.map@example.org", "researcher")
    assert login("fuzz.map@example.org").status_code == 303
    return client


@FUZZ
@given(latitude=DEGREES, longitude=DEGREES, postcode=POSTCODES)
def test_the_asset_form_takes_any_place(app, researcher, error_log: ErrorLog, latitude, longitude, postcode):  # noqa: F811
    token = csrf_token(researcher.get(EDIT).get_data(as_text=True))
    form = {"slug": "dover_library", "name": "Dover Library", "kind": "place"}
    answer = researcher.post(
        EDIT, data={"csrf_token": token, **form, "latitude": latitude, "longitude": longitude, "postcode": postcode}
    )
    assert answer.status_code in (303, 400, 422), (answer.status_code, error_log.records[-1:])
    if answer.status_code == 422:
        assert "There is a problem" in answer.get_data(as_text=True)
    with app.app_context():
        asset = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        assert (asset.latitude is None) == (asset.longitude is None)
        if asset.latitude is not None and asset.longitude is not None:
            assert -90 <= asset.latitude <= 90 and -180 <= asset.longitude <= 180
        assert asset.postcode == "" or (
            re.match(POSTCODE_PATTERN, asset.postcode)
            and asset.postcode == asset.postcode.upper()
            and asset.postcode.count(" ") == 1
        )


@FUZZ
@given(community=st.one_of(TEXT, st.sampled_from([SLUG, "sheppey", "", " dover-town", "\x00"])))
def test_geojson_takes_any_community(researcher, error_log: ErrorLog, community: str):  # noqa: F811
    answer = researcher.get("/research/assets.geojson", query_string={"community": community})
    assert answer.status_code in (200, 400, 404), (answer.status_code, error_log.records[-1:])
    if answer.status_code == 200:
        assert answer.get_json(force=True)["type"] == "FeatureCollection"
