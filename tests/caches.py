"""Work the suite repeats in every test, done once per test process: the results are the same.

Used by tests/conftest.py as session-wide fixtures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import werkzeug.security
from werkzeug.routing import Rule


@contextmanager
def scrypt_once_per_password() -> Iterator[None]:
    """Real scrypt password hashes, but each password hashed (and checked) once per test process.

    scrypt takes about a tenth of a second by design, and the suite creates and signs in thousands
    of accounts, nearly all with one password. Here every hash gets the same salt, so one password
    always hashes alike and Werkzeug's hashing step is remembered; the stored hashes and the checks
    are still Werkzeug's scrypt with its production parameters.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(werkzeug.security, "gen_salt", functools.cache(werkzeug.security.gen_salt))
        patch.setattr(werkzeug.security, "_hash_internal", functools.cache(werkzeug.security._hash_internal))
        yield


@contextmanager
def url_builders_once_per_rule() -> Iterator[None]:
    """Werkzeug's URL builders, each compiled once per test process rather than once per app.

    Each app compiles a Python function per URL rule to build its URLs (ast and `compile`): 45 ms
    of create_app's 54, in the 1,600 apps the suite makes from the same rules. The function depends
    only on what the key below holds, and reaches the rule's converters through the rule it is
    bound to, so one function serves every app's copy of a rule. A rule with a default for one of
    its own variables (converted by its converter when compiling) is compiled as before.
    """
    compile_builder = Rule._compile_builder
    compiled: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}

    def _once(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = rule.defaults or {}
        if any(dynamic and name in defaults for dynamic, name in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), repr(sorted(defaults.items())), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", _once)
        yield
