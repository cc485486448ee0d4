"""A room of participants rating at once, through gunicorn with several workers, on SQLite and PostgreSQL.

Each participant joins on their own phone (a session of their own), rates every asset, changes one
rating and sends one form twice; then the workshop closes and a late rating is refused. The staff
export (`flask workshop export`) must then hold exactly what each participant last saved: one row
per participant and asset, each participant's rows under one number, numbers 1..N without gaps.
"""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from survey import create_app
from survey.extensions import db
from survey.models import Community
from survey.workshops.codes import display_code
from survey.workshops.operations import open_workshop
from tests.helpers import csrf_token
from tests.test_gunicorn_concurrency import SECRET_KEY, Gunicorn, gunicorn, served_database  # noqa: F401
from tests.workshop_support import JOIN_TOKEN

pytestmark = pytest.mark.slow  # a room through gunicorn: about half a minute each

PARTICIPANTS = 24
THREADS = 8


def _open(url: str) -> tuple[str, list[str]]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    with app.app_context():
        community = db.session.scalars(select(Community).filter_by(slug="dover-town")).one()
        workshop = open_workshop(community, "Room test", date(2026, 3, 14))
        db.session.commit()
        code, slugs = display_code(workshop.code), [link.asset.slug for link in workshop.assets]
        db.session.remove()
        db.engine.dispose()
    return code, slugs


def _expected(index: int, slug: str, position: int) -> tuple[str, str, str]:
    social, economic = (index + position) % 5 + 1, (index * 3 + position) % 5 + 1
    # One participant's comments start like a formula: the export must defuse them, not drop them.
    comment = f"{'=' if index == 0 else ''}p{index} on {slug}: café"
    return str(social), str(economic), comment


def _participant(base: str, code: str, slugs: list[str], index: int) -> dict[str, tuple[str, str, str]]:
    """Join, rate every asset, change the first rating, send one form twice; return what was saved last."""
    phone = requests.Session()
    page = phone.get(f"{base}/w/{code}", timeout=60)
    assert page.status_code == 200, page.status_code
    token = JOIN_TOKEN.search(page.text)
    assert token, "no join form"
    joined = phone.post(
        f"{base}/w/{code}/join",
        data={"csrf_token": csrf_token(page.text), "join_token": token.group(1)},
        allow_redirects=False,
        timeout=60,
    )
    assert joined.status_code == 303, joined.status_code
    saved = {}

    def rate(slug: str, values: tuple[str, str, str], times: int = 1) -> None:
        form = phone.get(f"{base}/w/{code}/assets/{slug}", timeout=60)
        assert form.status_code == 200, form.status_code
        data = {"csrf_token": csrf_token(form.text), "social_impact": values[0], "economic_impact": values[1]}
        for _ in range(times):
            answer = phone.post(
                f"{base}/w/{code}/assets/{slug}", data={**data, "comment": values[2]}, allow_redirects=False, timeout=60
            )
            assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        saved[slug] = values

    for position, slug in enumerate(slugs):
        rate(slug, _expected(index, slug, position), times=2 if position == 1 else 1)
    social, economic, comment = _expected(index, slugs[0], 0)
    rate(slugs[0], (economic, social, comment + " (changed)"))  # rating twice: the second counts
    return saved


def _export(url: str, code: str, tmp_path: Path) -> list[dict[str, str]]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    out = tmp_path / "ratings.csv"
    for command in (["workshop", "close", code], ["workshop", "export", code, "--out", str(out)]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def test_a_room_rating_at_once_is_exported_exactly(
    gunicorn: Gunicorn,  # noqa: F811
    served_database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    code, slugs = _open(served_database)
    with gunicorn.log_on_failure(), ThreadPoolExecutor(THREADS) as pool:
        saved = list(pool.map(lambda index: _participant(gunicorn.url, code, slugs, index), range(PARTICIPANTS)))
    rows = _export(served_database, code, tmp_path)

    late = requests.get(f"{gunicorn.url}/w/{code}", timeout=60)
    assert late.status_code == 410  # closed: the code answers "This workshop has closed"

    assert len(rows) == PARTICIPANTS * len(slugs)
    by_number: dict[str, dict[str, tuple[str, str, str]]] = {}
    for row in rows:
        assert row["workshop"] == code
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["rated_at"])
        comment = row["comment"][1:] if row["comment"].startswith("'=") else row["comment"]
        by_number.setdefault(row["participant"], {})[row["asset"]] = (
            row["social_impact"],
            row["economic_impact"],
            comment,
        )
    assert sorted(by_number, key=int) == [str(n) for n in range(1, PARTICIPANTS + 1)]

    # Whichever number each phone got, its rows are exactly what it saved last.
    def rooms(phones: list[dict[str, tuple[str, str, str]]]) -> list[list[tuple[str, tuple[str, str, str]]]]:
        return sorted(sorted(phone.items()) for phone in phones)

    assert rooms(list(by_number.values())) == rooms(saved)
    formula_rows = [row["comment"] for row in rows if row["comment"].lstrip("'").startswith("=")]
    assert len(formula_rows) == len(slugs) and all(text.startswith("'=") for text in formula_rows)
