"""The API's GET endpoints: communities, campaigns, assets, scored responses, and its OpenAPI document.

Each read is logged in the download-governance table (`DataAccess`, channel "api") and committed
before the data leaves, so nothing is disclosed without a record.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date, datetime
from typing import Any

import pandas as pd
from flask import Response, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from analysis.cells import DatasetError
from survey.accounts.api_tokens import mark_used
from survey.blueprints import api as bp
from survey.database import allow_writes
from survey.datasets.access_log import record_access
from survey.datasets.api.auth import current_api_token, current_api_user
from survey.datasets.api.errors import fail, json_response
from survey.datasets.api.openapi import openapi_document
from survey.datasets.api.params import known_slug, make_cursor, responses_query
from survey.datasets.reader import DatasetReader
from survey.extensions import db
from survey.models import Asset, Campaign, Community


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")  # stored in UTC (survey.database.UTCDateTime)
    return value.isoformat()


def _logged(resource: str, payload: dict[str, Any], filters: dict[str, Any], row_count: int) -> Response:
    """Record the read (who, what, filters, rows), commit, then let the data go.

    A HEAD request is not logged as a read (`record_access`: no data leaves), but the token was used,
    so `last_used_at` moves."""
    allow_writes()
    record_access(current_api_user(), "api", f"api:{resource}", filters=filters, row_count=row_count)
    mark_used(current_api_token())
    db.session.commit()
    return json_response(payload)


@bp.get("/communities")
def communities() -> Response:
    rows = db.session.scalars(select(Community).order_by(Community.slug))
    data = [{"slug": c.slug, "name": c.name, "created_at": _iso(c.created_at)} for c in rows]
    return _logged("communities", {"data": data}, {}, len(data))


def _campaign(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "community": campaign.community.slug,
        "status": campaign.status,
        "practice": campaign.practice,
        "instruments": list(campaign.instrument_keys),
        "assets": [asset.slug for asset in campaign.assets],
        "opens_on": _iso(campaign.opens_on),
        "closes_on": _iso(campaign.closes_on),
        "opened_at": _iso(campaign.opened_at),
        "closed_at": _iso(campaign.closed_at),
        "target_sample_size": campaign.target_sample_size,
        "population_size": campaign.population_size,
        "population_source": campaign.population_source,
        "sampling_method": campaign.sampling_method,
        "wave": campaign.wave,
    }


@bp.get("/campaigns")
def campaigns() -> Response:
    community = known_slug(request.args, "community", Community)
    statement = (
        select(Campaign)
        .join(Community)
        .options(selectinload(Campaign.community), selectinload(Campaign.assets))
        .order_by(Community.slug, Campaign.id)
    )
    if community is not None:
        statement = statement.where(Community.slug == community)
    data = [_campaign(campaign) for campaign in db.session.scalars(statement)]
    return _logged("campaigns", {"data": data}, {"community": community}, len(data))


def _asset(asset: Asset) -> dict[str, Any]:
    return {
        "slug": asset.slug,
        "name": asset.name,
        "kind": asset.kind,
        "community": asset.community.slug,
        "description": asset.description,
        "location": asset.location,
        "postcode": asset.postcode,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
        "annual_cost": asset.annual_cost,
        "cost_year": asset.cost_year,
        "sixways_dimensions": list(asset.sixways_dimensions or []),
        "retired": asset.retired,
        "created_at": _iso(asset.created_at),
        "updated_at": _iso(asset.updated_at),
    }


@bp.get("/assets")
def assets() -> Response:
    community = known_slug(request.args, "community", Community)
    statement = (
        select(Asset).join(Community).options(selectinload(Asset.community)).order_by(Community.slug, Asset.slug)
    )
    if community is not None:
        statement = statement.where(Community.slug == community)
    data = [_asset(asset) for asset in db.session.scalars(statement)]
    return _logged("assets", {"data": data}, {"community": community}, len(data))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Dataset rows as JSON objects: missing values null, times ISO 8601 UTC, columns in file order."""
    out = frame.copy()
    for column in ("submitted_at", "started_at"):
        times = pd.to_datetime(out[column], utc=True)
        out[column] = times.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(times.notna(), None)
    return [
        {column: (None if pd.isna(value) else _plain(value)) for column, value in zip(out.columns, row, strict=True)}
        for row in out.itertuples(index=False, name=None)
    ]


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones (json cannot write numpy integers); whole floats stay floats."""
    return value.item() if hasattr(value, "item") else value


@bp.get("/responses")
def responses() -> Response:
    query = responses_query(request.args)
    with ExitStack() as stack:
        try:
            reader = stack.enter_context(
                DatasetReader(
                    # The app's engine: the reader begins its own snapshot on the raw connection.
                    db.engine,
                    campaigns=[query.campaign] if query.campaign else None,
                    communities=[query.community] if query.community else None,
                    verified_only=query.verified_only,
                )
            )
        except DatasetError as error:  # a practice campaign asked for by name
            fail(400, str(error))
        page = next(reader.chunks(size=query.limit, after_id=query.after_id, limit=query.limit), None)
        data = [] if page is None else _records(page)
        last_id = reader.last_id
        # One more row after this page? Looking is cheaper than a client's extra, empty request.
        more = len(data) == query.limit and next(reader.chunks(size=1, after_id=last_id, limit=1), None) is not None
        total = reader.total
    payload = {"data": data, "next_cursor": make_cursor(last_id, query) if more and last_id else None, "total": total}
    return _logged("responses", payload, query.filters(), len(data))


@bp.get("/openapi.json")
def openapi() -> Response:
    config = current_app.config
    return json_response(openapi_document(config["API_PAGE_SIZE"], config["API_MAX_PAGE_SIZE"]))
