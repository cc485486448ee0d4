"""The asset map's pure parts: figures from a stored profile run, GeoJSON, and the pack's static SVG map."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree

import geojson
import pytest

from analysis.asset_map import MapFigures, feature_collection, map_figures
from analysis.asset_map_svg import METRES_PER_DEGREE, asset_map_svg, project, scale_bar

SVG = "{http://www.w3.org/2000/svg}"


def test_map_figures_read_the_profile_layout_and_drop_what_is_not_a_figure():
    figures = {
        "assets": {
            "library": {"use": {"user_share": 0.35}, "valued": {"evidence": "clear"}},
            "shed": {"use": {"user_share": None}, "valued": {"evidence": "not_estimated"}},
            "odd": {"use": {"user_share": float("nan")}, "valued": {"evidence": "<b>made up</b>"}},
        }
    }
    assert map_figures(figures) == {
        "library": MapFigures(0.35, "clear"),
        "shed": MapFigures(None, "not_estimated"),
        "odd": MapFigures(None, None),
    }
    assert map_figures(None) == {} and map_figures({"summary": {}}) == {}


def test_feature_collection_is_valid_rfc_7946_with_longitude_first_and_unlocated_assets_left_out():
    collection = feature_collection(
        [
            {"slug": "library", "name": "Library", "kind": "place", "community": "dover-town", "latitude": 51.1247,
             "longitude": 1.3133, "postcode": "CT16 1PH", "location": "", "user_share": 0.35, "evidence": "clear"},
            {"slug": "walks", "name": "Walks", "kind": "place", "community": "dover-town", "latitude": None,
             "longitude": None, "postcode": "CT16 1DQ"},
            {"slug": "nan", "name": "NaN", "kind": "place", "community": "dover-town", "latitude": float("nan"),
             "longitude": 1.0},
            {"slug": "west", "name": "West", "kind": "other", "community": "x", "latitude": -33.9, "longitude": -70.6},
        ]
    )  # fmt: skip
    checked = geojson.GeoJSON.to_instance(collection, strict=True)
    assert checked.is_valid, checked.errors()
    assert [feature["id"] for feature in collection["features"]] == ["library", "west"]
    library, west = collection["features"]
    assert library["geometry"] == {"type": "Point", "coordinates": [1.3133, 51.1247]}
    assert west["geometry"]["coordinates"] == [-70.6, -33.9]
    assert library["properties"] == {
        "slug": "library",
        "name": "Library",
        "kind": "place",
        "community": "dover-town",
        "location": None,
        "postcode": "CT16 1PH",
        "user_share": 0.35,
        "evidence": "clear",
    }
    assert west["properties"]["user_share"] is None and west["properties"]["evidence"] is None


POINTS = [
    ("library", "Library", 51.12, 1.30),
    ("park", "Park", 51.14, 1.32),
    ("shed", "Men's <Shed> & co", 51.13, 1.31),
]


def test_projection_maps_known_points_to_the_expected_pixels():
    positions, per_metre = project(POINTS, width=320, height=220, margin=20)
    # The box is 0.02 degrees each way; east-west shrinks by cos(51.13 degrees).
    east = 0.02 * METRES_PER_DEGREE * math.cos(math.radians(51.13))
    north = 0.02 * METRES_PER_DEGREE
    assert per_metre == pytest.approx(min(280 / east, 180 / north))
    # The taller side fills the height between the margins; the box is centred across.
    assert positions["library"][1] == pytest.approx(200) and positions["park"][1] == pytest.approx(20)
    assert positions["shed"] == pytest.approx((160, 110))  # the middle of the box is the middle of the drawing
    width_used = positions["park"][0] - positions["library"][0]
    assert width_used == pytest.approx(east * per_metre) and width_used < 280
    assert positions["library"][0] == pytest.approx(160 - width_used / 2)


def test_one_point_sits_in_the_middle_with_a_minimum_area_around_it():
    positions, per_metre = project([("a", "A", 51.1, 1.3)], width=300, height=200, margin=20)
    assert positions["a"] == pytest.approx((150, 100)) and per_metre == pytest.approx(160 / 400)


def test_scale_bar_is_a_round_distance_that_fits():
    assert scale_bar(0.1, 100) == (pytest.approx(100), "1 km")
    assert scale_bar(0.1, 99) == (pytest.approx(50), "500 m")
    assert scale_bar(1.0, 30) == (pytest.approx(20), "20 m")
    assert scale_bar(0.01, 60) == (pytest.approx(50), "5 km")


def test_svg_highlights_and_labels_one_asset_and_escapes_names():
    svg = asset_map_svg(POINTS, "shed")
    root = ElementTree.fromstring(svg)  # well-formed XML: the escaped name did not break it
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 3 and sorted(circle.get("r") for circle in circles) == ["4", "4", "7"]
    labels = [text.text for text in root.findall(f"{SVG}text")]
    assert "Men's <Shed> & co" in labels and re.fullmatch(r"\d+ (m|km)", labels[-1])
    assert "<Shed>" not in svg and "&lt;Shed&gt; &amp; co" in svg
    assert root.get("role") == "img" and "Men's <Shed> & co and 2 other assets" in root.get("aria-label", "")
    highlighted = next(circle for circle in circles if circle.get("r") == "7")
    # The middle of the drawing above the strip kept for the scale bar (220 - 16 px high).
    assert (float(highlighted.get("cx")), float(highlighted.get("cy"))) == pytest.approx((160, 102), abs=0.05)
    dots_bottom = max(float(circle.get("cy")) + float(circle.get("r")) for circle in circles)
    scale_label = root.findall(f"{SVG}text")[-1]
    assert dots_bottom < float(scale_label.get("y")) - float(scale_label.get("font-size"))  # clear of the scale
    # Black, white and greys only: a black-and-white printer loses nothing.
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg))
    assert colours <= {"#ffffff", "#0b0c0c", "#b1b4b6"}
    assert asset_map_svg([], "shed") == ""
