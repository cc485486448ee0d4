"""The README's "Command line" section: every `flask --app wsgi` command it lists exists, with every
option it shows, so a new user can type them as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from survey import create_app

README = Path(__file__).resolve().parent.parent / "README.md"


def _command_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    # A line ending in a backslash goes on; comments (after "#", outside brackets) are left out.
    joined = re.sub(r"\\\n", " ", block)
    return [line.split("  #", 1)[0] for line in joined.splitlines() if line.startswith("flask --app wsgi ")]


def test_the_readme_lists_the_commands_a_user_needs() -> None:
    listed = {line.split()[3] for line in _command_lines()}
    # `db` is Flask-Migrate's own (init-db runs it); the rest are ours and all belong in the list.
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "readme"})
    assert set(app.cli.commands) - {"db"} <= listed


@pytest.mark.parametrize("line", _command_lines())
def test_every_readme_command_and_option_exists(line: str) -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "readme"})
    words = line.split()[3:]
    command: click.Command = app.cli.commands[words[0]]
    for word in words[1:]:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
    assert not isinstance(command, click.Group), f"{line}: names a group, not a command"
    known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
    shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(words)))
    assert shown <= known, f"{line}: {sorted(shown - known)} not options of the command"


def test_every_curl_example_quotes_an_address_with_an_ampersand() -> None:
    # `curl ... http://.../responses?campaign=dover-town&limit=100` ran curl in the background without
    # the limit, printing nothing useful: the address needs quotes.
    text = README.read_text(encoding="utf-8")
    examples = re.findall(r"curl [^`\n]+", text)
    assert examples
    for example in examples:
        for address in re.findall(r"\S*https?://\S+", example):
            assert "&" not in address or address.startswith(("'", '"')), example


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_on_the_port_given_and_the_join_address_follows() -> None:
    # `make run` bound 5000 only: a second checkout (or anything else on 5000) could not run the demo,
    # and the workshop screen's join address had to be changed by hand to match another port.
    root = README.parent
    shown = subprocess.run(
        ["make", "-n", "run", "PORT=5077"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    serve = [line for line in shown.splitlines() if " run --host" in line]
    assert serve and serve[-1].endswith("--port 5077")
    assert 'PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:5077}"' in serve[-1]
    assert "`make run PORT=5077`" in README.read_text(encoding="utf-8")
