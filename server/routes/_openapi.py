"""What the OpenAPI document says that handler signatures cannot: shared error responses,
who may call, and the request bodies of handlers that read the raw request themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
)

from server.auth.middleware import SESSION_COOKIE
from sync.wire import Submission, SyncResponse

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


class Problem(msgspec.Struct):
    """An error as Litestar sends it: the status again, what went wrong, and sometimes details."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any] | None = None


class Detail(msgspec.Struct):
    """An error the server refused before the request reached its handler's logic."""

    detail: str


def answer(data: Any, description: str, media_type: str = "application/json") -> ResponseSpec:
    """A documented response: its body's type (None for no body), when it comes, its media type."""
    return ResponseSpec(
        data, generate_examples=False, description=description, media_type=media_type
    )


SECURITY_SCHEMES = {
    "bearer": SecurityScheme(
        type="http",
        scheme="bearer",
        description="A token made with 'tadrib token create NAME --role admin|trainer'.",
    ),
    "session": SecurityScheme(
        type="apiKey",
        name=SESSION_COOKIE,
        security_scheme_in="cookie",
        description="The web console's session; POST and PUT also need its X-CSRF-Token header.",
    ),
}
#: Staff operations take either a bearer token or the console's session.
STAFF_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]

UNAUTHORIZED = answer(Problem, "No valid token or session was sent.")
FORBIDDEN = answer(Problem, "Only an admin may do this, or the console's CSRF token is missing.")
NOT_FOUND = answer(Problem, "Nothing by that name, or not one the caller may see.")
TOO_MANY = answer(Detail, "Too many requests from this address; see Retry-After.")
TOO_LARGE = answer(Detail, "The body is over the size limit; send less at a time.")
UNAVAILABLE = answer(Detail, "The server cannot store data now; nothing was kept (Retry-After).")

#: What every staff route may answer besides its own responses.
STAFF: dict[int, ResponseSpec] = {401: UNAUTHORIZED, 403: FORBIDDEN}
#: Staff routes about one training (404 also when a trainer is not assigned to it).
TRAINING: dict[int, ResponseSpec] = {**STAFF, 404: NOT_FOUND}


class StrictStructs(StructSchemaPlugin):
    """Litestar's schemas of msgspec Structs, saying `additionalProperties: false` for those
    that refuse unknown fields (Litestar's own plugin leaves that out)."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def file_field(description: str) -> Schema:
    """A multipart body with one file in field `file`."""
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["file"],
        properties={
            "file": Schema(
                type=OpenAPIType.STRING,
                content_media_type="application/octet-stream",
                description=description,
            )
        },
    )


def json_schema(type_: Any) -> Schema:
    """`type_`'s JSON schema from msgspec, inlined, as the document's own schema objects (for
    bodies the handler decodes itself, which Litestar's schema registry never sees)."""
    document = msgspec.json.schema(type_)
    definitions = document.pop("$defs", {})
    converted = _schema(document, definitions)
    assert isinstance(converted, Schema)
    return converted


_NESTED_ONE = {"items", "additionalProperties", "not", "propertyNames", "contains"}
_NESTED_MANY = {"anyOf", "oneOf", "allOf", "prefixItems"}
_ALIASES = Schema.field_aliases()


def _schema(value: dict[str, Any], definitions: dict[str, Any]) -> Schema | Reference:
    if "$ref" in value:
        return _schema(definitions[value["$ref"].rsplit("/", 1)[-1]], definitions)
    fields: dict[str, Any] = {}
    for key, item in value.items():
        name = _ALIASES.get(key) or re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
        if key == "type":
            item = [OpenAPIType(t) for t in item] if isinstance(item, list) else OpenAPIType(item)
        elif key == "properties":
            item = {k: _schema(v, definitions) for k, v in item.items()}
        elif key in _NESTED_ONE and isinstance(item, dict):
            item = _schema(item, definitions)
        elif key in _NESTED_MANY:
            item = [_schema(v, definitions) for v in item]
        fields[name] = item
    return Schema(**fields)


def operation_with(
    *,
    body: Mapping[str, Schema] | None = None,
    headers: Mapping[int, Mapping[str, OpenAPIHeader]] | None = None,
) -> type[Operation]:
    """An `operation_class` adding a request body (media type to schema) and response headers."""

    @dataclass
    class Documented(Operation):
        def __post_init__(self) -> None:
            if body:
                self.request_body = RequestBody(
                    required=True,
                    content={media: OpenAPIMediaType(schema=s) for media, s in body.items()},
                )
            for status, named in (headers or {}).items():
                response = (self.responses or {})[str(status)]
                assert not isinstance(response, Reference)
                response.headers = {**(response.headers or {}), **named}

    return Documented


def with_submissions(body: Schema, **extra: Any) -> Schema:
    """The schema of a sync batch or an unsent file, whose submissions are decoded one by one
    (left raw in the type), stating what each submission is."""
    assert body.properties is not None
    submissions = Schema(type=OpenAPIType.ARRAY, items=json_schema(Submission), **extra)
    body.properties = {**body.properties, "submissions": submissions}
    return body


#: What a sync batch or an unsent file can be answered.
SYNC_ANSWERS = {
    200: answer(SyncResponse, "One result per submission, in order."),
    400: answer(Problem, "Not a batch or file the app sends; nothing stored."),
    413: TOO_LARGE,
    429: TOO_MANY,
    503: UNAVAILABLE,
}
