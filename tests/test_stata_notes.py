"""notes.do, the Stata do-file of a dta export: staff-typed names in its notes stay note text."""

from __future__ import annotations

import re

import pandas as pd

from survey.datasets.stat_writers import do_file

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
