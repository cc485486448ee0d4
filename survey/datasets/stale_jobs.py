"""Jobs whose worker died, failed before a job page is shown."""

from __future__ import annotations


def settle_stale_jobs() -> None:
    """Before a job list or progress page: jobs whose worker died are marked failed, so nobody
    waits on a page refreshing forever. Writes (and commits) only when there is such a job."""
    from survey.database import allow_writes
    from survey.datasets import exports, reports
    from survey.extensions import db

    if not (exports.any_stale_jobs() or reports.any_stale_jobs()):
        return
    allow_writes()
    exports.stale_jobs_failed()
    reports.stale_jobs_failed()
    db.session.commit()
