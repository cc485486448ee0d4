"""Importing responses in the dataset format: exact error reports, all-or-nothing, re-import, web and CLI.

Row numbers in every report are spreadsheet rows: row 1 is the header, row 2 the first data row.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select, update

from analysis.columns import PARADATA_COLUMNS
from analysis.dataset import ons4_items, sixways_items, wemwbs_items
from instruments.answers import quoted
from survey import create_app
from survey.datasets import DatasetReader, build_dataset
from survey.datasets.import_checks import RESPONSE_ID_RULE
from survey.datasets.imports import ImportRejected, Problem, dry_run, import_responses
from survey.datasets.writers import write_export
from survey.extensions import db
from survey.models import Answer, AssetUse, AuditEvent, Campaign, CampaignAsset, ImportBatch, Response, User
from tests.helpers import csrf_token
from tests.job_support import run_queued_jobs
from tests.test_research_support import page_token, sign_in

IMPORTS = "/research/imports"
ASSETS = ("dover_library", "dover_seafront")
BAD_CODE = '"9" is not an allowed code (allowed: 1, 2, 3, 4, 5)'


@pytest.fixture(autouse=True)
def _instance_in_tmp(app: Flask, tmp_path: Path) -> None:
    # Uploads wait under the instance folder: keep the test's away from the repository's.
    app.instance_path = str(tmp_path / "instance")


def _row(response_id: str, **overrides: object) -> dict[str, object]:
    """A complete, valid Dover Town response in the dataset format (score columns deliberately wrong)."""
    row: dict[str, object] = {
        "response_id": response_id,
        "community": "dover-town",
        "campaign": "dover-town",
        "mode": "paper",
        "verified": 1,
        "submitted_at": "2024-05-01T10:30:00Z",
        "age_band": 3,
        "gender": 1,
        "employment": 2,
        "years_in_area": 12,
    }
    row.update({key: 3 for key in wemwbs_items()})
    row.update({key: 4 for key in sixways_items()})
    for slug in ASSETS:
        row[f"asset_{slug}"] = 2
        row[f"asset_{slug}_value"] = 5
    row["wemwbs"] = 99  # derived: ignored on import, recomputed from the items
    row.update(overrides)
    return row


def _csv(rows: list[dict[str, object]], bom: bool = False) -> bytes:
    out = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def _rows(count: int, **overrides: object) -> list[dict[str, object]]:
    return [_row(f"r-{n:03d}", **overrides) for n in range(1, count + 1)]


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _check(app: Flask, data: bytes, filename: str = "responses.csv"):
    with app.app_context():
        return dry_run(data, filename)


def _import(app: Flask, data: bytes, filename: str = "responses.csv", email: str | None = None):
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email)) if email else None
        report = import_responses(data, filename, user, actor_label=None if user else "test")
        db.session.commit()
        return report


# --- exact error reports ---------------------------------------------------------------------------


def test_a_bad_code_is_reported_by_spreadsheet_row_and_column_exactly(app, make_campaign):
    make_campaign()
    rows = _rows(8)
    rows[5]["wemwbs_3"] = 9  # the 6th data row: row 7 in the spreadsheet
    report = _check(app, _csv(rows))
    assert report.problems == [Problem(7, "wemwbs_3", BAD_CODE)]
    assert (report.rows, report.new, report.already_present, report.rows_with_errors) == (8, 7, 0, 1)
    assert not report.ok


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: rows[1].update(campaign="nowhere"),
            [Problem(3, "campaign", 'there is no campaign "nowhere"')],
        ),
        (
            lambda rows: rows[2].update(response_id="r-001"),
            [Problem(4, "response_id", '"r-001" appears more than once (first in row 2)')],
        ),
        (
            lambda rows: rows[0].update(campaign="practice-run", community="practice-run"),
            [
                Problem(
                    2,
                    "campaign",
                    'campaign "practice-run" is a practice campaign: practice responses are never imported',
                )
            ],
        ),
        (
            lambda rows: rows[3].update(community="sheppey"),
            [
                Problem(
                    5,
                    "community",
                    '"sheppey" does not match campaign "dover-town", which belongs to community "dover-town"',
                )
            ],
        ),
        (
            lambda rows: rows[0].update(response_id="", mode="post", verified="yes", submitted_at="01/05/2024"),
            [
                Problem(2, "response_id", "must not be blank"),
                Problem(2, "mode", '"post" is not one of online, interview, paper'),
                Problem(2, "verified", '"yes" must be 0 or 1 (blank means 1, verified)'),
                Problem(2, "submitted_at", '"01/05/2024" is not an ISO 8601 date and time, e.g. 2024-05-01T14:30:00Z'),
            ],
        ),
        (
            lambda rows: rows[1].update(response_id="x" * 65, years_in_area=101, asset_dover_seafront_value=0),
            [
                Problem(
                    3,
                    "response_id",
                    f"{quoted('x' * 65)} {RESPONSE_ID_RULE}",
                ),
                Problem(3, "years_in_area", '"101" is outside the allowed range 0-100'),
                Problem(3, "asset_dover_seafront_value", '"0" is not an allowed code (allowed: 1, 2, 3, 4, 5)'),
            ],
        ),
    ],
    ids=["unknown-campaign", "duplicate-id", "practice", "community-mismatch", "response-fields", "ranges"],
)
def test_planted_row_errors_are_reported_exactly(app, make_campaign, change, expected):
    make_campaign()
    make_campaign("sheppey", asset_slugs=("sheppey_beach",))
    make_campaign("practice-run", asset_slugs=("practice_hall",), practice=True)
    rows = _rows(5)
    change(rows)
    report = _check(app, _csv(rows))
    assert report.problems == expected
    assert report.rows_with_errors == 1 and report.new == 4


def test_a_response_id_must_not_start_like_a_formula(app, make_campaign):
    """A leading "-" or "_" is refused: spreadsheets read "-3" as a formula, and CSV exports guard
    such cells with a quote, which would change the id on the way back."""
    make_campaign()
    rows = _rows(2)
    rows[0]["response_id"] = "-3"
    rows[1]["response_id"] = "_x"
    report = _check(app, _csv(rows))
    reason = RESPONSE_ID_RULE
    assert report.problems == [
        Problem(2, "response_id", f'"-3" {reason}'),
        Problem(3, "response_id", f'"_x" {reason}'),
    ]


def test_unknown_and_missing_columns_are_reported_on_the_header_row(app, make_campaign):
    make_campaign()
    rows = [{**_row("r-001"), "asset_bogus": "", "favourite_colour": "blue"}]
    del rows[0]["submitted_at"]
    report = _check(app, _csv(rows))
    assert report.problems == [
        Problem(1, "submitted_at", "this required column is missing"),
        Problem(1, "asset_bogus", 'no campaign asked about an asset "bogus": check the slug'),
        Problem(1, "favourite_colour", "not a column of the dataset format (see the codebook)"),
    ]
    # Counted apart from the rows: "Rows with errors 0" stood alone under "3 problems".
    assert (report.header_problems, report.rows_with_errors) == (3, 0)
    assert ", 3 problems in the header row." in next(report.lines())


def test_answers_to_questions_the_campaign_did_not_ask_are_errors(app, make_campaign):
    make_campaign()
    make_campaign("sheppey", ("sixways", "asset_use"), asset_slugs=("sheppey_beach",))
    row = _row("s-001", campaign="sheppey", community="sheppey", wemwbs_1=3, asset_dover_library="")
    for key in wemwbs_items()[1:]:
        row[key] = ""
    for key in ("age_band", "gender", "employment", "years_in_area", "asset_dover_library_value"):
        row[key] = ""
    row |= {"asset_dover_seafront": 1, "asset_dover_seafront_value": "", "asset_sheppey_beach": 4}
    report = _check(app, _csv([_row("d-001"), row]))
    assert report.problems == [
        Problem(3, "wemwbs_1", 'campaign "sheppey" did not ask this question: leave it blank'),
        Problem(
            3, "asset_dover_seafront", 'campaign "sheppey" did not ask about asset "dover_seafront": leave it blank'
        ),
    ]


def test_ons_answers_0_to_10_are_imported_and_11_is_refused(app, make_campaign):
    make_campaign()  # Dover Town does not ask the ONS questions
    make_campaign("ons-town", ("ons4", "wemwbs", "demographics"), asset_slugs=())

    def ons_row(response_id: str, **answers: object) -> dict[str, object]:
        row = _row(response_id, campaign="ons-town", community="ons-town")
        for key in [*sixways_items(), *(f"asset_{slug}{end}" for slug in ASSETS for end in ("", "_value"))]:
            del row[key]
        return row | {"ons_life_satisfaction": 0, "ons_worthwhile": 10, "ons_happy": 7, "ons_anxious": 3} | answers

    allowed = ", ".join(str(code) for code in range(11))
    rows = [ons_row("o-001"), ons_row("o-002", ons_life_satisfaction=11, ons_anxious="")]
    dover = _row("d-001", ons_happy=5)
    report = _check(app, _csv([*rows, dover]))
    assert report.problems == [
        Problem(3, "ons_life_satisfaction", f'"11" is not an allowed code (allowed: {allowed})'),
        Problem(4, "ons_happy", 'campaign "dover-town" did not ask this question: leave it blank'),
    ]
    rows[1]["ons_life_satisfaction"] = 8
    report = _import(app, _csv(rows))
    assert report.ok and report.added == 2
    with app.app_context():
        stored = build_dataset(db.engine).responses.set_index("response_id")
        assert stored.loc["o-001", list(ons4_items())].tolist() == [0, 10, 7, 3]  # 0 is an answer
        assert stored.loc["o-002", "ons_life_satisfaction"] == 8 and pd.isna(stored.loc["o-002", "ons_anxious"])
        assert stored.loc["o-001", "wemwbs"] == 42


def test_a_response_id_stored_in_another_campaign_is_an_error(app, make_campaign):
    make_campaign()
    make_campaign("sheppey", asset_slugs=("sheppey_beach",))
    _import(app, _csv([_row("r-001")]))
    other = _row("r-001", campaign="sheppey", community="sheppey", asset_dover_library="", asset_dover_seafront="")
    other |= {"asset_dover_library_value": "", "asset_dover_seafront_value": ""}
    report = _check(app, _csv([other]))
    assert report.problems == [
        Problem(2, "response_id", '"r-001" is already the id of a response in campaign "dover-town"')
    ]


def test_every_problem_is_counted_and_the_first_500_listed(app, make_campaign):
    make_campaign()
    report = _check(app, _csv(_rows(300, wemwbs_1=0, wemwbs_2=6)))
    assert report.problem_total == 600 and len(report.problems) == 500 and report.truncated
    assert report.problems[:2] == [
        Problem(2, "wemwbs_1", BAD_CODE.replace("9", "0")),
        Problem(2, "wemwbs_2", BAD_CODE.replace("9", "6")),
    ]
    assert report.rows_with_errors == 300 and report.new == 0


def test_unreadable_files_are_reported_not_crashed_on(app, make_campaign):
    make_campaign()
    assert _check(app, "response_id\nrégion\n".encode("latin-1")).problems[0].reason.startswith("the file is not UTF-8")
    assert _check(app, b"").problems == [Problem(None, "", "the file is empty")]
    assert _check(app, b"not a zip", "x.zip").problems == [Problem(None, "", "not a readable .zip file")]
    assert _check(app, b"not excel", "x.xlsx").problems[0].reason.startswith("not a readable Excel .xlsx file")


# --- importing -----------------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_written(app, make_campaign):
    make_campaign()
    rows = _rows(20)
    rows[19]["sixways_give_2"] = "often"
    with app.app_context(), pytest.raises(ImportRejected) as rejected:
        import_responses(_csv(rows), "responses.csv", None, actor_label="test")
    assert rejected.value.report.problems == [
        Problem(21, "sixways_give_2", '"often" is not an allowed code (allowed: 1, 2, 3, 4, 5)')
    ]
    assert (_count(app, Response), _count(app, Answer), _count(app, AssetUse)) == (0, 0, 0)


def test_import_stores_the_answers_and_reimport_adds_nothing(app, make_campaign, make_user):
    make_campaign()
    email = make_user("importer@example.org", "researcher")
    rows = _rows(3)
    rows[1] |= {"verified": "", "mode": "interview", "wemwbs_14": "", "submitted_at": "2024-05-02 09:15:00"}
    rows[2] |= {"verified": 0, "asset_dover_seafront": "", "asset_dover_seafront_value": ""}
    data = _csv(rows, bom=True)
    report = _import(app, data, email=email)
    assert (report.added, report.already_present, report.new_by_campaign) == (3, 0, {"dover-town": 3})
    with app.app_context():
        stored = {r.public_id: r for r in db.session.scalars(select(Response))}
        importer = db.session.scalar(select(User).filter_by(email=email))
        assert {r.entered_by_id for r in stored.values()} == {importer.id}
        assert [(stored[i].mode, stored[i].verified, stored[i].status) for i in ("r-001", "r-002", "r-003")] == [
            ("paper", True, "complete"),
            ("interview", True, "complete"),
            ("paper", False, "complete"),
        ]
        assert stored["r-002"].submitted_at == datetime(2024, 5, 2, 9, 15, tzinfo=UTC)
        assert stored["r-001"].instrument_versions == {"wemwbs": 1, "sixways": 1, "asset_use": 2, "demographics": 2}
        answers = db.session.execute(
            select(Response.public_id, Answer.item_key, Answer.value).join(Response, Response.id == Answer.response_id)
        ).all()
        # 4 demographics + 14 WEMWBS + 12 six ways per response, one WEMWBS item left blank.
        assert len(answers) == 3 * 30 - 1
        assert ("r-002", "wemwbs_14", 3) not in answers and ("r-001", "wemwbs_14", 3) in answers
        assert ("r-003", "years_in_area", 12) in answers
        uses = db.session.execute(
            select(Response.public_id, CampaignAsset.slug, AssetUse.frequency, AssetUse.importance)
            .join(Response, Response.id == AssetUse.response_id)
            .join(CampaignAsset, CampaignAsset.id == AssetUse.campaign_asset_id)
        ).all()
        assert sorted(uses) == sorted(
            [(i, slug, 2, 5) for i in ("r-001", "r-002") for slug in ASSETS] + [("r-003", "dover_library", 2, 5)]
        )
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "response_import")).all()
        assert len(events) == 1 and events[0].actor_id == importer.id and events[0].actor_label == email
        assert events[0].changes["response_ids"] == [None, ["r-001", "r-002", "r-003"]]
        assert events[0].changes["file"] == [None, "responses.csv"]
        scores = build_dataset(db.engine).responses.set_index("response_id")
    # Recomputed from the items, not copied from the file's 99: 14 x 3 = 42; r-002 lacks an item.
    assert scores.loc["r-001", "wemwbs"] == 42 and pd.isna(scores.loc["r-002", "wemwbs"])

    again = _import(app, data, email=email)
    assert (again.added, again.already_present, again.new) == (0, 3, 0)
    assert _count(app, Response) == 3 and _count(app, Answer) == 3 * 30 - 1
    with app.app_context():
        kinds = db.session.execute(select(AuditEvent.entity_type, func.count()).group_by(AuditEvent.entity_type)).all()
    # One event per import that added something; the bulk INSERTs leave no per-response events.
    assert dict(kinds).get("response_import") == 1 and "response" not in dict(kinds)


def test_excel_and_zip_files_import_like_the_csv(app, make_campaign):
    make_campaign()
    rows = [{key: value for key, value in row.items() if key != "verified"} for row in _rows(4)]  # optional column
    workbook = Workbook()
    workbook.active.title = "notes"
    sheet = workbook.create_sheet("responses")
    sheet.append(list(rows[0]))
    for row in rows:
        row["submitted_at"] = datetime(2024, 5, 1, 10, 30)  # an Excel date cell (no time zone: UTC)
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = _check(app, buffer.getvalue(), "responses.xlsx")
    assert (xlsx.ok, xlsx.new) == (True, 4)

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("dataset/responses.csv", _csv(_rows(4)))
        bundle.writestr("dataset/assets.csv", "slug,name,kind,community,annual_cost\n")
    zipped = _check(app, archive.getvalue(), "dataset.zip")
    assert (zipped.ok, zipped.new) == (True, 4)

    report = _import(app, buffer.getvalue(), "responses.xlsx")
    assert report.added == 4
    with app.app_context():
        stored = set(db.session.execute(select(Response.submitted_at, Response.verified)))
    assert stored == {(datetime(2024, 5, 1, 10, 30, tzinfo=UTC), True)}


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "sav", "dta"])
def test_other_tools_ids_import_as_they_are_and_come_back_unchanged(app, make_campaign, export_format, tmp_path):
    """A KoBoToolbox `_uuid` (36 characters) and an ODK `instanceID` ("uuid:" and 36 more) are kept
    whole (the column held 32 before migration 0017), in every export format, so re-importing an
    export adds nothing."""
    make_campaign()
    ids = ["0b7a3c2e-5d4f-4e1a-9c8b-7a6f5e4d3c2b", "uuid:1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b", "a" * 64]
    report = _import(app, _csv([_row(one) for one in ids]))
    assert report.ok and report.added == 3
    with app.app_context():
        assert sorted(db.session.scalars(select(Response.public_id))) == sorted(ids)
        with DatasetReader(db.engine) as reader:
            write_export(tmp_path / "export.zip", reader, format=export_format)
    again = _import(app, (tmp_path / "export.zip").read_bytes(), "export.zip")
    assert (again.added, again.already_present) == (0, 3)


@pytest.mark.parametrize(
    ("format", "missing"),
    [("csv", "blank"), ("csv", "codes"), ("xlsx", "blank"), ("sav", "blank"), ("dta", "blank")],
)
def test_a_dataset_exported_from_one_database_imports_into_another_unchanged(
    app, sqlite_template, tmp_path, format, missing, demo, demo_copies
):
    """Each format's export zip (CSV with blanks or missing-data codes, xlsx, SPSS, Stata: issue 13)
    imports into another database unchanged; the SPSS and Stata files also import on their own."""
    source_path = tmp_path / "source.db"
    shutil.copyfile(sqlite_template, source_path)
    source = create_app({"DATABASE_URL": f"sqlite:///{source_path}", "SECRET_KEY": "x", "TESTING": True})
    demo_copies.load(source, ("--responses", "25", "--seed", "7", "--no-paper", "--no-profiles"))
    with source.app_context():
        # A response awaiting double entry travels as verified = 0.
        first = db.session.scalar(select(Response.id).where(Response.status == "complete").limit(1))
        db.session.execute(update(Response).where(Response.id == first).values(verified=False))
        db.session.commit()
        exported = build_dataset(db.engine)
        with DatasetReader(db.engine) as reader:
            write_export(tmp_path / "export.zip", reader, format=format, missing=missing)
        original = _stored_answers()
        db.engine.dispose()
    demo("--responses", "0", "--no-paper", "--no-profiles")
    # The codes were exercised (e.g. -1: each community's residents were not asked about the others' assets):
    # blanks in the CSV, the codes themselves in a coded CSV and (user-missing, extended missing) in SPSS and Stata.
    assert _holds_missing_codes(tmp_path / "export.zip", format) == (missing == "codes" or format in ("sav", "dta"))
    report = _import(app, (tmp_path / "export.zip").read_bytes(), "export.zip")
    assert report.ok and report.added == len(exported.responses) == 4 * 25 - 4  # 1 in 20 left partial
    with app.app_context():
        stored = _stored_answers()
    assert stored[:2] == original[:2]
    # Facts alike, the time to within a second (Excel keeps milliseconds, rounded: see below).
    assert stored[2].keys() == original[2].keys()
    for public_id, (*fact, submitted) in stored[2].items():
        *was, submitted_before = original[2][public_id]
        assert fact == was and abs(submitted - submitted_before) < timedelta(seconds=1), public_id
    with app.app_context():
        again = build_dataset(db.engine).responses.set_index("response_id").sort_index()
    before = exported.responses.set_index("response_id").sort_index()
    # Every answer, score and fact of the dataset; the paradata are the importing system's own.
    columns = [column for column in before.columns if column not in PARADATA_COLUMNS]
    assert {"wemwbs_1", "asset_dover_library_value", "wemwbs", "mode", "submitted_at"} <= set(columns)
    # Times agree to within a second: CSV holds whole seconds (`analysis.dataset`), Excel milliseconds,
    # rounded (so 33.9996 s comes back as 34.000 s: flooring both sides to the second was flaky).
    drift = (again["submitted_at"] - before["submitted_at"].reindex(again.index)).abs()
    assert (drift < pd.Timedelta(seconds=1)).all(), drift.max()
    again["submitted_at"] = before["submitted_at"].reindex(again.index)
    pd.testing.assert_frame_equal(again[columns], before[columns])
    # An independent check of one score: the WEMWBS total is the sum of the 14 stored items.
    sums = pd.Series(
        {rid: sum(v for k, v in items.items() if k in wemwbs_items()) for rid, items in original[0].items()}
    )
    assert (again["wemwbs"] == sums.reindex(again.index)).all()
    if format in ("sav", "dta"):
        # The bare file, not zipped, reads the same: every response is found already imported.
        alone = zipfile.ZipFile(tmp_path / "export.zip").read(f"responses.{format}")
        checked = _check(app, alone, f"responses.{format}")
        assert (checked.ok, checked.new, checked.already_present) == (True, 0, len(exported.responses))


def _holds_missing_codes(path: Path, format: str) -> bool:
    """Whether the export's responses file holds a negative (missing-data) code in a number column."""
    member = zipfile.ZipFile(path).read(f"responses.{format}" if format != "xlsx" else "dataset.xlsx")
    if format == "csv":
        frame = pd.read_csv(io.BytesIO(member))
    elif format == "xlsx":
        frame = pd.read_excel(io.BytesIO(member), sheet_name="responses")
    else:
        read = pyreadstat.read_sav if format == "sav" else pyreadstat.read_dta
        frame, _meta = read(io.BytesIO(member), user_missing=True)
        if format == "dta":  # Stata's .a ... .e come back as letters in a column of objects
            return bool(frame.isin(["a", "b", "c", "d", "e"]).any().any())
    return bool((frame.select_dtypes("number") < 0).any().any())


def _stored_answers() -> tuple[dict[str, dict[str, int]], set[tuple], dict[str, tuple]]:
    """({public id: {item: value}} of the dataset's items, asset uses, {public id: facts}) of complete responses."""
    complete = Response.status == "complete"
    items: dict[str, dict[str, int]] = {}
    keys = ("age_band", "gender", "employment", "years_in_area", *ons4_items(), *wemwbs_items(), *sixways_items())
    for public_id, key, value in db.session.execute(
        select(Response.public_id, Answer.item_key, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(complete, Answer.item_key.in_(keys))
    ):
        items.setdefault(public_id, {})[key] = value
    uses = set(
        db.session.execute(
            select(Response.public_id, CampaignAsset.slug, AssetUse.frequency, AssetUse.importance)
            .join(Response, Response.id == AssetUse.response_id)
            .join(CampaignAsset, CampaignAsset.id == AssetUse.campaign_asset_id)
            .where(complete)
        ).all()
    )
    facts = {
        public_id: (slug, mode, verified, submitted)
        for public_id, slug, mode, verified, submitted in db.session.execute(
            select(Response.public_id, Campaign.slug, Response.mode, Response.verified, Response.submitted_at)
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(complete)
        )
    }
    return items, uses, facts


# --- the web pages -------------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "responses.csv", token: str | None = None):
    return client.post(
        IMPORTS,
        data={"csrf_token": token or page_token(client, IMPORTS), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _waiting_token(html: str) -> str:
    match = re.search(r'action="/research/imports/([A-Za-z0-9_-]{22})"', html)
    assert match, "no confirmation form"
    return match.group(1)


def test_upload_dry_run_then_confirm_without_uploading_again(app, client, make_campaign, make_user, login):
    make_campaign()
    sign_in(make_user, login)
    home = client.get("/research/").get_data(as_text=True)
    assert 'href="/research/imports"' in home
    checked = _upload(client, _csv(_rows(3)))
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Import 3 responses" in html and _count(app, Response) == 0
    token = _waiting_token(html)
    waiting = Path(app.instance_path) / "imports" / f"{token}.csv"
    assert waiting.read_bytes() == _csv(_rows(3))
    queued = client.post(f"{IMPORTS}/{token}", data={"csrf_token": csrf_token(html)})
    assert queued.status_code == 303 and "/research/imports/batches/" in queued.headers["Location"]
    waiting_page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "Working: waiting to start" in waiting_page and _count(app, Response) == 0
    assert not waiting.exists()  # moved under RESULTS_DIR for the worker
    assert run_queued_jobs(app) == 1
    result = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "3 responses added (Dover Town survey: 3); 0 already imported, skipped." in result
    assert _count(app, Response) == 3
    assert list((Path(app.config["RESULTS_DIR"]) / "imports").iterdir()) == []  # the job deleted it
    # The token is spent: confirming again imports nothing.
    client.post(f"{IMPORTS}/{token}", data={"csrf_token": csrf_token(html)})
    assert _count(app, Response) == 3

    again = _upload(client, _csv(_rows(3))).get_data(as_text=True)
    assert "Nothing to import:" in again and "every row of responses.csv was imported before" in again
    assert 'action="/research/imports/' not in again


def test_a_file_with_problems_shows_the_table_and_is_not_kept(app, client, make_campaign, make_user, login):
    make_campaign()
    sign_in(make_user, login)
    rows = _rows(8)
    rows[5]["wemwbs_3"] = 9
    refused = _upload(client, _csv(rows))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert (
        '<td class="number">7</td><td>wemwbs_3</td><td>&#34;9&#34; is not an allowed code (allowed: 1, 2, 3, 4, 5)</td>'
        in html
    )
    assert "row 1 is the header" in html and 'action="/research/imports/' not in html
    assert "Problems in the header row" not in html  # the header was right
    wrong_header = _upload(client, _csv([{**row, "favourite_colour": "blue"} for row in rows]))
    assert (
        '<th scope="row">Problems in the header row (missing or unknown columns)</th><td class="number">1</td>'
        in wrong_header.get_data(as_text=True)
    )
    folder = Path(app.instance_path) / "imports"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_the_upload_limit_is_raised_for_this_route_only_and_a_bigger_file_gets_413(
    app, client, make_campaign, make_user, login
):
    make_campaign()
    sign_in(make_user, login)
    big = _csv(_rows(2500))
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]  # above the app-wide 256 KiB
    accepted = _upload(client, big)
    assert accepted.status_code == 200 and "Import 2500 responses" in accepted.get_data(as_text=True)

    app.config["IMPORT_MAX_BYTES"] = 100 * 1024
    too_big = _upload(client, big)
    assert too_big.status_code == 413
    assert "The file is larger than 100 KB, the limit for imports." in too_big.get_data(as_text=True)
    assert _count(app, Response) == 0


def test_an_excel_file_too_big_to_check_in_a_request_is_sent_to_csv_or_the_command_line(
    app, client, make_campaign, make_user, login, runner, tmp_path
):
    # openpyxl reads ~150,000 cells a second: a 64 MB workbook (~20 million cells) checked in the
    # request ran past gunicorn's 120 s timeout. The web now refuses past IMPORT_WEB_XLSX_MAX_BYTES
    # unzipped; the command line and the import job read it.
    make_campaign()
    sign_in(make_user, login)
    workbook = Workbook()
    rows = _rows(300)
    workbook.active.append(list(rows[0]))
    for row in rows:
        workbook.active.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    app.config["IMPORT_WEB_XLSX_MAX_BYTES"] = unzipped - 1
    refused = _upload(client, buffer.getvalue(), "responses.xlsx")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "the Excel file is too large to check here" in html
    assert "Save it as CSV UTF-8 and upload that, or import it with the command line" in html
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as bundle:
        bundle.writestr("dataset.xlsx", buffer.getvalue())
    assert "too large to check here" in _upload(client, zipped.getvalue(), "export.zip").get_data(as_text=True)
    app.config["IMPORT_WEB_XLSX_MAX_BYTES"] = unzipped
    assert "Import 300 responses" in _upload(client, buffer.getvalue(), "responses.xlsx").get_data(as_text=True)
    path = tmp_path / "responses.xlsx"
    path.write_bytes(buffer.getvalue())
    app.config["IMPORT_WEB_XLSX_MAX_BYTES"] = 1
    checked = runner.invoke(args=["import-responses", str(path), "--dry-run"])
    assert checked.exit_code == 0 and "too large" not in checked.output


def test_a_stored_file_swapped_after_the_check_is_refused(app, client, make_campaign, make_user, login):
    make_campaign()
    sign_in(make_user, login)
    html = _upload(client, _csv(_rows(3))).get_data(as_text=True)
    token = _waiting_token(html)
    waiting = Path(app.instance_path) / "imports" / f"{token}.csv"
    rows = _rows(3)
    rows[0]["wemwbs_1"] = 9  # would have failed the check
    waiting.write_bytes(_csv(rows))
    refused = client.post(f"{IMPORTS}/{token}", data={"csrf_token": csrf_token(html)})
    assert refused.status_code == 409
    assert "The stored file changed after it was checked, so nothing was imported" in refused.get_data(as_text=True)
    assert _count(app, Response) == 0 and not waiting.exists()


def test_an_upload_without_a_csrf_token_is_refused(app, client, make_campaign, make_user, login):
    make_campaign()
    sign_in(make_user, login)
    refused = client.post(
        IMPORTS, data={"file": (io.BytesIO(_csv(_rows(1))), "responses.csv")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400 and "This form has expired" in refused.get_data(as_text=True)
    assert not (Path(app.instance_path) / "imports").exists()


def test_peers_and_anonymous_visitors_are_refused(app, client, make_campaign, make_user, login):
    make_campaign()
    upload = {"file": (io.BytesIO(_csv(_rows(1))), "responses.csv")}
    token = csrf_token(client.get("/login").get_data(as_text=True))
    anonymous = client.post(IMPORTS, data={"csrf_token": token, **upload}, content_type="multipart/form-data")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    sign_in(make_user, login, role="peer", communities=("dover-town",))
    assert client.get(IMPORTS).status_code == 403
    token = csrf_token(client.get("/fieldwork/").get_data(as_text=True))
    upload = {"file": (io.BytesIO(_csv(_rows(1))), "responses.csv")}
    refused = client.post(IMPORTS, data={"csrf_token": token, **upload}, content_type="multipart/form-data")
    assert refused.status_code == 403 and _count(app, Response) == 0


# --- the command line ----------------------------------------------------------------------------


def test_cli_dry_run_reports_and_import_commits(app, runner, make_campaign, tmp_path):
    make_campaign()
    rows = _rows(8)
    rows[5]["wemwbs_3"] = 9
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(rows))
    checked = runner.invoke(args=["import-responses", str(bad), "--dry-run"])
    assert checked.exit_code == 1
    assert f"row 7, column wemwbs_3: {BAD_CODE}" in checked.output
    failed = runner.invoke(args=["import-responses", str(bad)])
    assert failed.exit_code == 1 and _count(app, Response) == 0

    good = tmp_path / "good.csv"
    good.write_bytes(_csv(_rows(8)))
    dry = runner.invoke(args=["import-responses", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "Importing would add 8 responses" in dry.output and _count(app, Response) == 0
    done = runner.invoke(args=["import-responses", str(good)])
    assert done.exit_code == 0 and "Imported 8 responses; 0 already imported, skipped." in done.output
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "response_import"))
        assert event.actor_label == "cli:import-responses" and event.changes["responses_added"] == [None, 8]


def test_a_partial_response_of_an_export_is_refused_not_imported_as_complete(app, make_campaign):
    """An export made with --include-partial carries never-submitted rows: imported, they would be counted."""
    make_campaign()
    rows = _rows(3, status="complete")
    rows[1]["status"] = "partial"
    report = _check(app, _csv(rows))
    reason = "a partial response (never submitted) is not imported: export without partial responses"
    assert report.problems == [Problem(3, "status", reason)]
    assert _check(app, _csv(_rows(3, status="complete"))).ok


def test_a_huge_header_name_or_cell_is_shown_shortened_in_the_report(app, runner, make_campaign, tmp_path):
    # The red team's file: a 1 MB column name was repeated whole in the page and on the command line.
    make_campaign()
    rows = _rows(2)
    rows[0]["response_id"] = "r" * 200_000
    text = _csv(rows).decode().replace("\n", "," + "x" * 1_000_000 + "\n", 1)
    text = text.replace("\n", ",\n").replace("x\n,", "x\n", 1)  # every data row gets the blank extra cell
    data = text.encode()
    report = _check(app, data)
    assert not report.ok
    shown = {(problem.row, problem.column[:1]): problem for problem in report.problems}
    header = shown[(1, "x")]
    assert header.column.startswith("x" * 100) and "characters left out) ...xxx" in header.column
    assert len(header.column) < 400
    long_id = shown[(2, "r")]
    assert long_id.reason.endswith(RESPONSE_ID_RULE)
    assert len(long_id.reason) < 400
    path = tmp_path / "responses.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["import-responses", str(path), "--dry-run"])
    assert result.exit_code == 1 and max(len(line) for line in result.output.splitlines()) < 1000


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("resp\x00onses\x07.csv", "responses.csv"),  # PostgreSQL refused the NUL: confirming answered 500
        ("y" * 400 + ".csv", "y" * 251 + ".csv"),  # the batch row cut ".csv" off, and the job refused the file
    ],
    ids=["control characters", "a long name"],
)
def test_an_odd_file_name_is_kept_cleaned_and_the_file_imports(
    app, client, make_campaign, make_user, login, sent, kept
):
    make_campaign()
    sign_in(make_user, login)
    html = _upload(client, _csv(_rows(2)), sent).get_data(as_text=True)
    queued = client.post(f"{IMPORTS}/{_waiting_token(html)}", data={"csrf_token": csrf_token(html)})
    assert queued.status_code == 303, queued.status_code
    assert run_queued_jobs(app) == 1
    result = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "2 responses added (Dover Town survey: 2)" in result  # the title, as other pages
    with app.app_context():
        assert db.session.scalars(select(ImportBatch.filename)).one() == kept
