"""One questionnaire page: show it, validate it, save it, move on. Shared by the residents'
online survey and staff interview mode, which differ only in where the links go."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, session
from werkzeug.wrappers import Response as HTTPResponse

from instruments import Instrument

from ..extensions import db
from ..models import Campaign, Response
from ..services.responses import (
    first_incomplete_section,
    issue_resume_code,
    lock_response,
    save_section,
    stored_values,
    submit_response,
)
from .forms import section_form, section_values


@dataclass(frozen=True)
class PageLinks:
    page: Callable[[int], str]  # URL of page n
    before_first: str  # where "Back" on page 1 goes
    done: str
    saved: str | None = None  # None: no "save and finish later" (interviews are finished in one go)
    template: str = "residents/section.html"


def _see_other(url: str) -> HTTPResponse:
    return redirect(url, code=303)


def section_page(
    campaign: Campaign, sections: Sequence[Instrument], response: Response, number: int, links: PageLinks
) -> HTTPResponse | tuple[str, int]:
    if not 1 <= number <= len(sections):
        abort(404)
    section = sections[number - 1]
    if response.status == "complete":
        return _see_other(links.done)

    def render(form: object, status: int) -> tuple[str, int]:
        html = render_template(
            links.template,
            campaign=campaign,
            response=response,
            section=section,
            form=form,
            number=number,
            total=len(sections),
            is_last=number == len(sections),
            can_save=links.saved is not None,
            action_url=links.page(number),
        )
        return html, status

    if request.method == "GET":
        return render(section_form(section, enforce_required=False, data=stored_values(response)), 200)

    actions = ("next", "back", "save") if links.saved else ("next", "back")
    action = request.form.get("action", "next")
    if action not in actions:
        abort(400)
    form = section_form(section, enforce_required=action == "next")
    if not form.validate():
        return render(form, 422)

    locked = lock_response(response.public_id, campaign)
    if locked is None or locked.status == "complete":
        # A second click of "Submit" arrives after the first has completed the response.
        return _see_other(links.done)
    save_section(locked, section, section_values(form, section))
    if action == "back":
        db.session.commit()
        return _see_other(links.page(number - 1) if number > 1 else links.before_first)
    if action == "save" and links.saved:
        code, expires_at = issue_resume_code(locked, current_app.config["RESUME_CODE_DAYS"])
        db.session.commit()
        session["resume_code"] = {"code": code, "expires_at": expires_at.isoformat(), "page": number}
        return _see_other(links.saved)
    if number < len(sections):
        db.session.commit()
        return _see_other(links.page(number + 1))
    if not submit_response(locked, sections):
        db.session.commit()  # keep this page's answers
        missing = first_incomplete_section(sections, stored_values(locked))
        flash("Some questions still need an answer before you can submit.")
        return _see_other(links.page((missing or 0) + 1))
    db.session.commit()
    return _see_other(links.done)
