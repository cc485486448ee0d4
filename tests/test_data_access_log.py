"""Download governance: the admins' log of downloads and API reads (who, what, filters, when)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.datasets.access_log import describe_filters, record_access
from survey.extensions import db
from survey.models import DataAccess, User
from tests.conftest import ADMIN_EMAIL


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _log(app, entries: list[dict]) -> None:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=ADMIN_EMAIL)).one()
        for entry in entries:
            record_access(user if entry.pop("as_user", True) else None, **entry)
        db.session.commit()


def test_reads_are_listed_newest_first_with_who_what_and_filters(app, admin):
    _log(
        app,
        [
            {"channel": "web", "resource": "export", "format": "sav", "filters": {"campaigns": ["dover-town"]}},
            {"channel": "api", "resource": "api:responses", "filters": {"verified_only": True}, "row_count": 42},
            {"channel": "cli", "resource": "export", "label": "cli:export", "as_user": False, "format": "csv"},
        ],
    )
    text = _plain(admin.get("/admin/downloads").get_data(as_text=True))
    assert "3 reads." in text
    first, second, third = (text.index(marker) for marker in ("cli:export", "api:responses", "campaigns: dover-town"))
    assert first < second < third, "newest first"
    assert "verified_only: yes" in text and " 42 " in text
    assert "everything" in text, "a CLI export with no filters says it exported everything"


def test_the_count_column_is_not_called_responses_when_it_counts_variables(app, admin):
    # A codebook read of 106 variables showed "106" under "Responses".
    _log(app, [{"channel": "api", "resource": "api:codebook", "filters": {}, "row_count": 106}])
    text = _plain(admin.get("/admin/downloads").get_data(as_text=True))
    assert " Rows " in text and " Responses " not in text and " 106 " in text
    assert "variables, excerpts or records for the others" in text


def test_the_log_filters_by_channel_user_and_resource(app, admin):
    _log(
        app,
        [
            {"channel": "web", "resource": "export", "format": "xlsx"},
            {"channel": "api", "resource": "api:campaigns"},
            {"channel": "cli", "resource": "export", "label": "cli:export", "as_user": False},
        ],
    )
    assert "1 read." in _plain(admin.get("/admin/downloads?channel=api").get_data(as_text=True))
    assert "1 read." in _plain(admin.get("/admin/downloads?user=CLI:EXPORT").get_data(as_text=True))
    assert "2 reads." in _plain(admin.get("/admin/downloads?resource=export").get_data(as_text=True))
    # Unknown channels mean "any" rather than an error page.
    assert "3 reads." in _plain(admin.get("/admin/downloads?channel=ftp&page=-4").get_data(as_text=True))


def test_the_log_is_paged(app, admin):
    _log(app, [{"channel": "api", "resource": "api:assets", "row_count": n} for n in range(55)])
    page_two = _plain(admin.get("/admin/downloads?page=2").get_data(as_text=True))
    assert "Page 2 of 2." in page_two
    with app.app_context():
        assert db.session.scalar(select(db.func.count(DataAccess.id))) == 55


def test_an_unknown_channel_is_refused_by_the_service(app):
    with app.app_context(), pytest.raises(ValueError, match="unknown channel"):
        record_access(None, "email", "export")


def test_filters_are_described_in_plain_words():
    assert describe_filters({}) == "everything"
    assert describe_filters({"campaigns": ["a", "b"], "verified_only": False, "content": "scores"}) == (
        "campaigns: a, b; content: scores"
    )
