"""A number past the largest id in a URL names no row: a 404, never a database error (a 500).

Every primary key is an INTEGER, 32 bits on PostgreSQL, which refuses to compare 2,147,483,648 with
one ("integer out of range"); the routes' `<int:...>` converter stops at `survey.database.MAX_ID`.
The walk covers every GET route with a number in it, so a route added later is covered too.
"""

from __future__ import annotations

import re

from survey.database import MAX_ID
from tests.test_research_support import sign_in

INT_ARGUMENT = re.compile(r"<int:(\w+)>")
OTHER_ARGUMENT = re.compile(r"<(?:(?!int:)[^>]*:)?(\w+)>")


def test_every_numbered_page_answers_404_for_an_id_past_the_largest(app, client, make_user, login) -> None:
    sign_in(make_user, login, role="admin")
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods
        and "GET" in rule.methods
        and INT_ARGUMENT.search(rule.rule)
        and not rule.rule.startswith("/api/")
    ]
    assert len(rules) >= 10
    for rule in rules:
        url = INT_ARGUMENT.sub(str(MAX_ID + 1), rule.rule)
        url = OTHER_ARGUMENT.sub("dover-town", url)
        assert client.get(url).status_code == 404, url
        at_the_largest = client.get(INT_ARGUMENT.sub(str(MAX_ID), OTHER_ARGUMENT.sub("dover-town", rule.rule)))
        assert at_the_largest.status_code != 500, rule.rule
