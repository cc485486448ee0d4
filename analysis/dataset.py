"""The analysis dataset: one format (issue 4, part 2), checked, scored and written the same way
whether it came from the database, from downloaded CSV files or from a notebook's DataFrames.

Files
-----
``responses.csv``
    One row per complete response: ``response_id`` (public id), ``community``, ``campaign``,
    ``mode``, ``verified`` (0/1), ``submitted_at`` (ISO 8601, UTC), the paradata (``status``,
    ``started_at``, ``duration_seconds``, ``pages_saved``, ``resumed``, ``wave``, ``interviewer``,
    ``keyer``, ``second_keyer``: `analysis.paradata`; optional), ``age_band``, ``gender``,
    ``employment``, ``years_in_area``, the ONS personal well-being questions
    ``ons_life_satisfaction``, ``ons_worthwhile``, ``ons_happy``, ``ons_anxious`` (0-10 each, no
    total; optional columns, blank when absent), ``wemwbs_1``..``wemwbs_14``, ``sixways_<dimension>_<n>``,
    then per asset ``asset_<slug>`` (use, 0-4) and ``asset_<slug>_value`` (importance, 1-5), then
    the scores (``wemwbs``, ``swemwbs_raw``, ``swemwbs``, ``sixways_<dimension>``) and
    ``assets_used_<kind>``. A blank cell is missing.
``assets.csv``
    ``slug``, ``name``, ``kind``, ``community``, ``annual_cost`` (pounds a year, blank = unknown).
``campaigns.csv`` (optional, the project's addition)
    ``campaign``, ``community``, ``population_size``, ``sampling_method``: what the valuation
    needs to scale surveyed users to the community (blank = not recorded).

Scores are always recomputed from the items by `instruments.score` (complete cases), so a
hand-edited item can never disagree with its score. The text items (postcode district, asset
nominations) are left out of the dataset: they are quasi-identifiers or free text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import instruments
from analysis.adjustments import check_assets, empty_adjustments, prepare_adjustments
from analysis.cells import DatasetError, blank_cells, stripped_text, text_cells
from analysis.cells import numbers as _numbers
from analysis.columns import (
    ASSET_COLUMNS,
    ASSET_KINDS,
    CAMPAIGN_COLUMNS,
    DEMOGRAPHIC_COLUMNS,
    META_COLUMNS,
    MODES,
    OPTIONAL_ASSET_COLUMNS,
    OPTIONAL_CAMPAIGN_COLUMNS,
    PARADATA_COLUMNS,
    POPULATION_SIZE_MAX,
    SAMPLING_METHODS,
    SLUG_PATTERN,
    asset_column,
    asset_value_column,
    blank_missing_codes,
    kind_columns,
    ons4_items,
    score_columns,
    sixways_items,
    wemwbs_items,
)

# The format's names moved to analysis.columns; the export writers still import this one from here.
from analysis.columns import response_columns as response_columns
from analysis.paradata import prepare_paradata
from instruments.answers import quoted


@dataclass(frozen=True, eq=False)
class Dataset:
    """The analysis dataset: `responses` (one row per response) and `assets`, optionally `campaigns`.

    Build it with `analysis.build_dataset` (database) or `analysis.read_dataset` (CSV files), or
    `Dataset.from_frames` (DataFrames in the same format; scores are recomputed).
    """

    responses: pd.DataFrame
    assets: pd.DataFrame
    campaigns: pd.DataFrame = field(default_factory=lambda: empty_campaigns())
    adjustments: pd.DataFrame = field(default_factory=empty_adjustments)
    # Partial (never submitted) responses `analysis.read_dataset` left out of a file that held some.
    partial_dropped: int = 0

    @classmethod
    def from_frames(
        cls,
        responses: pd.DataFrame,
        assets: pd.DataFrame,
        campaigns: pd.DataFrame | None = None,
        adjustments: pd.DataFrame | None = None,
        *,
        origins: tuple[str, ...] = ("responses", "assets", "campaigns", "adjustments"),
    ) -> Dataset:
        """Check DataFrames in the dataset format, recompute scores; DatasetError names what is wrong."""
        checked_assets = prepare_assets(assets, origin=origins[1])
        checked_campaigns = empty_campaigns() if campaigns is None else prepare_campaigns(campaigns, origin=origins[2])
        checked_adjustments = (
            empty_adjustments() if adjustments is None else prepare_adjustments(adjustments, origin=origins[3])
        )
        check_assets(checked_adjustments, checked_assets["slug"], origin=origins[3])
        checked = prepare_responses(responses, checked_assets, origin=origins[0])
        return cls(checked, checked_assets, checked_campaigns, checked_adjustments)

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write ``responses.csv``, ``assets.csv``, ``campaigns.csv`` and ``adjustments.csv`` into `directory`."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = {name: out / f"{name}.csv" for name in ("responses", "assets", "campaigns", "adjustments")}
        responses = self.responses.copy()
        for column in ("submitted_at", "started_at"):
            if column in responses:
                responses[column] = _iso_utc(responses[column])
        responses.to_csv(paths["responses"], index=False, lineterminator="\n")
        self.assets.to_csv(paths["assets"], index=False, lineterminator="\n")
        self.campaigns.to_csv(paths["campaigns"], index=False, lineterminator="\n")
        self.adjustments.to_csv(paths["adjustments"], index=False, lineterminator="\n")
        return paths


def empty_campaigns() -> pd.DataFrame:
    """A campaigns table with no rows (no population sizes recorded)."""
    return pd.DataFrame(
        {
            "campaign": pd.Series(dtype=str),
            "community": pd.Series(dtype=str),
            "population_size": pd.Series(dtype="Int64"),
            "sampling_method": pd.Series(dtype=str),
            "population_source": pd.Series(dtype=object),
            "community_name": pd.Series(dtype=object),
        }
    )


def prepare_assets(assets: pd.DataFrame, *, origin: str = "assets") -> pd.DataFrame:
    """Check an assets table and return it with the format's columns and types."""
    _require(assets, ASSET_COLUMNS, origin)
    frame = assets.loc[:, list(ASSET_COLUMNS)].copy().reset_index(drop=True)
    for column in OPTIONAL_ASSET_COLUMNS:
        frame[column] = assets[column].to_numpy() if column in assets else None
    for column in ("slug", "name", "kind", "community"):
        _no_blanks(frame, column, origin)
        frame[column] = stripped_text(frame[column])
    bad = ~frame["slug"].map(lambda slug: bool(SLUG_PATTERN.fullmatch(slug)) and not slug.endswith("_value"))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(
            f"{origin}: column 'slug', row {row + 1}: {quoted(frame['slug'][row])} must be 1-26 characters of a-z, "
            "0-9 and _, not ending in '_value'"
        )
    duplicated = frame["slug"].duplicated()
    if duplicated.any():
        raise DatasetError(
            f"{origin}: column 'slug': {quoted(frame['slug'][duplicated].iloc[0])} appears more than once"
        )
    bad = ~frame["kind"].isin(ASSET_KINDS)
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(
            f"{origin}: column 'kind', row {row + 1}: {quoted(frame['kind'][row])} "
            f"is not one of {', '.join(ASSET_KINDS)}"
        )
    cost = _numbers(frame, "annual_cost", origin)
    negative = cost < 0
    if negative.any():
        row = int(np.argmax(negative.to_numpy()))
        raise DatasetError(f"{origin}: column 'annual_cost', row {row + 1}: a cost cannot be negative")
    frame["annual_cost"] = cost.astype("float64")
    year = _numbers(frame, "cost_year", origin)
    bad = year.notna() & ((year < 1900) | (year > 2100) | (year != np.floor(year)))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(f"{origin}: column 'cost_year', row {row + 1}: must be a year such as 2024")
    frame["cost_year"] = year.astype("Int64")
    frame["community_name"] = text_cells(frame["community_name"])
    return frame


def prepare_campaigns(campaigns: pd.DataFrame, *, origin: str = "campaigns") -> pd.DataFrame:
    """Check a campaigns table (population sizes for the valuation) and return it typed."""
    _require(campaigns, CAMPAIGN_COLUMNS, origin)
    frame = campaigns.loc[:, list(CAMPAIGN_COLUMNS)].copy().reset_index(drop=True)
    for column in OPTIONAL_CAMPAIGN_COLUMNS:
        frame[column] = text_cells(campaigns[column]) if column in campaigns else None
    for column in ("campaign", "community"):
        _no_blanks(frame, column, origin)
        frame[column] = frame[column].astype(str)
    size = _numbers(frame, "population_size", origin)
    bad = size.notna() & ((size <= 0) | (size > POPULATION_SIZE_MAX) | (size != np.floor(size)))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(
            f"{origin}: column 'population_size', row {row + 1}: "
            f"must be a whole number from 1 to {POPULATION_SIZE_MAX:,}"
        )
    frame["population_size"] = size.astype("Int64")
    frame["sampling_method"] = text_cells(frame["sampling_method"]).map(
        lambda text: text.lower() if isinstance(text, str) and text.lower() in SAMPLING_METHODS else text
    )
    return frame


def prepare_responses(responses: pd.DataFrame, assets: pd.DataFrame, *, origin: str = "responses") -> pd.DataFrame:
    """Check responses against the format and `assets` (from `prepare_assets`); add the scores.

    Returns a new DataFrame in file column order: typed columns, items and asset answers as
    nullable integers, scores recomputed by `instruments.score`, ``assets_used_<kind>`` counted.
    Extra columns that are not part of the format are kept, after the format's columns.
    """
    slugs = list(assets["slug"])
    asset_keys = {column for slug in slugs for column in (asset_column(slug), asset_value_column(slug))}
    derived = set(score_columns()) | set(kind_columns())
    _require(responses, (*META_COLUMNS, *DEMOGRAPHIC_COLUMNS, *wemwbs_items()), origin)
    duplicates = responses.columns[responses.columns.duplicated()]
    if len(duplicates):
        raise DatasetError(f"{origin}: column {duplicates[0]!r} appears more than once")
    strays = [
        column
        for column in responses.columns
        if str(column).startswith("asset_") and column not in asset_keys and column not in derived
    ]
    if strays:
        raise DatasetError(
            f"{origin}: column {strays[0]!r} looks like an asset column but the assets table has no asset "
            f"{quoted(_slug_of(str(strays[0])))}"
        )
    frame = responses.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)

    for column in ("response_id", "community", "campaign", "mode"):
        _no_blanks(frame, column, origin)
        out[column] = stripped_text(frame[column])
    duplicated = out["response_id"].duplicated()
    if duplicated.any():
        raise DatasetError(
            f"{origin}: column 'response_id': {quoted(out['response_id'][duplicated].iloc[0])} appears more than once"
        )
    bad = ~out["mode"].isin(MODES)
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(
            f"{origin}: column 'mode', row {row + 1}: {quoted(out['mode'][row])} is not one of {', '.join(MODES)}"
        )
    verified = _numbers(frame, "verified", origin)
    bad = verified.notna() & ~verified.isin([0, 1])
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DatasetError(f"{origin}: column 'verified', row {row + 1}: must be 0 or 1")
    out["verified"] = verified.astype("Int64")
    out["submitted_at"] = _timestamps(frame, "submitted_at", origin)
    paradata = prepare_paradata(frame, origin)
    for column in PARADATA_COLUMNS:
        out[column] = paradata[column]

    template = instruments.get("asset_use")
    asset_instrument = instruments.instantiate_asset_use(template, list(zip(slugs, assets["name"], strict=True)))
    item_instruments = ("demographics", "ons4", "wemwbs", "sixways")
    checked_instruments = [instruments.get(key) for key in item_instruments] + [asset_instrument]
    item_columns = [*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()]
    for slug in slugs:
        item_columns += [asset_column(slug), asset_value_column(slug)]
    present = [column for column in item_columns if column in frame.columns]
    cleared = {column: blank_missing_codes(frame[column]) for column in present}
    changed = {column: values for column, values in cleared.items() if values is not frame[column]}
    if changed:  # an export written with missing-data codes: every code is missing
        frame = frame.assign(**changed)
    errors = instruments.validate_codes(frame[present], checked_instruments, max_errors=1)
    if errors:
        error = errors[0]
        more = f" ({errors.total} invalid cells in all)" if errors.total > 1 else ""
        raise DatasetError(f"{origin}: column {error.column!r}, row {error.row}: {error.message}{more}")
    # Whole columns gathered, then joined at once: column-by-column insertion into `out` was a
    # noticeable share of the export's time (issue 14, point 5).
    items = pd.DataFrame({column: _item_codes(frame, column, origin) for column in item_columns}, index=frame.index)
    scores = instruments.score(items[[*wemwbs_items(), *sixways_items()]])
    scored = pd.DataFrame(
        {column: scores[column] if column in scores else np.nan for column in score_columns()}, index=frame.index
    )
    counts = assets_used(items.assign(community=out["community"]), assets)
    extras = [
        column
        for column in frame.columns
        if column not in out.columns and column not in items.columns and column not in derived
    ]
    # One concat: each one copies the item columns (15 MB of the streamed export's peak per 15,000 rows).
    parts = [out, items, scored, counts.loc[:, list(kind_columns())], frame.loc[:, extras]]
    return pd.concat(parts, axis=1)


def _item_codes(frame: pd.DataFrame, column: str, origin: str) -> Any:
    """An item column (already checked against its codes) as nullable integers; blank when absent."""
    if column not in frame.columns:  # e.g. a campaign that did not ask six ways, or a file older than ons4
        return pd.array([pd.NA] * len(frame), dtype="Int64")
    values = frame[column]
    if values.dtype == np.float64:  # the database reader's answers: NaN where there is none
        numbers = values.to_numpy()
        missing = np.isnan(numbers)
        present = numbers[~missing]
        if (np.abs(present) < 2**53).all() and (present == np.floor(present)).all():
            return pd.arrays.IntegerArray(np.where(missing, 0, numbers).astype(np.int64), missing)
    return _numbers(frame, column, origin).astype("Int64")


def assets_used(responses: pd.DataFrame, assets: pd.DataFrame) -> pd.DataFrame:
    """Count, per response and asset kind, the assets of that kind the person uses at all (use >= 1).

    Blank answers are not counted. The count is blank when the person's community has assets
    of that kind but the person answered none of those questions (nothing is known); it is 0
    when the community has no asset of that kind (there was nothing to use).
    """
    result = pd.DataFrame(index=responses.index)
    community = responses["community"].to_numpy()
    for kind, column in zip(ASSET_KINDS, kind_columns(), strict=True):
        chosen = assets[assets["kind"] == kind]
        used = np.zeros(len(responses), dtype=np.int64)
        answered = np.zeros(len(responses), dtype=np.int64)
        available = np.isin(community, chosen["community"].to_numpy())
        for slug in chosen["slug"]:
            values = responses[asset_column(slug)].to_numpy(dtype="float64", na_value=np.nan)
            answered += ~np.isnan(values)
            used += values >= 1
        missing = available & (answered == 0)
        result[column] = pd.array(np.where(missing, 0, used), dtype="Int64")
        result.loc[missing, column] = pd.NA
    return result


def total_assets_used(responses: pd.DataFrame, assets: pd.DataFrame) -> pd.Series:
    """Number of assets of any kind a person uses at all; blank if they answered no asset question."""
    used = np.zeros(len(responses), dtype=np.float64)
    answered = np.zeros(len(responses), dtype=np.int64)
    for slug in assets["slug"]:
        values = responses[asset_column(slug)].to_numpy(dtype="float64", na_value=np.nan)
        answered += ~np.isnan(values)
        used += values >= 1
    return pd.Series(np.where(answered > 0, used, np.nan), index=responses.index, name="assets_used_total")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table as plain dicts (column name -> value), for loops over small result tables."""
    return [{str(key): value for key, value in row.items()} for row in frame.to_dict("records")]


def _slug_of(column: str) -> str:
    slug = column.removeprefix("asset_")
    return slug.removesuffix("_value")


def _require(frame: pd.DataFrame, columns: Iterable[str], origin: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        shown = ", ".join(repr(column) for column in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise DatasetError(f"{origin}: missing column(s) {shown}{more}")


def _no_blanks(frame: pd.DataFrame, column: str, origin: str) -> None:
    blank = blank_cells(frame[column])
    if blank.any():
        row = int(np.argmax(blank.to_numpy()))
        raise DatasetError(f"{origin}: column {column!r}, row {row + 1}: must not be blank")


def _timestamps(frame: pd.DataFrame, column: str, origin: str) -> pd.Series:
    series = frame[column]
    try:
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            parsed = pd.to_datetime(series, utc=True)
        else:
            text = series.astype(object).where(series.notna(), None)
            parsed = pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise DatasetError(f"{origin}: column {column!r}: not an ISO 8601 date and time ({error})") from None
    return parsed


def _iso_utc(series: pd.Series) -> pd.Series:
    """ISO 8601 text in UTC with a Z, seconds precision; blank stays blank."""
    values = pd.to_datetime(series, utc=True)
    seconds = values.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    present = seconds[~np.isnat(seconds)]
    if ((present < np.datetime64("1000-01-01")) | (present >= np.datetime64("10000-01-01"))).any():
        # strftime writes years before 1000 without leading zeros, NumPy with: keep its text there.
        return values.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(values.notna(), None)
    # NumPy's ISO text, a column at once (strftime, a cell at a time, took 10 ms per 10,000 rows of
    # a streamed export): the same text, seconds cut as strftime cuts them (towards the past).
    same_type = values.iloc[:0].dt.strftime("%Y").dtype  # pandas' text type, as strftime gives it
    text = np.char.add(np.datetime_as_string(seconds, unit="s"), "Z").astype(object)
    return pd.Series(text, index=series.index, dtype=same_type).where(values.notna(), None)
