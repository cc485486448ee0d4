"""The read-only JSON API for researchers under /api/v1/ (issue 5, parts 5-7).

Decisions:
- For researchers and administrators, as the research web pages are; peers get 403.
- Per-user tokens, created and revoked by their owner at /account/tokens, shown once, stored as
  SHA-256 (`survey.accounts.api_tokens`), sent as `Authorization: Bearer <token>`. The session
  cookie is never used here, so the blueprint is exempt from CSRF and cross-site requests carry
  no authority. Missing/unknown/revoked/expired token or a deactivated account: 401 with
  `WWW-Authenticate: Bearer` (expired: `error_description="The access token expired"`). Tokens last
  7 days to a year, 90 days by default (`survey.accounts.api_tokens.LIFETIME_CHOICES`).
- Rate limit API_LIMIT per token (per address without one); 429.
- Every error is JSON `{"error": {"status": ..., "message": ...}}`, also 404/405 for /api/ paths
  that match no route (handed over by `survey.errors`).
- Endpoints (GET only): communities, campaigns and assets (optional `community`), responses
  (paged with an opaque signed cursor; practice campaigns never appear; contact details never
  anywhere), the codebook (`codebook_view`), and the OpenAPI 3.1 document at
  /api/v1/openapi.json (no token needed).
- An unknown query parameter answers 400 naming it (`query_check`), instead of being ignored.
- Every read except the OpenAPI document is logged in `DataAccess` (channel "api") and committed
  before the data leaves; HEAD sends no data and is not logged. OPTIONS answers 204 with `Allow` on
  every route, token or not. `last_used_at` of a token is written at most once a minute.
"""

from survey.blueprints import api
from survey.datasets.api import auth, codebook_view, errors, query_check, views  # noqa: F401  (views add routes)

auth.register(api)
query_check.register(api)
errors.register(api)
