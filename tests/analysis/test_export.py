"""Exports read back: every format equals its source dataset, labels included (issue 5, part 7)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis import Dataset, DatasetError, read_dataset
from analysis.columns import PARADATA_COLUMNS
from survey.datasets import DatasetReader, build_dataset
from survey.datasets.codebooks import export_columns
from survey.datasets.sources import ExportError
from survey.datasets.stat_files import XLSX_MAX_ROWS
from survey.datasets.writers import write_export
from survey.datasets.zipstream import iter_csv_zip
from tests.analysis.synthetic import PlantedAsset, make_survey

LONG_SLUG = "a_very_long_asset_slug_xyz"  # 26 characters: asset_<slug>_value has 38
FORMULA_NAME = '=HYPERLINK("http://example.org","click")'
# Published WEMWBS response options (Tennant et al. 2007), written out here, not read from our YAML.
WEMWBS_LABELS = {1: "None of the time", 2: "Rarely", 3: "Some of the time", 4: "Often", 5: "All of the time"}
USE_LABELS = {0: "Never", 1: "Less than once a month", 2: "About once a month", 3: "About once a week", 4: "Most days"}
SCORES = (
    "wemwbs",
    "swemwbs_raw",
    "swemwbs",
    *(f"sixways_{d}" for d in ("connect", "be_active", "keep_learning", "take_notice", "give", "care")),
)
KINDS = tuple(f"assets_used_{k}" for k in ("community_group", "individual", "place", "voluntary_org", "other"))
ONS4_ITEMS = ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious")
# The ONS anchors (GSS harmonised standard for personal well-being), written out here, not read from our YAML.
LIFE_SATISFACTION_LABELS = {0: "Not at all satisfied", **{n: str(n) for n in range(1, 10)}, 10: "Completely satisfied"}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """Two communities, one asset with the longest slug allowed and one whose name is a formula."""
    responses, assets = make_survey(
        {
            "north": [
                PlantedAsset(LONG_SLUG, "place", 2.0, 0.5),
                PlantedAsset("north_hall", "community_group", 0, 0.4),
            ],
            "south": [PlantedAsset("south_park", "place", 1.0, 0.5)],
        },
        per_community=40,
        seed=5,
        missing=0.1,
    )
    assets.loc[assets["slug"] == "north_hall", "name"] = FORMULA_NAME
    responses["submitted_at"] = [f"2026-05-{1 + i % 28:02d}T{i % 24:02d}:15:30Z" for i in range(len(responses))]
    responses["verified"] = [i % 5 != 0 for i in range(len(responses))]
    responses.loc[3, "wemwbs_2"] = None  # a blank answer: its WEMWBS score is blank too
    rng = np.random.default_rng(1)
    for number in (1, 2):
        responses[f"sixways_connect_{number}"] = rng.integers(1, 6, len(responses))
    for column in ONS4_ITEMS:  # 0-10, a few blank (not asked or not answered)
        responses[column] = pd.array(rng.integers(0, 11, len(responses)), dtype="Int64")
        responses.loc[responses.index % 9 == 4, column] = pd.NA
    return Dataset.from_frames(responses, assets)


# Text and date-time columns (metadata and paradata); the others are numbers in every format.
NOT_NUMBERS = (
    "response_id",
    "community",
    "campaign",
    "mode",
    "submitted_at",
    "status",
    "started_at",
    "interviewer",
    "keyer",
    "second_keyer",
)


def _zip(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def _export(dataset: Dataset, format: str, content: str = "both") -> tuple[zipfile.ZipFile, dict]:
    buffer = io.BytesIO()
    record = write_export(buffer, dataset, format=format, content=content, provenance={"exported_by": "tester"})
    return _zip(buffer.getvalue()), record


def _numeric(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame.loc[:, columns].astype("float64").to_numpy()


def _naive_utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.tz_localize(None).astype("datetime64[us]")


class _Counting:
    """The dataset read like a `DatasetReader`, counting the responses handed out so far."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset, self.read = dataset, 0
        self.assets, self.total = dataset.assets, len(dataset.responses)
        self.columns = list(dataset.responses.columns)

    def chunks(self, size: int = 5000):
        for start in range(0, self.total, size):
            chunk = self.dataset.responses.iloc[start : start + size]
            self.read += len(chunk)
            yield chunk


def test_the_csv_zip_streams_and_reads_back_as_the_dataset(dataset):
    source = _Counting(dataset)
    stream = iter_csv_zip(source, content="both", provenance={"exported_by": "tester"}, chunk_size=7)
    first = next(stream)
    assert first.startswith(b"PK\x03\x04") and source.read == 0  # bytes leave before any response is read
    parts = [first, *stream]
    assert source.read == len(dataset.responses) and len(parts) >= 2
    archive = _zip(b"".join(parts))
    assert archive.namelist() == [
        "responses.csv",
        "assets.csv",
        "campaigns.csv",
        "adjustments.csv",
        "assets.geojson",
        "codebook.csv",
        "codebook.html",
        "datapackage.json",
        "provenance.json",
    ]
    folder = {name: io.BytesIO(archive.read(name)) for name in archive.namelist()}
    back = read_dataset(folder["responses.csv"], folder["assets.csv"])
    pd.testing.assert_frame_equal(back.responses, dataset.responses)
    assert list(back.assets["slug"]) == list(dataset.assets["slug"])
    # The formula-looking asset name is defused with a leading quote; the other names are untouched.
    names = dict(zip(back.assets["slug"], back.assets["name"], strict=True))
    assert names["north_hall"] == "'" + FORMULA_NAME and names["south_park"] == "South Park"
    assert archive.getinfo("responses.csv").file_size > 0


def test_read_dataset_takes_an_export_zip_or_its_folder_in_one_call(dataset, tmp_path):
    """A notebook user reads a downloaded CSV export with one call, zipped or unpacked."""
    data = b"".join(iter_csv_zip(dataset, content="both", chunk_size=50))
    zipped = tmp_path / "survey-export-all.zip"
    zipped.write_bytes(data)
    folder = tmp_path / "unpacked"
    _zip(data).extractall(folder)
    from_files = read_dataset(folder / "responses.csv", folder / "assets.csv", folder / "campaigns.csv")
    for back in (read_dataset(zipped), read_dataset(folder), read_dataset(str(zipped))):
        pd.testing.assert_frame_equal(back.responses, from_files.responses)
        pd.testing.assert_frame_equal(back.assets, from_files.assets)
        pd.testing.assert_frame_equal(back.campaigns, from_files.campaigns)
    pd.testing.assert_frame_equal(read_dataset(zipped).responses, dataset.responses)


def test_read_dataset_says_what_is_wrong_with_a_path_it_cannot_read(dataset, tmp_path):
    xlsx = tmp_path / "xlsx-export.zip"
    write_export(xlsx, dataset, format="xlsx", provenance={"exported_by": "tester"})
    with pytest.raises(DatasetError, match="not a CSV dataset export .*download the export as CSV"):
        read_dataset(xlsx)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no responses.csv in this folder"):
        read_dataset(tmp_path / "empty")
    with pytest.raises(DatasetError, match="give assets.csv too"):
        read_dataset(tmp_path / "responses.csv")


def test_provenance_is_last_and_hashes_every_file(dataset):
    archive, record = _export(dataset, "csv")
    assert archive.namelist()[-1] == "provenance.json"
    provenance = json.loads(archive.read("provenance.json"))
    assert provenance == json.loads(json.dumps(record))
    assert provenance["exported_by"] == "tester" and provenance["format"] == "csv"
    assert provenance["rows"] == len(dataset.responses) == provenance["files"]["responses.csv"]["rows"]
    assert provenance["files"]["assets.csv"]["rows"] == 3
    assert sorted(provenance["campaigns"]) == ["north-2026", "south-2026"]
    assert provenance["definition_versions"]["wemwbs"] >= 1
    datetime.strptime(provenance["exported_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert set(provenance["files"]) == set(archive.namelist()) - {"provenance.json"}
    for name, facts in provenance["files"].items():
        data = archive.read(name)
        assert facts["sha256"] == hashlib.sha256(data).hexdigest() and facts["bytes"] == len(data)


@pytest.mark.parametrize("content", ["both", "items", "scores"])
def test_the_codebook_describes_exactly_the_exported_columns(dataset, content):
    archive, _ = _export(dataset, "csv", content)
    header = archive.read("responses.csv").decode().splitlines()[0].split(",")
    items = ["age_band", "gender", "employment", "years_in_area", *ONS4_ITEMS, *(f"wemwbs_{n}" for n in range(1, 15))]
    meta = ["response_id", "community", "campaign", "mode", "verified", "submitted_at", *PARADATA_COLUMNS]
    if content == "scores":  # identifiers, paradata and demographics stay, for breakdowns of the scores
        assert header == [*meta, *items[:4], *SCORES, *KINDS]
    elif content == "items":
        assert header[: len(meta) + len(items)] == meta + items and not set(header) & {*SCORES, *KINDS}
        assert f"asset_{LONG_SLUG}_value" in header
    else:
        assert header == list(dataset.responses.columns)
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), keep_default_na=False)
    assert list(book.loc[book["file"] == "responses.csv", "variable"]) == header
    assert list(book.loc[book["file"] == "assets.csv", "variable"]) == [
        "slug",
        "name",
        "kind",
        "community",
        "annual_cost",
        "cost_year",  # optional columns (issue 10): older files load without them
        "community_name",
    ]
    assert list(book.loc[book["file"] == "campaigns.csv", "variable"]) == [
        "campaign",
        "community",
        "population_size",
        "sampling_method",
        "population_source",
        "community_name",
    ]
    page = archive.read("codebook.html").decode()
    # responses, assets, campaigns, adjustments, the missing-data codes, then the sources and licences once
    assert page.count("<h2>") == 6
    assert page.count("<dt>wemwbs version") == 1
    # The formula asset name appears only escaped, in the label of its questions (not asked for scores).
    assert FORMULA_NAME not in page
    assert ("=HYPERLINK(&quot;http://example.org&quot;" in page) == (content != "scores")


def _valid(labels: dict) -> dict:
    """Value labels without the missing-data codes' (negative codes, or Stata's letters)."""
    return {code: label for code, label in labels.items() if not isinstance(code, str) and code >= 0}


def test_spss_reads_back_with_values_labels_and_measures(dataset):
    archive, record = _export(dataset, "sav")
    assert archive.namelist()[:2] == ["responses.sav", "assets.sav"]
    # Read as most SPSS users see it: user-missing codes become system-missing.
    data, meta = pyreadstat.read_sav(io.BytesIO(archive.read("responses.sav")))
    source = dataset.responses
    renamed = {c: f"value_{c.removeprefix('asset_').removesuffix('_value')}" for c in source if c.endswith("_value")}
    assert list(data.columns) == [renamed.get(c, c) for c in source.columns]
    assert record["stata_renamed"] == renamed
    numeric = [c for c in source.columns if c not in NOT_NUMBERS]
    np.testing.assert_array_equal(_numeric(data, [renamed.get(c, c) for c in numeric]), _numeric(source, numeric))
    assert np.isnan(data.loc[3, "wemwbs_2"]) and np.isnan(data.loc[3, "wemwbs"])
    assert list(data["response_id"]) == list(source["response_id"])
    pd.testing.assert_series_equal(data["submitted_at"], _naive_utc(source["submitted_at"]), check_names=False)
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), keep_default_na=False)
    described = book[book["file"] == "responses.sav"]
    assert meta.column_names_to_labels == dict(zip(described["spss_name"], described["label"], strict=True))
    labels = meta.variable_value_labels
    assert _valid(labels["wemwbs_1"]) == WEMWBS_LABELS and _valid(labels[f"asset_{LONG_SLUG}"]) == USE_LABELS
    assert labels["verified"] == {0: "not yet verified", 1: "verified"}
    assert _valid(labels["ons_life_satisfaction"]) == LIFE_SATISFACTION_LABELS
    assert labels["ons_anxious"][0] == "Not at all anxious" and labels["ons_anxious"][10] == "Completely anxious"
    assert described.set_index("variable").loc["ons_anxious", "label"].count("higher = more anxious") == 1
    assert "wemwbs" not in labels and _valid(labels["years_in_area"]) == {}
    assert meta.variable_measure["wemwbs_1"] == "ordinal" and meta.variable_measure["wemwbs"] == "scale"
    assert meta.variable_measure["gender"] == "nominal" and meta.variable_measure["mode"] == "nominal"
    assets, asset_meta = pyreadstat.read_sav(io.BytesIO(archive.read("assets.sav")))
    assert list(assets["slug"]) == list(dataset.assets["slug"]) and FORMULA_NAME in list(assets["name"])
    assert asset_meta.column_names_to_labels["annual_cost"].startswith("Annual running cost")
    assert asset_meta.column_names_to_labels["community"].startswith("Community (slug) whose residents")
    assert record["files"]["responses.sav"]["rows"] == len(source)


def test_stata_renames_by_one_rule_and_keeps_labels(dataset):
    archive, record = _export(dataset, "dta")
    data, meta = pyreadstat.read_dta(io.BytesIO(archive.read("responses.dta")))
    source = dataset.responses
    renamed = {c: f"value_{c.removeprefix('asset_').removesuffix('_value')}" for c in source if c.endswith("_value")}
    assert len(renamed) == 3 and renamed[f"asset_{LONG_SLUG}_value"] == f"value_{LONG_SLUG}"
    assert list(data.columns) == [renamed.get(c, c) for c in source.columns]
    assert max(len(c) for c in data.columns) == 32 and "value_north_hall" in data.columns
    assert record["stata_renamed"] == renamed
    numeric = [c for c in source.columns if c not in NOT_NUMBERS]
    np.testing.assert_array_equal(_numeric(data, [renamed.get(c, c) for c in numeric]), _numeric(source, numeric))
    pd.testing.assert_series_equal(data["submitted_at"], _naive_utc(source["submitted_at"]), check_names=False)
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), keep_default_na=False)
    rows = book[book["file"] == "responses.dta"].set_index("variable")
    assert rows.loc[f"asset_{LONG_SLUG}_value", "stata_name"] == f"value_{LONG_SLUG}"
    assert rows.loc["asset_north_hall_value", "stata_name"] == "value_north_hall"
    assert rows.loc["wemwbs_1", "stata_name"] == "wemwbs_1"
    for column in source.columns:
        full = rows.loc[column, "label"]
        label = meta.column_names_to_labels[renamed.get(column, column)]
        if len(full) <= 80:
            assert label == full
        else:
            assert len(label) <= 80 and label.endswith("...") and full.startswith(label[:-3])
    assert any(len(label) > 80 for label in rows["label"])  # the truncation was exercised
    assert _valid(meta.variable_value_labels["wemwbs_1"]) == WEMWBS_LABELS
    assert _valid(meta.variable_value_labels["ons_life_satisfaction"]) == LIFE_SATISFACTION_LABELS
    assert data["ons_happy"].isna().sum() == source["ons_happy"].isna().sum() > 0  # blank stays missing
    assert meta.variable_value_labels[f"value_{LONG_SLUG}"][5] == "Very much"
    assert _valid(meta.variable_value_labels[f"asset_{LONG_SLUG}"]) == USE_LABELS
    # Each label set is named after its variable, as Stata users name them.
    assert meta.variable_to_label[f"value_{LONG_SLUG}"] == f"value_{LONG_SLUG}"


def test_excel_reads_back_with_text_never_a_formula(dataset):
    archive, record = _export(dataset, "xlsx")
    assert archive.namelist() == [
        "dataset.xlsx",
        "adjustments.csv",
        "assets.geojson",
        "codebook.csv",
        "codebook.html",
        "datapackage.json",
        "provenance.json",
    ]
    book = openpyxl.load_workbook(io.BytesIO(archive.read("dataset.xlsx")))
    assert book.sheetnames == ["responses", "assets", "campaigns", "codebook", "provenance"]
    sheet = book["responses"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.values)
    source = dataset.responses
    assert list(rows[0]) == list(source.columns) and len(rows) - 1 == len(source) == record["rows"]
    back = pd.DataFrame(rows[1:], columns=rows[0])
    numeric = [c for c in source.columns if c not in NOT_NUMBERS]
    np.testing.assert_array_equal(back.loc[:, numeric].astype("float64").to_numpy(), _numeric(source, numeric))
    assert list(back["response_id"]) == list(source["response_id"])
    assert list(pd.to_datetime(back["submitted_at"])) == list(_naive_utc(source["submitted_at"]))
    assets = book["assets"]
    cells = [cell for row in assets.iter_rows() for cell in row if cell.value == FORMULA_NAME]
    assert len(cells) == 1 and cells[0].data_type == "s"
    codebook_sheet = list(book["codebook"].values)
    assert codebook_sheet[0][:3] == ("file", "variable", "label") and len(codebook_sheet) > len(source.columns)


class _Huge:
    """A source claiming more responses than a sheet holds; reading it would be a bug."""

    assets = pd.DataFrame({"slug": [], "name": [], "kind": [], "community": [], "annual_cost": []})
    total = XLSX_MAX_ROWS + 1
    columns = ["response_id"]

    def chunks(self, size: int = 5000):
        raise AssertionError("the row limit must be checked before reading")


def test_excel_refuses_more_rows_than_a_sheet_holds(tmp_path):
    with pytest.raises(ExportError, match="1,048,575"):
        write_export(tmp_path / "x.zip", _Huge(), format="xlsx")
    assert not (tmp_path / "x.zip").exists()


def test_bad_format_or_content_is_refused(dataset, tmp_path):
    with pytest.raises(ExportError, match="format"):
        write_export(tmp_path / "x.zip", dataset, format="pdf")
    with pytest.raises(ExportError, match="content"):
        export_columns(list(dataset.responses.columns), "everything")


def test_a_database_export_equals_the_dataset_and_leaves_practice_out(demo_database):
    expected = build_dataset(demo_database.url)
    with DatasetReader(demo_database.url) as reader:
        data = b"".join(iter_csv_zip(reader, content="both", chunk_size=50))
    archive = _zip(data)
    back = read_dataset(io.BytesIO(archive.read("responses.csv")), io.BytesIO(archive.read("assets.csv")))

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:  # the reader goes by storage order, build_dataset not
        return frame.sort_values("response_id").reset_index(drop=True)

    wanted = expected.responses.assign(submitted_at=expected.responses["submitted_at"].dt.floor("s"))  # CSV: seconds
    pd.testing.assert_frame_equal(ordered(back.responses), ordered(wanted), check_dtype=False)
    assert back.responses["submitted_at"].dtype.tz is not None
    assert demo_database.practice_public_id.encode() not in data
    provenance = json.loads(archive.read("provenance.json"))
    assert "dover-practice" not in provenance["campaigns"]
    assert provenance["instrument_versions"]["dover-town"]["wemwbs"] >= 1
    verified = pd.read_csv(io.BytesIO(archive.read("responses.csv")))
    assert demo_database.unverified_public_id in set(verified["response_id"])
