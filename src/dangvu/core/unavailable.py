"""503 while the database is unavailable (PostgreSQL stopped or restarting, the connection pool
exhausted, SQLite locked beyond its busy timeout): a clear page, or JSON under /api/, with
Retry-After, instead of a 500 with a traceback; and the service comes back by itself with the
database (the next request opens a fresh connection: nothing to restart).

Where the failure happens decides how it reaches us. A view's (the API's bearer token, a list,
a report) comes to `process_exception`. A middleware's (the session and the user are read by the
sign-in and second-factor middleware, before any view) is turned into a 500 by Django at that
middleware's level, logged as an error with its traceback, and handed outwards as a response: a
receiver of `got_request_exception` marks the request, a filter on the `django.request` logger
drops that error record, and this middleware, outside every middleware that reads the database,
answers 503 instead of the 500. A session that cannot be saved at the end of a request
(SessionMiddleware) Django answers 400 ("the session was deleted"), logged on the same logger
with the database's error under it: the filter marks that request, and it is answered 503 too.

Logged at WARNING without a traceback, once per outage and server process: the first failure
(what the driver said), then, at the first request served with the database again, how long it
lasted and how many requests were answered 503.
"""

import logging
import sqlite3
import threading
import time

import psycopg
import psycopg_pool
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from dangvu.core.stylesheet import stylesheet_hash

__all__ = ["RETRY_AFTER", "DatabaseUnavailableMiddleware", "database_unavailable"]

logger = logging.getLogger("dangvu.unavailable")

# Seconds a client is asked to wait (Retry-After): about a database restart.
RETRY_AFTER = 30
_MARK = "_dangvu_database_unavailable"

# PostgreSQL's SQLSTATEs that mean "no database to talk to" rather than "this statement failed":
# class 08 (connection exception), the server shutting down or starting (57P01-57P03), too many
# connections (53300). A statement timeout (57014), a lock timeout or a deadlock stays a 500.
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}
# SQLite: the file is locked past busy_timeout, or cannot be opened or read.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database is busy",
    "unable to open database file",
    "disk i/o error",
)


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or the driver's error under Django's, or the error it was raised while
    handling: a session that could not be saved) says the database cannot be reached or used for
    now, rather than that a statement or the code is wrong."""
    seen = 0
    while exc is not None and seen < 6:
        if isinstance(exc, psycopg_pool.PoolTimeout | psycopg_pool.TooManyRequests):
            return True
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            state = exc.sqlstate
            # No SQLSTATE: the connection failed or broke (refused, reset, closed).
            return state is None or state.startswith("08") or state in _PG_UNAVAILABLE
        if isinstance(exc, sqlite3.OperationalError):
            return str(exc).lower().startswith(_SQLITE_UNAVAILABLE)
        if isinstance(exc, InterfaceError):
            return True  # Django's own: "connection already closed"
        if isinstance(exc, OperationalError) and exc.__cause__ is None:
            return False
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _database_error(exc: BaseException) -> BaseException:
    """The database's own error under `exc` (a session that could not be saved names the
    connection that failed, not the session), else `exc`."""
    found, seen = exc, 0
    while found is not None and seen < 6:
        if isinstance(found, OperationalError | InterfaceError):
            return found
        found, seen = found.__cause__ or found.__context__, seen + 1
    return exc


class _Outage:
    """Per server process: when the database went away and how many requests got a 503."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None
        self.answered = 0

    def failed(self, request, exc) -> None:
        exc = _database_error(exc)
        with self.lock:
            first = self.since is None
            if first:
                self.since = time.monotonic()
                self.answered = 0
            self.answered += 1
        if first:
            logger.warning(
                "database unavailable (%s: %s): %s %s and the following requests answer 503 "
                "until it is back",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                request.method,
                request.path,
            )

    def served(self) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is None:
                return
            lasted, answered = time.monotonic() - self.since, self.answered
            self.since = None
        logger.warning(
            "database available again after %.1f s; %d request(s) answered 503",
            lasted,
            answered,
        )


_outage = _Outage()


class _DropUnavailable(logging.Filter):
    """Keeps Django's records of a request answered 503 here out of the log: the "Internal
    Server Error" (and its traceback) of the middleware that failed, the "Service Unavailable"
    of the answer, the session that could not be saved (which Django answers 400, as if another
    request had deleted it). The outage is logged once by _Outage. The request is marked for
    the middleware: Django sends no signal for a session it could not save."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if getattr(request, _MARK, None) is not None:
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if not database_unavailable(exc):
            return True
        if request is not None:
            setattr(request, _MARK, exc)
        return False


_filter = _DropUnavailable()


def _remember(sender, request=None, **kwargs):
    import sys

    exc = sys.exc_info()[1]
    if request is not None and database_unavailable(exc):
        setattr(request, _MARK, exc)


class DatabaseUnavailableMiddleware:
    """Outside every middleware that reads the database (after WhiteNoise: static files never
    need it)."""

    def __init__(self, get_response):
        self.get_response = get_response
        logging.getLogger("django.request").addFilter(_filter)
        got_request_exception.connect(_remember, dispatch_uid="dangvu.core.unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None and response.status_code >= 400 and not getattr(response, _MARK, None):
            return self._answer(request, exc)
        if exc is None and response.status_code < 500 and _used_database():
            _outage.served()
        return response

    def process_exception(self, request, exc):
        if database_unavailable(exc):
            return self._answer(request, exc)
        return None

    def _answer(self, request, exc):
        setattr(request, _MARK, exc)
        _outage.failed(request, exc)
        with translation.override(_language(request)):
            if request.path.startswith("/api/"):
                response = JsonResponse(
                    {
                        "detail": _(
                            "The database is temporarily unavailable: try again in a minute."
                        )
                    },
                    status=503,
                )
            else:
                again = request.get_full_path() if request.method in ("GET", "HEAD") else ""
                response = HttpResponse(
                    render_to_string(
                        "503.html",
                        {
                            "again_url": again,
                            "retry_after": RETRY_AFTER,
                            "language": translation.get_language(),
                        },
                    ),
                    status=503,
                )
        setattr(response, _MARK, True)  # answered already (by process_exception)
        response["Retry-After"] = str(RETRY_AFTER)
        add_never_cache_headers(response)
        # Made outside the middleware that sets the site's policy: the page holds its
        # stylesheet (admitted by its hash) and nothing else.
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'none'; style-src {stylesheet_hash()}; img-src 'self' data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        return response


def _language(request) -> str:
    """As LanguageMiddleware chooses it (it may not have run yet): the chosen one, else vi."""
    from django.conf import settings

    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _used_database() -> bool:
    """A connection is open: this request reached the database (closed connections are
    returned to the pool at request_finished, after this middleware)."""
    return connections[DEFAULT_DB_ALIAS].connection is not None
