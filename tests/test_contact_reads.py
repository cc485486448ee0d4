"""Every page that shows residents' contact details is a logged read (the data access log)."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import ContactDetail, DataAccess

NAME = "Zebedee Quillfeather"


def _contact(app) -> int:
    with app.app_context():
        row = ContactDetail(name=NAME, email="zq@resident.example", phone="07700 900481", purposes="interview")
        db.session.add(row)
        db.session.commit()
        return row.id


def _reads(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(DataAccess).order_by(DataAccess.id))
        return [(r.user_label, r.channel, r.resource, r.filters, r.row_count) for r in rows]


def test_each_page_showing_contact_details_logs_who_saw_them(app, admin) -> None:
    # Before, an admin could list, open and reach the erasure page of every contact without a trace.
    contact_id = _contact(app)
    for url in ("/admin/contacts", f"/admin/contacts/{contact_id}", f"/admin/contacts/{contact_id}/erase"):
        page = admin.get(url)
        assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    who = "admin@example.org"
    assert _reads(app) == [
        (who, "web", "contact-details", {"page": "list"}, 1),
        (who, "web", "contact-details", {"page": "detail", "contact": contact_id}, 1),
        (who, "web", "contact-details", {"page": "erase", "contact": contact_id}, 1),
    ]
    # The admins' log of reads names the kind, so it can be filtered on.
    log = admin.get("/admin/downloads?resource=contact-details").get_data(as_text=True)
    assert log.count("contact-details") >= 3


def test_an_unknown_contact_logs_nothing(app, admin) -> None:
    assert admin.get("/admin/contacts/999").status_code == 404
    assert _reads(app) == []
