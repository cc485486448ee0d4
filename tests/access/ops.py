"""Rules for the operations endpoints: the health check answers everyone (monitors do not sign in)."""

from tests.access import EVERYONE, Rule

RULES = [
    Rule("ops.healthz", "GET", "/healthz", EVERYONE),
]
