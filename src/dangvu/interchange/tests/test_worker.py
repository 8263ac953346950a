"""`dangvu worker` outlives an outage of the database: it waits and polls again instead of dying
with a traceback (the web workers answer 503 meanwhile and come back by themselves)."""

import sqlite3

import pytest
from django.core.management import call_command
from django.db import OperationalError, ProgrammingError

from dangvu.interchange.management.commands import worker


def _unavailable() -> OperationalError:
    try:
        raise OperationalError("unable to open database file") from sqlite3.OperationalError(
            "unable to open database file"
        )
    except OperationalError as exc:
        return exc


@pytest.fixture
def polls(monkeypatch):
    """What the worker asked django-tasks' db_worker to do, each call failing or not as told."""
    calls, outcomes = [], []

    def db_worker(name, *args, **kwargs):
        calls.append(args)
        outcome = outcomes.pop(0) if outcomes else None
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(worker, "call_command", db_worker)
    monkeypatch.setattr(worker, "RETRY", 0)
    monkeypatch.setattr(worker.time, "sleep", lambda _s: None)
    return calls, outcomes


def test_the_worker_polls_again_after_the_database_was_unavailable(polls, caplog):
    calls, outcomes = polls
    outcomes += [_unavailable(), _unavailable(), None]
    call_command("worker")
    assert len(calls) == 3
    assert "database unavailable" in caplog.text and "Traceback" not in caplog.text


def test_a_real_error_still_stops_it(polls):
    _calls, outcomes = polls
    outcomes.append(ProgrammingError("no such column"))
    with pytest.raises(ProgrammingError):
        call_command("worker")


def test_a_batch_run_reports_the_outage_rather_than_waiting(polls):
    _calls, outcomes = polls
    outcomes.append(_unavailable())
    with pytest.raises(OperationalError):
        call_command("worker", "--batch")
