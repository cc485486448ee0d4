"""instantiate_asset_use: a campaign's assets turned into concrete items."""

from __future__ import annotations

import json

import pytest

from instruments import get, instantiate_asset_use, instrument_from_dict


def test_items_per_asset_in_order_then_nominations() -> None:
    template = get("asset_use")
    concrete = instantiate_asset_use(template, [("library", "Dover Library"), ("park_run", "the {Saturday} parkrun")])
    assert concrete.item_keys == (
        "asset_library",
        "asset_library_value",
        "asset_park_run",
        "asset_park_run_value",
        "asset_nominations",
    )
    assert concrete.item("asset_library").text == "How often do you use or go to Dover Library?"
    assert concrete.item("asset_park_run_value").text == "How much does the {Saturday} parkrun matter to you?"
    assert concrete.item("asset_library").required is True
    assert concrete.item("asset_library_value").required is False
    assert concrete.item("asset_park_run").codes == (0, 1, 2, 3, 4)
    assert concrete.item_templates == ()
    assert (concrete.key, concrete.version, concrete.licence) == (template.key, template.version, template.licence)
    assert instrument_from_dict(json.loads(json.dumps(concrete.to_dict()))) == concrete
    assert concrete.content_hash() != template.content_hash()


def test_no_assets_leaves_the_fixed_items() -> None:
    assert instantiate_asset_use(get("asset_use"), []).item_keys == ("asset_nominations",)


@pytest.mark.parametrize(
    ("assets", "message"),
    [
        ([("Library", "Library")], "slug 'Library' must be 1-26 characters"),
        ([("park-run", "Parkrun")], "slug 'park-run' must be"),
        ([("", "Nothing")], "slug '' must be"),
        ([("a" * 27, "Long")], "must be 1-26 characters"),
        ([("library", "  ")], "name must be non-empty text"),
        ([("library", "A"), ("library", "B")], "item key 'asset_library' clashes with the items of asset 'library'"),
        ([("nominations", "Nominations")], "item key 'asset_nominations' clashes with a fixed item"),
        ([("x", "X"), ("x_value", "X value")], "item key 'asset_x_value' clashes"),
        ([("library",)], "expected a (slug, name) pair"),
    ],
)
def test_bad_assets_raise_value_error(assets: list[tuple[str, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        instantiate_asset_use(get("asset_use"), assets)  # type: ignore[arg-type]


def test_a_26_character_slug_is_fine() -> None:
    slug = "a" * 26
    assert instantiate_asset_use(get("asset_use"), [(slug, "A")]).items[1].key == f"asset_{slug}_value"


def test_only_templates_can_be_instantiated() -> None:
    with pytest.raises(ValueError, match="'wemwbs' has no item templates"):
        instantiate_asset_use(get("wemwbs"), [("library", "Library")])


def test_phrases_fill_the_screener_and_the_question() -> None:
    concrete = instantiate_asset_use(
        get("asset_use"),
        [
            ("swanley_park", "Swanley Park", "go to"),
            ("neighbours", "Good neighbours scheme", "take part in"),
            ("x", "X"),
        ],
    )
    park, _, neighbours, _, other, _, _ = concrete.items
    assert (park.screener, park.text) == ("Do you go to Swanley Park?", "How often do you go to Swanley Park?")
    assert neighbours.screener == "Do you take part in Good neighbours scheme?"
    assert other.screener == "Do you use or go to X?"  # no phrase: the neutral default


def test_screener_needs_a_required_choice_item_starting_at_code_0() -> None:
    snapshot = get("asset_use").to_dict()
    snapshot["item_templates"][1]["screener"] = "Do you {phrase} {name}?"  # optional, codes from 1
    with pytest.raises(Exception, match="screener"):
        instrument_from_dict(snapshot)
