"""The report's impact workshop section from the database: its numbers are the ratings stored
(recounted here), comments never appear, the workshop is named in the provenance, and a report of
communities without a workshop has no section."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict

import pandas as pd
import pytest
from sqlalchemy import select

from analysis.evidence_grades import EVIDENCE_LABELS
from survey.datasets.report_build import report_from_database
from survey.extensions import db
from survey.models import Asset, WorkshopRating
from tests.analysis.test_workshop_report import HEADING, section_rows
from tests.test_asset_profiles import COMMUNITY, researcher  # noqa: F401  # the fixture


@pytest.mark.slow
def test_the_report_shows_the_ratings_in_the_database(app, researcher, tmp_path):  # noqa: F811
    with app.app_context():
        rows = db.session.scalars(select(WorkshopRating).order_by(WorkshopRating.id)).all()
        rows[0].comment, rows[1].comment, rows[1].hidden = "Shown in the pack only", "A hidden remark", True
        db.session.commit()
        ratings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row in db.session.scalars(select(WorkshopRating)):
            ratings[row.asset.slug].append((row.social_impact, row.economic_impact))
        comments = {row.comment for row in db.session.scalars(select(WorkshopRating)) if row.comment}
        names = {slug: name for slug, name in db.session.execute(select(Asset.slug, Asset.name))}
        workshop = rows[0].participant.workshop
        title = f"{workshop.title} ({workshop.held_on.isoformat()})"
        paths = report_from_database(db.engine, tmp_path, communities=[COMMUNITY])

    table = pd.read_csv(paths["workshop_ratings"]).set_index("asset")
    assert sorted(table.index) == sorted(ratings) and len(ratings) == 4
    for slug, pairs in ratings.items():
        for index, kind in enumerate(("social", "economic")):
            values = [pair[index] for pair in pairs]
            assert table.at[slug, f"{kind}_median"] == statistics.median(values)
            assert [table.at[slug, f"{kind}_{point}"] for point in range(1, 6)] == [
                values.count(point) for point in range(1, 6)
            ]
        assert table.at[slug, "participants"] == len(pairs) == 6
    assert set(table["community"]) == {COMMUNITY} and "comment" not in table.columns

    document = paths["report"].read_text(encoding="utf-8")
    assert HEADING in document
    assert not [comment for comment in comments if comment in document or comment in table.to_csv()]
    value = pd.read_csv(paths["asset_value"]).set_index("asset")
    shown = {row[0]: row for row in section_rows(document)}
    assert sorted(shown) == sorted(names[slug] for slug in ratings)
    for slug, pairs in ratings.items():
        row = shown[names[slug]]
        social = [pair[0] for pair in pairs]
        assert row[1:4] == ["Dover Town", title, "6"]
        assert row[4] == f"{statistics.median(social):g}"
        assert row[5] == " / ".join(str(social.count(point)) for point in range(1, 6))
        assert row[8] == EVIDENCE_LABELS[value.at[slug, "evidence"]]
    provenance = json.loads(paths["provenance"].read_text(encoding="utf-8"))
    assert provenance["workshops"] == [title]


@pytest.mark.slow
def test_no_section_for_communities_without_a_workshop(app, researcher, tmp_path):  # noqa: F811
    with app.app_context():
        paths = report_from_database(db.engine, tmp_path, communities=["sheppey"])
    assert "workshop_ratings" not in paths and not (tmp_path / "workshop_ratings.csv").exists()
    document = paths["report"].read_text(encoding="utf-8")
    assert HEADING not in document and "workshops" not in json.loads(paths["provenance"].read_text())
