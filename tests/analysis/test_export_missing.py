"""Missing-data codes, SPSS/Stata conventions, labelled CSV/xlsx and datapackage.json (issue 13, points 2-5).

R-free: every file is read back with pyreadstat, pandas, openpyxl and frictionless.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from frictionless import validate

from analysis import Dataset, read_dataset
from survey.datasets.writers import write_export
from tests.analysis.synthetic import PlantedAsset, make_survey

# The scheme, written out here rather than read from analysis.columns.
NOT_ASKED, SKIPPED = -1, -2
MISSING_LABELS = {-1: "Not asked", -2: "Skipped", -3: "More than one answer", -4: "Prefer not to say", -5: "Don't know"}
WEMWBS_LABELS = {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"}
ITEMS = [f"wemwbs_{n}" for n in range(1, 15)]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """Two communities with their own assets (so each answers "not asked" for the other's) and blanks."""
    responses, assets = make_survey(
        {
            "north": [PlantedAsset("north_hall", "community_group", 1.0, 0.4)],
            "south": [PlantedAsset("south_park", "place", 1.0, 0.5)],
        },
        per_community=30,
        seed=3,
        missing=0.1,
    )
    responses["submitted_at"] = "2026-05-01T10:00:00Z"
    responses.loc[[2, 5], "wemwbs_4"] = None
    responses.loc[[1, 7, 9], "age_band"] = None
    return Dataset.from_frames(responses, assets)


def _export(dataset: Dataset, format: str, **options: str) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    write_export(buffer, dataset, format=format, provenance={"exported_by": "tester"}, **options)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def _expected_codes(dataset: Dataset, column: str, community_asked: str | None = None) -> pd.Series:
    """What the coded column must hold: the value, -1 where the community was not asked, else -2 for a blank."""
    source = dataset.responses
    expected = source[column].astype("float64").copy()
    blank = expected.isna()
    expected[blank] = SKIPPED
    if community_asked is not None:
        expected[(source["community"] != community_asked).to_numpy()] = NOT_ASKED
    return expected.reset_index(drop=True)


def test_spss_carries_user_missing_codes_with_labels_and_formats_that_fit(dataset):
    archive = _export(dataset, "sav")
    data, meta = pyreadstat.read_sav(io.BytesIO(archive.read("responses.sav")), user_missing=True)
    for column, community in (("wemwbs_4", None), ("age_band", None), ("asset_south_park", "south")):
        np.testing.assert_array_equal(data[column].to_numpy(), _expected_codes(dataset, column, community).to_numpy())
    assert (data["asset_north_hall"] == NOT_ASKED).sum() == (dataset.responses["community"] == "south").sum() == 30
    assert data["value_south_park"].isin([NOT_ASKED]).sum() == 30  # importance follows the same rule
    assert meta.missing_ranges["wemwbs_4"] == [{"lo": -5.0, "hi": -1.0}]
    labels = meta.variable_value_labels["wemwbs_4"]
    for code, start in MISSING_LABELS.items():
        assert labels[code].startswith(start)
    assert {code: labels[code] for code in WEMWBS_LABELS} == WEMWBS_LABELS
    # Read as SPSS shows it by default, every code is missing: scores and items agree with the source.
    plain, _ = pyreadstat.read_sav(io.BytesIO(archive.read("responses.sav")))
    assert plain["wemwbs_4"].isna().sum() == dataset.responses["wemwbs_4"].isna().sum() == 2
    # Display formats fit the codes (and the minus sign of -1 ... -5), not F8.2.
    formats = meta.original_variable_types
    assert formats["mode"] == formats["verified"] == formats["community"] == "F1.0"
    assert formats["wemwbs_4"] == formats["asset_south_park"] == "F2.0"
    assert formats["ons_happy"] == "F2.0" and formats["years_in_area"] == "F3.0"
    # mode, community, campaign and status are labelled numbers, the same codes in every file.
    assert meta.variable_value_labels["mode"] == {1: "online", 2: "interview", 3: "paper"}
    assert meta.variable_value_labels["status"] == {1: "complete", 2: "partial"}
    assert set(data["status"]) == {1.0} and formats["status"] == "F1.0"
    assert meta.variable_measure["status"] == "nominal"
    assert meta.variable_value_labels["community"] == {1: "north", 2: "south"}
    assert data["community"].map(meta.variable_value_labels["community"]).tolist() == list(
        dataset.responses["community"]
    )
    assets, asset_meta = pyreadstat.read_sav(io.BytesIO(archive.read("assets.sav")))
    assert asset_meta.variable_value_labels["community"] == {1: "north", 2: "south"}
    assert list(assets["community"]) == [1.0, 2.0]


def test_stata_carries_extended_missing_values_with_labels(dataset):
    archive = _export(dataset, "dta")
    data, meta = pyreadstat.read_dta(io.BytesIO(archive.read("responses.dta")), user_missing=True)
    letters = {NOT_ASKED: "a", SKIPPED: "b"}
    for column, community in (("wemwbs_4", None), ("asset_south_park", "south"), ("value_north_hall", "north")):
        source = "asset_north_hall_value" if column == "value_north_hall" else column
        expected = [letters.get(value, value) for value in _expected_codes(dataset, source, community)]
        assert [value if isinstance(value, str) else float(value) for value in data[column]] == expected
    labels = meta.variable_value_labels["wemwbs_4"]
    assert (
        labels["a"].startswith("Not asked") and labels["b"].startswith("Skipped") and labels["d"] == "Prefer not to say"
    )
    assert {code: labels[code] for code in WEMWBS_LABELS} == WEMWBS_LABELS
    assert meta.original_variable_types["wemwbs_4"] == "%1.0f" and meta.original_variable_types["mode"] == "%1.0f"
    assert meta.variable_value_labels["campaign"] == {1: "north-2026", 2: "south-2026"}
    assert meta.variable_value_labels["status"] == {1: "complete", 2: "partial"}
    assert set(data["status"]) == {1.0} and meta.original_variable_types["status"] == "%1.0f"
    # pandas sees the same extended missing values (dates left as numbers: pandas cannot convert a date
    # column holding missing values when it keeps them as objects).
    frame = pd.read_stata(
        io.BytesIO(archive.read("responses.dta")), convert_categoricals=False, convert_missing=True, convert_dates=False
    )
    shown = {str(value) for value in frame["asset_south_park"] if not isinstance(value, float)}
    assert shown == {".a"}


def test_the_do_file_adds_the_full_wording_as_notes(dataset):
    archive = _export(dataset, "dta")
    assert archive.namelist()[-3:] == ["notes.do", "datapackage.json", "provenance.json"]
    script = archive.read("notes.do").decode()
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), keep_default_na=False)
    long = book[(book["file"] == "responses.dta") & (book["label"].str.len() > 80)]
    assert len(long) > 0
    for name, label in zip(long["stata_name"], long["label"], strict=True):
        assert f"notes {name}: {' '.join(label.split())}" in script
    assert 'use "responses.dta", clear' in script and 'save "assets.dta", replace' in script
    assert "notes sixways_connect_1: Question stem: In the past two weeks, how often have you..." in script
    assert "notes _dta: Missing-data codes: .a = Not asked" in script


def test_csv_with_codes_reads_back_in_the_analysis_as_missing(dataset, tmp_path):
    archive = _export(dataset, "csv", missing="codes")
    coded = pd.read_csv(io.BytesIO(archive.read("responses.csv")))
    assert (coded["wemwbs_4"] == SKIPPED).sum() == 2 and (coded["asset_north_hall"] == NOT_ASKED).sum() == 30
    assert coded["wemwbs"].isna().sum() == dataset.responses["wemwbs"].isna().sum()  # scores stay blank
    path = tmp_path / "coded.zip"
    path.write_bytes(_export(dataset, "csv", missing="codes").fp.getvalue())  # type: ignore[union-attr]
    back = read_dataset(path)
    pd.testing.assert_frame_equal(back.responses, dataset.responses)  # codes -> missing; scores recomputed equal
    # An independent check: the WEMWBS total of the first complete row is the sum of its items.
    row = back.responses.dropna(subset=ITEMS).iloc[0]
    assert row["wemwbs"] == sum(int(row[item]) for item in ITEMS)


def test_labelled_csv_and_xlsx_hold_the_labels(dataset):
    archive = _export(dataset, "csv", labels="labels", missing="codes")
    table = pd.read_csv(io.BytesIO(archive.read("responses.csv")), keep_default_na=False)
    assert set(table["wemwbs_1"]) <= set(WEMWBS_LABELS.values())
    assert set(table["verified"]) <= {"verified", "not yet verified"}
    assert (table["wemwbs_4"] == "Skipped (asked, left blank)").sum() == 2
    assert table["asset_north_hall"].str.startswith("Not asked").sum() == 30
    source = dataset.responses["wemwbs_1"].reset_index(drop=True)
    assert list(table["wemwbs_1"]) == [WEMWBS_LABELS[int(code)] for code in source]
    workbook = _export(dataset, "xlsx", labels="labels")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.read("dataset.xlsx")))["responses"]
    rows = list(sheet.values)
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    assert list(frame["wemwbs_1"]) == list(table["wemwbs_1"])
    assert frame["wemwbs_4"].isna().sum() == 2  # blank chosen: no code, no label
    provenance = json.loads(workbook.read("provenance.json"))
    assert (provenance["missing"], provenance["labels"]) == ("blank", "labels")


@pytest.mark.parametrize(
    ("format", "options"),
    [
        ("csv", {}),
        ("csv", {"missing": "codes"}),
        ("csv", {"missing": "codes", "labels": "labels"}),
        ("xlsx", {}),
        ("sav", {}),
        ("dta", {}),
    ],
)
def test_every_zip_is_a_valid_frictionless_data_package(dataset, tmp_path, format, options):
    _export(dataset, format, **options).extractall(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:5]
    names = [resource["name"] for resource in package["resources"]]
    assert names == (
        ["responses", "assets", "campaigns", "adjustments", "codebook", "asset-places"]
        if format == "csv"
        else ["adjustments", "codebook", "asset-places"]
    )
    places = package["resources"][-1]
    assert (places["path"], places["format"], places["mediatype"]) == (
        "assets.geojson",
        "geojson",
        "application/geo+json",
    )
    assert package["licenses"] and any(source["title"].startswith("wemwbs: Tennant R") for source in package["sources"])
    if format == "csv":
        fields = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}
        assert fields["wemwbs_1"]["categories"][0] == {"value": 1, "label": "None of the time"}
        assert "In the past two weeks" in fields["sixways_connect_1"]["description"]
        missing = package["resources"][0]["schema"]["missingValues"]
        assert ("-2" in missing) == (options == {"missing": "codes"})


def test_a_wrong_cell_fails_the_package_validation(dataset, tmp_path):
    """The schema constrains the data: a code the question does not have is caught by frictionless."""
    _export(dataset, "csv").extractall(tmp_path)
    table = pd.read_csv(tmp_path / "responses.csv", dtype=str, keep_default_na=False)
    table.loc[0, "wemwbs_1"] = "9"
    table.to_csv(tmp_path / "responses.csv", index=False)
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert [error.type for error in report.tasks[0].errors] == ["constraint-error"]


def test_the_codebook_carries_stems_names_missing_codes_and_each_citation_once(dataset):
    archive = _export(dataset, "sav")
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), keep_default_na=False)
    rows = book.set_index("variable")
    assert rows.loc["sixways_connect_1", "stem"] == "In the past two weeks, how often have you..."
    assert rows.loc["asset_north_hall_value", "spss_name"] == "value_north_hall"
    assert rows.loc["asset_north_hall_value", "stata_name"] == "value_north_hall"
    assert rows.loc["wemwbs_1", "missing_codes"] != "" and rows.loc["wemwbs", "missing_codes"] == ""
    codes = book[book["file"] == "(missing-data codes)"]
    assert list(codes["variable"]) == ["not_asked", "skipped", "multiple", "declined", "dont_know"]
    assert codes["codes"].iloc[0] == "SPSS user-missing and CSV/xlsx code -1; Stata .a"
    wemwbs_items = book[(book["instrument"] == "wemwbs") & book["variable"].isin(ITEMS)]
    assert (wemwbs_items["source"] != "").sum() == 1  # one citation, on the first item


def test_stata_codes_survive_a_column_whose_first_hundred_answers_are_missing():
    """pyreadstat takes a column whose first 100 values are letters for text; the codes must still be numbers."""
    responses, assets = make_survey(
        {
            "north": [PlantedAsset("north_hall", "place", 1.0, 0.4)],
            "south": [PlantedAsset("south_park", "place", 1, 0.5)],
        },
        per_community=110,
        seed=4,
    )
    responses["submitted_at"] = "2026-05-01T10:00:00Z"
    dataset = Dataset.from_frames(responses, assets)
    assert (dataset.responses["community"].iloc[:110] == "north").all()  # south_park: 110 "not asked" first
    archive = _export(dataset, "dta")
    data, _meta = pyreadstat.read_dta(io.BytesIO(archive.read("responses.dta")), user_missing=True)
    assert (data["asset_south_park"].iloc[:110] == "a").all()
    assert (
        data["asset_south_park"].iloc[110:].tolist()
        == dataset.responses["asset_south_park"].iloc[110:].astype("float64").tolist()
    )
