"""Two administrators on one staff account: a save from a page opened before the other's change does
not undo it. A name fixed from an older page gave a demoted researcher back every community's data,
and communities saved from an older page gave a peer back a community just taken away."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import Community, User
from tests.helpers import csrf_token

OTHER_ADMIN = "second-admin@example.org"


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        db.session.refresh(user, ["communities"])
        db.session.expunge_all()
        return user


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'<input id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert found is not None, f"no {name} on the page"
    return found.group(1)


def _second_admin(app, make_user, login):
    make_user(OTHER_ADMIN, "admin")
    other = app.test_client()
    assert login(OTHER_ADMIN, target=other).status_code == 303
    return other


def test_a_role_changed_by_another_admin_is_not_put_back_by_an_older_page(app, admin, make_user, login):
    make_user("rita@example.org", "researcher")
    url = f"/admin/users/{_user(app, 'rita@example.org').id}"
    page = admin.get(url).get_data(as_text=True)  # opened to fix the name
    other = _second_admin(app, make_user, login)
    other_page = other.get(url).get_data(as_text=True)
    demoted = other.post(
        url, data={"csrf_token": csrf_token(other_page), "name": "", "role": "peer", "opened_role": "researcher"}
    )
    assert demoted.status_code == 303

    form = {"csrf_token": csrf_token(page), "name": "Rita Researcher", "role": "researcher"}
    refused = admin.post(url, data={**form, "opened_role": _hidden(page, "opened_role")})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "changed the role of rita@example.org to peer" in html and 'value="Rita Researcher"' in html
    assert (_user(app, "rita@example.org").role, _user(app, "rita@example.org").name) == ("peer", "")
    # Saved again from that page (now showing the change), the role given is the admin's choice.
    again = admin.post(url, data={**form, "opened_role": _hidden(html, "opened_role")})
    assert again.status_code == 303 and _user(app, "rita@example.org").role == "researcher"


def test_a_community_taken_away_by_another_admin_is_not_given_back_by_an_older_page(
    app, admin, make_user, login, make_campaign
):
    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    make_user("pat@example.org", "peer", communities=("dover-town", "sheppey"))
    with app.app_context():
        ids = {c.slug: c.id for c in db.session.scalars(select(Community))}
    url = f"/admin/users/{_user(app, 'pat@example.org').id}"
    page = admin.get(url).get_data(as_text=True)
    other = _second_admin(app, make_user, login)
    other_page = other.get(url).get_data(as_text=True)
    taken = other.post(
        f"{url}/communities",
        data={
            "csrf_token": csrf_token(other_page),
            "communities": [ids["dover-town"]],
            "opened": _hidden(other_page, "opened"),
        },
    )
    assert taken.status_code == 303

    stale = {"csrf_token": csrf_token(page), "communities": list(ids.values()), "opened": _hidden(page, "opened")}
    refused = admin.post(f"{url}/communities", data=stale)
    assert refused.status_code == 409
    assert "changed the communities of pat@example.org" in refused.get_data(as_text=True)
    assert [c.slug for c in _user(app, "pat@example.org").communities] == ["dover-town"]


def test_a_peer_with_no_communities_yet_can_be_given_one(app, admin, make_user, make_campaign):
    make_campaign("dover-town")
    make_user("new@example.org", "peer")
    url = f"/admin/users/{_user(app, 'new@example.org').id}"
    page = admin.get(url).get_data(as_text=True)
    assert _hidden(page, "opened") == ""
    with app.app_context():
        community_id = db.session.scalars(select(Community.id)).one()
    data = {"csrf_token": csrf_token(page), "communities": [community_id], "opened": ""}
    assert admin.post(f"{url}/communities", data=data).status_code == 303
    assert [c.slug for c in _user(app, "new@example.org").communities] == ["dover-town"]
