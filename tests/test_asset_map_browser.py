"""The asset map in real Chromium (issue 15, point 5): with the tile server blocked the markers still show,
one per located asset, beside the table; no script error; axe (WCAG 2.0-2.2 A/AA) on the asset log with
the map with tiles blocked and with tiles off; without JavaScript the table alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset, Community
from tests.a11y_support import SCREENSHOTS, audit, report
from tests.browser_support import sign_in
from tests.conftest import STAFF_PASSWORD

LOG = "/research/communities/dover-town/assets"
TILE_HOST = "https://tile.openstreetmap.org"
SLUGS = ("dover_library", "dover_seafront", "dover_mens_shed", "dover_walks", "dover_warden")
PLACES = {
    "dover_library": (51.1247, 1.3133, "CT16 1PH"),
    "dover_seafront": (51.1222, 1.3170, ""),
    "dover_mens_shed": (51.1335, 1.2975, ""),
    "dover_walks": (None, None, "CT16 1DQ"),
}
FIGURES = {
    "assets": {
        "dover_library": {"use": {"user_share": 0.35}, "valued": {"evidence": "clear"}},
        "dover_seafront": {"use": {"user_share": 0.7}, "valued": {"evidence": "suggestive"}},
    }
}


def _world(app, make_campaign, make_user) -> None:
    make_campaign("dover-town", asset_slugs=SLUGS)
    make_user("researcher@example.org", "researcher")
    with app.app_context():
        for slug, (latitude, longitude, postcode) in PLACES.items():
            asset = db.session.scalars(select(Asset).filter_by(slug=slug)).one()
            asset.latitude, asset.longitude, asset.postcode = latitude, longitude, postcode
        community = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        db.session.add(AnalysisSnapshot(community_id=community.id, status="done", figures=FIGURES))
        db.session.commit()


def _signed_in(browser, live_url: str, **options: Any) -> tuple[Any, list[str], list[str]]:
    """A researcher's tab whose tile requests are aborted; returns it, the tiles asked for, the errors."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, **options).new_page()
    tiles: list[str] = []
    errors: list[str] = []

    def block(route: Any) -> None:
        tiles.append(route.request.url)
        route.abort()

    page.route(f"{TILE_HOST}/**", block)
    # An aborted tile logs "Failed to load resource" against the tile's address: that is the blocking itself.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.location.get("url", "").startswith(TILE_HOST)
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_url, "researcher@example.org", STAFF_PASSWORD)
    return page, tiles, errors


def _table_rows(page: Any) -> dict[str, str]:
    rows = page.locator("table:has(caption:text('Assets and where they are')) tbody tr")
    return {rows.nth(i).locator("th").inner_text(): rows.nth(i).inner_text() for i in range(rows.count())}


def test_markers_show_on_a_plain_background_when_the_tiles_are_blocked(
    app, make_campaign, make_user, live_url, browser
):
    _world(app, make_campaign, make_user)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, tiles, errors = _signed_in(browser, live_url)
    page.goto(f"{live_url}{LOG}")
    page.wait_for_selector("path.app-asset-map__marker")
    markers = page.locator("path.app-asset-map__marker")
    assert markers.count() == 3  # the located assets; the postcode-only and unplaced ones are not drawn
    assert tiles and all(url.startswith(TILE_HOST) for url in tiles)  # tiles were asked for, and refused
    assert page.locator(".app-asset-map").is_visible() and page.locator(".app-asset-map__key").is_visible()
    # Colours come from the key: the library's evidence is clear, the seafront's suggestive.
    fills = set(markers.evaluate_all("els => els.map(e => e.getAttribute('fill'))"))
    swatches = page.locator("[data-map-key]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.mapKey, getComputedStyle(e).backgroundColor]))"
    )
    assert fills == {swatches["clear"], swatches["suggestive"], swatches["unknown"]}
    rows = _table_rows(page)
    assert len(rows) == 5 and "not on the map (postcode only)" in rows["Dover Walks"]
    assert "35%" in rows["Dover Library"] and "51.12470, 1.31330" in rows["Dover Library"]
    markers.first.click()  # a marker opens its name, built as text
    assert page.locator(".leaflet-popup-content strong").count() == 1
    violations = audit(page, "research-asset-map-tiles-blocked")
    page.goto(f"{live_url}/research/assets/dover_mens_shed/profile")  # its small static map (not in the figures)
    assert page.locator("figure.app-asset-map-figure svg circle").count() == 3
    violations += audit(page, "research-asset-profile-static-map")
    page.goto(f"{live_url}/fieldwork/assets")  # the asset list peers use, with the same map
    page.wait_for_selector("path.app-asset-map__marker")
    assert page.locator("path.app-asset-map__marker").count() == 3
    violations += audit(page, "fieldwork-asset-map")
    assert errors == [], errors
    assert violations == [], report(violations)


def test_without_tiles_or_javascript_the_map_degrades_to_markers_then_the_table(
    app, make_campaign, make_user, live_url, browser
):
    _world(app, make_campaign, make_user)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app.config["MAP_TILE_URL"] = ""  # tiles turned off: the page carries no tile address
    page, tiles, errors = _signed_in(browser, live_url)
    page.goto(f"{live_url}{LOG}")
    page.wait_for_selector("path.app-asset-map__marker")
    assert page.locator("path.app-asset-map__marker").count() == 3 and tiles == []
    assert page.locator(".leaflet-tile").count() == 0
    violations = audit(page, "research-asset-map-no-tiles")
    assert errors == [], errors

    page, tiles, errors = _signed_in(browser, live_url, java_script_enabled=False)
    page.goto(f"{live_url}{LOG}")
    assert not page.locator(".app-asset-map").is_visible() and not page.locator(".app-asset-map__key").is_visible()
    assert len(_table_rows(page)) == 5 and tiles == []
    # (axe runs as a script in the page, so it checks the JavaScript states above, not this one.)
    assert violations == [], report(violations)
