"""Template filters and globals."""

from __future__ import annotations

from flask import Flask

from survey.localtime import local_date, local_time, long_date
from survey.web.radio_markup import radio_question


def register(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(long_date, "long_date")
    app.add_template_global(radio_question, "radio_question")

    @app.context_processor
    def _site() -> dict[str, str]:
        return {
            "organisation_name": app.config["ORGANISATION_NAME"],
            "privacy_contact": app.config["PRIVACY_CONTACT"],
        }
