"""Rules for the responses import: researchers and admins only; peers and anonymous visitors are denied.

The POST without a file answers 422 (the form's own CSRF token is valid, the file is missing), and
the confirmation of a token this session never checked redirects back to the upload page: both
leave the database untouched. A finished import batch's page shows its result.
"""

from __future__ import annotations

from survey.database import utcnow
from survey.extensions import db
from survey.models import ImportBatch
from tests.access import RESEARCH, Rule
from tests.access.world import World


def build(world: World) -> None:
    batch = ImportBatch(
        actor_label="matrix@example.org",
        filename="responses.csv",
        sha256="0" * 64,
        status="done",
        step="published",
        progress=1.0,
        finished_at=utcnow(),
        added=2,
        already_present=1,
        new_by_campaign={"dover-town": 2},
    )
    db.session.add(batch)
    db.session.flush()
    world.ids["import_batch"] = batch.id


RULES = [
    Rule("research.response_imports", "GET", "/research/imports", RESEARCH),
    Rule("research.response_imports", "POST", "/research/imports", RESEARCH),
    Rule("research.confirm_response_import", "POST", "/research/imports/AAAAAAAAAAAAAAAAAAAAAA", RESEARCH),
    Rule("research.response_import_batch", "GET", "/research/imports/batches/{import_batch}", RESEARCH),
]
