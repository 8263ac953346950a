"""The API's schema, checked by a second tool (openapi-spec-validator: OpenAPI 3.1 and its JSON
Schema), and every coded field in it an enum: a client generator or a person reading the
schema learns every value a field may take, and its Vietnamese label from /reference."""

import json

import pytest
from openapi_spec_validator import validate

from dangvu.api.api import api

# Names of fields that hold a code from a fixed list, wherever they appear.
CODED = {
    "gender",
    "ethnicity",
    "religion",
    "education",
    "professional_level",
    "theory_level",
    "occupation",
    "kind",
    "type",
    "status",
    "state",
    "stage",
    "step",
    "due_kind",
    "proposed_by",
    "role",
    "grassroots_type",
    "quality",
    "level",
    "format",
}

# Named like a coded field, but open by nature, each with the reason.
OPEN = {
    "components.FieldErrorOut.type": "pydantic's and Dangvu's error types: an open list",
}


@pytest.fixture(scope="module")
def schema():
    """The schema as a client reads it (/api/v1/openapi.json: JSON, its keys text)."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))


def test_a_second_tool_finds_the_schema_valid(schema):
    validate(schema)


def test_the_second_tool_would_find_a_broken_schema(schema):
    broken = {**schema, "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/nowhere"}}}}}}
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error the tool raises
        validate(broken)


def _strings(node, where, out):
    """(where, property) of every string property named like a coded field without an enum."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, prop in props.items():
                if name in CODED and _free_string(prop):
                    out.append(f"{where}.{name}")
        for key, value in node.items():
            _strings(value, f"{where}.{key}" if key != "properties" else where, out)
    elif isinstance(node, list):
        for value in node:
            _strings(value, where, out)


def _free_string(prop: dict) -> bool:
    """A string with no enum, in any of its alternatives (anyOf: an enum or a label is fine)."""
    if "$ref" in prop or "enum" in prop or "const" in prop:
        return False
    options = prop.get("anyOf") or prop.get("oneOf")
    if options:
        return all(_free_string(o) for o in options if o.get("type") != "null")
    return prop.get("type") == "string"


def test_every_coded_field_is_an_enum(schema):
    free = []
    _strings(schema.get("components", {}), "components", free)
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["name"] in CODED and _free_string(param.get("schema", {})):
                    free.append(f"{method.upper()} {path} ?{param['name']}")
    free = [f for f in free if f.replace(".schemas", "") not in OPEN]
    assert not free, "coded fields that are free text in the schema:\n" + "\n".join(free)
