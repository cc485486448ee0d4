"""Communities and their asset logs: checking, creating, editing and retiring entries.

Each column's check is in `survey.assets.fields`, shared with the asset form and the CSV
import. Campaigns copy the asset log when they open
(`CampaignAsset`), so nothing done here changes what past campaigns asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from survey.assets.fields import ASSET_COLUMNS, NAME_MAX, AssetFields, stripped
from survey.database import NAMING_LOCK_KEY, take_turns
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import (
    Asset,
    CampaignAsset,
    Community,
    default_question_phrase,
)

COMMUNITY_SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


class FieldErrors(ServiceError):
    """Problems with named fields, {field: reason}, to show beside each field."""

    status_code = 422

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems.items()))
        self.problems = dict(problems)


# --- Communities.


def check_community(slug: Any, name: Any, community: Community | None = None) -> tuple[str, str]:
    """Clean a community's slug and name, or raise FieldErrors."""
    problems: dict[str, str] = {}
    slug, name = stripped(slug), stripped(name)
    if not COMMUNITY_SLUG_PATTERN.match(slug) or len(slug) > 60:
        problems["slug"] = "Use lower-case letters and digits in words joined by single hyphens, like dover-town."
    else:
        clash = db.session.scalar(select(Community).where(Community.slug == slug))
        if clash is not None and clash is not community:
            problems["slug"] = f"The web address {slug} is already used by {clash.name}."
    if not name:
        problems["name"] = "Enter a name."
    elif len(name) > NAME_MAX:
        problems["name"] = f"Use at most {NAME_MAX} characters."
    if problems:
        raise FieldErrors(problems)
    return slug, name


def create_community(slug: str, name: str) -> Community:
    """Add a community."""
    take_turns(db.session, NAMING_LOCK_KEY)
    slug, name = check_community(slug, name)
    community = Community(slug=slug, name=name)
    db.session.add(community)
    db.session.flush()
    return community


def update_community(community: Community, slug: str, name: str) -> Community:
    """Rename a community or change its slug (used only in staff URLs)."""
    take_turns(db.session, NAMING_LOCK_KEY)
    community.slug, community.name = check_community(slug, name, community)
    db.session.flush()
    return community


# --- Assets.


def slug_owner(slug: str) -> Asset | None:
    """The asset using this slug in any community, if any."""
    return db.session.scalar(select(Asset).where(Asset.slug == slug))


def slug_clash(slug: str, community: Community, asset: Asset | None = None) -> str | None:
    """Why `slug` cannot be used for this asset of `community`, or None if it can."""
    owner = slug_owner(slug)
    if owner is None or owner is asset:
        return None
    if owner.community_id != community.id:
        return f"The web address {slug} is already used by an asset of {owner.community.name}; choose another."
    return f"The web address {slug} is already used by {owner.name} in this community."


def in_any_campaign(asset: Asset) -> bool:
    """True once a campaign has snapshotted the asset: its slug then names data already collected."""
    query = select(CampaignAsset.id).where(CampaignAsset.asset_id == asset.id).limit(1)
    return db.session.scalar(query) is not None


def create_asset(community: Community, values: AssetFields) -> Asset:
    """Add an asset to a community's log."""
    take_turns(db.session, NAMING_LOCK_KEY)
    clash = slug_clash(values.slug, community)
    if clash:
        raise FieldErrors({"slug": clash})
    asset = Asset(community=community, slug=values.slug, name=values.name, kind=values.kind)
    db.session.add(asset)
    apply_fields(asset, values)
    db.session.flush()
    return asset


def update_asset(asset: Asset, values: AssetFields) -> Asset:
    """Change an asset; the slug is fixed once a campaign has asked about the asset."""
    if values.slug != asset.slug:
        if in_any_campaign(asset):
            raise FieldErrors(
                {
                    "slug": "This asset has been asked about in a campaign, so its slug names collected data "
                    "and cannot change."
                }
            )
        take_turns(db.session, NAMING_LOCK_KEY)
        clash = slug_clash(values.slug, asset.community, asset)
        if clash:
            raise FieldErrors({"slug": clash})
    apply_fields(asset, values)
    db.session.flush()
    return asset


def changed_columns(asset: Asset, values: AssetFields) -> list[str]:
    """The columns whose value in `values` differs from the stored asset."""
    changed = []
    for column in ASSET_COLUMNS:
        old, new = getattr(asset, column), getattr(values, column)
        if column == "sixways_dimensions":  # a set: rows stored in another order are unchanged, not updated
            old, new = set(old or []), set(new)
        if old != new:
            changed.append(column)
    return changed


def apply_fields(asset: Asset, values: AssetFields) -> bool:
    """Copy the values that differ onto `asset`; True if anything changed.

    Unchanged columns are left alone, so re-importing an exported file records nothing.
    """
    if not values.question_phrase:
        values = replace(values, question_phrase=default_question_phrase(values.kind))
    changed = changed_columns(asset, values)
    for column in changed:
        value = getattr(values, column)
        setattr(asset, column, list(value) if column == "sixways_dimensions" else value)
    return bool(changed)


def set_retired(asset: Asset, retired: bool) -> Asset:
    """Retire an asset (left out of campaigns opened from now on) or bring it back."""
    if asset.retired != retired:
        asset.retired = retired
        db.session.flush()
    return asset


def community_assets(community: Community) -> list[Asset]:
    """The asset log: active entries first, then retired, each by name."""
    query = select(Asset).where(Asset.community_id == community.id).order_by(Asset.retired, Asset.name, Asset.slug)
    return list(db.session.scalars(query))
