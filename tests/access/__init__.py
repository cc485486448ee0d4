"""The role matrix: which roles may call each route. `tests/test_access_matrix.py` runs it.

Each module here (one per blueprint) defines `RULES: list[Rule]` and may define
`build(world: World) -> None` to create the rows its URLs need, registering their ids
with `world.ids["name"] = value` so URL templates like "/research/assets/{asset_other}"
can use them. The world (see `world.py`) has two communities: "own" (dover-town, the
peer's community) and "other" (sheppey, not the peer's).

Roles: "anonymous", "peer" (assigned to dover-town only), "researcher", "admin".
A request counts as *denied* when it answers 401, 403 or 404, or redirects to the sign-in
page (`/login?next=...`, as Flask-Login does for anonymous users);
anything else (200, 303, 400, 409, 422, ...) counts as *allowed*. POST requests carry a
valid CSRF token and no other data. Every route of the app must appear in some rule.
Rules with `auth="bearer"` (the JSON API) are called without a session, with the role's API token
(`world.ids["api_token_<role>"]`, made by `api.py`) as `Authorization: Bearer`; anonymous sends none.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "peer", "researcher", "admin")
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"peer", "researcher", "admin"})
RESEARCH = frozenset({"researcher", "admin"})
ADMIN = frozenset({"admin"})
NOBODY_SIGNED_IN = frozenset({"anonymous"})


@dataclass(frozen=True)
class Rule:
    endpoint: str
    method: str
    url: str  # may hold {name} placeholders for ids registered in world.ids
    allowed: frozenset[str]
    auth: str = "session"  # or "bearer": see the module docstring
