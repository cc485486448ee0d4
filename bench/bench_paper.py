"""Paper batch PDFs: a 50-form batch against a one-form batch rendered in the same run.

    .venv/bin/python bench/bench_paper.py [--forms 50] [--repeat 3]

A SQLite survey database (the app's migrations and the demo's campaigns, no responses) in a
temporary folder; batches issued to Dover Town's demo peer with their PDF rendered at once, as
`flask` and the background job do. Baseline: a one-form batch, i.e. laying the questionnaire out
once. The questionnaire is drawn once per batch and reused for every copy, so a 50-form batch
should cost a few one-form batches, not fifty (about 5 s here; a minute when every copy was laid
out anew). Prints the best of `--repeat` runs of each, and the ratios.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from survey import create_app  # noqa: E402
from survey.audit.trail import acting_as  # noqa: E402
from survey.demo.build import load_demo  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Campaign, User  # noqa: E402
from survey.paper.operations import issue_batch  # noqa: E402

SLUG = "dover-town"


def best_of(repeat: int, function, *args) -> tuple[float, object]:
    """The shortest of `repeat` timed calls (the least disturbed by the rest of the machine), and its result."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade()
            with acting_as(None, "bench"):
                load_demo(per_community=0, paper=False)
            db.session.commit()
            campaign = db.session.scalars(select(Campaign).filter_by(slug=SLUG)).one()
            peer = db.session.scalars(select(User).filter_by(email=f"peer.{SLUG}@demo.example.org")).one()
            researcher = db.session.scalars(select(User).filter_by(email="researcher@demo.example.org")).one()

            def batch(size: int) -> bytes:
                made = issue_batch(campaign, peer, researcher, size)
                db.session.commit()
                return made.pdf

            batch(1)  # fonts and stylesheets loaded once, as in a running server
            one_s, _ = best_of(args.repeat, batch, 1)
            many_s, pdf = best_of(args.repeat, batch, args.forms)
            db.session.remove()
            db.engine.dispose()

    # The benchmark is only worth reading if it produced the PDF the product makes.
    assert pdf.startswith(b"%PDF")
    print(f"paper batch PDF, campaign {SLUG}, best of {args.repeat}")
    print(f"1 form (baseline) : {one_s:7.2f} s")
    print(f"{args.forms:>3} forms         : {many_s:7.2f} s   {many_s / one_s:5.1f}x the baseline")
    print(f"per form          : {many_s / args.forms:7.3f} s   {many_s / (args.forms * one_s):5.2f}x the baseline")
    print(f"PDF size          : {len(pdf) / 1e6:7.2f} MB")


if __name__ == "__main__":
    main()
