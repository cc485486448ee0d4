"""Commands that write a file say so in one line when its folder is missing (they printed a traceback)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Community, DataAccess
from survey.workshops.codes import display_code
from survey.workshops.operations import open_workshop


@pytest.fixture
def code(app, make_campaign) -> str:
    make_campaign("dover-town")
    with app.app_context():
        community = db.session.scalars(select(Community)).one()
        workshop = open_workshop(community, "Out paths", date(2026, 3, 14))
        db.session.commit()
        return display_code(workshop.code)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["export", "--format", "sav"], "The folder {folder} does not exist."),
        (["excerpts", "codebook", "--campaign", "dover-town"], "Could not write {out} (No such file or directory)"),
        (["workshop", "export", "{code}"], "Could not write {out} (No such file or directory)"),
    ],
    ids=["export", "excerpts-codebook", "workshop-export"],
)
def test_a_missing_folder_is_a_one_line_error(app, runner, tmp_path, code, command, message) -> None:
    folder = tmp_path / "not-made-yet"
    out = folder / "file.out"
    result = runner.invoke(args=[part.format(code=code) for part in command] + ["--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # not FileNotFoundError
    assert message.format(folder=folder, out=out) in result.output and "Traceback" not in result.output
    assert not folder.exists()
    with app.app_context():
        assert db.session.scalar(select(func.count(DataAccess.id))) == 0  # nothing written, nothing logged


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["report", "--community", "dover-town"], "Could not make the folder {out} (Not a directory)."),
        (["profiles", "--community", "dover-town"], "Could not make the folder {out} (Not a directory)."),
        (["excerpts", "export", "--community", "dover-town"], "Could not write into {out} (Not a directory)."),
    ],
    ids=["report", "profiles", "excerpts-export"],
)
def test_a_folder_that_cannot_be_made_is_a_one_line_error(runner, tmp_path, make_campaign, command, message) -> None:
    # A folder inside a file cannot be made (as no permission cannot, even for root): a traceback, after
    # the whole report or pack had been built.
    make_campaign("dover-town")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "reports"
    result = runner.invoke(args=[*command, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert message.format(out=out) in result.output and "Traceback" not in result.output
