"""The survey database's tables as the analysis reads them (only the columns it needs), and a
fast query runner. Described here so `analysis/` needs nothing from the Flask app."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    Text,
)

_metadata = MetaData()
_community = Table(
    "community",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("name", String),
)
_campaign = Table(
    "campaign",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("community_id", ForeignKey("community.id")),
    Column("practice", Boolean),
    Column("population_size", Integer),
    Column("population_source", String),
    Column("sampling_method", String),
    Column("opened_at", DateTime(timezone=True)),
)
_asset = Table(
    "asset",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("annual_cost", Numeric(asdecimal=False)),
    Column("cost_year", Integer),
)
_campaign_asset = Table(
    "campaign_asset",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", ForeignKey("campaign.id")),
    Column("asset_id", ForeignKey("asset.id")),
    Column("position", Integer),
    Column("slug", String),
    Column("name", String),
    Column("kind", String),
)
_response = Table(
    "response",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String),
    Column("campaign_id", ForeignKey("campaign.id")),
    Column("community_id", ForeignKey("community.id")),
    Column("mode", String),
    Column("status", String),
    Column("verified", Boolean),
    Column("submitted_at", DateTime(timezone=True)),
)
_answer = Table(
    "answer",
    _metadata,
    Column("response_id", ForeignKey("response.id")),
    Column("item_key", String),
    Column("value", Integer),
)
_asset_use = Table(
    "asset_use",
    _metadata,
    Column("response_id", ForeignKey("response.id")),
    Column("campaign_asset_id", ForeignKey("campaign_asset.id")),
    Column("frequency", Integer),
    Column("importance", Integer),
)


_valuation_adjustment = Table(
    "valuation_adjustment",
    _metadata,
    Column("campaign_id", ForeignKey("campaign.id")),
    Column("asset_id", ForeignKey("asset.id")),
    Column("deadweight", Double),
    Column("attribution", Double),
    Column("displacement", Double),
    Column("drop_off", Double),
    Column("years", Integer),
    Column("reason", Text),
    Column("agreed_by", Text),
    Column("agreed_on", Date),
)

_instrument_version = Table(
    "instrument_version",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String),
    Column("version", Integer),
    Column("content_hash", String),
)
_campaign_instrument = Table(
    "campaign_instrument",
    _metadata,
    Column("campaign_id", ForeignKey("campaign.id")),
    Column("position", Integer),
    Column("instrument_version_id", ForeignKey("instrument_version.id")),
)


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` (and ``postgres://``) URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _rows(connection: Any, statement: Select[Any]) -> pd.DataFrame:
    """Run a Core query into a DataFrame, fast enough for millions of answers.

    The statement is compiled by SQLAlchemy for the connection's dialect, with its values
    (ids, fixed item keys and statuses from this module, never text typed by a user) rendered
    inline, and run on the connection's own DBAPI cursor: plain tuples instead of SQLAlchemy
    Row objects, whose construction (and pandas probing them with hasattr) cost more than the
    query itself -- 3 million answers took 80 s through Rows and DataFrame(rows), 2 s as tuples.
    Types come from the driver (SQLite
    timestamps arrive as text and are parsed by pandas; PostgreSQL numerics as Decimal).
    """
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        keys = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=keys)
