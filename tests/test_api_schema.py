"""The OpenAPI document tested against the API itself with schemathesis (issue 5, part 7).

Every operation is called with generated parameters, valid ones (positive) and, where there are
parameters, invalid ones (negative), by a researcher's token, on demo data: no 500, every status
documented, every body matching its schema.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from survey.accounts.api_tokens import create_token
from survey.accounts.operations import create_user
from survey.extensions import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Small enough for CI: six operations, about 30 requests each per mode and backend.
# Derandomised in CI so a red build can be reproduced; random on a laptop to keep exploring.
EXAMPLES = settings(
    max_examples=30,
    derandomize=bool(os.environ.get("CI")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def api(app, demo):
    """The loaded schema and a researcher's Bearer header, on demo data (campaigns, assets, responses)."""
    app.config["API_LIMIT"] = "100000 per minute"  # the limit is tested in test_api.py, not here
    demo("--responses", "6", "--no-paper", "--no-profiles")
    with app.app_context():
        user = create_user("schema@example.org", "researcher", "schemathesis password")
        _row, token = create_token(user, "schemathesis")
        db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), {"Authorization": f"Bearer {token}"}


def test_the_document_describes_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert set(document["paths"]) == routes
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        statuses = set(item["get"]["responses"])
        assert {"200", "429"} <= statuses, path
        if path != "/api/v1/openapi.json":
            assert {"401", "403"} <= statuses, path
        if item["get"].get("parameters"):
            assert "400" in statuses, path


def _run(operation, mode: GenerationMode, headers: dict[str, str]) -> int:
    calls = []

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)
        calls.append(case)

    check()
    return len(calls)


@pytest.mark.slow
def test_no_operation_errs_or_breaks_its_schema(api):
    schema, headers = api
    operations = [result.ok() for result in schema.get_all_operations()]
    # schemathesis leaves out the operation that serves the schema itself.
    paths = [operation.path for operation in operations]
    assert paths == [
        "/api/v1/communities",
        "/api/v1/campaigns",
        "/api/v1/assets",
        "/api/v1/responses",
        "/api/v1/codebook",
    ]
    for operation in operations:
        assert _run(operation, GenerationMode.POSITIVE, headers) > 0, operation.label
        if operation.query:
            assert _run(operation, GenerationMode.NEGATIVE, headers) > 0, operation.label
