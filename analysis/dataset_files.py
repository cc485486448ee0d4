"""Reading a dataset from its files: the CSVs `Dataset.write` writes, a folder of them, or an export zip."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import IO

import pandas as pd

from analysis.cells import DatasetError
from analysis.dataset import Dataset
from analysis.paradata import drop_partial

# The files of a dataset, as `Dataset.write` and the app's CSV export name them; the last two are optional.
FILE_NAMES = ("responses.csv", "assets.csv", "campaigns.csv", "adjustments.csv")


def read_dataset(
    responses_csv: str | Path,
    assets_csv: str | Path | None = None,
    campaigns_csv: str | Path | None = None,
    adjustments_csv: str | Path | None = None,
) -> Dataset:
    """Read a dataset written by `Dataset.write` or downloaded; DatasetError names file and column.

    Give the files one by one (``responses.csv`` and ``assets.csv``, optionally ``campaigns.csv``
    and ``adjustments.csv``), or one path alone: a folder holding them, or the app's CSV export zip
    (``survey-export-....zip``), whose optional files are used when present.

    Every cell is read as text and converted with checks, so a stray letter in a code column
    is reported by row and column instead of silently becoming missing. Row numbers in messages
    count data rows (row 1 is the line after the header).

    Partial responses (``status`` partial, in an export made with partial responses included) are
    left out: the analysis uses complete responses only. ``Dataset.partial_dropped`` says how many.

    >>> dataset = read_dataset("survey-export-all-20260601.zip")   # doctest: +SKIP
    """
    if assets_csv is None:
        path = Path(responses_csv)
        if path.is_dir():
            return _read_folder(path)
        if zipfile.is_zipfile(path):
            return _read_zip(path)
        raise DatasetError(f"{path}: give assets.csv too, or a folder or export zip holding both files")
    paths = (responses_csv, assets_csv, campaigns_csv, adjustments_csv)
    frames: list[pd.DataFrame | None] = [None if path is None else _read_csv(path, str(path)) for path in paths]
    return _dataset(frames, tuple(str(path) for path in paths))


def _read_folder(folder: Path) -> Dataset:
    paths = [folder / name for name in FILE_NAMES]
    for required in paths[:2]:
        if not required.is_file():
            raise DatasetError(f"{folder}: no {required.name} in this folder")
    found = [path if path.is_file() else None for path in paths]
    frames: list[pd.DataFrame | None] = [None if path is None else _read_csv(path, str(path)) for path in found]
    return _dataset(frames, tuple(str(path) for path in found))


def _read_zip(path: Path) -> Dataset:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        missing = [name for name in FILE_NAMES[:2] if name not in names]
        if missing:
            held = ", ".join(sorted(names)[:6]) or "nothing"
            raise DatasetError(
                f"{path}: not a CSV dataset export (no {' or '.join(missing)}; it holds {held}); "
                "download the export as CSV, or read the other formats with pandas or pyreadstat"
            )
        origins = tuple(f"{path}!{name}" if name in names else None for name in FILE_NAMES)
        frames: list[pd.DataFrame | None] = []
        for name, origin in zip(FILE_NAMES, origins, strict=True):
            if origin is None:
                frames.append(None)
                continue
            try:
                with archive.open(name) as member:
                    frames.append(_read_csv(member, origin))
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                # A bad CRC, damaged data or a cut-off file: said as the docstring promises, not raised raw.
                what = "damaged compressed data" if isinstance(error, zlib.error) else type(error).__name__
                raise DatasetError(f"{origin}: not a readable .zip file ({what}); download the export again") from None
    return _dataset(frames, tuple(str(origin) for origin in origins))


def _read_csv(source: str | Path | IO[bytes], origin: str) -> pd.DataFrame:
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise DatasetError(f"{origin}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DatasetError(f"{origin}: not a readable CSV file ({error})") from None


def _dataset(frames: list[pd.DataFrame | None], origins: tuple[str, ...]) -> Dataset:
    responses, assets, campaigns, adjustments = frames
    if responses is None or assets is None:  # unreachable: both are required by the callers
        raise DatasetError("both responses.csv and assets.csv are needed")
    complete, dropped = drop_partial(responses)
    dataset = Dataset.from_frames(complete, assets, campaigns, adjustments, origins=origins)
    return replace(dataset, partial_dropped=dropped) if dropped else dataset
