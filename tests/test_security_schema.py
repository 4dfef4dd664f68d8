"""Schemathesis against `/schema/openapi.json`: no operation answers 5xx whatever it is sent,
nothing is stored from a request it refuses, and its answers match the document.

Every operation of the served document gets schema-valid and (where something can be made
invalid) schema-invalid requests, with an admin's token so staff routes run their handlers,
half of them on the seeded training, form, institution and join code so paths resolve.
The server-error test states the bodies of sync, uploads and publishing itself, from the wire
types, rather than trusting the document's (their handlers decode the body themselves). Generation is derandomized: the same requests every run.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth

from server.app import create_app
from server.settings import Settings
from sync.wire import Submission
from tests.conftest import batch, seeded_client, submission

pytestmark = pytest.mark.slow

EXAMPLES = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
#: What a refused request must leave untouched.
CONTENT_TABLES = (
    "forms", "institutions", "trainings", "training_institutions", "training_trainers",
    "participants", "submissions",
)  # fmt: skip


def _operations() -> list[str]:
    """`METHOD /path` of every operation in the document (built without opening a database)."""
    unused = Path(tempfile.gettempdir()) / "tadrib-schema-listing.db"
    document = create_app(Settings(db_path=unused)).openapi_schema.to_schema()
    methods = ("get", "put", "post", "delete", "patch")
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    ]


OPERATIONS = _operations()

#: Where the conformance checks cannot pass although the document is right: a rule no schema
#: can state, or a refusal the protocol makes on purpose. Each entry says which; the test of
#: these operations is expected to fail (strictly: it turns red once it passes, so the entry goes).
NO_SCHEMA_SAYS = "no schema can say which exist"
DOCUMENT_GAPS: dict[str, str] = {
    "POST /api/v1/forms": "a schema-valid question set or file can still break rules no schema "
    "states (non-empty id and questions, choice lists, unique ids), so it gets 422",
    "POST /api/v1/trainings": "schema-valid bodies can name institutions, trainers, a parent "
    f"or question sets that do not exist (400); {NO_SCHEMA_SAYS}",
    "PUT /api/v1/trainings/{training_id}": "as POST /api/v1/trainings; the body's id must also "
    "be the URL's (400)",
    "POST /api/v1/sync": "by design a submission that breaks its schema is answered 200 with "
    "status 'rejected' (one bad submission never sinks the batch), which counts as accepting "
    "invalid input",
    "POST /api/v1/uploads": "any multipart 'file' is schema-valid, but only an export of the "
    "app is accepted (400 otherwise)",
}


class SyncBody(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /api/v1/sync` as the phone sends it (the route reads `sync.wire.SyncBatch`)."""

    device: str
    submissions: list[Submission]
    pending: int = 0


class UploadBody(msgspec.Struct):
    """`POST /api/v1/uploads`: the file of unsent records a phone exports."""

    format: Literal["tadrib-unsent"]
    device: str
    submissions: list[Submission]
    version: int = 1
    exported_at: str = ""


def with_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """The document plus the request bodies it leaves out, from the wire types."""
    (sync, upload), components = msgspec.json.schema_components(
        [SyncBody, UploadBody], ref_template="#/components/schemas/{name}"
    )
    document = {**document, "paths": dict(document["paths"])}
    document["components"] = {
        **document.get("components", {}),
        "schemas": {**document.get("components", {}).get("schemas", {}), **components},
    }
    multipart = {"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}  # fmt: skip
    bodies = {
        "/api/v1/sync": {"application/json": {"schema": sync}},
        "/api/v1/uploads": {"application/json": {"schema": upload}},
        "/api/v1/forms": {"multipart/form-data": {"schema": multipart}},
    }
    for path, content in bodies.items():
        item = dict(document["paths"][path])
        item["post"] = {**item["post"], "requestBody": {"required": True, "content": content}}
        document["paths"][path] = item
    return document


@dataclass
class Api:
    client: TestClient[Litestar]
    schema: Any
    fuzzed: Any
    db_path: Path
    admin: dict[str, str]
    real: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db_path = tmp_path_factory.mktemp("schema") / "tadrib.db"
    with seeded_client(db_path, "rabat-tot") as (client, admin, training):
        code = training["join_code"]
        # A matched participant, so the report handlers have something to compute.
        subs = [submission(code, "pre"), submission(code, "post")]
        assert client.post("/api/v1/sync", json=batch(*subs)).status_code == 200
        document = client.get("/schema/openapi.json").json()
        schema = schemathesis.openapi.from_dict(document)
        fuzzed = schemathesis.openapi.from_dict(with_bodies(document))
        real = {"training_id": "rabat-tot", "form_id": "tip-som-knowledge", "version": "2019.1",
                "key": "gendarmerie", "join_code": code, "phase": "post"}  # fmt: skip
        yield Api(client, schema, fuzzed, db_path, admin, real)


def stored(db_path: Path) -> str:
    """A digest of every row a request could add or change."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        for table in CONTENT_TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def cases(schema: Any, api: Api, label: str) -> st.SearchStrategy[Any]:
    """Valid and, where the operation has a body or query to spoil, invalid requests; each
    both on the seeded records and on generated path values."""
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    fixed = {p.name: api.real[p.name] for p in operation.path_parameters.items}
    modes = [GenerationMode.POSITIVE]
    if operation.body.items or operation.query.items:
        modes.append(GenerationMode.NEGATIVE)
    strategies = []
    for mode in modes:
        if fixed:
            strategies.append(
                operation.as_strategy(
                    generation_mode=mode, path_parameters=fixed, headers=api.admin
                )
            )
        strategies.append(operation.as_strategy(generation_mode=mode, headers=api.admin))
    return st.one_of(strategies)


def send(api: Api, case: Any) -> Any:
    """The case through the app's own test client, with the admin's token."""
    kwargs = case.as_transport_kwargs(base_url=str(api.client.base_url), headers=api.admin)
    # The only cookie in the document is the console's session; the admin's token stands in
    # for it as for the made-up bearer token.
    kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    if kwargs.get("files"):
        # Multipart fields as requests takes them; httpx wants each value as text or bytes.
        kwargs["files"] = [
            (name, (file[0], v if isinstance(v := file[1], bytes | str) else str(v), *file[2:]))
            for name, file in kwargs["files"]
        ]
    response = api.client.request(**kwargs)
    response.request.read()  # a multipart body is a stream; schemathesis reads it back
    return response


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_operation_answers_a_server_error_or_keeps_refused_input(api: Api, label: str) -> None:
    @EXAMPLES
    @given(case=cases(api.fuzzed, api, label))
    def check(case: Any) -> None:
        before = stored(api.db_path) if case.method in ("POST", "PUT") else ""
        response = send(api, case)
        case.validate_response(response, checks=[not_a_server_error])
        if before and response.status_code >= 400:
            assert stored(api.db_path) == before, f"{label} answered {response.status_code} "
            "but changed what is stored"

    check()


@pytest.mark.parametrize(
    "label",
    [
        pytest.param(label, marks=pytest.mark.xfail(strict=True, reason=f"LIMIT: {gap}"))
        if (gap := DOCUMENT_GAPS.get(label))
        else label
        for label in OPERATIONS
    ],
)
def test_answers_match_the_openapi_document(api: Api, label: str) -> None:
    @EXAMPLES
    @given(case=cases(api.schema, api, label))
    def check(case: Any) -> None:
        # Every request carries an admin's token in place of the one schemathesis made up, so
        # its check that made-up credentials are refused cannot hold; the test below does that.
        case.validate_response(send(api, case), excluded_checks=[ignored_auth])

    check()


def test_the_document_says_which_operations_need_credentials(api: Api) -> None:
    document = api.client.get("/schema/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    for label in OPERATIONS:
        method, path = label.split(" ", 1)
        operation = document["paths"][path][method.lower()]
        url = path.format(**api.real)
        anonymous = api.client.request(method, url, json={}).status_code
        if operation.get("security"):
            assert anonymous == 401, f"{label} is documented as needing credentials"
            assert {"401", "403"} <= operation["responses"].keys(), label
        else:
            assert anonymous != 401, f"{label} needs credentials the document does not mention"
