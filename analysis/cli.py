"""Command line for a downloaded dataset.

    python -m analysis report RESPONSES.csv --assets ASSETS.csv --out DIR [--campaigns CAMPAIGNS.csv]
    python -m analysis codebook [--assets ASSETS.csv] [--format md|csv] [--out FILE]

Exit status 0 on success, 2 for bad input (a message naming the file and column, no
traceback). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm  # type: ignore[import-untyped]  # types-tqdm is not installed

from analysis.codebook import codebook, codebook_markdown
from analysis.config import AnalysisConfig
from analysis.dataset import DatasetError, prepare_assets, read_dataset
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
    report.add_argument("responses", type=Path, help="responses.csv")
    report.add_argument("--assets", type=Path, required=True, help="assets.csv")
    report.add_argument("--campaigns", type=Path, help="campaigns.csv (population sizes, for scaling users)")
    report.add_argument("--out", type=Path, required=True, help="output directory (created)")
    report.add_argument("--threshold", type=int, default=10, help="disclosure threshold (default 10)")
    report.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    report.add_argument("--price-year", type=int, default=2019, help="price year of money values (default 2019)")
    report.add_argument("--deflator", type=float, help="GDP deflator of the price year / that of 2019")
    report.add_argument("--verified-only", action="store_true", help="leave out rows with verified = 0")
    report.add_argument("--no-report", action="store_true", help="write the CSV tables only")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    book = commands.add_parser("codebook", help="print or write the codebook")
    book.add_argument("--assets", type=Path, help="assets.csv: list each asset's columns")
    book.add_argument("--format", choices=("md", "csv"), default="md")
    book.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return parser


def _report(args: argparse.Namespace) -> int:
    config = AnalysisConfig(
        disclosure_threshold=args.threshold, alpha=args.alpha, price_year=args.price_year, deflator=args.deflator
    )
    with tqdm(total=100, file=sys.stderr, disable=args.quiet, unit="%", bar_format="{l_bar}{bar}| {elapsed}") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_description(step)
            bar.update(max(0, round(fraction * 100) - bar.n))

        progress("reading the files", 0.0)
        dataset = read_dataset(args.responses, args.assets, args.campaigns)
        if args.verified_only:
            kept = dataset.responses[dataset.responses["verified"] == 1].reset_index(drop=True)
            dataset = type(dataset)(kept, dataset.assets, dataset.campaigns)
        progress("analysing", 0.1)
        result = run_dataset(
            dataset, config=config, progress=lambda step, fraction: progress(step, 0.1 + 0.7 * fraction)
        )
        progress("writing the report" if not args.no_report else "writing the tables", 0.8)
        paths = result.write(args.out, report=not args.no_report)
        progress("finished", 1.0)
    for path in paths.values():
        print(path)
    return 0


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
