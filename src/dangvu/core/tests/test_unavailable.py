"""503 while the database is unavailable (core.unavailable): a page or JSON with Retry-After,
never a 500 and its traceback; one warning per outage; the next request after it is served.

The database is made unavailable for real: the request handler's connection is swapped for one
of the same engine that cannot reach its database (PostgreSQL: a port nothing listens on;
SQLite: a file that cannot be opened, or one another connection holds locked), then put back.
"""

import logging
import socket
import sqlite3
from contextlib import contextmanager

import psycopg
import psycopg_pool
import pytest
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.handlers.exception import convert_exception_to_response
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client, RequestFactory

from dangvu.core import unavailable
from dangvu.core.unavailable import RETRY_AFTER, DatabaseUnavailableMiddleware, database_unavailable
from dangvu.testing.factories import make_token

pytestmark = pytest.mark.django_db

# Django turns the request's error into a 500 before this middleware answers 503 instead: the
# suite's server-log guard hears that 500 (got_request_exception).
handled_by_middleware = pytest.mark.allow_server_error(
    reason="the database is down: Django's handler sees the error before the 503 replaces it"
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrapper(**changes):
    settings = {**connection.settings_dict, **changes}
    return load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias="default")


def _unreachable(tmp_path):
    """A connection of the suite's engine to a database that is not there."""
    if connection.vendor == "postgresql":
        options = {**connection.settings_dict["OPTIONS"], "pool": False, "connect_timeout": 5}
        return _wrapper(HOST="127.0.0.1", PORT=str(_closed_port()), OPTIONS=options)
    return _wrapper(NAME=str(tmp_path / "no-such-directory" / "dangvu.sqlite3"))


def _sqlite(path, **options):
    settings = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TIME_ZONE": None,
        "HOST": "",
        "PORT": "",
        "USER": "",
        "PASSWORD": "",
        "TEST": {},
    }
    return load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias="default")


@contextmanager
def database(wrapper):
    """The request handler's `default` connection is `wrapper` inside the block."""
    original = connections["default"]
    connections["default"] = wrapper
    try:
        yield
    finally:
        connections["default"] = original
        wrapper.close()


@pytest.fixture(autouse=True)
def no_outage():
    unavailable._outage.since = None
    yield
    unavailable._outage.since = None


@pytest.fixture
def signed_in(users):
    client = Client(raise_request_exception=False)
    client.force_login(users.staff_kt)
    return client


# --- pages ------------------------------------------------------------------------------------


@handled_by_middleware
def test_a_page_answers_503_with_retry_after_while_the_database_is_unreachable(signed_in, tmp_path):
    with database(_unreachable(tmp_path)):
        response = signed_in.get("/members/?q=nguyen")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "503" in body
    assert "Traceback" not in body
    # The page tries itself again, and links back to what was asked.
    assert f'content="{RETRY_AFTER}"' in body
    assert 'href="/members/?q=nguyen"' in body


@handled_by_middleware
def test_the_503_page_is_vietnamese_first(signed_in, tmp_path):
    # Needs the Vietnamese translations of core.unavailable and templates/503.html.
    with database(_unreachable(tmp_path)):
        response = signed_in.get("/members/")
    assert response.status_code == 503
    assert "Hệ thống tạm thời gián đoạn" in response.content.decode()
    assert 'lang="vi"' in response.content.decode()


@handled_by_middleware
def test_the_503_page_in_english_when_chosen(signed_in, tmp_path):
    signed_in.cookies["django_language"] = "en"
    with database(_unreachable(tmp_path)):
        response = signed_in.get("/reports/membership/")
    assert response.status_code == 503
    assert "The system is temporarily unavailable" in response.content.decode()


@handled_by_middleware
def test_a_form_sent_while_the_database_is_unreachable_answers_503(signed_in, tmp_path):
    with database(_unreachable(tmp_path)):
        response = signed_in.post("/members/new/", {"full_name": "Nguyễn Văn A"})
    assert response.status_code == 503
    # No "try again" link nor refresh that would send the form again.
    assert "http-equiv" not in response.content.decode()


@handled_by_middleware
def test_sqlite_locked_past_its_busy_timeout_answers_503(signed_in, tmp_path):
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with database(_sqlite(path, init_command="PRAGMA busy_timeout=50;")):
            response = signed_in.get("/members/")
    finally:
        holder.close()
    assert response.status_code == 503


def test_a_session_that_cannot_be_saved_answers_503_not_400(signed_in, tmp_path, caplog):
    # The database goes away after the view answered, before SessionMiddleware saves the
    # session: Django would answer 400 ("the session was deleted before the request
    # completed"), logged with its traceback. Django's own SessionMiddleware, around a view
    # that changes the session and then loses the database.
    unreachable = _unreachable(tmp_path)
    original = connections["default"]

    def view(request):
        request.session["touched"] = True
        connections["default"] = unreachable
        return HttpResponse("made")

    handler = DatabaseUnavailableMiddleware(convert_exception_to_response(SessionMiddleware(view)))
    request = RequestFactory().get("/members/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = signed_in.session.session_key
    try:
        with caplog.at_level(logging.WARNING):
            response = handler(request)
    finally:
        connections["default"] = original
        unreachable.close()
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # The warning names the database's error, not the session's.
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "dangvu.unavailable"]
    assert "OperationalError" in warning
    assert "SessionInterrupted" not in warning


@pytest.mark.allow_server_error(reason="a missing table is a fault of ours: a 500 on purpose")
def test_a_database_that_answers_with_an_error_is_still_a_500(signed_in, tmp_path, caplog):
    # The database is there but the statement is wrong (here: no such table): not an outage.
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    with caplog.at_level(logging.WARNING), database(_sqlite(path)):
        response = signed_in.get("/members/")
    assert response.status_code == 500
    assert any(r.levelno == logging.ERROR and r.name == "django.request" for r in caplog.records)


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_503_json(users, tmp_path):
    token = make_token(users.staff_kt)
    client = Client()
    with database(_unreachable(tmp_path)):
        response = client.get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_an_api_write_while_the_database_is_unreachable_answers_503(users, tmp_path):
    token = make_token(users.staff_kt)
    client = Client()
    with database(_unreachable(tmp_path)):
        response = client.post(
            "/api/v1/members/1/events",
            data={"type": "exempted", "date": "2025-07-01"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 503
    assert set(response.json()) == {"detail"}


# --- logging and recovery ---------------------------------------------------------------------


@handled_by_middleware
def test_one_warning_per_outage_no_error_and_the_next_request_is_served(
    signed_in, users, tmp_path, caplog
):
    token = make_token(users.staff_kt)
    with caplog.at_level(logging.WARNING), database(_unreachable(tmp_path)):
        for _ in range(3):
            assert signed_in.get("/members/").status_code == 503
        answer = Client().get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert answer.status_code == 503
    during = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in during] == ["dangvu.unavailable"]
    assert during[0].levelno == logging.WARNING
    assert during[0].exc_info is None
    assert "database unavailable" in during[0].getMessage()

    # The database is back: the same client is served, nothing restarted.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert signed_in.get("/members/").status_code == 200
    back = [r.getMessage() for r in caplog.records if r.name == "dangvu.unavailable"]
    assert len(back) == 1
    assert "available again" in back[0]
    assert "4 request(s) answered 503" in back[0]


# --- what counts as "unavailable" -------------------------------------------------------------


def _error(call):
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("no error")


def test_unreachable_postgresql_and_an_exhausted_pool_are_unavailable():
    port = _closed_port()
    refused = _error(lambda: psycopg.connect(host="127.0.0.1", port=port, connect_timeout=5))
    assert database_unavailable(refused)
    pool = psycopg_pool.ConnectionPool(
        f"host=127.0.0.1 port={port} connect_timeout=5",
        min_size=0,
        max_size=1,
        open=True,
        timeout=0.3,
    )
    try:
        timeout = _error(pool.getconn)
    finally:
        pool.close()
    assert isinstance(timeout, psycopg_pool.PoolTimeout)
    assert database_unavailable(timeout)
    # As Django raises them: its OperationalError over the driver's.
    try:
        raise OperationalError(str(refused)) from refused
    except OperationalError as wrapped:
        assert database_unavailable(wrapped)


def test_sqlite_errors_that_are_and_are_not_an_outage(tmp_path):
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0.05)
    try:
        locked = _error(lambda: other.execute("SELECT * FROM t").fetchall())
        missing = _error(lambda: other.execute("SELECT * FROM nothing").fetchall())
    finally:
        other.close()
        holder.close()
    assert database_unavailable(locked)
    assert not database_unavailable(missing)
    assert not database_unavailable(ValueError("not a database error"))
    assert not database_unavailable(None)


def test_a_cancelled_statement_is_not_an_outage():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statement timeout")
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_timeout")
        cursor.execute("SET LOCAL statement_timeout = 10")
        try:
            cursor.execute("SELECT pg_sleep(1)")
        except OperationalError as exc:
            cancelled = exc
        else:
            raise AssertionError("the statement was not cancelled")
        cursor.execute("ROLLBACK TO SAVEPOINT before_timeout")
    assert isinstance(cancelled.__cause__, psycopg.errors.QueryCanceled)
    assert not database_unavailable(cancelled)
