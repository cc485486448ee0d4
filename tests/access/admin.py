"""Rules for the admin screens (admins only) and the residents' optional contact-details route (public)."""

from __future__ import annotations

import secrets

from survey.accounts.operations import create_user
from survey.extensions import db
from survey.models import ContactDetail
from survey.responses.operations import start_response
from tests.access import ADMIN, EVERYONE, Rule
from tests.access.world import World

RULES = [
    Rule("admin.home", "GET", "/admin/", ADMIN),
    Rule("admin.users", "GET", "/admin/users", ADMIN),
    Rule("admin.new_user", "GET", "/admin/users/new", ADMIN),
    Rule("admin.new_user", "POST", "/admin/users/new", ADMIN),
    Rule("admin.user", "GET", "/admin/users/{user_second}", ADMIN),
    Rule("admin.user", "POST", "/admin/users/{user_second}", ADMIN),
    Rule("admin.assignments", "POST", "/admin/users/{user_second}/communities", ADMIN),
    Rule("admin.reset_link", "POST", "/admin/users/{user_second}/reset-link", ADMIN),
    Rule("admin.deactivate", "POST", "/admin/users/{user_second}/deactivate", ADMIN),
    Rule("admin.reactivate", "POST", "/admin/users/{user_second}/reactivate", ADMIN),
    Rule("admin.licences", "GET", "/admin/licences", ADMIN),
    Rule("admin.add_licence_record", "POST", "/admin/licences", ADMIN),
    Rule("admin.audit", "GET", "/admin/audit", ADMIN),
    Rule("admin.audit_csv", "GET", "/admin/audit.csv", ADMIN),
    Rule("admin.downloads", "GET", "/admin/downloads", ADMIN),
    Rule("admin.staff_codes", "GET", "/admin/staff-codes", ADMIN),
    Rule("admin.contacts", "GET", "/admin/contacts", ADMIN),
    Rule("admin.contact", "GET", "/admin/contacts/{contact_own}", ADMIN),
    Rule("admin.contact", "GET", "/admin/contacts/{contact_other}", ADMIN),
    # The confirmation pages; a POST without confirm=yes (as here) only leads to them.
    Rule("admin.erase", "GET", "/admin/contacts/{contact_own}/erase", ADMIN),
    Rule("admin.erase_with_response", "GET", "/admin/contacts/{contact_own}/erase-with-response", ADMIN),
    # Each erase route gets its own row: were the admin's request to erase, the others' would 404.
    Rule("admin.erase", "POST", "/admin/contacts/{contact_erase}/erase", ADMIN),
    Rule("admin.erase_with_response", "POST", "/admin/contacts/{contact_erase_all}/erase-with-response", ADMIN),
    # Public: it acts only when the browser's session holds a complete response (none here: 303 to consent).
    Rule("residents.contact", "POST", "/s/{campaign_own}/contact", EVERYONE),
]


def build(world: World) -> None:
    """A second staff account to edit, and contact rows in both communities."""
    second = create_user("admin.target@example.org", "peer", name="Second Peer", communities=[world.own])
    db.session.flush()
    world.ids["user_second"] = second.id
    for key, community in (("own", world.own), ("other", world.other), ("erase", world.own), ("erase_all", world.own)):
        response = start_response(community.campaigns[0], secrets.token_urlsafe(24))
        contact = ContactDetail(
            response_public_id=response.public_id,
            community_id=community.id,
            name=f"Matrix {key}",
            email=f"{key}@resident.example",
            purposes="interview",
        )
        db.session.add(contact)
        db.session.flush()
        world.ids[f"contact_{key}"] = contact.id
