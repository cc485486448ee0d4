"""Licences for copyright instruments (WEMWBS, SWEMWBS): what the duty is, what is recorded."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse
from wtforms.fields.choices import SelectChoice

import instruments
from survey.access import ADMIN, roles_required
from survey.blueprints import admin as bp
from survey.campaigns.forms import LicenceForm
from survey.campaigns.licences import add_licence, licence_recorded
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Licence


def _licensed_instruments() -> list[instruments.Instrument]:
    catalogue = instruments.catalogue()
    return [catalogue[key] for key in sorted(catalogue) if catalogue[key].licence.registration_required]


def _render(form: LicenceForm, status: int = 200) -> tuple[str, int]:
    needing = _licensed_instruments()
    licences = db.session.scalars(select(Licence).order_by(Licence.recorded_at.desc(), Licence.id.desc())).all()
    html = render_template(
        "admin/licences.html",
        form=form,
        instruments=needing,
        recorded={instrument.key: licence_recorded(instrument.key) for instrument in needing},
        titles={key: instrument.title for key, instrument in instruments.catalogue().items()},
        licences=licences,
    )
    return html, status


def _form() -> LicenceForm:
    form = LicenceForm()
    choices = [SelectChoice(value=i.key, label=i.title) for i in _licensed_instruments()]
    form.instrument_key.choices = [SelectChoice(value="", label="Choose…"), *choices]
    return form


@bp.get("/licences")
@roles_required(*ADMIN)
def licences() -> tuple[str, int]:
    return _render(_form())


@bp.post("/licences")
@roles_required(*ADMIN)
def add_licence_record() -> HTTPResponse | tuple[str, int]:
    form = _form()
    if not form.validate():
        return _render(form, 422)
    try:
        recorded_by = current_user._get_current_object()
        licence = add_licence(form.instrument_key.data, form.holder.data, form.reference.data, recorded_by=recorded_by)
    except ServiceError as error:
        db.session.rollback()
        form.instrument_key.errors = [error.message]
        return _render(form, 422)
    db.session.commit()
    flash(f"Recorded the licence for {licence.instrument_key} held by {licence.holder}.")
    return redirect(url_for(".licences"), code=303)
