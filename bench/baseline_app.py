"""The floor for the load benchmark: a minimal Flask app shaped like the survey.

    gunicorn 'bench.baseline_app:create_app()'   # BASELINE_DB=/path/to/file.db

The same journey as the real Dover Town campaign, page for page and question for question, so the
same client drives both: consent, start, ONS4 (four 0-10 questions), WEMWBS (14), six ways (12), the
asset questions (for each of seven assets "Do you go to ...?", how often, how much it matters, and a
free-text nominations box), demographics (three choices, two text boxes), "Check your answers"
(reading back what was stored), submit, thank-you. Its pages are named templates, compiled once
as a Flask app's template files are. The same signed session cookie; each POST parses
its form, checks the page's questions were answered and inserts one row with plain sqlite3 in WAL
mode. Everything the real app adds on top (CSRF, validation from instrument data, SQLAlchemy,
audit, scoring) is what the ratio measures.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass

from flask import Flask, abort, redirect, render_template, request, session
from jinja2 import DictLoader
from werkzeug.wrappers import Response as WerkzeugResponse


@dataclass(frozen=True)
class Question:
    name: str
    options: tuple[str, ...] = ()  # radio values; none = a text box
    required: bool = True


def _choice(name: str, low: int, high: int) -> Question:
    return Question(name, tuple(str(code) for code in range(low, high + 1)))


ASSETS = (
    "dover_street_warden",
    "connaught_park",
    "dover_library",
    "dover_foodbank",
    "dover_mens_shed",
    "dover_seafront",
    "dover_health_walks",
)
# As the demo campaign asks them (survey/demo/catalogue.py): item keys, option counts, text boxes.
PAGES: tuple[tuple[Question, ...], ...] = (
    tuple(_choice(name, 0, 10) for name in ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious")),
    tuple(_choice(f"wemwbs_{number}", 1, 5) for number in range(1, 15)),
    tuple(
        _choice(f"sixways_{way}_{number}", 1, 5)
        for way in ("connect", "be_active", "keep_learning", "take_notice", "give", "care")
        for number in (1, 2)
    ),
    (
        *(
            question
            for asset in ASSETS
            for question in (
                _choice(f"asset_{asset}-uses", 0, 1),
                Question(f"asset_{asset}", ("1", "2", "3", "4"), required=False),  # asked after "yes"
                _choice(f"asset_{asset}_value", 1, 5),
            )
        ),
        Question("asset_nominations", required=False),
    ),
    (
        _choice("age_band", 1, 8),
        _choice("gender", 1, 4),
        _choice("employment", 1, 10),
        Question("years_in_area", required=False),
        Question("postcode_district", required=False),
    ),
)

PAGE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body><main>
<h1>{{ title }}</h1>
<form method="post" action="{{ action }}">
{% if consent %}<input type="hidden" name="start_token" value="{{ token }}">
<input type="checkbox" id="consent" name="consent" value="y">
<label for="consent">I agree to take part</label>{% endif %}
{% for question in questions %}<fieldset><legend>{{ question.name }}</legend>
{% for option in question.options %}<input type="radio" id="{{ question.name }}-{{ option }}"
 name="{{ question.name }}" value="{{ option }}"><label for="{{ question.name }}-{{ option }}">{{ option }}</label>
{% else %}<label for="{{ question.name }}">{{ question.name }}</label>
<input type="text" id="{{ question.name }}" name="{{ question.name }}">
{% endfor %}</fieldset>
{% endfor %}<button type="submit" name="action" value="next">Continue</button>
</form></main></body></html>"""
CHECK = """<!doctype html><html lang="en"><head><title>Check your answers</title></head><body><main>
<h1>Check your answers</h1><dl>{% for name, value in answers %}<dt>{{ name }}</dt><dd>{{ value }}</dd>
{% endfor %}</dl><form method="post" action=""><button type="submit">Submit</button></form></main></body></html>"""
THANKS = "<!doctype html><html lang='en'><head><title>Thanks</title></head><body><main><h1>Thank you</h1></main></body>"


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=15, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


def create_app() -> Flask:
    """The baseline app on the SQLite file named by BASELINE_DB (created if missing)."""
    path = os.environ["BASELINE_DB"]
    app = Flask(__name__)
    app.secret_key = os.environ.get("SECRET_KEY", "baseline")
    # Named templates, compiled once and cached as a Flask app's template files are:
    # render_template_string compiled its source again on every request, about half of this
    # app's CPU per survey, which made the floor artificially slow.
    app.jinja_loader = DictLoader({"page.html": PAGE, "check.html": CHECK})
    with _connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS page_answer "
            "(id INTEGER PRIMARY KEY, response TEXT NOT NULL, page INTEGER NOT NULL, answers TEXT NOT NULL)"
        )

    def insert(response: str, page: int, answers: dict[str, str]) -> None:
        connection = _connect(path)
        try:
            connection.execute(
                "INSERT INTO page_answer (response, page, answers) VALUES (?, ?, ?)",
                (response, page, json.dumps(answers)),
            )
        finally:
            connection.close()

    @app.get("/s/<slug>")
    def consent(slug: str) -> str:
        return render_template(
            "page.html",
            title="Consent",
            action=f"/s/{slug}/start",
            token=secrets.token_urlsafe(24),
            consent=True,
            questions=(),
        )

    @app.post("/s/<slug>/start")
    def start(slug: str) -> WerkzeugResponse:
        if request.form.get("consent") != "y":
            abort(422)
        public_id = secrets.token_hex(16)
        insert(public_id, 0, dict(request.form))
        session["responses"] = {slug: public_id}
        return redirect(f"/s/{slug}/page/1", code=303)

    @app.route("/s/<slug>/page/<int:number>", methods=["GET", "POST"])
    def page(slug: str, number: int) -> WerkzeugResponse | str:
        public_id = session.get("responses", {}).get(slug)
        if public_id is None or not 1 <= number <= len(PAGES):
            abort(404)
        questions = PAGES[number - 1]
        if request.method == "GET":
            return render_template(
                "page.html", title=f"Page {number}", action="", token=None, consent=False, questions=questions
            )
        answers = {question.name: request.form.get(question.name, "") for question in questions}
        for question in questions:
            value = answers[question.name]
            if (question.required and not value) or (value and question.options and value not in question.options):
                abort(422)
        insert(public_id, number, answers)
        target = f"/s/{slug}/page/{number + 1}" if number < len(PAGES) else f"/s/{slug}/check"
        return redirect(target, code=303)

    @app.route("/s/<slug>/check", methods=["GET", "POST"])
    def check(slug: str) -> WerkzeugResponse | str:
        public_id = session.get("responses", {}).get(slug)
        if public_id is None:
            abort(404)
        if request.method == "GET":
            connection = _connect(path)
            try:
                rows = connection.execute(
                    "SELECT answers FROM page_answer WHERE response = ? AND page > 0 ORDER BY page", (public_id,)
                ).fetchall()
            finally:
                connection.close()
            answers = [item for (text,) in rows for item in json.loads(text).items()]
            return render_template("check.html", answers=answers)
        insert(public_id, len(PAGES) + 1, {"status": "complete"})
        session["responses"] = {}
        session["submitted"] = {slug: {"id": public_id}}  # as the real app keeps it until the thank-you page
        return redirect(f"/s/{slug}/done", code=303)

    @app.get("/s/<slug>/done")
    def done(slug: str) -> str:
        return THANKS

    return app
