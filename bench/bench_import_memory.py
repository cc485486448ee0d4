"""Peak memory of a response import's check (dry run) and confirmed import, per file format.

    .venv/bin/python bench/bench_import_memory.py [--mb 64] [--xlsx-mb 200] [--formats csv,zip,xlsx,sav,dta]
        [--actions baseline,dry-run,import] [--source path|bytes]

Not a test. Writes files of valid responses in the dataset format (`bench_import_lock.make_csv`:
one open campaign, WEMWBS, six ways, two assets, demographics; 40 columns) sized to the upload
limit: `--mb` of file for CSV, zipped CSV, .sav and .dta (IMPORT_MAX_MB, 64), and for .xlsx
`--xlsx-mb` unzipped, the web dry run's own limit (IMPORT_WEB_XLSX_MAX_MB, 200). Each action runs
in a fresh subprocess of its own, so its peak resident set (VmHWM; see `_peak_mb`) is its own:

- **baseline**: `pandas.read_csv(dtype=str)` of the same responses as CSV, the least a whole-file
  reader of text cells pays (and, for the other formats, the format's own reader);
- **dry-run**: `imports.dry_run` as the web route calls it (`--source path`: the upload's temporary
  file; `bytes`: the whole upload read into memory first, as the route did before);
- **import**: `imports.import_responses` into a fresh copy of the database, as the job does.

Each line gives the peak RSS, the RSS of the same process once the app was loaded (the imports'
own cost is the difference) and the seconds the action took.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_import_lock import make_csv, prepare  # noqa: E402

FORMATS = ("csv", "zip", "xlsx", "sav", "dta")
ACTIONS = ("baseline", "dry-run", "import")
SAMPLE_ROWS = 2000  # written first to learn each format's bytes per row


def _peak_mb() -> float:
    """This process's peak resident set. getrusage's ru_maxrss would do, but Linux carries it over
    from the parent through fork and exec, so the bench's own files would count; VmHWM starts afresh."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def write_file(kind: str, rows: int, folder: Path) -> Path:
    """`rows` responses as a file of `kind` under `folder`."""
    data = make_csv(rows)
    path = folder / f"responses-{rows}.{kind}"
    if kind == "csv":
        path.write_bytes(data)
    elif kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("dataset/responses.csv", data)
    elif kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("responses")
        frame = pd.read_csv(io.BytesIO(data))
        sheet.append(list(frame.columns))
        for values in frame.itertuples(index=False):
            sheet.append(list(values))
        book.save(path)
    else:
        import pyreadstat

        frame = pd.read_csv(io.BytesIO(data))
        (pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta)(frame, str(path))
    return path


def _size(kind: str, path: Path) -> int:
    """What the limit counts: the file; for a .zip its responses.csv unzipped, for .xlsx its unzipped parts."""
    if kind not in ("xlsx", "zip"):
        return path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def sized_file(kind: str, target_bytes: int, folder: Path) -> tuple[Path, int]:
    """A file of `kind` just within `target_bytes` (as `_size` counts), and its number of rows."""
    sample = write_file(kind, SAMPLE_ROWS, folder)
    rows = int(target_bytes / (_size(kind, sample) / SAMPLE_ROWS) * 0.98)
    sample.unlink()
    return write_file(kind, rows, folder), rows


def child(kind: str, action: str, path: Path, database: Path, source: str) -> None:
    """One measured action, in this process; prints a JSON line."""
    from survey import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench", "JOB_QUEUE_URL": "memory://", "TESTING": True}
    )
    with app.app_context():
        from survey.datasets.imports import dry_run, import_responses

        loaded = _peak_mb()
        started = time.perf_counter()
        outcome: object
        if action == "baseline":
            outcome = _baseline(kind, path)
        else:
            upload: object = path.read_bytes() if source == "bytes" else path
            if action == "dry-run":
                report = dry_run(upload, path.name, max_bytes=64 * 1024 * 1024, xlsx_budget=None)  # type: ignore[arg-type]
            else:
                report = import_responses(upload, path.name, None, actor_label="bench")  # type: ignore[arg-type]
            if not report.ok:
                raise SystemExit(f"{path.name}: " + " ".join(list(report.lines())[:4]))
            outcome = report.new if action == "dry-run" else report.added
        seconds = time.perf_counter() - started
    print(json.dumps({"loaded_mb": loaded, "peak_mb": _peak_mb(), "seconds": seconds, "rows": outcome}))


def _baseline(kind: str, path: Path) -> int:
    """The format's own reader of the whole file (pandas with text cells for CSV); the rows read."""
    if kind == "csv":
        return len(pd.read_csv(path, dtype=str, na_filter=False))
    if kind == "zip":
        with zipfile.ZipFile(path) as archive, archive.open("dataset/responses.csv") as member:
            return len(pd.read_csv(member, dtype=str, na_filter=False))
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _ in book.active.iter_rows(values_only=True)) - 1
        book.close()
        return rows
    import pyreadstat

    frame, _meta = (pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta)(str(path))
    return len(frame)


def measure(kind: str, action: str, path: Path, empty: Path, folder: Path, source: str) -> dict[str, float]:
    database = folder / "measured.sqlite3"
    shutil.copyfile(empty, database)
    command = [sys.executable, __file__, "--child", kind, action, str(path), str(database), source]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} {action} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, action, path, database, source = sys.argv[2:7]
        child(kind, action, Path(path), Path(database), source)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=64)
    parser.add_argument("--xlsx-mb", type=float, default=200)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--actions", default=",".join(ACTIONS))
    parser.add_argument("--source", choices=("path", "bytes"), default="path")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        empty = folder / "empty.sqlite3"
        prepare(empty)
        for kind in args.formats.split(","):
            limit = (args.xlsx_mb if kind == "xlsx" else args.mb) * 1024 * 1024
            path, rows = sized_file(kind, int(limit), folder)
            cells = rows * 40
            print(f"{kind}: {rows:,} responses, {cells / 1e6:.1f} million cells, {path.stat().st_size / 2**20:.1f} MB")
            for action in args.actions.split(","):
                result = measure(kind, action, path, empty, folder, args.source)
                print(
                    f"  {action:9s} peak RSS {result['peak_mb']:7.0f} MB (app loaded: {result['loaded_mb']:4.0f} MB), "
                    f"{result['seconds']:6.1f} s",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
