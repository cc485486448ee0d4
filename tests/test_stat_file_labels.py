"""Staff-typed names in SPSS and Stata files: labels cut where the format stops, notes.do's notes kept as text."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pyreadstat
from sqlalchemy import select

from survey.datasets.stat_writers import do_file
from survey.extensions import db
from survey.models import Asset, CampaignAsset

# What Stata reads as a comment or a line join in a do-file: /* and */ anywhere (spanning lines),
# and // or /// at the start of a line or after a blank.
STATA_COMMENT = re.compile(r"/\*|\*/|(?:^|\s)//")


def _notes(label: str) -> list[str]:
    book = pd.DataFrame({"stata_name": ["asset_club"], "label": [label], "stem": [""]})
    return do_file({"responses.dta": book}).splitlines()


def test_comment_marks_in_a_name_cannot_hide_the_lines_after_it() -> None:
    # "Knit /* natter" opened a comment that hid every later line of the file, its `save` included,
    # so the notes were silently never stored; " // " cut the note short.
    name = "Knit /* and natter */ club // at the hall /// weekly " + "x" * 80 + " `macro' $global"
    lines = _notes(f"How often do you go to {name}?")
    note = next(line for line in lines if line.startswith("notes asset_club:"))
    text = note.removeprefix("notes asset_club: ")
    assert not STATA_COMMENT.search(text), text
    assert text.startswith("How often do you go to Knit / * and natter * / club / / at the hall / / / weekly")
    assert "\\`macro' \\$global" in text  # macros stay escaped as before
    assert lines[-1] == 'save "responses.dta", replace'


def test_a_web_address_in_a_note_is_left_as_it_is() -> None:
    label = "How often do you use the library at https://example.org/library? " + "x" * 80
    assert f"notes asset_club: {label}" in _notes(label)


def test_a_long_spss_label_is_cut_at_a_character_with_an_ellipsis(app, runner, make_campaign, tmp_path) -> None:
    # ReadStat kept the first 255 bytes of a label, silently and mid-word: the use question's label
    # holds the asset's name twice, so a name of about 55 characters was enough.
    make_campaign("dover-town", asset_slugs=("dover_workshop",))
    name = "Dover and District Community Workshop (Men’s Shed and repair café)"
    with app.app_context():
        for row in (db.session.scalars(select(Asset)).one(), db.session.scalars(select(CampaignAsset)).one()):
            row.name = name  # as if it had been named so when the campaign opened
        db.session.commit()
    out = tmp_path / "export.zip"
    result = runner.invoke(args=["export", "--format", "sav", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        (tmp_path / "responses.sav").write_bytes(archive.read("responses.sav"))
        book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")), dtype=str, keep_default_na=False)
    _data, meta = pyreadstat.read_sav(str(tmp_path / "responses.sav"), metadataonly=True)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    full = book.loc[book["variable"] == "asset_dover_workshop", "label"].iloc[0]
    assert len(full.encode()) > 255 and full.count(name) == 2
    shown = labels["asset_dover_workshop"]
    assert len(shown.encode()) <= 255 and shown.endswith("...") and full.startswith(shown[:-3])
