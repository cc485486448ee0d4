"""Paradata in every export format, partial responses on request only, and the residents' flow
that records pages saved and resuming (issue 13, point 1), on both databases."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select

from analysis import read_dataset
from survey.accounts.operations import create_user
from survey.datasets.reader import DatasetReader
from survey.datasets.writers import write_export
from survey.extensions import db
from survey.models import Campaign, DataAccess, PaperBatch, PaperEntry, PaperForm, Response, User
from tests.helpers import Resident, csrf_token, valid_answers

CODE = re.compile(r"S[A-HJ-NP-Z2-9]{5}")
NAMES = ("Ivy Interviewer", "ivy@example.org", "Kim Keyer", "kim@example.org", "Lee Second", "lee@example.org")


def _at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 2, hour, minute, second, tzinfo=UTC)


# The independent expectation: what each planted response's paradata must read back as.
# (status, started_at, duration_seconds, pages_saved, resumed; who entered it is checked by code)
EXPECTED = {
    "online0000000000000000000000done": ("complete", _at(10), 750, 5, 1),
    "interview000000000000000000000aa": ("complete", _at(11), 1200, 4, 0),
    "paper00000000000000000000000000a": ("complete", _at(12), None, None, None),  # keying says nothing of time
    "partial0000000000000000000000aaa": ("partial", _at(13), None, 2, 0),
}


@pytest.fixture
def planted(app, make_campaign) -> dict[str, str]:
    """Four responses in a wave-2 campaign (online, interview, double-keyed paper, partial); the staff codes."""
    slug = make_campaign("dover-town", wave=2)
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=slug)).one()
        ivy = create_user(NAMES[1], "peer", name=NAMES[0])
        kim = create_user(NAMES[3], "peer", name=NAMES[2])
        lee = create_user(NAMES[5], "peer", name=NAMES[4])
        db.session.flush()

        def add(public_id: str, mode: str, entered_by: User | None, submitted: datetime | None) -> Response:
            status, started, _seconds, pages, resumed = EXPECTED[public_id]
            response = Response(
                public_id=public_id,
                campaign=campaign,
                community_id=campaign.community_id,
                mode=mode,
                instrument_versions={},
                consent=True,
                status=status,
                started_at=started,
                submitted_at=submitted,
                entered_by=entered_by,
                pages_saved=pages,
                resumed=None if resumed is None else bool(resumed),
            )
            db.session.add(response)
            return response

        add("online0000000000000000000000done", "online", None, _at(10, 12, 30))
        add("interview000000000000000000000aa", "interview", ivy, _at(11, 20))
        paper = add("paper00000000000000000000000000a", "paper", kim, _at(12, 5))
        add("partial0000000000000000000000aaa", "online", None, None)
        batch = PaperBatch(campaign=campaign, issued_to=kim, size=1)
        form = PaperForm(batch=batch, campaign=campaign, serial="P-0001", needs_double_entry=True, response=paper)
        db.session.add_all([batch, form])
        db.session.add(PaperEntry(form=form, entry_number=1, entered_by=kim, values={}))
        db.session.add(PaperEntry(form=form, entry_number=2, entered_by=lee, values={}))
        db.session.commit()
        return {"ivy": ivy.staff_code, "kim": kim.staff_code, "lee": lee.staff_code}


def _export(app, tmp_path: Path, format: str, *, include_partial: bool = True, content: str = "both") -> Path:
    path = tmp_path / f"export-{format}-{include_partial}-{content}.zip"
    with app.app_context(), DatasetReader(db.engine, include_partial=include_partial) as reader:
        write_export(path, reader, format=format, content=content)
    return path


def _responses(path: Path, format: str, tmp_path: Path) -> pd.DataFrame:
    """The responses table read back by pandas or pyreadstat, as an analyst would."""
    with zipfile.ZipFile(path) as archive:
        if format == "csv":
            return pd.read_csv(io.BytesIO(archive.read("responses.csv")), keep_default_na=False, na_values=[""])
        if format == "xlsx":
            return pd.read_excel(io.BytesIO(archive.read("dataset.xlsx")), sheet_name="responses")
        target = tmp_path / f"responses.{format}"
        target.write_bytes(archive.read(f"responses.{format}"))
    frame, meta = (pyreadstat.read_sav if format == "sav" else pyreadstat.read_dta)(str(target))
    # status is a labelled number in SPSS and Stata (1 = complete, 2 = partial): read as its label.
    frame["status"] = frame["status"].map(meta.variable_value_labels["status"])
    # Stata has no missing string: a blank code reads back as "".
    return frame.replace({"": None})


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("format", ["csv", "xlsx", "sav", "dta"])
def test_every_format_carries_the_paradata_read_back_right(app, planted, tmp_path, format):
    frame = _responses(_export(app, tmp_path, format), format, tmp_path).set_index("response_id")
    assert set(frame.index) == set(EXPECTED)
    for public_id, (status, started, seconds, pages, resumed) in EXPECTED.items():
        row = frame.loc[public_id]
        assert row["status"] == status
        assert pd.Timestamp(row["started_at"]).tz_localize(None) == pd.Timestamp(started).tz_localize(None)
        assert _number(row["duration_seconds"]) == (None if seconds is None else float(seconds))
        assert _number(row["pages_saved"]) == (None if pages is None else float(pages))
        assert _number(row["resumed"]) == (None if resumed is None else float(resumed))
        assert _number(row["wave"]) == 2.0
    codes = frame[["interviewer", "keyer", "second_keyer"]].astype(object).where(frame.notna(), None)
    assert codes.loc["interview000000000000000000000aa"].tolist() == [planted["ivy"], None, None]
    assert codes.loc["paper00000000000000000000000000a"].tolist() == [None, planted["kim"], planted["lee"]]
    assert codes.loc["online0000000000000000000000done"].tolist() == [None, None, None]
    shown = {str(value) for value in frame.astype(str).to_numpy().ravel()}
    assert not any(name in text for text in shown for name in NAMES)


def test_staff_codes_are_pseudonyms_stable_across_exports(app, planted, tmp_path):
    assert all(CODE.fullmatch(code) for code in planted.values()) and len(set(planted.values())) == 3
    first = _responses(_export(app, tmp_path, "csv"), "csv", tmp_path)
    again = _responses(_export(app, tmp_path, "csv", content="scores"), "csv", tmp_path)
    for column in ("interviewer", "keyer", "second_keyer"):
        assert first[column].tolist() == again[column].tolist()
    # No name or email in any file of the download (data, codebook, provenance).
    with zipfile.ZipFile(_export(app, tmp_path, "csv")) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert planted["ivy"] in text and not any(name in text for name in NAMES)


def test_partial_responses_are_exported_only_on_request_and_the_analysis_drops_them(app, planted, tmp_path):
    default = _responses(_export(app, tmp_path, "csv", include_partial=False), "csv", tmp_path)
    assert "partial0000000000000000000000aaa" not in set(default["response_id"])
    assert set(default["status"]) == {"complete"} and len(default) == 3
    with_partial = _export(app, tmp_path, "csv")
    dataset = read_dataset(with_partial)
    assert dataset.partial_dropped == 1
    assert sorted(dataset.responses["response_id"]) == sorted(default["response_id"])
    assert read_dataset(_export(app, tmp_path, "csv", include_partial=False)).partial_dropped == 0


def test_flask_export_names_its_file_and_includes_partial_only_when_asked(app, planted, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    plain = runner.invoke(args=["export", "--campaign", "dover-town", "--verified-only"])
    assert plain.exit_code == 0, plain.output
    named = tmp_path / f"survey-dover-town-csv-verified-{today}.zip"
    assert len(_responses(named, "csv", tmp_path)) == 3
    partial = runner.invoke(args=["export", "--format", "sav", "--content", "scores", "--include-partial"])
    assert partial.exit_code == 0, partial.output
    frame = _responses(tmp_path / f"survey-all-sav-scores-with-partial-{today}.zip", "sav", tmp_path)
    assert sorted(frame["status"]) == ["complete", "complete", "complete", "partial"]
    with app.app_context():
        logged = [row.filters for row in db.session.scalars(select(DataAccess).order_by(DataAccess.id))]
    assert [entry["include_partial"] for entry in logged] == [False, True]


def test_the_residents_flow_counts_pages_saved_and_marks_a_resumed_response(app, client, make_campaign):
    slug = make_campaign()
    resident = Resident(client, slug)
    resident.start()
    resident.post_page(1, valid_answers(resident.item_names(1)))
    resident.post_page(2, valid_answers(resident.item_names(2)), action="save")
    code = client.get(f"/s/{slug}/saved").get_data(as_text=True).split('class="resume-code">')[1].split("<")[0]
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert (stored.pages_saved, stored.resumed) == (2, False)
    other = app.test_client()
    form = other.get(f"/s/{slug}/resume").get_data(as_text=True)
    assert other.post(f"/s/{slug}/resume", data={"csrf_token": csrf_token(form), "code": code}).status_code == 303
    Resident(other, slug).post_page(2, valid_answers(resident.item_names(2)))
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert (stored.pages_saved, stored.resumed) == (3, True)
