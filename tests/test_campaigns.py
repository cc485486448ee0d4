"""Opening campaigns: the licence gate, instrument version snapshots and asset snapshots."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

import instruments
from survey.campaigns.licences import add_licence
from survey.campaigns.operations import (
    campaign_sections,
    create_campaign,
    open_campaign,
    register_instrument_version,
)
from survey.exceptions import InstrumentChangedError, LicenceRequiredError, ServiceError
from survey.extensions import db
from survey.models import Asset, Campaign, Community, InstrumentVersion


@pytest.fixture
def community(app):
    with app.app_context():
        community = Community(slug="sheppey", name="Sheppey")
        db.session.add(community)
        db.session.add_all(
            [
                Asset(slug="sheppey_library", community=community, name="Library", kind="place"),
                Asset(slug="minster_leas", community=community, name="Minster Leas", kind="place"),
            ]
        )
        db.session.commit()
        yield community


@pytest.mark.parametrize("scale", ["wemwbs", "swemwbs"])
def test_wemwbs_campaign_cannot_open_without_a_licence(app, community, scale):
    campaign = create_campaign(community, "sheppey", "Sheppey survey", [scale, "sixways"])
    with pytest.raises(LicenceRequiredError, match="flask licence add"):
        open_campaign(campaign)
    assert campaign.status == "draft"
    add_licence("wemwbs", holder="Swale Borough Council", reference="R1")  # covers SWEMWBS too
    assert open_campaign(campaign).status == "open"


def test_campaign_without_copyright_scales_needs_no_licence(app, community):
    campaign = create_campaign(community, "sheppey", "Sheppey survey", ["sixways", "demographics"])
    assert open_campaign(campaign).status == "open"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["wemwbs", "swemwbs"], "not both"),
        (["nosuch"], "Unknown instrument"),
        ([], "at least one"),
        (["sixways", "sixways"], "only once"),
        (["wemwbs", "ons4"], "ONS personal well-being questions before WEMWBS"),  # ONS advises asking them first
        (["swemwbs", "sixways", "ons4"], "before WEMWBS or SWEMWBS"),
    ],
)
def test_bad_instrument_lists_are_refused(app, community, keys, message):
    with pytest.raises(ServiceError, match=message):
        create_campaign(community, "sheppey", "Sheppey survey", keys)


def test_ons_questions_are_optional_and_need_no_licence(app, community):
    alone = create_campaign(community, "sheppey-ons", "Sheppey survey", ["ons4", "demographics"])
    assert open_campaign(alone).status == "open"  # Crown copyright, Open Government Licence: no registration
    add_licence("wemwbs", holder="Swale Borough Council", reference="R1")
    both = create_campaign(community, "sheppey", "Sheppey survey", ["sixways", "ons4", "asset_use", "wemwbs"])
    assert [link.instrument_version.key for link in open_campaign(both).instruments][1:] == [
        "ons4",
        "asset_use",
        "wemwbs",
    ]
    without = create_campaign(community, "sheppey-wemwbs", "Sheppey survey", ["wemwbs", "sixways"])
    assert open_campaign(without).status == "open"


def test_bad_campaign_slug_is_refused(app, community):
    with pytest.raises(ServiceError, match="lower-case"):
        create_campaign(community, "Sheppey Survey!", "Sheppey survey", ["sixways"])


def test_asset_snapshot_is_frozen_when_the_campaign_opens(app, community):
    campaign = create_campaign(community, "sheppey", "Sheppey survey", ["sixways", "asset_use"])
    open_campaign(campaign)
    db.session.commit()
    library = db.session.scalars(select(Asset).filter_by(slug="sheppey_library")).one()
    library.name = "Sheerness Gateway"
    db.session.scalars(select(Asset).filter_by(slug="minster_leas")).one().retired = True
    db.session.add(Asset(slug="new_cafe", community=community, name="New café", kind="place"))
    db.session.commit()

    asset_section = campaign_sections(db.session.get(Campaign, campaign.id))[1]
    keys = [item.key for item in asset_section.items]
    assert keys == [
        "asset_sheppey_library",
        "asset_sheppey_library_value",
        "asset_minster_leas",
        "asset_minster_leas_value",
        "asset_nominations",
    ]
    assert "Library" in asset_section.items[0].text and "Gateway" not in asset_section.items[0].text


def test_retired_assets_are_left_out_of_new_campaigns(app, community):
    db.session.scalars(select(Asset).filter_by(slug="minster_leas")).one().retired = True
    campaign = create_campaign(community, "sheppey", "Sheppey survey", ["asset_use"])
    open_campaign(campaign)
    assert [asset.slug for asset in campaign.assets] == ["sheppey_library"]


def test_instrument_versions_are_stored_and_a_silent_change_is_refused(app, community):
    wemwbs = instruments.get("wemwbs")
    stored = register_instrument_version(wemwbs)
    assert register_instrument_version(wemwbs).id == stored.id
    assert instruments.instrument_from_dict(stored.definition) == wemwbs

    reworded = dataclasses.replace(wemwbs, title="Changed title, same version")
    with pytest.raises(InstrumentChangedError, match="new version"):
        register_instrument_version(reworded)
    bumped = dataclasses.replace(reworded, version=wemwbs.version + 1)
    assert register_instrument_version(bumped).version == wemwbs.version + 1
    assert len(db.session.scalars(select(InstrumentVersion).filter_by(key="wemwbs")).all()) == 2


def test_responses_keep_the_version_they_were_answered_on(app, community):
    add_licence("wemwbs", holder="Council", reference="R")
    first = create_campaign(community, "sheppey", "First round", ["wemwbs"])
    open_campaign(first)
    db.session.commit()
    # A later campaign asks a new version; the first campaign's questionnaire does not change.
    newer = dataclasses.replace(instruments.get("wemwbs"), version=99, title="WEMWBS, reworded stem")
    register_instrument_version(newer)
    assert campaign_sections(first)[0].version == instruments.get("wemwbs").version
    assert campaign_sections(first)[0].title == instruments.get("wemwbs").title
