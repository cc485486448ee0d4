"""Downloads named for what they hold, the export page stating its filters, the xlsx download
importing again, and the admin-only page of staff codes (issue 13, point 7 and point 1's mapping)."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from analysis.columns import DEMOGRAPHIC_COLUMNS, ons4_items, sixways_items, wemwbs_items
from survey import create_app
from survey.datasets import build_dataset
from survey.datasets.reader import DatasetReader
from survey.datasets.writers import write_export
from survey.extensions import db
from survey.models import DataAccess, User
from tests.helpers import post_form
from tests.job_support import run_queued_jobs
from tests.test_research_support import page_token


def _today() -> set[str]:
    # Two readings, so a test running across midnight still matches.
    return {datetime.now(UTC).strftime("%Y-%m-%d")}


def test_a_csv_download_is_named_for_its_filters(app, client, make_user, login, make_campaign):
    make_campaign("dover-town")
    make_user("r@example.org", "researcher")
    login("r@example.org")
    data = {"format": "csv", "content": "scores", "campaign": "dover-town", "verified_only": "y"}
    data["include_partial"] = "y"
    before = _today()
    response = post_form(client, "/research/exports", "/research/exports", data)
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)  # type: ignore[union-attr]
    assert name in {f"survey-dover-town-csv-scores-verified-with-partial-{day}.zip" for day in before | _today()}
    response.close()


def test_the_export_job_page_states_every_filter(app, client, make_user, login, make_campaign):
    make_campaign("dover-town")
    make_campaign("aylesham", asset_slugs=("aylesham_hall",))
    make_user("r@example.org", "researcher")
    login("r@example.org")
    data = {"format": "sav", "content": "items", "community": ["dover-town", "aylesham"], "verified_only": "y"}
    started = post_form(client, "/research/exports", "/research/exports", data)
    assert started.status_code == 303
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    rows = dict(re.findall(r'__key">([^<]+)</dt>\s*<dd class="govuk-summary-list__value">([^<]+)</dd>', page))
    assert rows == {
        "Campaigns": "all campaigns (practice runs never)",
        "Communities": "Dover Town, Aylesham",
        "Format": "SPSS (.sav)",
        "Content": "answers only",
        "Verified only": "yes: paper forms awaiting their second keying left out",
        "Partial responses": "left out (complete responses only)",
        "Missing answers": "user-missing codes (-1 to -5) with labels",
    }
    run_queued_jobs(app)
    download = client.get(started.headers["Location"] + "/download")
    assert download.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="?survey-dover-town-aylesham-sav-items-verified-\d{4}-\d{2}-\d{2}\.zip"?',
        download.headers["Content-Disposition"],
    )
    download.close()


ITEMS = [*DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()]


def test_the_excel_download_imports_again_unchanged(
    app, sqlite_template, tmp_path, runner, client, make_user, login, demo, demo_copies
):
    source_path = tmp_path / "source.db"
    shutil.copyfile(sqlite_template, source_path)
    source = create_app({"DATABASE_URL": f"sqlite:///{source_path}", "SECRET_KEY": "x", "TESTING": True})
    zipped = tmp_path / "survey-all-xlsx.zip"
    demo_copies.load(source, ("--responses", "8", "--seed", "3", "--no-paper", "--no-profiles"))
    with source.app_context():
        with DatasetReader(db.engine) as reader:
            write_export(zipped, reader, format="xlsx")
        before = build_dataset(db.engine).responses.set_index("response_id").sort_index()
        db.engine.dispose()
    demo("--responses", "0", "--no-paper", "--no-profiles")

    make_user("r@example.org", "researcher")
    login("r@example.org")
    app.instance_path = str(tmp_path / "instance")  # the web import keeps the checked file here
    token = page_token(client, "/research/imports")
    checked = client.post(
        "/research/imports",
        data={"csrf_token": token, "file": (io.BytesIO(zipped.read_bytes()), zipped.name)},
        content_type="multipart/form-data",
    )
    report = " ".join(checked.get_data(as_text=True).split())
    assert checked.status_code == 200 and f"Importing it will add {len(before)} responses" in report

    done = runner.invoke(args=["import-responses", str(zipped)])
    assert done.exit_code == 0 and f"Imported {len(before)} responses" in done.output, done.output
    with app.app_context():
        after = build_dataset(db.engine).responses.set_index("response_id").sort_index()
    assert list(after.index) == list(before.index)
    pd.testing.assert_frame_equal(after[ITEMS], before[ITEMS])
    # Excel keeps a time as a fraction of a day: the import gets it back to well within a second.
    assert (after["submitted_at"] - before["submitted_at"]).abs().max() < pd.Timedelta(seconds=1)


def test_only_admins_see_which_staff_a_code_stands_for_and_each_look_is_logged(app, client, make_user, login):
    make_user("a@example.org", "admin")
    make_user("p@example.org", "peer")
    login("a@example.org")
    page = client.get("/admin/staff-codes")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    with app.app_context():
        peer = db.session.scalars(select(User).filter_by(email="p@example.org")).one()
        assert peer.staff_code in page.get_data(as_text=True)
        [entry] = db.session.scalars(select(DataAccess)).all()
        assert (entry.user_label, entry.resource, entry.row_count) == ("a@example.org", "staff-codes", 2)


def test_names_say_when_missing_answers_are_coded_or_answers_labelled():
    from datetime import UTC, datetime

    from survey.datasets.filenames import download_name

    when = datetime(2026, 12, 4, tzinfo=UTC)
    common = {"campaigns": None, "communities": ["dover-town"], "content": "both", "verified_only": False}
    csv_name = download_name(**common, format="csv", include_partial=False, missing="codes", labels="labels", when=when)
    assert csv_name == "survey-dover-town-csv-coded-labelled-2026-12-04.zip"
    # SPSS and Stata files always carry the codes: the name does not say so.
    sav_name = download_name(**common, format="sav", include_partial=False, missing="codes", labels="codes", when=when)
    assert sav_name == "survey-dover-town-sav-2026-12-04.zip"
