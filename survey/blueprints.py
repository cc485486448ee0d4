"""The URL spaces, one blueprint per audience, and what holds for a whole audience.

Blueprints are made here, below every domain package, so that a domain's views attach themselves
to the audience they serve (a campaign's research pages and its residents' pages live in
different URL spaces but one package) without a domain importing another or an audience package
importing its domains. `survey.VIEW_MODULES` lists the modules that add routes; the factory
imports them and registers these blueprints.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from survey.extensions import csrf, limiter

# Residents' online survey.
residents = Blueprint("residents", __name__, url_prefix="/s")
# Every POST of the survey shares one budget per address: generous enough for a room of residents
# on a community centre's wifi (one address), small enough to stop a script flooding responses.
limiter.shared_limit(lambda: current_app.config["PUBLIC_SUBMIT_LIMIT"], scope="residents-post", methods=["POST"])(
    residents
)

# Impact workshop participants (no account): join by the code the facilitator shows, rate assets.
workshops = Blueprint("workshops", __name__, url_prefix="/w")
# Their POSTs share a budget per address like the residents' survey: a room on one wifi fits.
limiter.shared_limit(lambda: current_app.config["PUBLIC_SUBMIT_LIMIT"], scope="workshops-post", methods=["POST"])(
    workshops
)

# Fieldwork for all staff: the campaigns they may work on, and interview mode.
fieldwork = Blueprint("fieldwork", __name__, url_prefix="/fieldwork")

# Research: campaigns and their dashboards, communities, asset logs, nominations, data and reports.
research = Blueprint("research", __name__, url_prefix="/research")

# Paper forms: numbered batches, keyboard data entry, double entry and its resolution.
paper = Blueprint("paper", __name__, url_prefix="/paper")

# Administration: staff accounts, contact details, the audit trail, the data access log, licences.
admin = Blueprint("admin", __name__, url_prefix="/admin")

# Staff sign-in, sign-out, password change, one-time reset links and API tokens.
auth = Blueprint("auth", __name__)

# The read-only JSON API (decisions in `survey.datasets.api`). The session cookie is never used
# there, so the blueprint is exempt from CSRF and cross-site requests carry no authority.
api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)

# Operations endpoints for load balancers and monitoring (no sign-in, no rate limit): a monitor
# polling every few seconds from one address must never be throttled.
ops = Blueprint("ops", __name__)
limiter.exempt(ops)

# Public pages that belong to no survey: home and the accessibility statement.
pages = Blueprint("pages", __name__)

ALL = (pages, residents, workshops, auth, fieldwork, paper, research, admin, ops, api)
