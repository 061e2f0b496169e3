"""Schemathesis over the OpenAPI schema (drf-spectacular): no API operation answers a server error.

Every operation of ``/api/schema/`` gets generated requests — ones that fit the schema and ones that do not — as
two roles (the county S&T official ``renhua_st`` and the team leader ``leader``, by API token), sent in-process to
the Django WSGI application, checked with schemathesis' ``not_a_server_error`` only. Each request runs in a
savepoint rolled back afterwards, inside the test's own transaction (the function-scoped ``world``), so the writes
generated POST/PUT/PATCH/DELETE calls make neither leak nor feed the next request.

The run is bounded (``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation, default 10: half fitting the schema, half
not, on a real record where the path has an id, plus a few random ids); a full run:
``SCHEMATHESIS_MAX_EXAMPLES=200 .venv/bin/python -m pytest tests/robustness/test_api_schema.py -p no:xdist``.
"""
from __future__ import annotations

import json
import os
import traceback

import pytest
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
ROLES = ("renhua_st", "leader")


@pytest.fixture(scope="module")
def api_schema():
    """The schema exactly as ``/api/schema/`` serves it, loaded by schemathesis."""
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    return schemathesis.openapi.from_dict(raw)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application on the test database: the connection must outlive each request (as in the test
    client), and a view's exception is kept for the report."""
    from django.core.wsgi import get_wsgi_application

    errors = []

    def keep(sender, request=None, **kwargs):
        errors.append(traceback.format_exc(limit=-3).strip().splitlines()[-1])

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    app = get_wsgi_application()
    app.errors = errors
    yield app
    got_request_exception.disconnect(keep)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _record_id(operation, records):
    """The pk of the robustness record an ``{id}`` operation's viewset serves (None without ``{id}``)."""
    from django.urls import resolve

    from tests.robustness.crawl import MODEL_KEY

    if "{id}" not in operation.path:
        return None
    view = resolve(operation.path.replace("{id}", "1")).func.cls
    queryset = getattr(view, "queryset", None)
    model = queryset.model if queryset is not None else view.serializer_class.Meta.model
    return records[MODEL_KEY[model._meta.label_lower]].pk


@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_answers_a_server_error(role, world, records, api_schema, wsgi_app, settings):
    from hypothesis import HealthCheck, Phase, given
    from hypothesis.errors import Unsatisfiable
    from hypothesis import settings as hypothesis_settings
    from rest_framework.authtoken.models import Token
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.generation import GenerationMode

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    headers = {"Authorization": "Token %s" % Token.objects.create(user=world[role]).key}
    failures: dict[str, str] = {}

    def run(operation, mode, examples, **fixed):
        @hypothesis_settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                             phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        def check(case):
            del wsgi_app.errors[:]
            with transaction.atomic():
                response = case.call(app=wsgi_app, headers=headers)
                transaction.set_rollback(True)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - collected per operation, reported together
                key = "%s (%s%s)" % (operation.label, mode.value, ", real id" if fixed else "")
                failures.setdefault(key, "%s %s query=%s body=%.200r → %d %s" % (
                    case.method, case.formatted_path, case.query, case.body, response.status_code,
                    wsgi_app.errors[-1] if wsgi_app.errors else str(failure).splitlines()[0]))

        try:
            check()
        except Unsatisfiable:  # nothing to vary in this mode (no parameters, no body): the other mode covers it
            pass

    half = max(1, MAX_EXAMPLES // 2)
    for operation in _operations(api_schema):
        record_id = _record_id(operation, records)
        # The negative mode needs something to break besides a fixed id (else hypothesis searches in vain).
        varies = bool(len(operation.query) or len(operation.body))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            negative = mode is GenerationMode.NEGATIVE
            if record_id is None:
                if not negative or varies or len(operation.path_parameters):
                    run(operation, mode, half)
                continue
            # Mostly on a real record (bodies and queries vary); random (and malformed) ids in the negative mode.
            if not negative or varies:
                run(operation, mode, half, path_parameters={"id": record_id})
            if negative:
                run(operation, mode, max(1, half // 2))
    assert not failures, "%d operations answered a server error as %s:\n%s" % (
        len(failures), role, "\n".join("%s: %s" % item for item in sorted(failures.items())))
