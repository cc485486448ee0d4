"""Work the suite repeats in every test, done once per test process: the results are the same.

Used by tests/conftest.py as session-wide fixtures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import werkzeug.security
from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from jinja2.utils import _PassArg
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


class _TemplateCodeForEveryApp(BytecodeCache):
    """Compiled templates kept in memory for every app of the test process (Jinja's bytecode cache).

    A code object is reused only for the same template file, the same source (Jinja's checksum) and
    an environment that would compile it alike: the same syntax and autoescaping, extensions, and
    filters and tests by name and by what they are passed (checked when compiling).
    """

    def __init__(self) -> None:
        self.codes: dict[tuple[object, ...], object] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        bucket = Bucket(
            environment, repr(_compiled_alike(environment, name, filename)), self.get_source_checksum(source)
        )
        bucket.code = self.codes.get((bucket.key, bucket.checksum))
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        self.codes[(bucket.key, bucket.checksum)] = bucket.code


def _compiled_alike(environment: Environment, name: str, filename: str | None) -> tuple[object, ...]:
    """What Jinja's compiler reads from the environment besides the source."""
    autoescape = environment.autoescape
    return (
        name,
        filename,
        autoescape(name) if callable(autoescape) else autoescape,
        *(getattr(environment, option) for option in _SYNTAX),
        tuple(sorted(environment.extensions)),
        tuple(sorted((key, _PassArg.from_obj(f)) for key, f in environment.filters.items())),
        tuple(sorted((key, _PassArg.from_obj(f)) for key, f in environment.tests.items())),
    )


_SYNTAX = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "finalize",
)


@contextmanager
def templates_compiled_once() -> Iterator[None]:
    """Each template compiled once per test process rather than once per app.

    Every test's app has its own Jinja environment, which parses and compiles each template it
    renders again: 100-250 ms of a test's first request, the same code for every app. Rendering is
    still each app's own (its globals, filters and context processors).
    """
    cache = _TemplateCodeForEveryApp()
    create = Flask.create_jinja_environment

    def _with_cache(app: Flask) -> Environment:
        environment = create(app)
        environment.bytecode_cache = cache
        return environment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "create_jinja_environment", _with_cache)
        yield
