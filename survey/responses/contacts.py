"""Contact details residents volunteer for a follow-up, kept apart from their answers.

One row per response, linked only by the response's opaque public id. The audit
trail records contact rows as "changed" without values, so erasing a row erases
the details everywhere the application keeps them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from survey.database import take_turns, utcnow
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.models import Community, ContactDetail, PaperForm, Response

PURPOSES = ("interview", "workshop")
PURPOSE_LABELS = {"interview": "a follow-up interview", "workshop": "the community workshop"}
# The thank-you page's contact form works once, this long after the survey was submitted: on a
# shared tablet the next person cannot attach their details to someone else's answers.
CONTACT_FORM_MINUTES = 30
# Erasures of one contact row take turns (a PostgreSQL advisory lock; SQLite writers already do).
_ERASE_LOCK_BASE = 8_200_000_000


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_contact_token(response: Response) -> str:
    """A one-time token for the contact form shown after `response`, valid until 30 minutes after submission."""
    token = secrets.token_urlsafe(24)
    expires_at = (response.submitted_at or utcnow()) + timedelta(minutes=CONTACT_FORM_MINUTES)
    _set_token(response, _token_hash(token), expires_at)
    return token


def _set_token(response: Response, token_hash: str | None, expires_at: datetime | None) -> None:
    # Bookkeeping, not an answer: `updated_at` keeps saying when the answers last changed.
    db.session.execute(
        update(Response)
        .where(Response.id == response.id)
        .values(contact_token_hash=token_hash, contact_token_expires_at=expires_at, updated_at=Response.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(response, ["contact_token_hash", "contact_token_expires_at"])


def response_for_contact_token(token: str, campaign_id: int, *, lock: bool = False) -> Response | None:
    """The complete response a contact token belongs to, if the token is unused and in time."""
    if not token or len(token) > 64:
        return None
    query = select(Response).where(
        Response.contact_token_hash == _token_hash(token), Response.campaign_id == campaign_id
    )
    response = db.session.scalar(query.with_for_update() if lock else query)
    if response is None or response.status != "complete":
        return None
    if response.contact_token_expires_at is None or response.contact_token_expires_at < utcnow():
        return None
    return response


@dataclass(frozen=True)
class ContactRow:
    contact: ContactDetail
    community_name: str
    response_exists: bool


def record_contact(response: Response, *, name: str, email: str, phone: str, purposes: Iterable[str]) -> ContactDetail:
    """Store (or replace) the contact details left after `response`; the response is not touched."""
    if response.status != "complete":
        raise ServiceError("Contact details can be left only after the survey is complete.")
    chosen = [purpose for purpose in PURPOSES if purpose in set(purposes)]
    if not chosen:
        raise ServiceError("Choose an interview, the workshop, or both.")
    if not email.strip() and not phone.strip():
        raise ServiceError("Give an email address or a phone number so that we can contact you.")
    contact = db.session.scalar(select(ContactDetail).where(ContactDetail.response_public_id == response.public_id))
    if contact is None:
        contact = ContactDetail(response_public_id=response.public_id, community_id=response.community_id)
        db.session.add(contact)
    contact.name = name.strip()
    contact.email = email.strip()
    contact.phone = " ".join(phone.split())
    contact.purposes = ",".join(chosen)
    db.session.flush()
    # The thank-you page's token is spent: the form cannot be sent again for this response.
    _set_token(response, None, None)
    return contact


def list_contacts() -> list[ContactRow]:
    """Every contact row, newest first, with its community's name and whether its response still exists."""
    rows = db.session.execute(
        select(ContactDetail, Community.name, Response.id)
        .outerjoin(Community, Community.id == ContactDetail.community_id)
        .outerjoin(Response, Response.public_id == ContactDetail.response_public_id)
        .order_by(ContactDetail.created_at.desc(), ContactDetail.id.desc())
    ).all()
    return [ContactRow(contact, name or "", response_id is not None) for contact, name, response_id in rows]


def get_contact(contact_id: int) -> ContactDetail:
    """The contact row with this id, or a friendly 404 (for example after erasure)."""
    contact = db.session.get(ContactDetail, contact_id)
    if contact is None:
        raise NotFoundError("These contact details do not exist: they may have been erased already.")
    return contact


def purpose_labels(contact: ContactDetail) -> list[str]:
    """What the person agreed to be invited to, in words."""
    return [PURPOSE_LABELS.get(purpose, purpose) for purpose in contact.purposes.split(",") if purpose]


def contact_to_erase(contact_id: int) -> ContactDetail | None:
    """The contact row, read in its turn to be erased; None when it is gone.

    Of a double-clicked Erase the second waits for the first and then finds nothing: on PostgreSQL
    it would otherwise have read the row before the first deleted it, and its own DELETE would
    match nothing and fail.
    """
    take_turns(db.session, _ERASE_LOCK_BASE + contact_id)
    return db.session.scalar(select(ContactDetail).where(ContactDetail.id == contact_id))


def contact_response(contact: ContactDetail) -> Response | None:
    """The survey response the contact details were left after, if it still exists."""
    if not contact.response_public_id:
        return None
    return db.session.scalar(select(Response).where(Response.public_id == contact.response_public_id))


def erase_contact(contact: ContactDetail) -> None:
    """Delete the contact details; the anonymous response and its answers stay."""
    db.session.delete(contact)
    db.session.flush()


def erase_contact_and_response(contact: ContactDetail) -> bool:
    """Delete the contact details and the response they belong to (its answers go with it).

    Returns whether a response was found and deleted.
    """
    response = contact_response(contact)
    if response is not None:
        if db.session.scalar(select(PaperForm.id).where(PaperForm.response_id == response.id)) is not None:
            # Keyed paper forms keep their entries for double-entry checks; erasing those is a separate job.
            raise ServiceError("This response was keyed from a paper form and cannot be erased here.")
        # The database cascades the delete to the answers and asset uses.
        db.session.delete(response)
    db.session.delete(contact)
    db.session.flush()
    return response is not None
