"""Helpers for the workshop tests (this module holds no tests itself)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey.extensions import db
from survey.models import Workshop, WorkshopRating
from survey.workshops.codes import display_code
from tests.helpers import csrf_token
from tests.test_research_support import submit

JOIN_TOKEN = re.compile(r'name="join_token" type="hidden" value="([^"]+)"')


def open_via_web(client: FlaskClient, community: str = "dover-town", **fields: Any) -> str:
    """Open a workshop through the staff form (every current asset); returns its code as shown."""
    url = f"/research/workshops/new?community={community}"
    data = {"title": "Dover Town impact workshop", "held_on-day": "14", "held_on-month": "3", "held_on-year": "2026"}
    answer = submit(client, url, {**data, **fields})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    return latest_code(client.application)


def latest_code(app: Flask) -> str:
    with app.app_context():
        workshop = db.session.scalars(select(Workshop).order_by(Workshop.id.desc())).first()
        assert workshop is not None
        return display_code(workshop.code)


def workshop_id(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Workshop.id).where(Workshop.code == code.replace("-", ""))).one()


def join(client: FlaskClient, code: str, group: str | None = None) -> TestResponse:
    page = client.get(f"/w/{code}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    match = JOIN_TOKEN.search(html)
    assert match, "no join form"
    data = {"csrf_token": csrf_token(html), "join_token": match.group(1)}
    if group:
        data["participant_group"] = group
    answer = client.post(f"/w/{code}/join", data=data)
    assert answer.status_code == 303, answer.status_code
    return answer


def rate(client: FlaskClient, code: str, slug: str, social: Any, economic: Any, comment: str = "") -> TestResponse:
    url = f"/w/{code}/assets/{slug}"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "comment": comment}
    if social is not None:
        data["social_impact"] = str(social)
    if economic is not None:
        data["economic_impact"] = str(economic)
    return client.post(url, data=data)


def ratings(app: Flask) -> list[tuple[int, str, int, int, str]]:
    """(participant number, asset slug, social, economic, comment) of every stored rating."""
    with app.app_context():
        rows = db.session.scalars(select(WorkshopRating).order_by(WorkshopRating.id)).all()
        return [(r.participant.number, r.asset.slug, r.social_impact, r.economic_impact, r.comment) for r in rows]
