"""The server-log check (dangvu.testing.server_log): a request that ends in an unhandled
exception anywhere in the suite fails it, unless its test is marked allow_server_error."""

import textwrap

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from dangvu.testing.server_log import _KEY, MARKER

pytest_plugins = ["pytester"]


@login_not_required
def _boom(request):
    raise RuntimeError("boom in a view")


@login_not_required
def _unavailable(request):
    return HttpResponse("down", status=503)


@login_not_required
def _teapot(request):
    return HttpResponse("no", status=418)


# This module is the URL conf of the in-process tests below.
urlpatterns = [
    path("boom/", _boom),
    path("unavailable/", _unavailable),
    path("teapot/", _teapot),
]


@pytest.mark.allow_server_error(reason="checks that the recorder sees it")
@override_settings(ROOT_URLCONF=__name__)
def test_an_unhandled_exception_is_recorded_once_and_charged_to_its_test(request):
    recorder = request.config.stash[_KEY]
    # raise_request_exception=False: the test itself never sees the exception, the check does.
    response = Client(raise_request_exception=False).get("/boom/?x=1")
    assert response.status_code == 500
    errors = recorder.of_test(request.node.nodeid)
    # The signal and Django's "Internal Server Error" line are one event.
    assert len(errors) == 1, errors
    assert errors[0].source == "got_request_exception"
    assert errors[0].summary == "GET /boom/?x=1: RuntimeError: boom in a view"
    assert "Traceback (most recent call last)" in errors[0].detail
    assert "_boom" in errors[0].detail


@pytest.mark.allow_server_error(reason="checks that the recorder sees it")
@override_settings(ROOT_URLCONF=__name__)
def test_a_5xx_answer_without_an_exception_is_recorded_and_a_4xx_is_not(request):
    recorder = request.config.stash[_KEY]
    assert Client().get("/teapot/").status_code == 418
    assert Client().get("/api/v1/nowhere").status_code == 404
    assert recorder.of_test(request.node.nodeid) == []
    assert Client().get("/unavailable/").status_code == 503
    [error] = recorder.of_test(request.node.nodeid)
    assert (error.source, error.summary) == (
        "django.request",
        "GET /unavailable/: Service Unavailable: /unavailable/",
    )


@override_settings(ROOT_URLCONF=__name__)
def test_an_ordinary_test_records_nothing(request):
    assert Client().get("/teapot/").status_code == 418
    assert request.config.stash[_KEY].of_test(request.node.nodeid) == []
    assert request.node.get_closest_marker(MARKER) is None


# --- the plugin in a pytest session of its own ----------------------------------------------------

SUITE = """
    import logging
    import threading

    import pytest
    from django.core.signals import got_request_exception

    # Before any test: nobody to charge it to, so the session fails.
    logging.getLogger("django.request").error(
        "Internal Server Error: /at-import", extra={"status_code": 500}
    )


    def _raise_in_a_view():
        try:
            raise ValueError("unhandled in a view")
        except ValueError:
            got_request_exception.send(sender=None, request=None)


    def test_clean():
        logging.getLogger("django.request").warning("Not Found: /x", extra={"status_code": 404})


    def test_swallows_a_500():
        _raise_in_a_view()


    def test_a_500_in_another_thread():
        thread = threading.Thread(target=_raise_in_a_view)
        thread.start()
        thread.join()


    @pytest.mark.allow_server_error(reason="on purpose")
    def test_provokes_a_500_on_purpose():
        _raise_in_a_view()
        logging.getLogger("django.server").error('"GET /x HTTP/1.1" 500 12')
"""


def _run(pytester, source):
    pytester.makepyfile(test_suite=textwrap.dedent(source))
    # A session without pytest-django (no database, no settings): only the plugin.
    return pytester.runpytest_subprocess(
        "-p", "dangvu.testing.server_log", "-p", "no:django", "-p", "no:cacheprovider", "-rA"
    )


def test_the_session_fails_and_names_each_unmarked_server_error(pytester):
    result = _run(pytester, SUITE)
    # Each unmarked test with a server error gets an error in its teardown; the marked one
    # passes; the error outside any test fails the session.
    result.assert_outcomes(passed=4, errors=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_swallows_a_500*",
            "*1 unhandled server error(s) during this test*",
            "*ValueError: unhandled in a view*",
            "*= unhandled server errors =*",
            "outside any test: [[]django.request[]] Internal Server Error: /at-import",
            "test_suite.py::test_swallows_a_500: [[]got_request_exception[]] *ValueError*",
            "test_suite.py::test_a_500_in_another_thread: [[]got_request_exception[]] *ValueError*",
            "3 unhandled server error(s): the suite fails*",
        ]
    )
    assert "test_provokes_a_500_on_purpose: [" not in result.stdout.str()


def test_an_error_outside_any_test_alone_fails_the_session(pytester):
    result = _run(
        pytester,
        """
        import logging

        logging.getLogger("django.server").error('"GET /x HTTP/1.1" 500 12')


        def test_clean():
            pass
        """,
    )
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["outside any test: [[]django.server[]] *500*"])


def test_a_clean_session_passes(pytester):
    result = _run(
        pytester,
        """
        import logging


        def test_clean():
            logging.getLogger("django.request").warning("Not Found: /x", extra={"status_code": 404})
        """,
    )
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    assert "unhandled server errors" not in result.stdout.str()
