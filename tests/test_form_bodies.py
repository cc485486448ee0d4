"""Bodies no page sends, refused as a bad request before any form reads them (survey.security).

Flask-WTF fills a form from a JSON body as well as from form fields, and merges uploaded files into
the fields: a number, list or object sent as JSON (with the CSRF token in its header), or a file sent
where a form has a text box, reached text fields whose checks expect a string, and sign-in, the
residents' resume form, the workshop code form and the staff forms answered 500.
"""

from __future__ import annotations

import io
import json

import pytest

from tests.helpers import csrf_token
from tests.test_security_hardening import _example_url, _post_routes

NOT_UNDERSTOOD = "The request could not be understood"


@pytest.mark.parametrize("value", [5, 1.5, True, [1, 2], {"a": 1}])
def test_json_sent_to_the_public_forms_is_refused_not_a_500(client, make_campaign, value):
    slug = make_campaign()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for url, names in (("/login", ("email", "password")), (f"/s/{slug}/resume", ("code",)), ("/w", ("code",))):
        body = json.dumps(dict.fromkeys(names, value))
        answer = client.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": token})
        assert answer.status_code == 400 and NOT_UNDERSTOOD in answer.get_data(as_text=True), url


def test_a_file_sent_for_a_text_box_is_refused_not_a_500(client, make_campaign):
    slug = make_campaign()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for url, name in (("/login", "email"), (f"/s/{slug}/resume", "code"), ("/w", "code")):
        data = {"csrf_token": token, name: (io.BytesIO(b"words"), "words.txt")}
        answer = client.post(url, data=data, content_type="multipart/form-data")
        assert answer.status_code == 400 and NOT_UNDERSTOOD in answer.get_data(as_text=True), url


def test_every_post_route_refuses_json_and_a_file_in_a_text_field(app, admin):
    token = csrf_token(admin.get("/fieldwork/").get_data(as_text=True))
    outcomes = {}
    for rule in _post_routes(app):
        url = _example_url(app, rule)
        as_json = admin.post(url, data='{"name": 5}', content_type="application/json", headers={"X-CSRFToken": token})
        upload = {"csrf_token": token, "name": (io.BytesIO(b"words"), "words.txt")}
        as_file = admin.post(url, data=upload, content_type="multipart/form-data")
        outcomes[rule.rule] = (as_json.status_code, as_file.status_code)
    assert {rule: outcome for rule, outcome in outcomes.items() if outcome != (400, 400)} == {}
    assert admin.get("/fieldwork/").status_code == 200  # still signed in: the refusals changed nothing
