"""Every row of the SWEMWBS raw -> metric conversion table, scored from item responses."""

from __future__ import annotations

import pandas as pd
import pytest

from instruments import get, score

SWEMWBS_ITEMS = ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]

# Typed from shared/reference/wemwbs.md (University of Warwick SWEMWBS conversion table; norms
# papers quote 23 -> 20.73 and 32 -> 29.31), NOT read from the YAML under test.
EXPECTED = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73,
    24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


def responses_summing_to(total: int, *, from_end: bool = False) -> list[int]:
    """Seven item codes (1-5) adding up to `total`, filled from the first or the last item."""
    codes = [1] * 7
    left = total - 7
    order = range(6, -1, -1) if from_end else range(7)
    for index in order:
        step = min(4, left)
        codes[index] += step
        left -= step
    if left or sum(codes) != total:
        raise ValueError(f"cannot make {total} from seven items")
    return codes


def test_expected_table_covers_every_raw_total() -> None:
    assert sorted(EXPECTED) == list(range(7, 36))


@pytest.mark.parametrize("from_end", [False, True])
def test_every_raw_total_converts_as_published(from_end: bool) -> None:
    rows = [responses_summing_to(total, from_end=from_end) for total in EXPECTED]
    scores = score(pd.DataFrame(rows, columns=SWEMWBS_ITEMS), [get("swemwbs")])
    assert scores["swemwbs_raw"].tolist() == list(EXPECTED)
    for raw, metric in zip(EXPECTED, scores["swemwbs"], strict=True):
        assert metric == pytest.approx(EXPECTED[raw], abs=1e-9), raw


def test_swemwbs_from_a_full_wemwbs_form() -> None:
    rows = []
    for total in EXPECTED:
        row = dict(zip(SWEMWBS_ITEMS, responses_summing_to(total), strict=True))
        row.update({f"wemwbs_{n}": 3 for n in (4, 5, 8, 10, 12, 13, 14)})
        rows.append(row)
    scores = score(pd.DataFrame(rows))
    assert scores["swemwbs"].round(2).tolist() == list(EXPECTED.values())
    assert scores["wemwbs"].tolist() == [total + 21 for total in EXPECTED]


def test_not_the_wrong_public_table() -> None:
    # A table circulating in public code maps 8 -> 8.50 and 35 -> 29.41; the right one ends at 35.00.
    table = get("swemwbs").rule("swemwbs").table
    assert table is not None
    assert table[8] == 9.51 and table[35] == 35.00
    assert dict(table) == EXPECTED
