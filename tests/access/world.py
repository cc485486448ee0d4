"""The rows the role matrix needs: two communities, their campaigns, staff of every role."""

from __future__ import annotations

import secrets
from typing import Any

from survey.accounts.operations import create_user, issue_password_reset
from survey.campaigns.licences import add_licence
from survey.campaigns.operations import create_campaign, open_campaign
from survey.extensions import db
from survey.models import Asset, Community, User
from survey.responses.operations import start_response

PASSWORD = "matrix test password"


class World:
    """`own` is the peer's community (dover-town); `other` is one the peer is not assigned to (sheppey)."""

    def __init__(self) -> None:
        self.ids: dict[str, Any] = {}
        add_licence("wemwbs", holder="Matrix Council", reference="M-1")
        self.own = self._community("dover-town", "Dover Town", "dover_library")
        self.other = self._community("sheppey", "Sheppey", "sheppey_library")
        self.users: dict[str, User] = {
            "admin": create_user("admin@example.org", "admin", PASSWORD, name="Ada Admin"),
            "researcher": create_user("researcher@example.org", "researcher", PASSWORD, name="Rita Researcher"),
            "peer": create_user("peer@example.org", "peer", PASSWORD, name="Pat Peer", communities=[self.own]),
        }
        self.users["peer_other"] = create_user(
            "peer2@example.org", "peer", PASSWORD, name="Sam Sheppey", communities=[self.other]
        )
        for key, community, peer in (("own", self.own, "peer"), ("other", self.other, "peer_other")):
            campaign = community.campaigns[0]
            self.ids[f"campaign_{key}"] = campaign.slug
            self.ids[f"community_{key}"] = community.slug
            self.ids[f"asset_{key}"] = community.assets[0].slug
            interview = start_response(
                campaign, secrets.token_urlsafe(24), mode="interview", entered_by=self.users[peer]
            )
            self.ids[f"interview_{key}"] = interview.public_id
        token, _expires = issue_password_reset(self.users["peer_other"], self.users["admin"], 48)
        self.ids["reset_token"] = token
        db.session.flush()

    def _community(self, slug: str, name: str, asset_slug: str) -> Community:
        community = Community(slug=slug, name=name)
        db.session.add(community)
        db.session.add(
            Asset(slug=asset_slug, community=community, name=asset_slug.replace("_", " ").title(), kind="place")
        )
        campaign = create_campaign(
            community, slug, f"{name} survey", ["wemwbs", "sixways", "asset_use", "demographics"]
        )
        open_campaign(campaign)
        db.session.flush()
        return community
