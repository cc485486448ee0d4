"""How one page's answers change a stored asset use (`survey.responses.operations._changed_use`):
the rules the asset page relies on, whichever way the row is then written (a new row in one
INSERT with the others, or the stored one updated)."""

from __future__ import annotations

import pytest

from survey.responses.operations import DECLINED, _changed_use


@pytest.mark.parametrize(
    ("before", "change", "after"),
    [
        ((None, None, None), {"uses": 1, "importance": 4}, (True, None, 4)),  # "Yes": how often still to ask
        ((None, None, None), {"uses": 0, "frequency": 3}, (False, 0, None)),  # "No" is "Never", whatever was hidden
        ((False, 0, 2), {"uses": 1}, (True, None, 2)),  # "No" turned "Yes": how often is asked again
        ((True, 3, 2), {"uses": 1}, (True, 3, 2)),  # "Yes" again keeps how often
        ((True, 3, 2), {"uses": 0}, (False, 0, 2)),
        ((True, 3, 2), {"frequency": 4}, (True, 4, 2)),  # the follow-up page alone
        ((True, 3, 2), {"uses": None, "frequency": None, "importance": None}, (None, None, None)),  # all cleared
        ((None, 0, None), {"uses": None}, (None, None, None)),  # a grid's "Never" with the screener cleared
        ((True, 3, 2), {"importance": DECLINED}, (True, 3, None)),  # not a code: nothing stored
    ],
)
def test_a_page_changes_only_its_own_fields_of_an_asset_use(
    before: tuple[bool | None, int | None, int | None], change: dict[str, object], after: tuple[object, ...]
) -> None:
    assert _changed_use(before, change) == after  # type: ignore[arg-type]
