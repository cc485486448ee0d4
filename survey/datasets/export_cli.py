"""`flask export`: the download zip from the command line, for scheduled exports and scripts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import EXPORT_CONTENTS, EXPORT_FORMATS


@click.command("export")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="Zip file to write.")
@click.option("--format", "format_", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("--content", type=click.Choice(EXPORT_CONTENTS), default="both", show_default=True)
@click.option("--campaign", "campaigns", multiple=True, help="Campaign slug (repeatable); default every campaign.")
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable); default all.")
@click.option("--verified-only", is_flag=True, help="Leave out responses awaiting double entry.")
def export_command(
    out: str,
    format_: str,
    content: str,
    campaigns: tuple[str, ...],
    communities: tuple[str, ...],
    verified_only: bool,
) -> None:
    """Write the dataset export zip (data, codebook, provenance); the download is logged."""
    from tqdm import tqdm

    from survey.datasets.exports import check_request, export_to_file

    with tqdm(total=100, desc="export", unit="%") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_postfix_str(step[:40])
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            wanted = check_request(format_, content, campaigns, communities, verified_only)
            record = export_to_file(out, wanted, label="cli:export", progress=progress)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    click.echo(f"Wrote {out}: {record['rows']} responses ({format_}, {content}).")
