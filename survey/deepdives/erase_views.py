"""Erasing a participant's deep dives (`/research/deep-dives/erase`), for researchers and admins.

Two steps, as the participant's request deserves: the code (and optionally the community) first,
then a page saying how many deep dives, excerpts and codes will go, whose button erases them.
The same operation as `flask deep-dives erase`.
"""

from __future__ import annotations

from flask import flash, render_template
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.blueprints import research as bp
from survey.deepdives.forms import ConfirmEraseForm, EraseForm
from survey.deepdives.operations import erase_participant, erasure_preview, normalise_code, visible_communities
from survey.deepdives.quoted_results import released_note
from survey.extensions import db
from survey.models import Community
from survey.ops.maintenance import remove_files
from survey.web.http import see_other


def _erase_form(**kwargs: object) -> EraseForm:
    form = EraseForm(**kwargs)
    form.community.choices = [("", "Every community"), *((c.slug, c.name) for c in visible_communities(current_user))]
    return form


def _community(slug: str | None) -> Community | None:
    return next((c for c in visible_communities(current_user) if slug and c.slug == slug), None)


@bp.route("/deep-dives/erase", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def erase_deep_dives() -> tuple[str, int]:
    """Step one: whose deep dives. A valid POST shows what would be erased, changing nothing."""
    form = _erase_form()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("deepdives/erase.html", form=form), status
    code = normalise_code(form.participant_code.data)
    community = _community(form.community.data)
    preview = erasure_preview(code, community)
    confirm = ConfirmEraseForm(formdata=None, participant_code=code, community=community.slug if community else "")
    page = render_template(
        "deepdives/erase_confirm.html", code=code, community=community, preview=preview, confirm=confirm
    )
    return page, 200


@bp.post("/deep-dives/erase/confirm")
@roles_required(*RESEARCH)
def confirm_erase_deep_dives() -> HTTPResponse | tuple[str, int]:
    """Step two: erase them, audited without the code or the words."""
    confirm = ConfirmEraseForm()
    community = _community(confirm.community.data)
    if not confirm.validate_on_submit() or (confirm.community.data and community is None):
        form = _erase_form(formdata=None)
        form.form_errors.append("Nothing was erased: enter the participant code again.")
        return render_template("deepdives/erase.html", form=form), 422
    code = normalise_code(confirm.participant_code.data)
    erased = erase_participant(code, community)
    db.session.commit()
    remove_files(erased.released_files)
    if erased.deep_dives:
        flash(
            f"Erased {erased.deep_dives} deep dive{'s' if erased.deep_dives != 1 else ''} of {code}, with "
            f"{erased.excerpts} excerpts and {erased.codes} codes." + released_note(len(erased.released_files))
        )
    else:
        flash(f"No deep dives of {code} were left to erase.")
    return see_other(".deep_dives")
