"""Rules for the JSON API (called with each role's Bearer token) and the API token pages."""

from datetime import timedelta

from survey.accounts.api_tokens import create_token, hash_token
from survey.database import utcnow
from survey.extensions import db
from survey.models import ApiToken
from tests.access import EVERYONE, RESEARCH, Rule
from tests.access.world import World


def build(world: World) -> None:
    for role in ("admin", "researcher"):
        _row, token = create_token(world.users[role], "matrix")
        world.ids[f"api_token_{role}"] = token
    # The service gives peers no token; one made while the person was a researcher still exists
    # after a demotion, and must answer 403.
    peer_token = "cwb_matrix-peer-token-made-before-a-demotion"
    expires_at = utcnow() + timedelta(days=30)
    db.session.add(
        ApiToken(
            user=world.users["peer"],
            name="old",
            token_hash=hash_token(peer_token),
            prefix="cwb_matr",
            expires_at=expires_at,
        )
    )
    world.ids["api_token_peer"] = peer_token
    spare, _token = create_token(world.users["researcher"], "to revoke")
    db.session.flush()
    world.ids["api_token_spare"] = spare.id


RULES = [
    Rule("api.communities", "GET", "/api/v1/communities", RESEARCH, auth="bearer"),
    Rule("api.campaigns", "GET", "/api/v1/campaigns", RESEARCH, auth="bearer"),
    Rule("api.assets", "GET", "/api/v1/assets", RESEARCH, auth="bearer"),
    Rule("api.responses", "GET", "/api/v1/responses", RESEARCH, auth="bearer"),
    Rule("api.codebook", "GET", "/api/v1/codebook", RESEARCH, auth="bearer"),
    Rule("api.openapi", "GET", "/api/v1/openapi.json", EVERYONE, auth="bearer"),
    Rule("auth.tokens", "GET", "/account/tokens", RESEARCH),
    Rule("auth.tokens", "POST", "/account/tokens", RESEARCH),
    # Only the owner: an admin revoking a researcher's token finds nothing (404).
    Rule("auth.revoke", "POST", "/account/tokens/{api_token_spare}/revoke", frozenset({"researcher"})),
]
