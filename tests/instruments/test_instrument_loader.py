"""Loading, validating and snapshotting instrument definitions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import instruments
from instruments import (
    Instrument,
    InstrumentDefinitionError,
    catalogue,
    get,
    instrument_from_dict,
    load_definition,
    loader,
)
from instruments.loader import DEFINITIONS_DIR

WEMWBS_NOTICE = (
    "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) © NHS Health Scotland, The University of "
    "Warwick and University of Edinburgh, 2006, all rights reserved."
)
SWEMWBS_NOTICE = (
    "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of "
    "Warwick and University of Edinburgh, 2008, all rights reserved."
)
# Tennant et al. 2007, HQLO 5:63, Figure 1 (typed from shared/reference/wemwbs.md).
WEMWBS_ITEMS = [
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been feeling interested in other people",
    "I've had energy to spare",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling good about myself",
    "I've been feeling close to other people",
    "I've been feeling confident",
    "I've been able to make up my own mind about things",
    "I've been feeling loved",
    "I've been interested in new things",
    "I've been feeling cheerful",
]
DIMENSIONS = ["connect", "be_active", "keep_learning", "take_notice", "give", "care"]

# Content hashes of the shipped definitions. If one of these fails, a definition changed: bump
# its `version` (the app refuses a changed definition under a version it has already stored),
# then update the hash here.
KNOWN_HASHES = {
    ("asset_use", 2): "87aff577d30b",
    ("demographics", 2): "bf85ece268cf",
    ("ons4", 1): "fce9c3f99638",
    ("sixways", 1): "8cf948cc716f",
    ("swemwbs", 1): "03498bd698f6",
    ("wemwbs", 1): "f840752c8213",
}


def test_catalogue_has_the_six_definitions() -> None:
    assert sorted(catalogue()) == ["asset_use", "demographics", "ons4", "sixways", "swemwbs", "wemwbs"]
    for path in DEFINITIONS_DIR.glob("*.yaml"):
        assert load_definition(path) == get(path.stem)


def test_get_unknown_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown instrument 'wembws'.*wemwbs"):
        get("wembws")


def test_catalogue_returns_a_copy() -> None:
    catalogue().clear()
    assert "wemwbs" in catalogue()


def test_wemwbs_definition_follows_the_reference() -> None:
    wemwbs = get("wemwbs")
    assert wemwbs.item_keys == tuple(f"wemwbs_{n}" for n in range(1, 15))
    assert [item.text for item in wemwbs.items] == WEMWBS_ITEMS
    assert all(item.required and item.type == "choice" for item in wemwbs.items)
    labels = ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"]
    for item in wemwbs.items:
        assert [(o.code, o.label) for o in item.options] == list(enumerate(labels, start=1))
    assert "select the option" in wemwbs.stem and "last 2 weeks" in wemwbs.stem
    assert wemwbs.licence.notice == WEMWBS_NOTICE
    assert wemwbs.licence.registration_required is True
    assert wemwbs.project_own is False
    assert wemwbs.missing.rule == "complete_cases"
    assert wemwbs.missing.prorate_max_missing == {"wemwbs": 2}
    (rule,) = wemwbs.scoring
    assert (rule.name, rule.method, rule.items, rule.range) == ("wemwbs", "sum", wemwbs.item_keys, (14, 70))


def test_swemwbs_items_are_wemwbs_items() -> None:
    swemwbs, wemwbs = get("swemwbs"), get("wemwbs")
    assert swemwbs.item_keys == tuple(f"wemwbs_{n}" for n in (1, 2, 3, 6, 7, 9, 11))
    assert all(item == wemwbs.item(item.key) for item in swemwbs.items)
    assert swemwbs.licence.notice == SWEMWBS_NOTICE
    assert swemwbs.licence.registration_required is True
    raw, metric = swemwbs.scoring
    assert (raw.name, raw.method, raw.range) == ("swemwbs_raw", "sum", (7, 35))
    assert (metric.name, metric.method, metric.source, metric.decimals) == ("swemwbs", "lookup", "swemwbs_raw", 2)
    assert metric.reference and "Warwick" in metric.reference
    assert swemwbs.missing.prorate_max_missing == {"swemwbs_raw": 1}


ONS4_ITEMS = [
    ("ons_life_satisfaction", "Overall, how satisfied are you with your life nowadays?", "satisfied"),
    (
        "ons_worthwhile",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "worthwhile",
    ),
    ("ons_happy", "Overall, how happy did you feel yesterday?", "happy"),
    (
        "ons_anxious",
        'On a scale where 0 is "not at all anxious" and 10 is "completely anxious", overall, how anxious did '
        "you feel yesterday?",
        "anxious",
    ),
]


def test_ons4_follows_the_harmonised_standard() -> None:
    ons4 = get("ons4")
    assert [(item.key, item.text) for item in ons4.items] == [(key, text) for key, text, _ in ONS4_ITEMS]
    assert ons4.stem.startswith("Next I would like to ask you four questions about your feelings")
    assert "where 0 is 'not at all' and 10 is 'completely'" in ons4.stem
    for item, (_, _, word) in zip(ons4.items, ONS4_ITEMS, strict=True):
        assert item.type == "choice" and item.required
        assert item.codes == tuple(range(11))
        assert item.label_for(0) == f"Not at all {word}" and item.label_for(10) == f"Completely {word}"
        assert [item.label_for(code) for code in range(1, 10)] == [str(code) for code in range(1, 10)]
        assert item.scale_anchors == (item.options[0], item.options[-1])
    assert ons4.scoring == ()  # each question is its own measure: no total
    assert ons4.project_own is False and ons4.licence.registration_required is False
    assert "Crown copyright" in (ons4.licence.notice or "") and "Open Government Licence" in ons4.licence.terms
    assert "Government Statistical Service" in ons4.source
    assert ons4.missing.rule == "complete_cases"


def test_only_numeric_scales_have_anchors() -> None:
    assert all(item.scale_anchors is None for key in ("wemwbs", "sixways", "demographics") for item in get(key).items)


def test_sixways_is_the_projects_own() -> None:
    sixways = get("sixways")
    assert sixways.project_own is True
    assert "unvalidated" in sixways.source
    assert sixways.stem == "In the past two weeks, how often have you..."
    assert sixways.item_keys == tuple(f"sixways_{d}_{n}" for d in DIMENSIONS for n in (1, 2))
    assert [o.label for o in sixways.items[0].options] == ["Never", "Rarely", "Sometimes", "Often", "Very often"]
    assert all(item.required for item in sixways.items)
    assert sixways.score_names == tuple(f"sixways_{d}" for d in DIMENSIONS)  # no total
    for dimension, rule in zip(DIMENSIONS, sixways.scoring, strict=True):
        assert (rule.method, rule.items, rule.range) == (
            "mean",
            (f"sixways_{dimension}_1", f"sixways_{dimension}_2"),
            (1, 5),
        )


def test_asset_use_is_a_template() -> None:
    assets = get("asset_use")
    assert assets.project_own is True and assets.scoring == ()
    frequency, value = assets.item_templates
    assert (frequency.key, frequency.text, frequency.required, frequency.screener) == (
        "asset_{slug}",
        "How often do you {phrase} {name}?",
        True,
        "Do you {phrase} {name}?",
    )
    assert assets.version == 2  # version 2: a yes/no screener before "how often"
    assert frequency.codes == (0, 1, 2, 3, 4)
    assert frequency.label_for(4) == "Most days"
    assert (value.key, value.required, value.codes) == ("asset_{slug}_value", False, (1, 2, 3, 4, 5))
    (nominations,) = assets.items
    assert (nominations.key, nominations.type, nominations.required, nominations.max_length) == (
        "asset_nominations",
        "text",
        False,
        2000,
    )


def test_demographics_are_all_optional() -> None:
    demo = get("demographics")
    assert demo.item_keys == ("age_band", "gender", "employment", "years_in_area", "postcode_district")
    assert not any(item.required for item in demo.items)
    assert demo.item("age_band").label_for(7) == "75 or over"
    assert demo.item("gender").codes == (1, 2, 3)
    assert demo.item("employment").label_for(8) == "Unable to work because of illness or disability"
    years = demo.item("years_in_area")
    assert (years.type, years.min, years.max) == ("integer", 0, 100)
    postcode = demo.item("postcode_district")
    assert (postcode.type, postcode.max_length) == ("text", 4)
    assert "e.g. CT16" in postcode.text and postcode.pattern_message


@pytest.mark.parametrize("key", sorted({k for k, _ in KNOWN_HASHES}))
def test_to_dict_round_trips_through_json(key: str) -> None:
    instrument = get(key)
    snapshot = json.loads(json.dumps(instrument.to_dict()))
    assert instrument_from_dict(snapshot) == instrument
    assert instrument_from_dict(snapshot).content_hash() == instrument.content_hash()
    assert hash(instrument) == hash(instrument_from_dict(snapshot))


@pytest.mark.parametrize(("key", "version"), sorted(KNOWN_HASHES))
def test_content_hash_is_pinned(key: str, version: int) -> None:
    instrument = get(key)
    digest = instrument.content_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert instrument.version == version
    assert digest.startswith(KNOWN_HASHES[key, version]), f"{key} changed: bump its version"


def test_content_hash_changes_with_the_wording() -> None:
    snapshot = get("wemwbs").to_dict()
    snapshot["items"][4]["text"] = "I've had lots of energy"
    assert instrument_from_dict(snapshot).content_hash() != get("wemwbs").content_hash()


def test_snapshot_shape() -> None:
    snapshot = get("swemwbs").to_dict()
    assert list(snapshot) == [
        "key", "version", "title", "stem", "source", "licence", "project_own",
        "estimated_seconds_per_item", "missing", "items", "scoring", "item_templates",
    ]  # fmt: skip
    assert snapshot["items"][0]["options"][0] == {"code": 1, "label": "None of the time"}
    assert snapshot["scoring"][1]["table"]["23"] == 20.73
    assert get("demographics").to_dict()["items"][3]["options"] is None


def test_tampered_snapshot_is_refused() -> None:
    snapshot = get("wemwbs").to_dict()
    snapshot["items"][0]["options"][0]["code"] = "one"
    with pytest.raises(InstrumentDefinitionError, match=r"<snapshot>: items\[0\]\.options\[0\]\.code: 'one'"):
        instrument_from_dict(snapshot)


# --- broken definitions ------------------------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _delete_title(d: dict[str, Any]) -> None:
    del d["title"]


def _delete_item_text(d: dict[str, Any]) -> None:
    del d["items"][2]["text"]


def _string_code(d: dict[str, Any]) -> None:
    d["items"][3]["options"] = [{"code": "x", "label": "Often"}]


def _version_zero(d: dict[str, Any]) -> None:
    d["version"] = 0


def _unknown_field(d: dict[str, Any]) -> None:
    d["items"][0]["colour"] = "red"


def _duplicate_item_key(d: dict[str, Any]) -> None:
    d["items"][5]["key"] = "wemwbs_2"


def _unknown_scored_item(d: dict[str, Any]) -> None:
    d["scoring"][0]["items"][13] = "wemwbs_15"


def _duplicate_option_code(d: dict[str, Any]) -> None:
    d["options"][2]["code"] = 2


def _wrong_range(d: dict[str, Any]) -> None:
    d["scoring"][0]["range"] = [0, 70]


def _unknown_prorate_score(d: dict[str, Any]) -> None:
    d["missing"]["prorate_max_missing"] = {"wemwbs_total": 2}


def _integer_item_without_max(d: dict[str, Any]) -> None:
    d["items"][0] = {"key": "wemwbs_1", "text": "How many?", "type": "integer", "required": True, "min": 0}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_delete_title, "title: required field is missing"),
        (_delete_item_text, "items[2].text: required field is missing"),
        (_string_code, "items[3].options[0].code: 'x' is not of type 'integer'"),
        (_version_zero, "version: 0 is less than the minimum of 1"),
        (_unknown_field, "items[0]: Additional properties are not allowed ('colour' was unexpected)"),
        (_duplicate_item_key, "items[5].key: duplicate item key 'wemwbs_2' (first used at items[1])"),
        (_unknown_scored_item, "scoring[0].items[13]: unknown item 'wemwbs_15'"),
        (_duplicate_option_code, "options[2].code: duplicate option code 2"),
        (_wrong_range, "scoring[0].range: [0, 70] does not match the items (possible 14-70)"),
        (_unknown_prorate_score, "missing.prorate_max_missing.wemwbs_total: no scoring rule named 'wemwbs_total'"),
        (_integer_item_without_max, "items[0].max: required for an integer item"),
    ],
)
def test_broken_wemwbs_names_file_and_field(
    edit: Edit, expected: str, definition_data: Callable[[str], dict[str, Any]], write_yaml: Callable[..., Path]
) -> None:
    data = definition_data("wemwbs")
    edit(data)
    path = write_yaml("wemwbs.yaml", data)
    with pytest.raises(InstrumentDefinitionError) as caught:
        load_definition(path)
    assert f"{path}: {expected}" in str(caught.value).splitlines()
    assert isinstance(caught.value, ValueError)
    assert caught.value.origin == str(path)


def _drop_table_row(d: dict[str, Any]) -> None:
    del d["scoring"][1]["table"][12]


def _extra_table_row(d: dict[str, Any]) -> None:
    d["scoring"][1]["table"][36] = 36.0


def _unknown_source(d: dict[str, Any]) -> None:
    d["scoring"][1]["source"] = "swemwbs_total"


def _lookup_after_its_source_is_missing(d: dict[str, Any]) -> None:
    d["scoring"].reverse()


def _lookup_with_items(d: dict[str, Any]) -> None:
    d["scoring"][1]["items"] = ["wemwbs_1"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_table_row, "scoring[1].table: no value for raw total 12 (the range of 'swemwbs_raw' is 7-35)"),
        (_extra_table_row, "scoring[1].table.36: raw total 36 is outside the range of 'swemwbs_raw' (7-35)"),
        (_unknown_source, "scoring[1].source: 'swemwbs_total' is not the name of an earlier scoring rule"),
        (
            _lookup_after_its_source_is_missing,
            "scoring[0].source: 'swemwbs_raw' is not the name of an earlier scoring rule",
        ),
        (_lookup_with_items, "scoring[1].items: not allowed on a lookup rule (it reads its source score)"),
    ],
)
def test_broken_swemwbs_lookup(
    edit: Edit, expected: str, definition_data: Callable[[str], dict[str, Any]], write_yaml: Callable[..., Path]
) -> None:
    data = definition_data("swemwbs")
    edit(data)
    path = write_yaml("swemwbs.yaml", data)
    with pytest.raises(InstrumentDefinitionError) as caught:
        load_definition(path)
    assert f"{path}: {expected}" in str(caught.value).splitlines()


def test_choice_item_needs_options(
    definition_data: Callable[[str], dict[str, Any]], write_yaml: Callable[..., Path]
) -> None:
    data = definition_data("demographics")
    del data["items"][1]["options"]
    path = write_yaml("demographics.yaml", data)
    with pytest.raises(InstrumentDefinitionError, match=r"items\[1\]\.options: a choice item needs options"):
        load_definition(path)


def test_bad_pattern_is_reported(
    definition_data: Callable[[str], dict[str, Any]], write_yaml: Callable[..., Path]
) -> None:
    data = definition_data("demographics")
    data["items"][4]["pattern"] = "[A-Z"
    path = write_yaml("demographics.yaml", data)
    with pytest.raises(InstrumentDefinitionError, match=r"items\[4\]\.pattern: not a valid regular expression"):
        load_definition(path)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "wemwbs.yaml"
    path.write_text("key: wemwbs\nitems: [a, b\n", encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match=rf"^{re.escape(str(path))}: line \d+, column \d+: "):
        load_definition(path)


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    text = (
        (DEFINITIONS_DIR / "wemwbs.yaml")
        .read_text(encoding="utf-8")
        .replace("version: 1\n", "version: 1\nversion: 2\n")
    )
    path = tmp_path / "wemwbs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match=r"duplicate key 'version'"):
        load_definition(path)


def test_catalogue_refuses_a_key_that_does_not_match_the_file_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    definition_data: Callable[[str], dict[str, Any]],
    write_yaml: Callable[..., Path],
) -> None:
    write_yaml("wellbeing.yaml", definition_data("wemwbs"))
    monkeypatch.setattr(loader, "DEFINITIONS_DIR", tmp_path)
    loader._catalogue.cache_clear()
    try:
        with pytest.raises(InstrumentDefinitionError, match=r"wellbeing\.yaml: key: 'wemwbs' does not match"):
            catalogue()
    finally:
        monkeypatch.undo()
        loader._catalogue.cache_clear()
    assert "wemwbs" in catalogue()


def test_public_names_are_exported() -> None:
    for name in ["Option", "Item", "ScoringRule", "Instrument", "Licence", "load_definition", "catalogue", "get",
                 "instrument_from_dict", "instantiate_asset_use", "score", "validate_codes", "CodeError",
                 "InstrumentDefinitionError"]:  # fmt: skip
        assert hasattr(instruments, name), name
    assert isinstance(get("wemwbs"), Instrument)
