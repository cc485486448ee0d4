"""Command line for a downloaded dataset.

    python -m analysis report RESPONSES.csv --assets ASSETS.csv --out DIR [--campaigns CAMPAIGNS.csv]
        [--adjustments ADJUSTMENTS.csv] [--deflators DEFLATORS.csv --price-year YEAR] [--seed N] [--draws N]
        [--include-unverified]
    python -m analysis codebook [--assets ASSETS.csv] [--format md|csv] [--out FILE]

Exit status 0 on success, 2 for bad input (a message naming the file and column, no
traceback). Progress goes to stderr.

Like the web app and ``flask report``, unverified responses are left out unless
``--include-unverified`` is given, and ``campaigns.csv`` and ``adjustments.csv`` lying beside
``responses.csv`` (as in an export) are used when not named: an export gives the same numbers here
as in the app.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from analysis.cells import DatasetError
from analysis.codebook import codebook, codebook_markdown
from analysis.config import DEFAULT_DRAWS, DEFAULT_SEED, AnalysisConfig, read_deflators
from analysis.dataset import prepare_assets
from analysis.dataset_files import FILE_NAMES, read_dataset
from analysis.pipeline import run_dataset


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "report":
            return _report(args)
        return _codebook(args)
    except (DatasetError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Impact workshop analysis.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report", help="analyse a dataset: tables (CSV) and report.html", description="Analyse a downloaded dataset."
    )
    report.add_argument(
        "responses", type=Path, help="responses.csv, or the app's export zip or an unpacked export folder alone"
    )
    report.add_argument("--assets", type=Path, help="assets.csv (not needed for an export zip or folder)")
    report.add_argument(
        "--campaigns", type=Path, help="campaigns.csv (population sizes; default: campaigns.csv beside RESPONSES)"
    )
    report.add_argument(
        "--adjustments",
        type=Path,
        help="adjustments.csv: agreed SROI adjustments per asset (default: adjustments.csv beside RESPONSES)",
    )
    report.add_argument("--out", type=Path, required=True, help="output directory (created)")
    report.add_argument("--threshold", type=int, default=10, help="disclosure threshold (default 10)")
    report.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="significance level of the intervals and evidence grades (default 0.05)",
    )
    report.add_argument("--price-year", type=int, default=2019, help="price year of money values (default 2019)")
    report.add_argument("--deflator", type=float, help="GDP deflator of the price year / that of 2019")
    report.add_argument(
        "--deflators", type=Path, help="price index table (year,index and a '# source:' line) for values and costs"
    )
    report.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Monte Carlo seed (default {DEFAULT_SEED})")
    report.add_argument(
        "--draws", type=int, default=DEFAULT_DRAWS, help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})"
    )
    unverified = report.add_mutually_exclusive_group()
    unverified.add_argument(
        "--include-unverified", action="store_true", help="keep rows with verified = 0 (left out by default)"
    )
    unverified.add_argument("--verified-only", action="store_true", help="the default, kept for older scripts")
    report.add_argument("--no-report", action="store_true", help="write the CSV tables only")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    book = commands.add_parser("codebook", help="print or write the codebook")
    book.add_argument("--assets", type=Path, help="assets.csv: list each asset's columns")
    book.add_argument("--format", choices=("md", "csv"), default="md")
    book.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return parser


def _report(args: argparse.Namespace) -> int:
    config = AnalysisConfig(
        disclosure_threshold=args.threshold,
        alpha=args.alpha,
        price_year=args.price_year,
        deflator=args.deflator,
        deflators=None if args.deflators is None else read_deflators(args.deflators),
        seed=args.seed,
        draws=args.draws,
    )
    if args.assets is None:
        # An export zip or folder carries its own campaigns.csv and adjustments.csv (read_dataset).
        if args.campaigns or args.adjustments:
            raise DatasetError(
                "--campaigns and --adjustments go with --assets: an export zip or folder is read with its own files"
            )
        campaigns = adjustments = None
    else:
        campaigns = args.campaigns or _beside(args.responses, "campaigns.csv")
        adjustments = args.adjustments or _beside(args.responses, "adjustments.csv")
    with tqdm(total=100, file=sys.stderr, disable=args.quiet, unit="%", bar_format="{l_bar}{bar}| {elapsed}") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_description(step)
            bar.update(max(0, round(fraction * 100) - bar.n))

        progress("reading the files", 0.0)
        dataset = read_dataset(args.responses, args.assets, campaigns, adjustments)
        if dataset.partial_dropped:
            print(f"left out {dataset.partial_dropped} partial (never submitted) responses", file=sys.stderr)
        if not args.include_unverified:
            kept = dataset.responses[dataset.responses["verified"] == 1].reset_index(drop=True)
            dataset = type(dataset)(kept, dataset.assets, dataset.campaigns, dataset.adjustments)
        given = [args.responses, args.assets, campaigns, adjustments, args.deflators]
        if args.responses.is_dir():  # an unpacked export: hash the files read from it
            given[:1] = [args.responses / name for name in FILE_NAMES if (args.responses / name).is_file()]
        inputs = [path for path in given if path]
        filters = {
            "verified_only": not args.include_unverified,
            "files": {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in inputs},
        }
        progress("analysing", 0.1)
        result = run_dataset(
            dataset,
            config=config,
            progress=lambda step, fraction: progress(step, 0.1 + 0.7 * fraction),
            filters=filters,
        )
        progress("writing the report" if not args.no_report else "writing the tables", 0.8)
        paths = result.write(args.out, report=not args.no_report)
        progress("finished", 1.0)
    for path in paths.values():
        print(path)
    return 0


def _beside(responses: Path, name: str) -> Path | None:
    """`name` in the folder of responses.csv, if it is there (an unpacked export)."""
    candidate = responses.parent / name
    return candidate if candidate.is_file() and candidate != responses else None


def _codebook(args: argparse.Namespace) -> int:
    assets = None
    if args.assets is not None:
        import pandas as pd

        try:
            raw = pd.read_csv(args.assets, dtype=str, keep_default_na=False, na_values=[""])
        except FileNotFoundError:
            raise DatasetError(f"{args.assets}: file not found") from None
        assets = prepare_assets(raw, origin=str(args.assets))
    table = codebook(assets)
    text = codebook_markdown(table) if args.format == "md" else table.to_csv(index=False, lineterminator="\n")
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0
