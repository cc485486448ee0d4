"""The analysis dataset: built from a real migrated database, checked against independent SQL."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.columns import ASSET_KINDS, MODES, SIXWAYS_DIMENSIONS, response_columns
from analysis.dataset import DatasetError, _iso_utc
from survey.datasets import build_dataset
from tests.analysis.conftest import DemoDatabase

WEMWBS_ITEMS = [f"wemwbs_{n}" for n in range(1, 15)]


def _sql(database: DemoDatabase, query: str, *args: object) -> list[tuple]:
    with sqlite3.connect(database.path) as connection:
        return connection.execute(query, args).fetchall()


@pytest.fixture(scope="module")
def dataset(demo_database: DemoDatabase) -> analysis.Dataset:
    return build_dataset(demo_database.url)


def test_constants_mirror_the_app_models() -> None:
    from survey import models

    assert ASSET_KINDS == models.ASSET_KINDS
    assert MODES == models.MODES
    assert SIXWAYS_DIMENSIONS == models.SIXWAYS_DIMENSIONS


def test_only_complete_non_practice_responses_enter(dataset: analysis.Dataset, demo_database: DemoDatabase) -> None:
    [(expected,)] = _sql(
        demo_database,
        "SELECT COUNT(*) FROM response r JOIN campaign c ON c.id = r.campaign_id "
        "WHERE r.status = 'complete' AND c.practice = 0",
    )
    [(partial,)] = _sql(demo_database, "SELECT COUNT(*) FROM response WHERE status = 'partial'")
    assert partial > 0  # the demo leaves some partial: they must not count
    assert len(dataset.responses) == expected
    assert demo_database.practice_public_id not in set(dataset.responses["response_id"])
    assert "dover-practice" not in set(dataset.responses["campaign"])
    assert list(dataset.responses.columns) == response_columns(dataset.assets["slug"])


def test_wemwbs_scores_match_an_independent_sql_sum(dataset: analysis.Dataset, demo_database: DemoDatabase) -> None:
    placeholders = ", ".join("?" for _ in WEMWBS_ITEMS)
    rows = _sql(
        demo_database,
        "SELECT r.public_id, SUM(a.value), COUNT(a.value) FROM answer a JOIN response r ON r.id = a.response_id "
        f"WHERE r.status = 'complete' AND a.item_key IN ({placeholders}) GROUP BY r.public_id",
        *WEMWBS_ITEMS,
    )
    expected = {public_id: total for public_id, total, count in rows if count == 14}
    scores = dataset.responses.set_index("response_id")["wemwbs"].dropna()
    assert len(scores) > 200
    assert {key: int(value) for key, value in scores.items()} == {key: expected[key] for key in scores.index}


def test_asset_users_match_sql_counts(dataset: analysis.Dataset, demo_database: DemoDatabase) -> None:
    rows = _sql(
        demo_database,
        "SELECT ca.slug, SUM(CASE WHEN u.frequency > 0 THEN 1 ELSE 0 END), COUNT(u.frequency) "
        "FROM asset_use u JOIN campaign_asset ca ON ca.id = u.campaign_asset_id "
        "JOIN response r ON r.id = u.response_id JOIN campaign c ON c.id = r.campaign_id "
        "WHERE r.status = 'complete' AND c.practice = 0 GROUP BY ca.slug",
    )
    assert len(rows) == len(dataset.assets) == 26
    for slug, users, answered in rows:
        column = dataset.responses[f"asset_{slug}"]
        assert (column >= 1).sum() == users, slug
        assert column.notna().sum() == answered, slug
    costs = dict(_sql(demo_database, "SELECT slug, annual_cost FROM asset"))
    for row in dataset.assets.itertuples():
        assert (np.isnan(row.annual_cost) and costs[row.slug] is None) or row.annual_cost == costs[row.slug]


def test_assets_used_counts_each_kind(dataset: analysis.Dataset) -> None:
    responses, assets = dataset.responses, dataset.assets
    person = responses.iloc[5]
    mine = assets[assets["community"] == person["community"]]
    for kind in ASSET_KINDS:
        slugs = mine.loc[mine["kind"] == kind, "slug"]
        expected = sum(int(person[f"asset_{slug}"] >= 1) for slug in slugs)
        assert person[f"assets_used_{kind}"] == expected


def test_filters_and_verified_only(demo_database: DemoDatabase, dataset: analysis.Dataset) -> None:
    verified = build_dataset(demo_database.url, verified_only=True)
    [(unverified,)] = _sql(
        demo_database,
        "SELECT COUNT(*) FROM response r JOIN campaign c ON c.id = r.campaign_id "
        "WHERE r.status = 'complete' AND c.practice = 0 AND r.verified = 0",
    )
    assert unverified >= 1
    assert len(verified.responses) == len(dataset.responses) - unverified
    assert demo_database.unverified_public_id not in set(verified.responses["response_id"])
    assert (
        dataset.responses.loc[dataset.responses["response_id"] == demo_database.unverified_public_id, "verified"].item()
        == 0
    )
    one = build_dataset(demo_database.url, communities=["sheppey"])
    assert set(one.responses["community"]) == {"sheppey"}
    assert set(one.assets["community"]) == {"sheppey"}
    by_campaign = build_dataset(demo_database.url, campaigns=["swanley", "aylesham"])
    assert set(by_campaign.responses["campaign"]) == {"swanley", "aylesham"}
    with pytest.raises(ValueError, match="practice"):
        build_dataset(demo_database.url, campaigns=["dover-practice"])
    # In words, as the other commands say it (it was "unknown community(s): atlantis").
    with pytest.raises(ValueError, match="^No campaign has the slug atlantis.$"):
        build_dataset(demo_database.url, campaigns=["atlantis"])
    with pytest.raises(ValueError, match="^No community has the slug atlantis.$"):
        build_dataset(demo_database.url, communities=["atlantis"])
    with pytest.raises(ValueError, match="^No communities have the slugs atlantis, lyonesse.$"):
        build_dataset(demo_database.url, communities=["lyonesse", "atlantis"])


def test_write_and_read_round_trip(dataset: analysis.Dataset, tmp_path) -> None:
    paths = dataset.write(tmp_path)
    text = paths["responses"].read_text()
    first = text.splitlines()[1].split(",")
    assert first[5].endswith("Z") and "T" in first[5]  # ISO 8601 UTC
    back = analysis.read_dataset(paths["responses"], paths["assets"], paths["campaigns"])
    expected = dataset.responses.copy()
    expected["submitted_at"] = expected["submitted_at"].dt.floor("s")
    pd.testing.assert_frame_equal(back.responses, expected, check_dtype=False)
    pd.testing.assert_frame_equal(back.assets, dataset.assets, check_dtype=False)
    pd.testing.assert_frame_equal(back.campaigns, dataset.campaigns, check_dtype=False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, a: r.assign(wemwbs_3=r["wemwbs_3"].astype(object).where(r.index != 4, "7")), "'wemwbs_3', row 5"),
        (lambda r, a: r.drop(columns=["gender"]), "missing column\\(s\\) 'gender'"),
        (lambda r, a: r.assign(mode=r["mode"].where(r.index != 0, "telepathy")), "column 'mode', row 1"),
        (lambda r, a: r.assign(asset_nowhere=1), "asset_nowhere"),
        (
            lambda r, a: r.assign(years_in_area=r["years_in_area"].astype(object).where(r.index != 2, "ten")),
            "years_in_area",
        ),
        (lambda r, a: r.assign(ons_life_satisfaction=7).assign(ons_anxious=lambda f: f.index % 12), "'ons_anxious'"),
    ],
)
def test_bad_input_names_the_column(synthetic_frames, change, message) -> None:
    responses, assets = synthetic_frames
    with pytest.raises(DatasetError, match=message):
        analysis.Dataset.from_frames(change(responses.copy(), assets), assets)


def test_bad_assets_table_names_the_column(synthetic_frames) -> None:
    responses, assets = synthetic_frames
    with pytest.raises(DatasetError, match="column 'kind', row 2"):
        analysis.Dataset.from_frames(responses, assets.assign(kind=assets["kind"].where(assets.index != 1, "pub")))
    with pytest.raises(DatasetError, match="annual_cost"):
        analysis.Dataset.from_frames(responses, assets.assign(annual_cost=-1.0))


def test_a_population_past_the_cap_is_refused_as_the_web_form_refuses_it(synthetic_frames) -> None:
    # Found by the numbers5 audit: a hand-made campaigns CSV took any population, while the campaign
    # form stops at 100 million; 10 billion residents would have scaled every asset's value by it.
    responses, assets = synthetic_frames
    campaigns = pd.DataFrame(
        {"campaign": ["c"], "community": ["north"], "population_size": [10_000_000_000], "sampling_method": ["random"]}
    )
    with pytest.raises(DatasetError, match="population_size', row 1: must be a whole number from 1 to 100,000,000"):
        analysis.Dataset.from_frames(responses, assets, campaigns)
    accepted = analysis.Dataset.from_frames(responses, assets, campaigns.assign(population_size=100_000_000))
    assert int(accepted.campaigns["population_size"].iloc[0]) == 100_000_000


@pytest.mark.parametrize("infinite", ["inf", "-Infinity", "1e999", float("inf")])
def test_an_infinite_number_is_refused_with_its_row_and_column(synthetic_frames, infinite) -> None:
    # Found by the numbers5 audit: "inf" as a population size crashed with a bare OverflowError
    # ("cannot convert float infinity to integer"), and as an annual cost it was taken as a cost.
    responses, assets = synthetic_frames
    campaigns = pd.DataFrame(
        {"campaign": ["c"], "community": ["north"], "population_size": [infinite], "sampling_method": ["random"]}
    )
    with pytest.raises(DatasetError, match="campaigns: column 'population_size', row 1: .+ is not a number"):
        analysis.Dataset.from_frames(responses, assets, campaigns)
    costs = assets["annual_cost"].astype(object).where(assets.index != 2, infinite)
    with pytest.raises(DatasetError, match="assets: column 'annual_cost', row 3: .+ is not a number"):
        analysis.Dataset.from_frames(responses, assets.assign(annual_cost=costs))


def test_scores_are_recomputed_from_items(synthetic_frames) -> None:
    responses, assets = synthetic_frames
    tampered = responses.assign(wemwbs=1)
    data = analysis.Dataset.from_frames(tampered, assets)
    items = responses[WEMWBS_ITEMS].astype("float64")
    expected = items.sum(axis=1).where(items.notna().all(axis=1))
    np.testing.assert_array_equal(data.responses["wemwbs"].astype("float64"), expected)


ONS4_ITEMS = ["ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"]


def test_ons_columns_sit_between_the_demographics_and_wemwbs() -> None:
    columns = response_columns(["park"])
    assert columns[columns.index("years_in_area") + 1 : columns.index("wemwbs_1")] == ONS4_ITEMS


def test_files_without_ons_columns_still_load_with_them_blank(synthetic_frames) -> None:
    responses, assets = synthetic_frames
    assert not set(ONS4_ITEMS) & set(responses.columns)  # an older file
    data = analysis.Dataset.from_frames(responses, assets)
    for column in ONS4_ITEMS:
        assert str(data.responses[column].dtype) == "Int64" and data.responses[column].isna().all()
    answered = responses.assign(ons_life_satisfaction=[(n % 11) if n % 5 else None for n in range(len(responses))])
    column = analysis.Dataset.from_frames(answered, assets).responses["ons_life_satisfaction"]
    assert column.isna().sum() == (len(responses) + 4) // 5  # blank = missing
    assert set(column.dropna().astype(int)) == set(range(11))


def test_ons_answers_match_the_database_and_look_like_the_uk(
    dataset: analysis.Dataset, demo_database: DemoDatabase
) -> None:
    rows = _sql(
        demo_database,
        "SELECT r.public_id, a.item_key, a.value FROM answer a JOIN response r ON r.id = a.response_id "
        "JOIN campaign c ON c.id = r.campaign_id WHERE r.status = 'complete' AND c.practice = 0 "
        "AND a.item_key LIKE 'ons%'",
    )
    frame = dataset.responses.set_index("response_id")
    assert len(rows) == 4 * len(frame) - 4 * frame["ons_happy"].isna().sum()
    assert all(frame.at[public_id, key] == value for public_id, key, value in rows)
    satisfaction = frame["ons_life_satisfaction"].dropna().astype(float)
    assert len(satisfaction) > 200 and satisfaction.between(0, 10).all()
    # The demo's synthetic answers are near the UK's (mean about 7.5, SD about 1.9) and track WEMWBS.
    assert 7.0 < satisfaction.mean() < 8.0 and 1.4 < satisfaction.std() < 2.4
    assert frame["ons_life_satisfaction"].astype(float).corr(frame["wemwbs"].astype(float)) > 0.4
    assert frame["ons_anxious"].astype(float).corr(frame["ons_life_satisfaction"].astype(float)) < 0


def test_postgresql_urls_use_the_psycopg_driver() -> None:
    """`build_dataset("postgresql://...")` reads through psycopg 3, the driver the app installs."""
    from survey.datasets.tables import engine_for

    for url in ("postgresql://u@h/db", "postgres://u@h/db"):
        engine = engine_for(url)
        assert engine.url.drivername == "postgresql+psycopg" and engine.url.host == "h"
        engine.dispose()
    assert engine_for("sqlite:///x.db").url.drivername == "sqlite"


# SWEMWBS Rasch conversion, raw 7..35 -> metric (shared/reference/wemwbs.md; 23 -> 20.73 and
# 32 -> 29.31 as quoted by published norms papers; 35 -> 35.00).
SWEMWBS_TABLE = dict(
    zip(
        range(7, 36),
        [
            7.00,
            9.51,
            11.25,
            12.40,
            13.33,
            14.08,
            14.75,
            15.32,
            15.84,
            16.36,
            16.88,
            17.43,
            17.98,
            18.59,
            19.25,
            19.98,
            20.73,
            21.54,
            22.35,
            23.21,
            24.11,
            25.03,
            26.02,
            27.03,
            28.13,
            29.31,
            30.70,
            32.55,
            35.00,
        ],
        strict=True,
    )
)


def test_scores_agree_with_the_reference_tables(dataset: analysis.Dataset) -> None:
    responses = dataset.responses.dropna(subset=["swemwbs_raw"])
    short_items = ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]
    assert (responses["swemwbs_raw"] == responses[short_items].sum(axis=1)).all()
    expected = responses["swemwbs_raw"].astype(int).map(SWEMWBS_TABLE)
    np.testing.assert_allclose(responses["swemwbs"].astype(float), expected, atol=1e-9)
    connect = dataset.responses[["sixways_connect_1", "sixways_connect_2"]].astype(float).mean(axis=1, skipna=False)
    np.testing.assert_allclose(dataset.responses["sixways_connect"].astype(float), connect, equal_nan=True)


def test_float_item_columns_give_the_same_dataset_as_text(synthetic_frames) -> None:
    """The database reader's float answers (NaN = none) take a fast path to the same typed columns."""
    responses, assets = synthetic_frames
    items = [column for column in responses.columns if column.startswith(("wemwbs_", "sixways_", "asset_"))]
    as_float = responses.assign(**{column: responses[column].astype("float64") for column in items})
    as_text = responses.assign(
        **{
            column: responses[column].map(lambda value: None if pd.isna(value) else str(int(value))).astype(object)
            for column in items
        }
    )
    assert as_float[items].isna().any().any()  # some answers are missing
    pd.testing.assert_frame_equal(
        analysis.Dataset.from_frames(as_float, assets).responses,
        analysis.Dataset.from_frames(as_text, assets).responses,
    )
    half = as_float.copy()
    half.loc[3, "wemwbs_1"] = 2.5
    with pytest.raises(DatasetError, match="'wemwbs_1', row 4"):
        analysis.Dataset.from_frames(half, assets)


def test_iso_utc_text_is_strftimes_for_every_instant_blank_and_year() -> None:
    """The ISO text of `submitted_at` is built by NumPy a column at a time: the same text as strftime,
    seconds cut towards the past (before 1970 too), other zones moved to UTC, years before 1000 left
    to strftime (which writes them without leading zeros)."""
    instants = ["1969-12-31 23:59:59.5", None, "2026-06-01 12:00:00.999+01:00", "2026-12-05 01:04:53"]
    for values in (instants, ["0999-03-01 10:00:00", None]):
        series = pd.Series(pd.to_datetime(values, utc=True, format="ISO8601"))
        expected = series.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(series.notna(), None)
        pd.testing.assert_series_equal(_iso_utc(series), expected)
    assert _iso_utc(pd.Series(pd.to_datetime(instants, utc=True, format="ISO8601"))).iloc[0] == "1969-12-31T23:59:59Z"


@pytest.mark.parametrize("damage", ["crc", "data"])
def test_a_damaged_export_zip_is_a_dataset_error_naming_the_file(tmp_path, damage: str) -> None:
    # read_dataset promises a DatasetError naming the file; a damaged zip raised BadZipFile or zlib.error.
    from tests.test_import_hardening import _damage_data, _patch_central_directory

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("responses.csv", "response_id,community\n" + "".join(f"r{n},north\n" for n in range(3000)))
        archive.writestr("assets.csv", "slug,name\n")
    good = buffer.getvalue()
    bad = (
        _patch_central_directory(good, "responses.csv", crc=1234)
        if damage == "crc"
        else _damage_data(good, "responses.csv")
    )
    path = tmp_path / "export.zip"
    path.write_bytes(bad)
    with pytest.raises(DatasetError, match=r"export\.zip!responses\.csv: not a readable \.zip file"):
        analysis.read_dataset(path)
