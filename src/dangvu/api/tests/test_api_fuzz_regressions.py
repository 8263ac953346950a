"""What the schemathesis run against the live server (scripts/fuzz, `make fuzz`) found, each
pinned by the request that showed it: every answer is one the operation documents, and bad
input of any shape is a 422 naming where, with nothing written."""

import pytest

from dangvu.accounts.models import ApiToken
from dangvu.testing.factories import ApiClient, db_snapshot, make_member

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _operations() -> dict[tuple[str, str], dict]:
    schema = ApiClient(None).client.get(f"{API}/openapi.json").json()
    return {
        (method.upper(), path): op
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }


def _raw_post(client: ApiClient, path: str, body: bytes):
    return client.client.post(
        API + path, data=body, content_type="application/json", **client._headers()
    )


# --- every operation documents the errors it can answer ---------------------------------------


def test_every_operation_documents_401_404_422_and_414():
    """schemathesis: `GET /api/v1/members?after=…&after=…&q=<4 KiB>` answered 414 from
    gunicorn (request line over 4094 bytes), and /me, /tokens documented neither 404 nor 422."""
    operations = _operations()
    assert len(operations) == 106
    for (method, path), op in operations.items():
        responses = op["responses"]
        assert {"401", "404", "422", "414"} <= set(responses), (method, path, sorted(responses))
        for status in ("401", "404"):
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
        assert responses["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrorOut"
        }
        # Answered by the HTTP server before the API, as HTML.
        assert list(responses["414"]["content"]) == ["text/html"]


def test_the_shared_error_schemas_are_the_only_ones():
    """accounts had its own copies of the error schemas; one of each is left."""
    schema = ApiClient(None).client.get(f"{API}/openapi.json").json()
    names = set(schema["components"]["schemas"])
    assert {"ErrorOut", "FieldErrorOut", "ValidationErrorOut"} <= names
    assert not [
        n
        for n in names
        if n.startswith(("ErrorOut", "ValidationErrorOut"))
        and n
        not in (
            "ErrorOut",
            "ValidationErrorOut",
        )
    ]


# --- a body that is not JSON: 422, not an undocumented 400 ------------------------------------


NOT_JSON = [b"\x00", b"{", b'{"name": "x"', b"\xff\xfe", b"nan-sense"]


@pytest.mark.parametrize("body", NOT_JSON)
def test_a_body_that_is_not_json_is_422_naming_the_body(users, api_client, body):
    """schemathesis: `curl -X POST -H 'Content-Type: application/json' -d $'\\x00'
    /api/v1/tokens` (and /members) answered 400 {"detail": "Cannot parse request body"}."""
    client = api_client(users.admin)
    before = (db_snapshot(), ApiToken.objects.count())
    response = _raw_post(client, "/tokens", body)
    assert response.status_code == 422, response.content
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "__all__"],
                "msg": "Nội dung yêu cầu không phải JSON hợp lệ.",
                "type": "value_error",
            }
        ],
        "errors": {"__all__": ["Nội dung yêu cầu không phải JSON hợp lệ."]},
    }
    assert (db_snapshot(), ApiToken.objects.count()) == before


def test_no_write_operation_answers_400_for_a_body_that_is_not_json(tree, users, api_client):
    client = api_client(users.admin)
    member = make_member(tree.cell1)
    before = db_snapshot()
    for path in ("/tokens", "/members", f"/members/{member.pk}/events"):
        response = _raw_post(client, path, b"\x00")
        assert response.status_code == 422, (path, response.content)
        assert response.json()["detail"][0]["loc"] == ["body", "__all__"]
    assert db_snapshot() == before


def test_without_a_token_a_body_that_is_not_json_is_still_401(users, api_client):
    response = _raw_post(api_client(None), "/tokens", b"\x00")
    assert response.status_code == 401


# --- texts: no control character reaches the database ----------------------------------------


@pytest.mark.parametrize("name", ["a\x00b", "bell\x07", "\x1b[31mred"])
def test_a_token_name_with_a_control_character_is_422(users, api_client, name):
    """`POST /api/v1/tokens {"name": "a\\u0000b"}` stored the NUL on SQLite and is a 500 on
    PostgreSQL (which refuses NUL in text); texts are stored without control characters."""
    client = api_client(users.admin)
    before = ApiToken.objects.count()
    response = client.post("/tokens", {"name": name})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert list(response.json()["errors"]) == ["name"]
    assert ApiToken.objects.count() == before


def test_a_token_name_is_stored_as_every_text_is(users, api_client):
    client = api_client(users.admin)
    response = client.post("/tokens", {"name": "  Cu\u0309a\u200b   tôi  "})
    assert response.status_code == 201, response.content
    # NFC, invisible characters removed, spaces collapsed.
    assert response.json()["name"] == "Của tôi"
    assert client.post("/tokens", {"name": "x" * 101}).status_code == 422


def test_an_api_path_no_route_matches_answers_json(client, db):
    # The site's 404 page is HTML; under /api/ the answer is the API's JSON 404.
    response = client.get("/api/v1/no-such-route/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found"}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_file_upload_without_a_multipart_body_is_422(tree, users, api_client):
    """schemathesis: POST /api/v1/imports with a JSON body: MultiPartParserError ("Invalid
    boundary in multipart: None") was a 500."""
    client = api_client(users.staff_kt)
    before = db_snapshot()
    r = _raw_post(client, "/imports", b'{"org": "KT"}')
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["loc"][0] in ("body", "form", "file")
    r = client.client.post(
        API + "/imports",
        data=b"--x\r\nbroken",
        content_type="multipart/form-data",
        **client._headers(),
    )
    assert r.status_code == 422, r.content
    assert "multipart" in r.json()["detail"][0]["msg"]
    assert db_snapshot() == before
