"""Rules for the responses import: researchers and admins only; peers and anonymous visitors are denied.

The POST without a file answers 422 (the form's own CSRF token is valid, the file is missing), and
the confirmation of a token this session never checked redirects back to the upload page: both
leave the database untouched.
"""

from __future__ import annotations

from tests.access import RESEARCH, Rule

RULES = [
    Rule("research.response_imports", "GET", "/research/imports", RESEARCH),
    Rule("research.response_imports", "POST", "/research/imports", RESEARCH),
    Rule("research.confirm_response_import", "POST", "/research/imports/AAAAAAAAAAAAAAAAAAAAAA", RESEARCH),
]
