"""Paper forms: issuing numbered batches, keying returned forms (twice for a sample) and resolving
the items where two entries disagree.

The life of a form: issued -> returned -> keyed -> verified, or spoiled. The first entry
creates the response (mode "paper") from what was keyed; a form drawn for double entry then
needs a second, independent entry by someone else. Matching entries verify the response;
otherwise each disagreeing item becomes a Discrepancy for a researcher to resolve against the
paper, after which the response holds the resolved values and is verified.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from instruments import Instrument, Item
from survey.access import can_see_community
from survey.database import take_turns, utcnow
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.localtime import local_date
from survey.models import Answer, AssetUse, Campaign, Discrepancy, PaperBatch, PaperEntry, PaperForm, Response, User
from survey.paper.serials import campaign_prefix, format_serial, parse_serial
from survey.responses.operations import asset_item_fields, start_response

MAX_BATCH_SIZE = 500
# What enterers type for a missing answer (see survey/paper/keying.py): b = left blank,
# m = more than one box ticked. Reserved in every item, so a keyed code always reads back the same.
BLANK = "b"
MULTIPLE = "m"
REASON_FOR_CODE = {BLANK: "blank", MULTIPLE: "multiple"}
CODE_FOR_REASON = {reason: code for code, reason in REASON_FOR_CODE.items()}
REASON_LABELS = {"blank": "left blank", "multiple": "more than one box ticked"}
CHANGEABLE_STATUSES = ("issued", "returned", "spoiled")  # before keying; keyed forms stay as they are
_SERIAL_LOCK_KEY = 7_401_001  # the lock serialising serial number allocation


Value = int | str | None


@dataclass(frozen=True)
class Keyed:
    """One item as keyed from paper: a value, or None with the reason it is missing."""

    value: Value
    reason: str | None = None

    @property
    def code(self) -> str:
        """The entry in canonical typed form: ``3``, ``b``, ``m`` or the text."""
        if self.reason is not None:
            return CODE_FOR_REASON[self.reason]
        return "" if self.value is None else str(self.value)


def questionnaire_items(sections: Sequence[Instrument]) -> list[Item]:
    """Every item of a campaign's questionnaire, in the order printed on the form."""
    return [item for section in sections for item in section.items]


# Issuing ---------------------------------------------------------------------------------------


def allowed_recipients(campaign: Campaign, issuer: User) -> list[User]:
    """Who may receive a batch: active peers assigned to the campaign's community, and the issuer."""
    peers = db.session.scalars(
        select(User)
        .where(User.role == "peer", User.active.is_(True), User.communities.any(id=campaign.community_id))
        .order_by(User.name, User.email)
    ).all()
    return [issuer, *[peer for peer in peers if peer.id != issuer.id]]


def _next_serial_number() -> int:
    # Two researchers issuing at once must not be given the same numbers.
    take_turns(db.session, _SERIAL_LOCK_KEY)
    last = db.session.scalar(select(PaperForm.serial).order_by(PaperForm.id.desc()).limit(1))
    return 1 if last is None else int(last.split("-")[1]) + 1


class AlreadyIssued(ServiceError):
    """The issuing form's token was used already (a double-clicked Issue): `batch` is what it issued."""

    def __init__(self, batch: PaperBatch) -> None:
        super().__init__(f"These forms were issued already: batch {batch.id}.")
        self.batch = batch


def issue_batch(
    campaign: Campaign,
    issued_to: User,
    issued_by: User,
    size: int,
    *,
    rng: random.Random | None = None,
    render_pdf: bool = True,
    issue_token: str | None = None,
) -> PaperBatch:
    """Number `size` forms, draw the double-entry sample, and render the batch PDF once.

    With `render_pdf=False` the PDF is left queued for a background job (`services.paper_jobs`):
    the screens do that, so issuing a large batch never holds the browser while WeasyPrint works.
    An `issue_token` used before raises AlreadyIssued with that batch, checked in the same turn as
    the numbering, so two requests at once with one token number one batch.
    """
    if issue_token is not None:
        take_turns(db.session, _SERIAL_LOCK_KEY)
        earlier = db.session.scalar(select(PaperBatch).where(PaperBatch.issue_token == issue_token))
        if earlier is not None:
            raise AlreadyIssued(earlier)
    if campaign.status != "open":
        raise ServiceError("Forms can only be issued for an open campaign.")
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ServiceError(f"A batch holds from 1 to {MAX_BATCH_SIZE} forms.")
    if issued_to.id not in {user.id for user in allowed_recipients(campaign, issued_by)}:
        raise ServiceError(f"{issued_to.display_name} is not a peer researcher assigned to {campaign.community.name}.")
    draw = rng or secrets.SystemRandom()
    share = campaign.double_entry_percent / 100
    batch = PaperBatch(campaign=campaign, issued_to=issued_to, issued_by=issued_by, size=size, issue_token=issue_token)
    db.session.add(batch)
    first = _next_serial_number()
    prefix = campaign_prefix(campaign.slug)
    for number in range(first, first + size):
        # random() is in [0, 1): 100% samples every form and 0% none.
        batch.forms.append(
            PaperForm(campaign=campaign, serial=format_serial(prefix, number), needs_double_entry=draw.random() < share)
        )
    db.session.flush()
    if not render_pdf:
        from survey.paper.jobs import queue_pdf

        queue_pdf(batch)
        return batch
    from survey.paper.printing import batch_pdf  # the blueprint package imports this module

    batch.pdf = batch_pdf(batch)
    db.session.flush()
    return batch


def batch_status_counts(batch_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """{batch id: Counter of form statuses}."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    ids = list(batch_ids)
    if ids:
        rows = db.session.execute(
            select(PaperForm.batch_id, PaperForm.status, func.count())
            .where(PaperForm.batch_id.in_(ids))
            .group_by(PaperForm.batch_id, PaperForm.status)
        )
        for batch_id, status, count in rows:
            counts[batch_id][status] = count
    return counts


# Finding forms and tracking paper --------------------------------------------------------------


def find_form(typed_serial: str, user: User) -> PaperForm:
    """The form a typed serial names; SerialError for a mistyped serial, NotFoundError for an unknown one."""
    serial = parse_serial(typed_serial)  # refuses a failed check digit before any lookup
    form = db.session.scalar(select(PaperForm).where(PaperForm.serial.endswith(serial.suffix)))
    if (
        form is None
        or (serial.prefix and not form.serial.startswith(f"{serial.prefix}-"))
        or not can_see_community(user, form.campaign.community_id)
    ):
        # Another community's form answers exactly like one never issued.
        raise NotFoundError(f"No form with serial {typed_serial.strip().upper()} has been issued.")
    return form


def set_form_status(form: PaperForm, status: str) -> None:
    """Mark a form not yet keyed as returned or spoiled (or back to returned after a mistaken "spoiled")."""
    if status not in ("returned", "spoiled"):
        raise ServiceError("Choose returned or spoiled.")
    if form.status not in CHANGEABLE_STATUSES:
        raise ServiceError(f"Form {form.serial} has been keyed, so its status can no longer be changed.")
    form.status = status
    if status == "returned" and form.returned_at is None:
        form.returned_at = utcnow()
    db.session.flush()


# Keying ----------------------------------------------------------------------------------------


def _entries(form: PaperForm) -> list[PaperEntry]:
    return list(
        db.session.scalars(select(PaperEntry).where(PaperEntry.form_id == form.id).order_by(PaperEntry.entry_number))
    )


def _entered(entry: PaperEntry) -> str:
    return f"on {local_date(entry.entered_at)} by {entry.entered_by.display_name}"


def entry_refusal(form: PaperForm, user: User) -> str | None:
    """Why `user` may not key this form now, or None if they may."""
    if form.status == "spoiled":
        return (
            f"Form {form.serial} was marked spoiled, so it is not keyed. "
            "If it can be keyed after all, mark it returned first."
        )
    entries = _entries(form)
    if len(entries) >= 2:
        return f"Form {form.serial} has already been entered twice ({_entered(entries[0])}, {_entered(entries[1])})."
    if len(entries) == 1:
        first = entries[0]
        if not form.needs_double_entry:
            return f"Form {form.serial} was already entered {_entered(first)}."
        if first.entered_by_id == user.id:
            return (
                f"You made the first entry of form {form.serial} on {local_date(first.entered_at)}. "
                "The second entry must be made by someone else, so that keying mistakes are caught."
            )
    return None


def next_entry_number(form: PaperForm) -> int:
    return len(_entries(form)) + 1


def _lock(form: PaperForm) -> PaperForm:
    locked = db.session.scalar(
        select(PaperForm).where(PaperForm.id == form.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFoundError("That form no longer exists.")
    return locked


def record_entry(form: PaperForm, user: User, items: Mapping[str, Keyed], entry_number: int) -> PaperEntry:
    """Store one complete, valid keying of a form (`entry_number` is the one the enterer was shown)."""
    form = _lock(form)  # two people saving the same serial at once: the second sees the first's entry
    refusal = entry_refusal(form, user)
    if refusal:
        raise ServiceError(refusal)
    if next_entry_number(form) != entry_number:
        raise ServiceError(f"Form {form.serial} was entered by someone else while you were typing. Nothing was saved.")
    entry = PaperEntry(
        form=form,
        entry_number=entry_number,
        entered_by=user,
        values={key: keyed.value for key, keyed in items.items()},
        missing_reasons={key: keyed.reason for key, keyed in items.items() if keyed.reason is not None},
    )
    db.session.add(entry)
    if entry_number == 1:
        _create_response(form, user, items)
    else:
        _compare(form, _entries(form)[0], entry)
    db.session.flush()
    return entry


def _create_response(form: PaperForm, user: User, items: Mapping[str, Keyed]) -> None:
    now = utcnow()
    response = start_response(form.campaign, secrets.token_urlsafe(24), mode="paper", entered_by=user)
    response.status = "complete"
    response.submitted_at = now
    response.verified = not form.needs_double_entry
    store_keyed(response, items)
    form.response = response
    form.status = "keyed" if form.needs_double_entry else "verified"
    form.returned_at = form.returned_at or now  # a keyed form has evidently come back


def keyed_from(entry: PaperEntry, key: str) -> Keyed:
    """One item of a stored entry."""
    return Keyed(entry.values.get(key), entry.missing_reasons.get(key))


def _compare(form: PaperForm, first: PaperEntry, second: PaperEntry) -> None:
    keys = list(dict.fromkeys([*first.values, *second.values]))
    disagreements = [
        (key, keyed_from(first, key).code, keyed_from(second, key).code)
        for key in keys
        if keyed_from(first, key).code != keyed_from(second, key).code
    ]
    for key, first_code, second_code in disagreements:
        db.session.add(Discrepancy(form=form, item_key=key, first_value=first_code, second_value=second_code))
    if not disagreements:
        _verify(form)


def _verify(form: PaperForm) -> None:
    form.status = "verified"
    if form.response is not None:
        form.response.verified = True


def store_keyed(response: Response, items: Mapping[str, Keyed]) -> None:
    """Write keyed items into a response, updating rows in place so the audit trail shows each change.

    Asset answers go to AssetUse rows. A missing item becomes an Answer row with no value and its
    missing_reason, asset items included (AssetUse has no column for the reason).
    """
    asset_fields = asset_item_fields(response)
    answers = {a.item_key: a for a in db.session.scalars(select(Answer).where(Answer.response_id == response.id))}
    uses = {
        u.campaign_asset_id: u for u in db.session.scalars(select(AssetUse).where(AssetUse.response_id == response.id))
    }
    for key, keyed in items.items():
        if key in asset_fields:
            asset_id, field = asset_fields[key]
            use = uses.get(asset_id)
            if keyed.value is not None:
                if use is None:
                    use = uses[asset_id] = AssetUse(response_id=response.id, campaign_asset_id=asset_id)
                    db.session.add(use)
                setattr(use, field, keyed.value)
                if key in answers:
                    db.session.delete(answers.pop(key))
                continue
            if use is not None:
                setattr(use, field, None)
                if use.frequency is None and use.importance is None:
                    db.session.delete(uses.pop(asset_id))
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = Answer(response_id=response.id, item_key=key)
            db.session.add(answer)
        answer.value = keyed.value if isinstance(keyed.value, int) else None
        answer.text = keyed.value if isinstance(keyed.value, str) else None
        answer.missing_reason = keyed.reason
    response.updated_at = utcnow()


# Resolving -------------------------------------------------------------------------------------


def open_discrepancies(form: PaperForm) -> list[Discrepancy]:
    return list(
        db.session.scalars(
            select(Discrepancy)
            .where(Discrepancy.form_id == form.id, Discrepancy.resolved.is_(False))
            .order_by(Discrepancy.id)
        )
    )


def resolve_discrepancies(form: PaperForm, user: User, chosen: Mapping[int, Keyed]) -> None:
    """Settle every open discrepancy of a form with the value read off the paper, then verify it."""
    form = _lock(form)
    waiting = open_discrepancies(form)
    if not waiting:
        raise ServiceError(f"Form {form.serial} has no discrepancies left to resolve.")
    if {d.id for d in waiting} != set(chosen):
        raise ServiceError("Choose a value for every discrepancy; nothing was saved.")
    now = utcnow()
    for discrepancy in waiting:
        keyed = chosen[discrepancy.id]
        discrepancy.resolved_value = keyed.code
        discrepancy.resolved = True
        discrepancy.resolved_by = user
        discrepancy.resolved_at = now
    if form.response is None:
        raise ServiceError(f"Form {form.serial} has no response to correct.")
    store_keyed(form.response, {d.item_key: chosen[d.id] for d in waiting})
    _verify(form)
    db.session.flush()


def forms_awaiting_resolution(user: User) -> list[PaperForm]:
    query = (
        select(PaperForm)
        .join(Campaign, PaperForm.campaign_id == Campaign.id)
        .where(PaperForm.id.in_(select(Discrepancy.form_id).where(Discrepancy.resolved.is_(False))))
        .order_by(PaperForm.serial)
    )
    return [form for form in db.session.scalars(query) if can_see_community(user, form.campaign.community_id)]


def forms_awaiting_second_entry(user: User) -> list[PaperForm]:
    """Keyed forms sampled for double entry that `user` can still enter a second time."""
    one_entry = select(PaperEntry.form_id).group_by(PaperEntry.form_id).having(func.count() == 1)
    mine = select(PaperEntry.form_id).where(PaperEntry.entered_by_id == user.id)
    query = (
        select(PaperForm)
        .where(
            PaperForm.status == "keyed",
            PaperForm.needs_double_entry.is_(True),
            PaperForm.id.in_(one_entry),
            PaperForm.id.not_in(mine),
        )
        .order_by(PaperForm.serial)
    )
    return [form for form in db.session.scalars(query) if can_see_community(user, form.campaign.community_id)]
