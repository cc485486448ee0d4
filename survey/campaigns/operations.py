"""Campaigns: creating them, opening them (licence check, version and asset snapshots), and
reading back the questionnaire a campaign asks."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select

import instruments
from instruments import Instrument
from instruments.answers import quoted
from survey.campaigns.licences import licence_recorded
from survey.database import utcnow
from survey.exceptions import (
    CampaignClosedError,
    InstrumentChangedError,
    LicenceRequiredError,
    NotFoundError,
    ServiceError,
)
from survey.extensions import db
from survey.models import Asset, Campaign, CampaignAsset, CampaignInstrument, Community, InstrumentVersion

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
ASSET_TEMPLATE_KEY = "asset_use"
ONS4_KEY = "ons4"
WELLBEING_SCALES = ("wemwbs", "swemwbs")  # asked after the ONS questions when a campaign has both


def create_campaign(
    community: Community, slug: str, title: str, instrument_keys: Sequence[str], **settings: Any
) -> Campaign:
    """Create a draft campaign asking `instrument_keys` in that order."""
    if not SLUG_PATTERN.match(slug):
        raise ServiceError(f"Campaign slug {quoted(slug)} must be lower-case letters, digits and single hyphens.")
    keys = list(instrument_keys)
    problem = instrument_keys_problem(keys)
    if problem:
        raise ServiceError(problem)
    campaign = Campaign(community=community, slug=slug, title=title, instrument_keys=keys, **settings)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def instrument_keys_problem(keys: Sequence[str]) -> str | None:
    """Why a campaign cannot ask these instruments in this order, or None if it can."""
    if not keys:
        return "Choose at least one instrument."
    unknown = [key for key in keys if key not in instruments.catalogue()]
    if unknown:
        return f"Unknown instrument(s): {', '.join(unknown)}."
    if len(set(keys)) != len(keys):
        return "Each instrument can be asked only once."
    if "wemwbs" in keys and "swemwbs" in keys:
        # SWEMWBS's items are WEMWBS items; it is derived from a full WEMWBS, never asked twice.
        return "Ask WEMWBS or SWEMWBS, not both: SWEMWBS is scored from the WEMWBS items."
    if ONS4_KEY in keys and any(key in keys[: list(keys).index(ONS4_KEY)] for key in WELLBEING_SCALES):
        # ONS advises asking its personal well-being questions before other wellbeing questions,
        # so that those do not colour the answers (valuation reference, "Life satisfaction, asked directly").
        return "Ask the ONS personal well-being questions before WEMWBS or SWEMWBS, as ONS advises."
    return None


def register_instrument_version(instrument: Instrument) -> InstrumentVersion:
    """Store this definition version, or return the stored one if it is identical."""
    stored = db.session.scalar(select(InstrumentVersion).filter_by(key=instrument.key, version=instrument.version))
    digest = instrument.content_hash()
    if stored is not None:
        if stored.content_hash != digest:
            raise InstrumentChangedError(
                f"Instrument {quoted(instrument.key)} version {instrument.version} differs from the copy "
                "responses were collected on. Give the changed definition a new version number."
            )
        return stored
    stored = InstrumentVersion(
        key=instrument.key, version=instrument.version, content_hash=digest, definition=instrument.to_dict()
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def open_campaign(campaign: Campaign) -> Campaign:
    """Open a campaign to respondents: fix its instrument versions and its asset list."""
    if campaign.status == "open":
        return campaign
    if campaign.status == "closed":
        raise ServiceError("A closed campaign cannot be reopened; create a new campaign instead.")
    definitions = [instruments.get(key) for key in campaign.instrument_keys]
    for definition in definitions:
        if definition.licence.registration_required and not licence_recorded(definition.key):
            raise LicenceRequiredError(
                f"{definition.title} is copyright and free only after registration. Record the "
                f"organisation's licence first (flask licence add {definition.key} --holder NAME --reference REF)."
            )
    campaign.instruments = [
        CampaignInstrument(position=position, instrument_version=register_instrument_version(definition))
        for position, definition in enumerate(definitions)
    ]
    if ASSET_TEMPLATE_KEY in campaign.instrument_keys:
        campaign.assets = _snapshot_assets(campaign.community)
    campaign.status = "open"
    campaign.opened_at = utcnow()
    db.session.flush()
    return campaign


def _snapshot_assets(community: Community) -> list[CampaignAsset]:
    live = db.session.scalars(
        select(Asset).where(Asset.community_id == community.id, Asset.retired.is_(False)).order_by(Asset.name)
    ).all()
    return [
        CampaignAsset(
            asset=asset,
            position=position,
            slug=asset.slug,
            name=asset.name,
            kind=asset.kind,
            question_phrase=asset.question_phrase,
        )
        for position, asset in enumerate(live)
    ]


def close_campaign(campaign: Campaign) -> Campaign:
    campaign.status = "closed"
    campaign.closed_at = utcnow()
    db.session.flush()
    return campaign


@lru_cache(maxsize=512)
def _frozen_definition(content_hash: str, definition_json: str) -> Instrument:
    # Validating a stored definition against the schema costs ~20 ms and every survey page needs
    # several; a definition never changes under its content hash, so it is parsed once per process.
    return instruments.instrument_from_dict(json.loads(definition_json))


def stored_instrument(version: InstrumentVersion) -> Instrument:
    """The instrument as registered (validated once per process, keyed by its content hash)."""
    return _frozen_definition(version.content_hash, json.dumps(version.definition, sort_keys=True))


# Sections of opened campaigns, which never change once open (instrument versions and the asset
# snapshot are fixed by `open_campaign`). Keyed by database too: one process may serve several.
_OPENED_SECTIONS: dict[tuple[str, int, datetime], list[Instrument]] = {}
_OPENED_SECTIONS_MAX = 256


_OPENED_ASSET_IDS: dict[tuple[str, int, datetime], dict[str, int]] = {}


def _opened_key(campaign: Campaign) -> tuple[str, int, datetime] | None:
    """The cache key of an opened campaign's frozen questionnaire; None while it is a draft."""
    if campaign.status == "draft" or campaign.opened_at is None:
        return None
    return (str(db.engine.url), campaign.id, campaign.opened_at)


def campaign_sections(campaign: Campaign) -> list[Instrument]:
    """The instruments a campaign asks, as frozen when it opened (asset items filled in).

    Built once per opened campaign and process: loading the links and the asset snapshot and
    filling in the asset items on every page was an eighth of a survey page's time.
    """
    key = _opened_key(campaign)
    if key is None:
        return _build_sections(campaign)
    sections = _OPENED_SECTIONS.get(key)
    if sections is None:
        if len(_OPENED_SECTIONS) >= _OPENED_SECTIONS_MAX:
            _OPENED_SECTIONS.clear()
        sections = _OPENED_SECTIONS[key] = _build_sections(campaign)
    return list(sections)


def campaign_asset_ids(campaign: Campaign) -> dict[str, int]:
    """The campaign's asset snapshot: campaign asset id by slug, in the campaign's order.

    Kept per opened campaign and process like its sections (the snapshot is fixed when it opens):
    loading the snapshot was a query on every asset page saved.
    """
    key = _opened_key(campaign)
    if key is None:
        return {asset.slug: asset.id for asset in campaign.assets}
    ids = _OPENED_ASSET_IDS.get(key)
    if ids is None:
        if len(_OPENED_ASSET_IDS) >= _OPENED_SECTIONS_MAX:
            _OPENED_ASSET_IDS.clear()
        ids = _OPENED_ASSET_IDS[key] = {asset.slug: asset.id for asset in campaign.assets}
    return dict(ids)


def _build_sections(campaign: Campaign) -> list[Instrument]:
    sections = []
    for link in campaign.instruments:
        definition = stored_instrument(link.instrument_version)
        if definition.key == ASSET_TEMPLATE_KEY:
            definition = instruments.instantiate_asset_use(
                definition, [(asset.slug, asset.name, asset.question_phrase) for asset in campaign.assets]
            )
        sections.append(definition)
    return sections


# Every survey page reads its campaign. A statement built once keeps its cache key: building it
# per call made SQLAlchemy derive the key again, about 0.2 ms a query (bench/bench_load.py).
_CAMPAIGN_BY_SLUG = select(Campaign).where(Campaign.slug == bindparam("slug"))


def get_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(_CAMPAIGN_BY_SLUG, {"slug": slug})
    if campaign is None:
        raise NotFoundError("We could not find that survey. Check the link or the poster you were given.")
    return campaign


def estimated_minutes(sections: Sequence[Instrument]) -> int:
    """Minutes a typical resident needs, from each instrument's seconds per item."""
    seconds = sum(len(s.items) * s.estimated_seconds_per_item for s in sections)
    return max(1, math.ceil(seconds / 60))


def get_public_campaign(slug: str, today: date) -> Campaign:
    """The campaign at `/s/<slug>` if residents may answer it now, else a friendly error."""
    campaign = get_campaign(slug)
    if campaign.status == "draft" or (campaign.opens_on and today < campaign.opens_on):
        raise NotFoundError("We could not find that survey. Check the link or the poster you were given.")
    if campaign.status == "closed" or (campaign.closes_on and today > campaign.closes_on):
        raise CampaignClosedError("Thank you for your interest. This survey is no longer taking answers.")
    return campaign


def open_public_campaigns(today: date) -> list[Campaign]:
    """Campaigns residents can answer today, practice runs excluded."""
    rows = db.session.scalars(
        select(Campaign).where(Campaign.status == "open", Campaign.practice.is_(False)).order_by(Campaign.title)
    ).all()
    return [
        c for c in rows if (c.opens_on is None or c.opens_on <= today) and (c.closes_on is None or today <= c.closes_on)
    ]
