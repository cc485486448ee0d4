"""`flask excerpts codebook | export`: the same files as the codebook and excerpts downloads, logged alike."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from instruments.answers import quoted
from survey.audit.access_log import record_access
from survey.deepdives.excerpt_files import (
    CODEBOOK_FILE,
    EXCERPTS_FILE,
    LEFT_OUT_REASON,
    codebook_csv,
    community_codebook,
    excerpt_export,
    excerpts_csv,
)
from survey.deepdives.themes import campaign_themes, codebook_entries
from survey.extensions import db
from survey.models import Campaign, Community


@click.group("excerpts", cls=AppGroup)
def excerpts() -> None:
    """Coded deep-dive excerpts: the codebook of a campaign, the excerpts of a community for qualitative tools."""


@excerpts.command("codebook")
@click.option("--campaign", "campaign_slug", required=True, help="The campaign's slug, e.g. dover-town.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The CSV file to write.")
def codebook_command(campaign_slug: str, out_path: str) -> None:
    """Write the campaign's code system (six ways, its community's assets, its themes) as CSV."""
    campaign = db.session.scalar(select(Campaign).filter_by(slug=campaign_slug))
    if campaign is None:
        raise click.ClickException(f"No campaign has the slug {quoted(campaign_slug)}.")
    entries = codebook_entries(campaign.community, campaign_themes(campaign))
    try:
        Path(out_path).write_text(codebook_csv(entries), encoding="utf-8", newline="")
    except OSError as error:  # a folder that does not exist, or one not writable: a message, not a traceback
        raise click.ClickException(
            f"Could not write {out_path} ({error.strerror}): check that its folder exists and may be written to."
        ) from None
    record_access(
        None,
        "cli",
        "excerpt-codebook",
        format="csv",
        filters={"campaign": campaign_slug},
        row_count=len(entries),
        label="cli:excerpts-codebook",
    )
    db.session.commit()
    click.echo(f"Wrote {len(entries)} codes of {campaign.title} to {out_path}.")


@excerpts.command("export")
@click.option("--community", "community_slug", required=True, help="The community's slug, e.g. dover-town.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="The folder to write into.")
def export_command(community_slug: str, out_dir: str) -> None:
    """Write excerpts.csv and codebook.csv of the community's coded deep dives (sharing consent only)."""
    community = db.session.scalar(select(Community).filter_by(slug=community_slug))
    if community is None:
        raise click.ClickException(f"No community has the slug {quoted(community_slug)}.")
    export = excerpt_export(community)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / EXCERPTS_FILE).write_text(excerpts_csv(export), encoding="utf-8", newline="")
        (folder / CODEBOOK_FILE).write_text(codebook_csv(community_codebook(community)), encoding="utf-8", newline="")
    except OSError as error:  # a folder that cannot be made or written to: a message, not a traceback
        raise click.ClickException(f"Could not write into {out_dir} ({error.strerror}).") from None
    record_access(
        None,
        "cli",
        "excerpts",
        format="csv",
        filters={"community": community_slug, "left_out": len(export.left_out)},
        row_count=len(export.rows),
        label="cli:excerpts-export",
    )
    db.session.commit()
    click.echo(f"Wrote {len(export.rows)} rows from {len(export.included)} deep dives to {folder / EXCERPTS_FILE}.")
    if export.left_out:
        click.echo(f"Left out {len(export.left_out)} deep dive(s): {LEFT_OUT_REASON}.")


COMMANDS = (excerpts,)
