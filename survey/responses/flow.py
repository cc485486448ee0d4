"""One questionnaire page: show it, validate it, save it, move on. Shared by the residents'
online survey and staff interview mode, which differ only in where the links go.

Pages are not instruments one to one: the asset questions take two pages (`survey_pages`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import abort, current_app, flash, render_template, request, session
from werkzeug.wrappers import Response as HTTPResponse

from instruments import Instrument
from survey.extensions import db
from survey.models import Campaign, Response
from survey.responses.headings import page_heading
from survey.responses.messages import required_message
from survey.responses.operations import (
    DECLINED,
    Value,
    count_saved_page,
    issue_resume_code,
    lock_loaded,
    save_section,
    stored_values,
    submit_response,
)
from survey.responses.pages import SurveyPage, first_incomplete_page, missing_followups, page_count, survey_pages
from survey.responses.resident_forms import DECLINED_VALUE, section_form, section_values
from survey.web.http import see_other_url

MISSING_MESSAGE = "Some questions still need an answer before you can submit."
OTHER_RESPONSE_MESSAGE = (
    "This page was opened for another survey than the one this browser is filling in now (one was "
    "started or resumed since, perhaps in another tab or window), so your answers were not saved. "
    "Check them and press the button again to save them in the survey open now."
)
FOLLOWUP_MESSAGE = "Thank you. Now tell us how often you go to, use or see each one you said yes to."


@dataclass(frozen=True)
class PageLinks:
    page: Callable[[int], str]  # URL of page n
    before_first: str  # where "Back" on page 1 goes
    done: str
    saved: str | None = None  # None: no "save and finish later" (interviews are finished in one go)
    check: str | None = None  # "Check your answers" before submitting; None: the last page submits
    template: str = "residents/section.html"


def carry_on_page(sections: Sequence[Instrument], response: Response) -> int:
    """Where a resident carries on: the page they last saved, or the first page still missing a
    required answer if that comes earlier (1-based)."""
    values = stored_values(response)
    pages = survey_pages(sections, values)
    target = min(max(response.last_page or 1, 1), len(pages))
    missing = first_incomplete_page(pages, values)
    return target if missing is None else min(target, missing + 1)


def section_page(
    campaign: Campaign, sections: Sequence[Instrument], response: Response, number: int, links: PageLinks
) -> HTTPResponse | tuple[str, int]:
    if response.status == "complete":
        return see_other_url(links.done)
    total = page_count(sections)
    if not 1 <= number <= total:
        abort(404)
    # The page's questions; which assets it shows as used depends on the stored answers (`render`).
    page = survey_pages(sections, {})[number - 1]
    check_url = links.check if request.args.get("change") == "1" else None  # changing an answer from there
    changing = check_url is not None
    action_url = links.page(number) + ("?change=1" if changing else "")
    if check_url is not None:
        back_url = check_url
    else:
        back_url = links.page(number - 1) if number > 1 else links.before_first

    def render(form: object, status: int, values: Mapping[str, Value]) -> tuple[str, int]:
        shown = survey_pages(sections, values)[number - 1]
        html = render_template(
            links.template,
            campaign=campaign,
            response=response,
            section=shown.section,
            page=shown,
            heading=page_heading(shown, campaign),
            form=form,
            number=number,
            total=total,
            is_last=number == total and links.check is None,
            can_save=links.saved is not None,
            action_url=action_url,
            back_url=back_url,
            declined=DECLINED,
            declined_value=DECLINED_VALUE,
        )
        return html, status

    if request.method == "GET":
        values = stored_values(response)
        return render(section_form(page.form, enforce_required=False, data=values), 200, values)
    if not posted_for(response):
        # Saved here, one survey's answers would land in another's: shown again as typed, now for this one.
        flash(OTHER_RESPONSE_MESSAGE)
        return render(section_form(page.form, enforce_required=False), 409, stored_values(response))

    actions = ("next", "back", "save") if links.saved else ("next", "back")
    action = request.form.get("action", "next")
    if action not in actions:
        abort(400)
    form = section_form(page.form, enforce_required=action == "next")
    valid = form.validate()
    answers = section_values(form, page.form)
    ask_followups = False
    if page.kind == "assets" and action == "next":
        unshown = _followups_not_shown(page, form, answers)
        ask_followups = bool(unshown)
        for item in missing_followups(page, answers):
            if item.key not in unshown:
                form[item.key].errors = [*form[item.key].errors, required_message(item)]
                valid = False
    if not valid:
        return render(form, 422, stored_values(response))

    locked = lock_loaded(response)
    if locked is None or locked.status == "complete":
        # A second click of "Submit" arrives after the first has completed the response.
        return see_other_url(links.done)
    save_section(locked, page.form, answers)
    count_saved_page(locked)
    if ask_followups:
        # Without JavaScript the "how often" questions appear once "Yes" is saved: the same page again.
        locked.last_page = number
        db.session.commit()
        flash(FOLLOWUP_MESSAGE)
        return see_other_url(action_url)
    if action == "back":
        locked.last_page = max(number - 1, 1)
        db.session.commit()
        return see_other_url(back_url)
    if action == "save" and links.saved:
        locked.last_page = number
        code, expires_at = issue_resume_code(locked, current_app.config["RESUME_CODE_DAYS"])
        db.session.commit()
        session["resume_code"] = {"code": code, "expires_at": expires_at.isoformat(), "page": number}
        return see_other_url(links.saved)
    if changing and links.check:
        # Back to "Check your answers", unless the change opened questions still to answer
        # (a "No" turned into "Yes" asks how often on the next page).
        values = stored_values(locked)
        missing = first_incomplete_page(survey_pages(sections, values), values)
        locked.last_page = number
        db.session.commit()
        if missing is not None and missing + 1 > number:
            return see_other_url(links.page(missing + 1) + "?change=1")
        return see_other_url(links.check)
    if number < total:
        locked.last_page = number + 1
        db.session.commit()
        return see_other_url(links.page(number + 1))
    locked.last_page = number
    if links.check:
        db.session.commit()
        return see_other_url(links.check)
    return submit_page(sections, locked, links)


def posted_for(response: Response) -> bool:
    """Whether a posted page or "Check your answers" was drawn for `response`: the page names its
    response, and the browser's cookie (which one tab's Start or resume code changes for every tab)
    names the one it is filling in now. A request that names none (a script's) is taken as for it."""
    return request.form.get("response", response.public_id) == response.public_id


def _followups_not_shown(page: SurveyPage, form: object, answers: dict[str, object]) -> set[str]:
    """Follow-ups after a "Yes" that this resident could not see: the page was drawn without them
    and no script revealed them (survey.js posts js=1 when it does)."""
    if request.form.get("js") == "1":
        return set()
    shown = set(request.form.getlist("shown"))
    return {item.key for item in missing_followups(page, answers) if item.key not in shown}


def submit_page(sections: Sequence[Instrument], locked: Response, links: PageLinks) -> HTTPResponse:
    """Submit a locked response: on to `links.done`, or back to the first page still missing an answer."""
    if not submit_response(locked, sections):
        return missing_answers(sections, locked, links)
    db.session.commit()
    return see_other_url(links.done)


def missing_answers(sections: Sequence[Instrument], locked: Response, links: PageLinks) -> HTTPResponse:
    """Submitting found required answers missing: keep what was saved, and go to the first page missing one."""
    db.session.commit()  # keep this page's answers
    values = stored_values(locked)
    missing = first_incomplete_page(survey_pages(sections, values), values)
    flash(MISSING_MESSAGE)
    return see_other_url(links.page((missing or 0) + 1))
