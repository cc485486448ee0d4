from __future__ import annotations

from datetime import date

from flask import current_app, render_template

from survey.blueprints import pages as bp
from survey.campaigns.operations import open_public_campaigns
from survey.localtime import local_today

# The accessibility statement's dates (the regulations ask when it was prepared, last reviewed and
# the site last tested). Update them whenever the statement is reviewed or the site re-tested.
STATEMENT_PREPARED = date(2026, 12, 4)
STATEMENT_REVIEWED = date(2026, 12, 4)
SITE_TESTED = date(2026, 12, 4)


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html", campaigns=open_public_campaigns(local_today()))


@bp.get("/accessibility")
def accessibility() -> str:
    config = current_app.config
    return render_template(
        "pages/accessibility.html",
        contact=config["ACCESSIBILITY_CONTACT"] or config["PRIVACY_CONTACT"],
        prepared=STATEMENT_PREPARED,
        reviewed=STATEMENT_REVIEWED,
        tested=SITE_TESTED,
    )


@bp.get("/privacy")
def privacy() -> str:
    return render_template("pages/privacy.html")
