"""Error pages are headed in plain words, never with the HTTP reason phrase."""

from __future__ import annotations

import re


def _heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1].strip()  # type: ignore[index]


def test_error_pages_are_headed_in_plain_words(client, make_user, login):
    # Staff pages used Werkzeug's names as the heading and the tab's title ("Not Found",
    # "Method Not Allowed"), unlike the residents' "Page not found".
    make_user("peer@example.org", "peer")
    assert login("peer@example.org").status_code == 303
    for url, method, status, heading in [
        ("/fieldwork/interview/no-such-interview/page/1", "get", 404, "Page not found"),
        ("/no/such/page", "get", 404, "Page not found"),
        ("/research/", "get", 403, "You cannot see this page"),
        ("/logout", "get", 405, "That action is not available"),
    ]:
        answer = getattr(client, method)(url)
        html = answer.get_data(as_text=True)
        assert (answer.status_code, _heading(html)) == (status, heading), url
        assert f"<title>{heading}" in html, url
