"""API v1, accounts (dangvu.accounts.api, mounted at /api/v1/): /me and the caller's own tokens —
anonymous (401), with a token, and against another user's token (404); refusals write nothing.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dangvu.accounts.models import ApiToken
from dangvu.accounts.services import token_create
from dangvu.audit.models import AuditRecord
from dangvu.testing.factories import ApiClient, make_member

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội


def _state() -> tuple:
    return (
        list(
            ApiToken.objects.order_by("pk").values_list("prefix", "name", "revoked", "revoked_at")
        ),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def at(monkeypatch):
    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("get", "/tokens"),
        ("post", "/tokens"),
        ("post", "/tokens/dv_1234567/revoke"),
    ],
)
def test_without_a_valid_token_it_is_401_and_nothing_is_written(users, method, path):
    token_create(actor=None, user=users.sec1)
    before = _state()
    for client in (ApiClient(None), ApiClient("dv_not-a-real-token")):
        response = client.get(path) if method == "get" else client.post(path, {})
        assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})
    assert _state() == before


def test_me(users, api_client):
    assert api_client(users.staff_kt).get("/me").json() == {
        "username": "staff_kt",
        "full_name": "",
        "member_id": None,
        "grants": [
            {
                "role": "org_staff",
                "organisation": "KT",
                "organisation_name": "Tỉnh ủy Kon Tum",
                "include_descendants": True,
            }
        ],
    }


def test_me_names_the_member_record_linked_to_the_user(tree, users, api_client):
    from dangvu.members.services import member_link_user

    member = make_member(tree.cell1, full_name="Nguyễn Thị Ánh")
    member_link_user(actor=None, member=member, user=users.sec1)
    assert api_client(users.sec1).get("/me").json()["member_id"] == member.pk


def test_the_caller_lists_their_own_tokens_never_a_key(users, at, django_assert_num_queries):
    at(NOON)
    mine = token_create(actor=None, user=users.sec1, name="báo cáo")
    token_create(actor=None, user=users.sec2, name="của người khác")
    at(NOON + timedelta(hours=1))
    client = ApiClient(token_create(actor=None, user=users.sec1, expires=NOON + timedelta(days=30)))
    with django_assert_num_queries(3):  # the token and its user; last_used; the list
        response = client.get("/tokens")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.json() == [
        {
            "prefix": client.token[:10],
            "name": "",
            "created": "2026-03-02T06:00:00Z",
            "last_used": "2026-03-02T06:00:00Z",
            "expires": "2026-04-01T05:00:00Z",
            "revoked": False,
            "revoked_at": None,
            "active": True,
        },
        {
            "prefix": mine[:10],
            "name": "báo cáo",
            "created": "2026-03-02T05:00:00Z",
            "last_used": None,
            "expires": None,
            "revoked": False,
            "revoked_at": None,
            "active": True,
        },
    ]
    assert mine not in response.content.decode()


def test_the_caller_creates_a_token_and_sees_its_key_once(users, api_client, at):
    at(NOON)
    client = api_client(users.sec1)
    response = client.post("/tokens", {"name": "xuất báo cáo", "days": 7})
    assert response.status_code == 201
    body = response.json()
    key = body.pop("key")
    assert body == {
        "prefix": key[:10],
        "name": "xuất báo cáo",
        "created": "2026-03-02T05:00:00Z",
        "last_used": None,
        "expires": "2026-03-09T05:00:00Z",
        "revoked": False,
        "revoked_at": None,
        "active": True,
    }
    assert ApiToken.objects.get(prefix=key[:10]).user == users.sec1
    assert ApiClient(key).get("/me").json()["username"] == "sec1"
    assert key not in client.get("/tokens").content.decode()
    record = AuditRecord.objects.filter(action="token.create").latest("pk")
    assert (record.actor, record.after["prefix"]) == (users.sec1, key[:10])

    through = client.post("/tokens", {"expires": "2026-12-31"})
    assert (through.status_code, through.json()["expires"]) == (201, "2026-12-31T17:00:00Z")
    forever = client.post("/tokens", {})
    assert (forever.status_code, forever.json()["expires"]) == (201, None)


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"days": 0}, {"days": ["Give a number of days from 1 to 3650."]}),
        ({"expires": "2026-03-01"}, {"expires": ["The expiry date is in the past."]}),
        (
            {"expires": "2026-04-01", "days": 3},
            {"expires": ["Give an expiry date or a number of days, not both."]},
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
    users, api_client, at, payload, errors
):
    at(NOON)
    client = api_client(users.sec1)
    client.client.cookies["django_language"] = "en"
    before = _state()
    response = client.post("/tokens", payload)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert _state() == before


def test_a_schema_error_is_422_too(users, api_client):
    client = api_client(users.sec1)
    before = _state()
    response = client.post("/tokens", {"expires": "31/12/2026", "name": "x" * 101})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"expires", "name"}
    # A misspelt field is refused, not ignored (it would give a token that never expires).
    response = client.post("/tokens", {"expiry": "2026-12-31"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["expiry"])
    assert _state() == before


def test_the_caller_revokes_their_own_token_even_the_one_in_use(users, api_client, at):
    client = api_client(users.sec1)
    other = token_create(actor=None, user=users.sec1, name="cũ")
    at(NOON)
    response = client.post(f"/tokens/{other[:10]}/revoke", {})
    assert response.status_code == 200
    assert response.json() | {"created": None} == {
        "prefix": other[:10],
        "name": "cũ",
        "created": None,
        "last_used": None,
        "expires": None,
        "revoked": True,
        "revoked_at": "2026-03-02T05:00:00Z",
        "active": False,
    }
    assert ApiClient(other).get("/me").status_code == 401
    assert client.get("/me").status_code == 200
    assert AuditRecord.objects.filter(action="token.revoke").count() == 1
    # Revoking again changes nothing.
    assert client.post(f"/tokens/{other[:10]}/revoke", {}).json()["revoked_at"] == (
        "2026-03-02T05:00:00Z"
    )
    assert AuditRecord.objects.filter(action="token.revoke").count() == 1
    # The token in use: this is its last answer.
    assert client.post(f"/tokens/{client.token[:10]}/revoke", {}).status_code == 200
    assert client.get("/me").status_code == 401


def test_another_users_token_does_not_exist_for_the_caller(users, api_client):
    # Not even for a superuser: the API manages one's own tokens (the CLI manages anyone's).
    key = token_create(actor=None, user=users.sec2)
    for caller in (users.sec1, users.admin):
        client = api_client(caller)
        before = _state()
        response = client.post(f"/tokens/{key[:10]}/revoke", {})
        assert (response.status_code, response.json()) == (404, {"detail": "Not found"})
        assert client.post("/tokens/dv_nothing/revoke", {}).status_code == 404
        assert key[:10] not in client.get("/tokens").content.decode()
        assert _state() == before
    assert ApiClient(key).get("/me").status_code == 200


def test_the_openapi_schema_documents_the_answers(users):
    schema = ApiClient(None).client.get("/api/v1/openapi.json").json()
    responses = {
        (path, method): sorted(op["responses"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if path == "/api/v1/me" or path.startswith("/api/v1/tokens")
    }
    # Like every operation: 401, 404, 422 (core.apischema.documented) and the server's 414.
    assert responses == {
        ("/api/v1/me", "get"): ["200", "401", "404", "414", "422"],
        ("/api/v1/tokens", "get"): ["200", "401", "404", "414", "422"],
        ("/api/v1/tokens", "post"): ["201", "401", "404", "414", "422"],
        ("/api/v1/tokens/{prefix}/revoke", "post"): ["200", "401", "404", "414", "422"],
    }
