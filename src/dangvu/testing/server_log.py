"""pytest plugin: the server log of the whole suite holds no unhandled exception.

pytest runs Django in-process, so "the server log" is what Django logs while the suite runs.
For the whole session this plugin listens to

- the `got_request_exception` signal (a view raised: the request became a 500), and
- the "django.request" and "django.server" loggers at ERROR (Django's "Internal Server Error:
  /path" with its traceback, any other 5xx answer, the development/live server's 5xx lines),

whatever client sends the request: the test client (even one made with
`raise_request_exception=False`, which would otherwise hide the 500 from the test), a
`pytest.raises` around a request, or a browser against the live server in another thread.

Each such event is charged to the test running at the time: that test gets an error in its
teardown naming the request and the exception. Events outside any test (a session fixture, a
live server thread after its test ended) fail the session. Either way the session ends with a
list of them and a non-zero exit status.

A test that provokes a 500 on purpose says so:

    @pytest.mark.allow_server_error(reason="the 500 page itself")
    def test_the_500_page(...): ...

Registered from src/dangvu/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import logging
import threading
import traceback
import weakref
from dataclasses import dataclass

import pytest

__all__ = ["MARKER", "ServerErrorRecorder"]

MARKER = "allow_server_error"
LOGGERS = ("django.request", "django.server")


@dataclass(frozen=True)
class ServerError:
    test: str | None  # the test's node id; None outside any test
    source: str  # "got_request_exception" or the logger's name
    summary: str  # one line: the request and the exception
    detail: str  # the traceback, when there is one

    def __str__(self) -> str:
        where = self.test or "outside any test"
        text = f"{where}: [{self.source}] {self.summary}"
        return f"{text}\n{self.detail.rstrip()}" if self.detail else text


def _request_line(request) -> str:
    if request is None:
        return "(no request)"
    method = getattr(request, "method", None) or "?"
    path = request.get_full_path() if hasattr(request, "get_full_path") else str(request)
    return f"{method} {path}"


class _Handler(logging.Handler):
    def __init__(self, recorder: ServerErrorRecorder):
        super().__init__(level=logging.ERROR)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        try:
            status = getattr(record, "status_code", None)
            if status is not None and status < 500:
                return
            detail = ""
            if record.exc_info and record.exc_info[0] is not None:
                detail = "".join(traceback.format_exception(*record.exc_info))
            request = getattr(record, "request", None)
            if request is not None and not hasattr(request, "get_full_path"):
                request = None  # django.server passes the socket, not an HttpRequest
            if request is not None and self.recorder.signalled(request):
                return  # Django's "Internal Server Error" line of an exception already recorded
            summary = record.getMessage()
            if request is not None and _request_line(request) not in summary:
                summary = f"{_request_line(request)}: {summary}"
            self.recorder.add(record.name, summary, detail)
        except Exception:  # pragma: no cover - never let the recorder break a test
            self.handleError(record)


class ServerErrorRecorder:
    """Collects the server errors of a session and charges them to the running test."""

    def __init__(self):
        self.errors: list[ServerError] = []
        self.current: str | None = None  # node id of the running test
        self._lock = threading.Lock()
        self._handler = _Handler(self)
        self._loggers: list[tuple[logging.Logger, int]] = []
        self._signalled: weakref.WeakSet = weakref.WeakSet()

    # --- what is recorded -------------------------------------------------------------------

    def add(self, source: str, summary: str, detail: str = "") -> None:
        with self._lock:
            self.errors.append(ServerError(self.current, source, summary, detail))

    def on_request_exception(self, sender, request=None, **kwargs) -> None:
        # Sent from inside Django's exception handling: sys.exc_info() is the exception.
        detail = traceback.format_exc()
        last = detail.rstrip().splitlines()[-1] if detail.strip() else "unknown exception"
        self.add("got_request_exception", f"{_request_line(request)}: {last}", detail)
        if request is not None:
            with self._lock:
                self._signalled.add(request)

    def signalled(self, request) -> bool:
        with self._lock:
            return request in self._signalled

    # --- attach / detach --------------------------------------------------------------------

    def start(self) -> None:
        from django.core.signals import got_request_exception

        got_request_exception.connect(self.on_request_exception, dispatch_uid=__name__)
        for name in LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self._handler)
            # The handler must see ERROR records whatever level the settings give the logger.
            self._loggers.append((logger, logger.level))
            if logger.getEffectiveLevel() > logging.ERROR:
                logger.setLevel(logging.ERROR)

    def stop(self) -> None:
        from django.core.signals import got_request_exception

        got_request_exception.disconnect(dispatch_uid=__name__)
        for logger, level in self._loggers:
            logger.removeHandler(self._handler)
            logger.setLevel(level)
        self._loggers.clear()

    # --- per test ---------------------------------------------------------------------------

    def of_test(self, nodeid: str) -> list[ServerError]:
        with self._lock:
            return [e for e in self.errors if e.test == nodeid]

    def forgive(self, nodeid: str) -> None:
        with self._lock:
            self.errors = [e for e in self.errors if e.test != nodeid]


_KEY = pytest.StashKey[ServerErrorRecorder]()
_CALL_FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(reason): the test provokes an unhandled exception (a 500) on purpose; "
        "the server-log check (dangvu.testing.server_log) lets it pass",
    )
    config.stash[_KEY] = ServerErrorRecorder()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest-django has configured Django by now (its pytest_load_initial_conftests).
    session.config.stash[_KEY].start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    recorder = item.config.stash[_KEY]
    recorder.current = item.nodeid
    try:
        return (yield)
    finally:
        recorder.current = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    if call.when != "teardown":
        return report
    recorder = item.config.stash[_KEY]
    if item.get_closest_marker(MARKER) is not None:
        recorder.forgive(item.nodeid)
        return report
    errors = recorder.of_test(item.nodeid)
    # A test that failed already (the test client re-raises a view's exception) needs no
    # second report; the session's list still names the error.
    if errors and report.passed and not item.stash.get(_CALL_FAILED, False):
        report.outcome = "failed"
        report.longrepr = (
            f"{len(errors)} unhandled server error(s) during this test (mark it "
            f"@pytest.mark.{MARKER}(reason=...) if it provokes them on purpose):\n\n"
            + "\n\n".join(str(e) for e in errors)
        )
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    recorder = session.config.stash.get(_KEY, None)
    if recorder is None:
        return
    recorder.stop()
    if recorder.errors and session.exitstatus in (
        pytest.ExitCode.OK,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    recorder = config.stash.get(_KEY, None)
    if recorder is None or not recorder.errors:
        return
    terminalreporter.section("unhandled server errors", sep="=", red=True, bold=True)
    for error in recorder.errors:
        summary = f"{error.test or 'outside any test'}: [{error.source}] {error.summary}"
        terminalreporter.line(summary, red=True)
    terminalreporter.line(
        f"{len(recorder.errors)} unhandled server error(s): the suite fails "
        f"(dangvu.testing.server_log; @pytest.mark.{MARKER} for a deliberate one)",
        red=True,
        bold=True,
    )
