"""Missing-data codes from the database: why each answer is blank, in every format (issue 13, point 2).

The reasons are planted straight in the tables (as the paper keying and the residents' survey store
them), then read back from the files with pyreadstat, pandas and openpyxl.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import delete, select

from survey.extensions import db
from survey.models import Answer, Campaign, ExportJob, Response
from tests.helpers import post_form
from tests.job_support import run_queued_jobs

SIXWAYS_1 = "sixways_connect_1"


@pytest.fixture
def planted(app, demo) -> dict[str, str]:
    """Demo data; in Dover, one answer of each kind of missing. Returns {kind: response public id}."""
    demo("--responses", "6", "--no-paper", "--no-profiles")
    with app.app_context():
        dover = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        ids = list(
            db.session.scalars(
                select(Response.id).where(Response.campaign_id == dover.id, Response.status == "complete").limit(4)
            )
        )
        declined, multiple, blank, short = (db.session.get_one(Response, i) for i in ids)

        def answer(response: Response, key: str, reason: str | None) -> None:
            db.session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.item_key == key))
            if reason is not None:
                db.session.add(Answer(response_id=response.id, item_key=key, value=None, missing_reason=reason))

        answer(declined, "gender", "declined")  # "Prefer not to say" online
        answer(multiple, "age_band", "multiple")  # two boxes ticked on paper
        answer(blank, "years_in_area", "blank")  # left blank on paper
        answer(blank, "employment", None)  # skipped online: no row at all
        # A response whose questionnaire had no six ways (an older version of the campaign).
        short.instrument_versions = {k: v for k, v in short.instrument_versions.items() if k != "sixways"}
        db.session.execute(delete(Answer).where(Answer.response_id == short.id, Answer.item_key.like("sixways_%")))
        db.session.commit()
        return {
            "declined": declined.public_id,
            "multiple": multiple.public_id,
            "blank": blank.public_id,
            "short": short.public_id,
        }


def _export(runner, tmp_path, *options: str) -> zipfile.ZipFile:
    out = tmp_path / "export.zip"
    args = ["export", "--out", str(out), "--campaign", "dover-town", "--campaign", "swanley", *options]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(out)


def test_spss_and_stata_tell_every_reason_apart(app, runner, tmp_path, planted):
    archive = _export(runner, tmp_path, "--format", "sav")
    data, meta = pyreadstat.read_sav(io.BytesIO(archive.read("responses.sav")), user_missing=True)
    rows = data.set_index("response_id")
    assert rows.loc[planted["declined"], "gender"] == -4
    assert rows.loc[planted["multiple"], "age_band"] == -3
    assert rows.loc[planted["blank"], "years_in_area"] == -2 and rows.loc[planted["blank"], "employment"] == -2
    assert rows.loc[planted["short"], SIXWAYS_1] == -1  # the questionnaire did not ask it
    assert pd.isna(rows.loc[planted["short"], "sixways_connect"])  # its score stays system-missing
    with app.app_context():
        swanley_assets = [a.slug for a in db.session.scalars(select(Campaign).filter_by(slug="swanley")).one().assets]
    dover = rows[rows["campaign"] == 1]  # campaigns coded in slug order: dover-town, swanley
    assert meta.variable_value_labels["campaign"] == {1: "dover-town", 2: "swanley"}
    assert (dover[f"asset_{swanley_assets[0]}"] == -1).all()  # Dover's residents were not asked about Swanley's
    assert meta.variable_value_labels["gender"][-4] == "Prefer not to say"

    archive = _export(runner, tmp_path, "--format", "dta")
    data, meta = pyreadstat.read_dta(io.BytesIO(archive.read("responses.dta")), user_missing=True)
    rows = data.set_index("response_id")
    assert rows.loc[planted["declined"], "gender"] == "d" and rows.loc[planted["multiple"], "age_band"] == "c"
    assert rows.loc[planted["blank"], "years_in_area"] == "b" and rows.loc[planted["short"], SIXWAYS_1] == "a"
    assert meta.variable_value_labels["gender"]["d"] == "Prefer not to say"
    assert "notes.do" in archive.namelist()


def test_csv_codes_and_labels_by_choice_and_the_import_takes_them_back(app, runner, tmp_path, planted):
    plain = pd.read_csv(io.BytesIO(_export(runner, tmp_path).read("responses.csv")), dtype={"response_id": str})
    assert pd.isna(plain.set_index("response_id").loc[planted["declined"], "gender"])  # blank by default
    archive = _export(runner, tmp_path, "--missing-codes", "codes", "--labels", "labels")
    labelled = pd.read_csv(io.BytesIO(archive.read("responses.csv")), dtype=str, keep_default_na=False)
    rows = labelled.set_index("response_id")
    assert rows.loc[planted["declined"], "gender"] == "Prefer not to say"
    assert rows.loc[planted["multiple"], "age_band"] == "More than one answer (paper form)"
    assert rows.loc[planted["short"], SIXWAYS_1].startswith("Not asked")
    assert set(labelled["mode"]) <= {"online", "interview", "paper"}
    coded = _export(runner, tmp_path, "--missing-codes", "codes")
    table = pd.read_csv(io.BytesIO(coded.read("responses.csv")), dtype={"response_id": str}).set_index("response_id")
    assert table.loc[planted["declined"], "gender"] == -4 and table.loc[planted["short"], SIXWAYS_1] == -1
    # The coded zip imports again: every code is a missing answer, so nothing is new and nothing is refused.
    dry = runner.invoke(args=["import-responses", str(tmp_path / "export.zip"), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would add 0 responses" in dry.output


def test_the_web_form_and_the_job_keep_the_choices(app, client, make_user, login, planted):
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    form = {"format": "xlsx", "content": "both", "campaign": "dover-town", "missing": "codes", "labels": "labels"}
    started = post_form(client, "/research/exports", "/research/exports", form)
    assert started.status_code == 303
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    run_queued_jobs(app)
    with app.app_context():
        job = db.session.get_one(ExportJob, job_id)
        assert (job.status, job.missing, job.labels) == ("done", "codes", "labels"), job.error
    download = client.get(f"/research/exports/{job_id}/download")
    workbook = openpyxl.load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(download.data)).read("dataset.xlsx")))
    download.close()
    rows = list(workbook["responses"].values)
    frame = pd.DataFrame(rows[1:], columns=rows[0]).set_index("response_id")
    assert frame.loc[planted["declined"], "gender"] == "Prefer not to say"
    page = client.get("/research/exports").get_data(as_text=True)
    assert "missing-data codes, labels" in page  # the recent jobs list says how it was made
    refused = post_form(client, "/research/exports", "/research/exports", {**form, "missing": "zeros"})
    assert refused.status_code == 400 and "Choose how missing answers are written" in refused.get_data(as_text=True)
