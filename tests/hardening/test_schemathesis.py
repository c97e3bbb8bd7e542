"""Property-based fuzzing of every operation in the app's own OpenAPI document (schemathesis,
in-process through WSGI), logged in as a guard, a supervisor and a manager: no input may cause a
5xx, and every answer must match the schema the document promises for its status.

Bounded and repeatable: a fixed number of examples per operation, derandomised.

schemathesis 4 (its own JSON-schema generator): schemathesis 3 needs hypothesis-jsonschema, whose last
release (0.23.1) breaks on current hypothesis, so a fresh install resolved a broken pair."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import PASSWORD

pytestmark = pytest.mark.slow

EXAMPLES = 8
# the resumable upload's PATCH body (tus): plain bytes, as schemathesis sends application/octet-stream
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
CHECKS = (not_a_server_error, response_schema_conformance)


@pytest.fixture(scope="module")
def api_schema(shared):
    spec = shared.client.get("/api/v1/openapi.json").get_json()
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.app = shared.app
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def _token(shared, username, fresh=False):
    if fresh:
        r = shared.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        return r.get_json()["token"]
    return shared.login(username).token


def _check(shared, case, username):
    # logging out revokes the token it is sent with: give it a token of its own
    token = _token(shared, username, fresh=case.operation.path.endswith("/auth/logout"))
    # identity: the checks read the body as the API wrote it (the app gzips for callers that accept it)
    response = case.call(app=shared.app, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})
    case.validate_response(response, checks=list(CHECKS))


FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


@schema.parametrize()
@FUZZ
def test_fuzz_as_guard(shared, case):
    _check(shared, case, "guard1")


@schema.parametrize()
@FUZZ
def test_fuzz_as_supervisor(shared, case):
    _check(shared, case, "super1")


@schema.parametrize()
@FUZZ
def test_fuzz_as_manager(shared, case):
    _check(shared, case, "manager1")
