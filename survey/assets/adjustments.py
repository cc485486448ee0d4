"""SROI adjustments a workshop agreed per campaign and asset: checking, storing, listing.

A campaign's adjustable assets are the ones it asked about (its snapshot, taken when it opened),
so a draft has none yet. Fractions are stored 0-1; the screens take percentages (25 = 25%),
the CSV upload takes fractions (0.25), as ``adjustments.csv`` does everywhere else. Every
change is audited by `survey.audit.trail` (the model is in its list). Functions flush; callers commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from survey.assets.operations import FieldErrors
from survey.database import take_turns
from survey.extensions import db
from survey.models import ADJUSTMENT_FRACTIONS, Asset, Campaign, CampaignAsset, User, ValuationAdjustment, Workshop

# Saves of one campaign's adjustments take turns (PostgreSQL; SQLite writers do anyway): a
# double-clicked Save would otherwise insert the asset's new row twice, and the second was a 500.
ADJUSTMENT_LOCK_BASE = 7_900_000_000
YEARS_MAX = 100  # as analysis.adjustments: an asset's activity valued over at most a century
REASON_MAX, AGREED_BY_MAX = 2000, 500
FRACTION_LABELS = {
    "deadweight": "Deadweight",
    "displacement": "Displacement",
    "attribution": "Attribution",
    "drop_off": "Drop-off",
}


@dataclass(frozen=True)
class AdjustmentValues:
    """One asset's checked adjustments (fractions 0-1)."""

    deadweight: float = 0.0
    displacement: float = 0.0
    attribution: float = 0.0
    drop_off: float = 0.0
    years: int = 1
    reason: str = ""
    agreed_by: str = ""
    agreed_on: date | None = None


@dataclass(frozen=True)
class AssetAdjustment:
    """One asked-about asset of a campaign and its stored adjustment (None: valued gross)."""

    asset: Asset
    slug: str
    name: str
    adjustment: ValuationAdjustment | None


# --- Checks: each takes what was typed and returns the clean value or raises ValueError.


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())


def _decimal(text: str, message: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    return number


def check_percent(raw: Any) -> float:
    """A percentage 0-100 as typed on the screen ("25", "25%", "12.5"; blank = 0) -> a fraction 0-1."""
    text = _text(raw).removesuffix("%").strip()
    if not text:
        return 0.0
    message = "Enter a percentage from 0 to 100, like 25 or 12.5 (blank means 0)."
    number = _decimal(text, message)
    if number < 0 or number > 100:
        raise ValueError(message)
    return float(number / 100)


def check_fraction(raw: Any) -> float:
    """A fraction 0-1 as in adjustments.csv (0.25 for 25%; blank = 0)."""
    text = _text(raw)
    if not text:
        return 0.0
    message = "Enter a fraction from 0 to 1, like 0.25 for 25% (blank means 0)."
    number = _decimal(text, message)
    if number < 0 or number > 1:
        raise ValueError(message)
    return float(number)


def check_years(raw: Any) -> int:
    """Years of the asset's activity valued: a whole number 1-100 (blank = 1)."""
    text = _text(raw)
    if not text:
        return 1
    message = f"Enter a whole number of years from 1 to {YEARS_MAX} (blank means 1)."
    number = _decimal(text, message)
    if number != number.to_integral_value() or not 1 <= number <= YEARS_MAX:
        raise ValueError(message)
    return int(number)


def check_reason(raw: Any) -> str:
    """Why these shares: required, as every SROI judgement needs its reason."""
    reason = _text(raw)
    if not reason:
        raise ValueError("Give the reason the workshop agreed these shares (why this deadweight, attribution...).")
    if len(reason) > REASON_MAX:
        raise ValueError(f"Use at most {REASON_MAX} characters.")
    return reason


def check_agreed_by(raw: Any) -> str:
    """Who agreed it (names or roles): required on the adjustments screen and in an upload.

    valuation.md: each adjustment "needs a reason and who agreed it, and results are shown gross until
    they are agreed"; the reports leave out a row that names nobody, so saving one made an asset look
    net on this screen while every report showed it gross (numbers8 audit).
    """
    text = check_workshop_agreed_by(raw)
    if not text:
        raise ValueError(
            "Say who agreed these adjustments (names or roles, e.g. impact workshop: public health lead): "
            "reports use them only once that is recorded."
        )
    return text


def check_workshop_agreed_by(raw: Any) -> str:
    """Who agreed it, optional: recorded at a workshop, the workshop itself says who agreed it (its source)."""
    text = _text(raw)
    if len(text) > AGREED_BY_MAX:
        raise ValueError(f"Use at most {AGREED_BY_MAX} characters.")
    return text


def check_agreed_on(raw: Any) -> date | None:
    """The date it was agreed: a date, or text as YYYY-MM-DD; blank = not recorded."""
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter the date as YYYY-MM-DD, like 2025-03-14, or leave it blank.") from None


def value_checks(
    fraction: Callable[[Any], float], agreed_by: Callable[[Any], str] = check_agreed_by
) -> dict[str, Callable[[Any], Any]]:
    """{field: check}, with fractions read by `fraction` (percentages on screen, 0-1 in the CSV)."""
    checks: dict[str, Callable[[Any], Any]] = {name: fraction for name in ADJUSTMENT_FRACTIONS}
    checks.update(years=check_years, reason=check_reason, agreed_by=agreed_by, agreed_on=check_agreed_on)
    return checks


def clean_values(
    raw: Mapping[str, Any],
    fraction: Callable[[Any], float] = check_percent,
    agreed_by: Callable[[Any], str] = check_agreed_by,
) -> tuple[AdjustmentValues | None, dict[str, str]]:
    """Run every check; the clean values, or None and {field: reason}."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, check in value_checks(fraction, agreed_by).items():
        try:
            values[name] = check(raw.get(name))
        except ValueError as error:
            problems[name] = str(error)
    if problems:
        return None, problems
    return AdjustmentValues(**values), {}


# --- Reading and storing.


def campaign_assets(campaign: Campaign) -> list[AssetAdjustment]:
    """The assets the campaign asked about, in questionnaire order, each with its adjustment."""
    stored = {
        row.asset_id: row
        for row in db.session.scalars(select(ValuationAdjustment).where(ValuationAdjustment.campaign_id == campaign.id))
    }
    snapshot = db.session.scalars(
        select(CampaignAsset).where(CampaignAsset.campaign_id == campaign.id).order_by(CampaignAsset.position)
    )
    return [AssetAdjustment(item.asset, item.slug, item.name, stored.get(item.asset_id)) for item in snapshot]


def campaign_asset(campaign: Campaign, slug: str) -> AssetAdjustment | None:
    """One asked-about asset of the campaign by slug, or None."""
    return next((item for item in campaign_assets(campaign) if item.slug == slug), None)


def set_adjustment(
    campaign: Campaign,
    asset: Asset,
    values: AdjustmentValues,
    user: User | None = None,
    workshop: Workshop | None = None,
) -> ValuationAdjustment:
    """Store (create or change) the asset's adjustments for this campaign; only changed fields are written.

    `workshop` is their source when a workshop's facilitator records them. Values changed without
    one (the adjustments screen, an upload) are no longer what the workshop agreed, so the source
    is cleared; an unchanged save keeps it.
    """
    if not db.session.scalar(
        select(CampaignAsset.id).where(CampaignAsset.campaign_id == campaign.id, CampaignAsset.asset_id == asset.id)
    ):
        raise FieldErrors({"asset": f"{asset.name} was not asked about in {campaign.title}."})
    take_turns(db.session, ADJUSTMENT_LOCK_BASE + campaign.id)
    row = stored_adjustment(campaign, asset)
    if row is None:
        row = ValuationAdjustment(campaign=campaign, asset=asset)
        db.session.add(row)
    changed = False
    for name, value in asdict(values).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    source = workshop.id if workshop is not None else None
    if (changed or workshop is not None) and row.workshop_id != source:
        row.workshop_id = source
        changed = True
    if changed:
        row.updated_by_id = user.id if user is not None else None
    db.session.flush()
    return row


def stored_adjustment(campaign: Campaign, asset: Asset) -> ValuationAdjustment | None:
    """The adjustment stored for this campaign and asset, if any."""
    return db.session.scalar(
        select(ValuationAdjustment).where(
            ValuationAdjustment.campaign_id == campaign.id, ValuationAdjustment.asset_id == asset.id
        )
    )


def remove_adjustment(campaign: Campaign, asset: Asset) -> bool:
    """Delete the asset's adjustments (its figures become gross again); True if there were any.

    In the campaign's turn, as saves are: of a double-clicked Remove the second finds them gone.
    """
    take_turns(db.session, ADJUSTMENT_LOCK_BASE + campaign.id)
    row = stored_adjustment(campaign, asset)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def as_percent(fraction: float) -> str:
    """A stored fraction as the screen shows and takes it: 0.25 -> "25", 0.125 -> "12.5"."""
    text = f"{fraction * 100:.6f}".rstrip("0").rstrip(".")
    return text or "0"
