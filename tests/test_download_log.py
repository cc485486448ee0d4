"""Every download of respondent-derived data is in the data access log, once per download, with who,
what and when: the workshop report, profile packs (PDF and HTML), a workshop's results (web and
CLI) and the audit trail's CSV. A HEAD request downloads nothing and is not logged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import DataAccess
from tests.access.export_rules import finished_export_job
from tests.access.profiles import finished_pack_job
from tests.access.research import finished_report_job
from tests.test_research_support import sign_in
from tests.workshop_support import join, open_via_web, rate, workshop_id

ADMIN = "admin@example.org"


def _log(app) -> list[tuple[str, str, str, str | None, dict, int | None]]:
    with app.app_context():
        rows = db.session.scalars(select(DataAccess).order_by(DataAccess.id)).all()
        assert all(row.at is not None for row in rows)
        return [(r.user_label, r.channel, r.resource, r.format, r.filters, r.row_count) for r in rows]


@pytest.fixture
def admin_client(client, make_user, login):
    make_user(ADMIN, "admin")
    login(ADMIN)
    return client


def _head(client, url: str) -> int:
    answer = client.head(url)
    answer.close()  # closes send_file's open file
    assert answer.get_data() == b""
    return answer.status_code


def _download(client, url: str):
    answer = client.get(url)
    answer.get_data()  # read the body, then close send_file's open file, as the WSGI server would
    answer.close()
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    return answer


def test_the_workshop_report_download_is_logged_once_per_download(app, admin_client, make_campaign):
    make_campaign("dover-town")
    with app.app_context():
        job_id = finished_report_job()
        db.session.commit()
    url = f"/research/reports/{job_id}/download"
    assert _head(admin_client, url) == 200
    assert _log(app) == []
    _download(admin_client, url)
    _download(admin_client, url)
    scope = {"job": job_id, "campaign": None, "community": None}
    assert _log(app) == [(ADMIN, "web", "report", "zip", scope, None)] * 2


def test_profile_pack_downloads_are_logged_with_their_file_and_community(app, admin_client, make_campaign):
    make_campaign("dover-town")
    with app.app_context():
        job_id = finished_pack_job("dover-town")
        db.session.commit()
    _download(admin_client, f"/research/profile-packs/{job_id}/profiles.pdf")
    _download(admin_client, f"/research/profile-packs/{job_id}/profiles.html")
    # A file the pack does not have is no download.
    assert admin_client.get(f"/research/profile-packs/{job_id}/secrets.txt").status_code == 404
    scope = {"job": job_id, "community": "dover-town", "campaign": None}
    assert _log(app) == [
        (ADMIN, "web", "profile-pack", "pdf", scope, None),
        (ADMIN, "web", "profile-pack", "html", scope, None),
    ]


def test_a_workshops_results_are_logged_from_the_web_and_the_cli(
    app, client, runner, make_campaign, make_user, login, tmp_path
):
    make_campaign("dover-town")
    sign_in(make_user, login)
    code = open_via_web(client)
    for social in (4, 5):
        participant = app.test_client()
        join(participant, code)
        assert rate(participant, code, "dover_library", social, 3).status_code == 303
    _download(client, f"/research/workshops/{workshop_id(app, code)}/results.csv")
    assert runner.invoke(args=["workshop", "export", code, "--out", str(tmp_path / "r.csv")]).exit_code == 0
    scope = {"workshop": code, "community": "dover-town"}
    assert _log(app) == [
        ("researcher@example.org", "web", "workshop-results", "csv", scope, 2),
        ("cli:workshop-export", "cli", "workshop-results", "csv", scope, 2),
    ]


def test_the_audit_trail_csv_is_logged_with_its_filters(app, admin_client):
    answer = admin_client.get("/admin/audit.csv?entity_type=answer")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("event_id,")
    assert _log(app) == [(ADMIN, "web", "audit-trail", "csv", {"entity_type": "answer"}, None)]


@pytest.mark.parametrize("path", ["/research/exports/{job}/download", "/research/reports/{job}/download"])
def test_a_head_request_for_a_download_logs_nothing(app, admin_client, path):
    with app.app_context():
        job_id = finished_export_job() if "exports" in path else finished_report_job()
        db.session.commit()
    assert _head(admin_client, path.format(job=job_id)) == 200
    assert _log(app) == []


@pytest.mark.parametrize(
    ("path", "resource"), [("/admin/contacts", "contact-details"), ("/admin/staff-codes", "staff-codes")]
)
def test_a_head_request_for_a_logged_page_logs_nothing_and_a_get_logs_once(app, admin_client, path, resource):
    assert _head(admin_client, path) == 200
    assert _log(app) == []
    assert admin_client.get(path).status_code == 200
    assert [entry[2] for entry in _log(app)] == [resource]
