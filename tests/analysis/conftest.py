"""Fixtures for the analysis tests: a migrated SQLite survey database with demo data, and
synthetic datasets with planted effects (tests/analysis/synthetic.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis import AnalysisConfig, AnalysisResult, Dataset, run
from tests.analysis.synthetic import STANDARD, make_survey


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    path: Path
    unverified_public_id: str
    practice_public_id: str


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> DemoDatabase:
    """The app's migrations (a copy of the suite's migrated template) + `load_demo(per_community=60)`,
    plus a practice campaign with one complete response and one real response marked unverified."""
    import shutil

    from sqlalchemy import select

    from survey import create_app
    from survey.campaigns.operations import create_campaign, open_campaign
    from survey.demo.build import load_demo
    from survey.demo.catalogue import DEMO_INSTRUMENTS
    from survey.extensions import db
    from survey.models import Answer, AssetUse, Campaign, Community, Response

    path = tmp_path_factory.mktemp("analysis-db") / "survey.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        load_demo(per_community=60)
        db.session.commit()
        community = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        practice = create_campaign(community, "dover-practice", "Practice run", DEMO_INSTRUMENTS, practice=True)
        open_campaign(practice)
        now = datetime.now(UTC)
        response = Response(
            public_id="practice0000000000000000000000ab",
            campaign=practice,
            community_id=community.id,
            mode="online",
            instrument_versions={},
            consent=True,
            status="complete",
            submitted_at=now,
        )
        db.session.add(response)
        db.session.flush()
        for number in range(1, 15):
            db.session.add(Answer(response_id=response.id, item_key=f"wemwbs_{number}", value=5))
        for asset in practice.assets:
            db.session.add(AssetUse(response_id=response.id, campaign_asset_id=asset.id, frequency=4, importance=5))
        real = db.session.scalars(select(Campaign).filter_by(slug="aylesham")).one()
        unverified = db.session.scalars(
            select(Response).filter_by(campaign_id=real.id, status="complete").order_by(Response.id).limit(1)
        ).one()
        unverified.verified = False
        unverified_id = unverified.public_id
        db.session.commit()
        db.engine.dispose()
    return DemoDatabase(url, path, unverified_id, "practice0000000000000000000000ab")


@pytest.fixture(scope="session")
def synthetic_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three communities, five assets each (three with planted effects, two without)."""
    return make_survey(STANDARD, per_community=300, seed=11)


@pytest.fixture(scope="session")
def synthetic_dataset(synthetic_frames: tuple[pd.DataFrame, pd.DataFrame]) -> Dataset:
    responses, assets = synthetic_frames
    campaigns = pd.DataFrame(
        {
            "campaign": ["north-2026", "south-2026", "east-2026"],
            "community": ["north", "south", "east"],
            "population_size": [5000, None, 12000],
            "sampling_method": ["Random sample of addresses", None, "Quota sample"],
        }
    )
    return Dataset.from_frames(responses, assets, campaigns)


@pytest.fixture(scope="session")
def synthetic_result(synthetic_dataset: Dataset) -> AnalysisResult:
    return run(
        synthetic_dataset.responses,
        synthetic_dataset.assets,
        campaigns=synthetic_dataset.campaigns,
        config=AnalysisConfig(),
    )
