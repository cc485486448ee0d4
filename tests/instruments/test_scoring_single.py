"""`score_one` (one response, plain Python) gives what `score` gives for the same row, value for value."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from instruments import catalogue, get, score
from instruments.single import score_one

SCORED = [instrument for instrument in catalogue().values() if instrument.scoring]


def _row_scores(values: dict[str, int]) -> dict[str, float]:
    """`score` on a one-row frame, NA left out (what the thank-you page showed before)."""
    frame = pd.DataFrame([values], dtype="float64") if values else pd.DataFrame(index=[0])
    scores = score(frame, SCORED)
    return {name: float(scores[name].iloc[0]) for name in scores.columns if pd.notna(scores[name].iloc[0])}


def _random_response(rng: random.Random) -> dict[str, int]:
    values: dict[str, int] = {}
    for instrument in SCORED:
        for item in instrument.items:
            roll = rng.random()
            if roll < 0.05:
                continue  # not answered: its scores are not computed
            if roll < 0.08:
                values[item.key] = rng.choice([-1, -2, -3, -4, -5])  # a missing-data code
            elif item.type == "choice":
                values[item.key] = rng.choice(item.codes)
    return values


def test_every_score_of_many_responses_matches_the_scoring_library() -> None:
    rng = random.Random(14)
    responses = [_random_response(rng) for _ in range(300)]
    complete = {item.key: item.codes[-1] for instrument in SCORED for item in instrument.items if item.codes}
    for values in [*responses, complete, {}]:
        assert score_one(values, SCORED) == _row_scores(values)
    assert set(score_one(complete, SCORED)) >= {"wemwbs", "swemwbs", "sixways_connect"}


def test_hand_computed_wemwbs_and_swemwbs() -> None:
    example = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4, 3, 2]
    values = {f"wemwbs_{n}": code for n, code in enumerate(example, start=1)}
    assert score_one(values, [get("wemwbs"), get("swemwbs")]) == {"wemwbs": 44.0, "swemwbs_raw": 28.0, "swemwbs": 25.03}


def test_an_answer_that_is_not_a_code_is_refused_as_by_score() -> None:
    values = {f"wemwbs_{n}": 3 for n in range(1, 15)} | {"wemwbs_4": 9}
    with pytest.raises(ValueError, match="wemwbs_4"):
        score_one(values, [get("wemwbs")])
    with pytest.raises(ValueError, match="wemwbs_4"):
        score(pd.DataFrame([values]), [get("wemwbs")])
