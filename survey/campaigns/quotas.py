"""Fieldwork quotas: a campaign's targets of complete responses per community, age band and gender,
and how far each has got. Counts are SQL aggregates over complete responses; age band and gender
come from the demographics answers (a skipped or declined answer counts towards no band).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

import instruments
from survey.assets.operations import FieldErrors
from survey.database import take_turns
from survey.extensions import db
from survey.models import QUOTA_DIMENSIONS, Answer, Campaign, CampaignQuota, Community, Response
from survey.web.fields import whole_number

DIMENSION_LABELS = {"community": "Community", "age_band": "Age band", "gender": "Gender"}
TARGET_MAX = 1_000_000
# Saves of one campaign's quotas take turns (PostgreSQL; SQLite writers do anyway): a double-clicked
# Save would otherwise insert the same new target twice, and the second insert was a 500.
QUOTA_LOCK_BASE = 7_800_000_000


@dataclass(frozen=True)
class QuotaCategory:
    """One category a quota can be set for."""

    dimension: str
    category: str  # community slug, or the option code as text
    label: str

    @property
    def field_name(self) -> str:
        return f"quota-{self.dimension}-{self.category}"


@dataclass(frozen=True)
class QuotaProgress:
    category: QuotaCategory
    target: int | None
    complete: int

    @property
    def percent(self) -> int | None:
        return None if not self.target else round(100 * self.complete / self.target)

    @property
    def still_needed(self) -> int | None:
        return None if not self.target else max(self.target - self.complete, 0)


def quota_categories(campaign: Campaign) -> list[QuotaCategory]:
    """The campaign's community, then each age band and gender of the demographics questions."""
    categories = [QuotaCategory("community", campaign.community.slug, campaign.community.name)]
    demographics = instruments.catalogue().get("demographics")
    if demographics is not None:
        for item in demographics.items:
            if item.key in QUOTA_DIMENSIONS:
                categories += [QuotaCategory(item.key, str(option.code), option.label) for option in item.options]
    return categories


def _complete(campaign: Campaign) -> dict[tuple[str, str], int]:
    """Complete responses per (dimension, category)."""
    counts: dict[tuple[str, str], int] = {}
    total = db.session.scalar(
        select(func.count(Response.id)).where(Response.campaign_id == campaign.id, Response.status == "complete")
    )
    community_slug = db.session.scalar(select(Community.slug).where(Community.id == campaign.community_id))
    counts[("community", community_slug or "")] = int(total or 0)
    rows = db.session.execute(
        select(Answer.item_key, Answer.value, func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.campaign_id == campaign.id,
            Response.status == "complete",
            Answer.item_key.in_(("age_band", "gender")),
            Answer.value.is_not(None),
        )
        .group_by(Answer.item_key, Answer.value)
    )
    for key, value, count in rows:
        counts[(key, str(value))] = int(count)
    return counts


def quota_progress(campaign: Campaign) -> list[QuotaProgress]:
    """Every category with its target (None: no quota set) and complete responses so far."""
    stored = {
        (quota.dimension, quota.category): quota.target
        for quota in db.session.scalars(select(CampaignQuota).where(CampaignQuota.campaign_id == campaign.id))
    }
    complete = _complete(campaign)
    return [
        QuotaProgress(
            category,
            stored.get((category.dimension, category.category)),
            complete.get((category.dimension, category.category), 0),
        )
        for category in quota_categories(campaign)
    ]


def check_targets(campaign: Campaign, typed: Mapping[str, str]) -> dict[tuple[str, str], int | None]:
    """Targets typed into the quota form, by (dimension, category); FieldErrors names each bad box."""
    targets: dict[tuple[str, str], int | None] = {}
    problems: dict[str, str] = {}
    for category in quota_categories(campaign):
        raw = (typed.get(category.field_name) or "").strip().replace(",", "")
        target = whole_number(raw)
        if not raw:
            targets[(category.dimension, category.category)] = None
        elif target is None or not 1 <= target <= TARGET_MAX:
            problems[category.field_name] = (
                f"Enter the target for {category.label} as a whole number of at least 1, or leave it blank"
            )
        else:
            targets[(category.dimension, category.category)] = target
    if problems:
        raise FieldErrors(problems)
    return targets


def set_quotas(campaign: Campaign, targets: Mapping[tuple[str, str], int | None]) -> int:
    """Store the campaign's targets (None removes one); each row's change is audited. Returns changes made."""
    take_turns(db.session, QUOTA_LOCK_BASE + campaign.id)
    stored = {
        (quota.dimension, quota.category): quota
        for quota in db.session.scalars(select(CampaignQuota).where(CampaignQuota.campaign_id == campaign.id))
    }
    changes = 0
    for (dimension, category), target in targets.items():
        quota = stored.get((dimension, category))
        if target is None:
            if quota is not None:
                db.session.delete(quota)
                changes += 1
        elif quota is None:
            db.session.add(CampaignQuota(campaign=campaign, dimension=dimension, category=category, target=target))
            changes += 1
        elif quota.target != target:
            quota.target = target
            changes += 1
    db.session.flush()
    return changes
