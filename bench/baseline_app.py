"""The floor for the load benchmark: a minimal Flask app shaped like the survey.

    gunicorn 'bench.baseline_app:create_app()'   # BASELINE_DB=/path/to/file.db

Same pages per survey as the real demo campaign (consent, start, four
questionnaire pages, thank-you), the same kind of forms (so the same client
drives both), the same signed session cookie, and each POST parses its form and
inserts one row with plain sqlite3 in WAL mode. Everything the real app adds on
top (CSRF, validation from instrument data, SQLAlchemy, audit, scoring) is what
the ratio measures.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3

from flask import Flask, abort, redirect, render_template_string, request, session
from werkzeug.wrappers import Response as WerkzeugResponse

# Radio questions per page, as on the demo campaign: WEMWBS, six ways, seven assets x 2, demographics.
PAGE_QUESTIONS = (14, 12, 14, 3)
OPTIONS = (1, 2, 3, 4, 5)

PAGE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body><main>
<h1>{{ title }}</h1>
<form method="post" action="{{ action }}">
{% if consent %}<input type="hidden" name="start_token" value="{{ token }}">
<input type="checkbox" id="consent" name="consent" value="y">
<label for="consent">I agree to take part</label>{% endif %}
{% for question in range(questions) %}<fieldset><legend>Question {{ question + 1 }}</legend>
{% for option in options %}<input type="radio" id="q{{ question }}-{{ option }}" name="q{{ question }}"
 value="{{ option }}"><label for="q{{ question }}-{{ option }}">{{ option }}</label>
{% endfor %}</fieldset>
{% endfor %}<button type="submit" name="action" value="next">Continue</button>
</form></main></body></html>"""
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
        return render_template_string(
            PAGE,
            title="Consent",
            action=f"/s/{slug}/start",
            token=secrets.token_urlsafe(24),
            consent=True,
            questions=0,
            options=OPTIONS,
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
        if public_id is None or not 1 <= number <= len(PAGE_QUESTIONS):
            abort(404)
        if request.method == "GET":
            return render_template_string(
                PAGE,
                title=f"Page {number}",
                action="",
                token=None,
                consent=False,
                questions=PAGE_QUESTIONS[number - 1],
                options=OPTIONS,
            )
        answers = {key: value for key, value in request.form.items() if key.startswith("q")}
        if len(answers) != PAGE_QUESTIONS[number - 1]:
            abort(422)
        insert(public_id, number, answers)
        target = f"/s/{slug}/page/{number + 1}" if number < len(PAGE_QUESTIONS) else f"/s/{slug}/done"
        return redirect(target, code=303)

    @app.get("/s/<slug>/done")
    def done(slug: str) -> str:
        return THANKS

    return app
