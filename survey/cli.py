"""Flask CLI: `flask init-db` here, and each domain's commands (its `cli.COMMANDS`), registered in one place.

Every command calls the same operations as the web views and commits once.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

# The modules whose COMMANDS are added to `flask`.
CLI_MODULES = (
    "survey.demo.cli",
    "survey.accounts.cli",
    "survey.campaigns.cli",
    "survey.datasets.cli",
    "survey.ops.cli",
    "survey.workshops.cli",
    "survey.deepdives.cli",
    "survey.deepdives.excerpt_cli",
)


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    for name in CLI_MODULES:
        for command in import_module(name).COMMANDS:
            app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema by running the migrations."""
    upgrade()
    click.echo("Database is at the latest schema version.")
