"""The membership state machine (members.state.transition): one pure function that every
write path and `dangvu check` share. No database needed."""

from datetime import date

import pytest

from dangvu.core.errors import DomainError
from dangvu.members.choices import USER_EVENTS, EventType, Status
from dangvu.members.state import EventInput, MemberState, probation_end, replay, transition

CELL, OTHER, THIRD = 11, 22, 33
ADMITTED = date(2020, 3, 15)


def _admitted(ceremony: date | None = None) -> MemberState:
    return transition(
        MemberState(), EventInput(EventType.ADMITTED, ADMITTED, org_id=CELL, ceremony_date=ceremony)
    )


def _official() -> MemberState:
    return transition(_admitted(), EventInput(EventType.RECOGNISED, date(2021, 3, 15)))


def _refused(state: MemberState, ev: EventInput) -> str:
    with pytest.raises(DomainError) as exc:
        transition(state, ev)
    return exc.value.field


def test_admission_makes_a_probationary_member_of_the_cell():
    state = _admitted()
    assert state == MemberState(
        status=Status.PROBATIONARY,
        org_id=CELL,
        admission_date=ADMITTED,
        ceremony_date=ADMITTED,
        last_date=ADMITTED,
    )
    assert state.in_party


def test_probation_runs_twelve_months_from_the_ceremony():
    assert probation_end(_admitted()) == date(2021, 3, 15)
    assert probation_end(_admitted(ceremony=date(2020, 4, 10))) == date(2021, 4, 10)
    leap = transition(MemberState(), EventInput(EventType.ADMITTED, date(2020, 2, 29), org_id=CELL))
    assert probation_end(leap) == date(2021, 2, 28)


def test_recognition_before_the_end_of_probation_is_refused_on_the_date():
    assert _refused(_admitted(), EventInput(EventType.RECOGNISED, date(2021, 3, 14))) == "date"
    assert (
        _refused(
            _admitted(ceremony=date(2020, 4, 10)),
            EventInput(EventType.RECOGNISED, date(2021, 4, 9)),
        )
        == "date"
    )


def test_recognition_takes_effect_on_the_twelve_month_date_even_when_decided_later():
    on_time = transition(_admitted(), EventInput(EventType.RECOGNISED, date(2021, 3, 15)))
    late = transition(_admitted(), EventInput(EventType.RECOGNISED, date(2021, 6, 1)))
    assert (on_time.status, on_time.official_date) == (Status.OFFICIAL, date(2021, 3, 15))
    assert (late.status, late.official_date, late.last_date) == (
        Status.OFFICIAL,
        date(2021, 3, 15),
        date(2021, 6, 1),
    )


def test_only_a_probationary_member_is_recognised():
    assert _refused(_official(), EventInput(EventType.RECOGNISED, date(2022, 1, 1))) == "type"


@pytest.mark.parametrize("terminal", [EventType.DIED, EventType.LEFT])
@pytest.mark.parametrize("event", USER_EVENTS)
def test_nothing_follows_death_or_leaving(terminal, event):
    gone = transition(_official(), EventInput(terminal, date(2022, 1, 1)))
    assert not gone.in_party
    if event == EventType.CORRECTION:
        return  # corrections do not go through transition (see test_services)
    # A person who left may be admitted again, but not within the waiting time.
    refused = "date" if (terminal, event) == (EventType.LEFT, EventType.ADMITTED) else "type"
    assert _refused(gone, EventInput(event, date(2022, 2, 1), org_id=OTHER)) == refused


@pytest.mark.parametrize("terminal", [EventType.EXPELLED, EventType.STRUCK_OFF])
def test_an_expelled_or_struck_off_member_can_only_be_restored(terminal):
    gone = transition(_official(), EventInput(terminal, date(2022, 1, 1)))
    assert _refused(gone, EventInput(EventType.EXEMPTED, date(2022, 2, 1))) == "type"
    back = transition(gone, EventInput(EventType.RESTORED, date(2022, 2, 1), org_id=OTHER))
    assert (back.status, back.org_id, back.official_date) == (
        Status.OFFICIAL,
        OTHER,
        date(2021, 3, 15),
    )
    probationer = transition(_admitted(), EventInput(terminal, date(2020, 6, 1)))
    restored = transition(probationer, EventInput(EventType.RESTORED, date(2020, 7, 1)))
    assert (restored.status, restored.org_id) == (Status.PROBATIONARY, CELL)


def test_restoring_a_member_in_the_party_is_refused():
    assert _refused(_official(), EventInput(EventType.RESTORED, date(2022, 1, 1))) == "type"


def test_an_event_before_the_last_one_is_refused_on_the_date():
    assert _refused(_official(), EventInput(EventType.EXEMPTED, date(2021, 3, 14))) == "date"
    same_day = transition(_official(), EventInput(EventType.EXEMPTED, date(2021, 3, 15)))
    assert same_day.exempted


def test_admitting_someone_already_on_the_records_is_refused():
    assert (
        _refused(_official(), EventInput(EventType.ADMITTED, date(2022, 1, 1), org_id=CELL))
        == "type"
    )
    assert _refused(MemberState(), EventInput(EventType.DIED, date(2022, 1, 1))) == "type"
    assert _refused(MemberState(), EventInput(EventType.ADMITTED, date(2022, 1, 1))) == (
        "organisation"
    )


def test_transfer_changes_the_cell_and_ends_a_temporary_attachment():
    away = transition(
        _official(), EventInput(EventType.TEMPORARY_TRANSFER, date(2022, 1, 1), org_id=THIRD)
    )
    assert (away.org_id, away.temp_org_id) == (CELL, THIRD)
    moved = transition(away, EventInput(EventType.TRANSFERRED, date(2022, 2, 1), org_id=OTHER))
    assert (moved.org_id, moved.temp_org_id, moved.status) == (OTHER, None, Status.OFFICIAL)
    reorganised = transition(
        away, EventInput(EventType.REORGANISED, date(2022, 2, 1), org_id=OTHER)
    )
    assert (reorganised.org_id, reorganised.temp_org_id) == (OTHER, THIRD)


@pytest.mark.parametrize(
    "event", [EventType.TRANSFERRED, EventType.TEMPORARY_TRANSFER, EventType.REORGANISED]
)
def test_a_transfer_needs_a_different_receiving_cell(event):
    assert _refused(_official(), EventInput(event, date(2022, 1, 1))) == "organisation"
    assert _refused(_official(), EventInput(event, date(2022, 1, 1), org_id=CELL)) == (
        "organisation"
    )


def test_temporary_transfer_and_return():
    away = transition(
        _official(), EventInput(EventType.TEMPORARY_TRANSFER, date(2022, 1, 1), org_id=OTHER)
    )
    assert (
        _refused(away, EventInput(EventType.TEMPORARY_TRANSFER, date(2022, 2, 1), org_id=THIRD))
        == "type"
    )
    back = transition(away, EventInput(EventType.TEMPORARY_RETURN, date(2022, 6, 1)))
    assert (back.org_id, back.temp_org_id) == (CELL, None)
    assert _refused(back, EventInput(EventType.TEMPORARY_RETURN, date(2022, 7, 1))) == "type"


def test_exemption_and_its_end():
    exempted = transition(_official(), EventInput(EventType.EXEMPTED, date(2022, 1, 1)))
    assert (exempted.exempted, exempted.status) == (True, Status.OFFICIAL)
    assert _refused(exempted, EventInput(EventType.EXEMPTED, date(2022, 2, 1))) == "type"
    ended = transition(exempted, EventInput(EventType.EXEMPTION_ENDED, date(2022, 6, 1)))
    assert ended.exempted is False
    assert _refused(ended, EventInput(EventType.EXEMPTION_ENDED, date(2022, 7, 1))) == "type"


def test_transferred_in_from_outside_keeps_the_status_brought_along():
    official = transition(
        MemberState(official_date=date(2010, 1, 1)),
        EventInput(
            EventType.TRANSFERRED_IN, date(2022, 1, 1), org_id=CELL, initial_status=Status.OFFICIAL
        ),
    )
    assert (official.status, official.official_date) == (Status.OFFICIAL, date(2010, 1, 1))
    probationer = transition(
        MemberState(),
        EventInput(
            EventType.TRANSFERRED_IN,
            date(2022, 1, 1),
            org_id=CELL,
            initial_status=Status.PROBATIONARY,
        ),
    )
    assert probationer.status == Status.PROBATIONARY


def test_replay_applies_events_in_order():
    state = replay(
        [
            EventInput(EventType.ADMITTED, ADMITTED, org_id=CELL),
            EventInput(EventType.RECOGNISED, date(2021, 4, 1)),
            EventInput(EventType.TRANSFERRED, date(2022, 1, 1), org_id=OTHER),
            EventInput(EventType.EXEMPTED, date(2023, 1, 1)),
        ]
    )
    assert state == MemberState(
        status=Status.OFFICIAL,
        org_id=OTHER,
        exempted=True,
        admission_date=ADMITTED,
        ceremony_date=ADMITTED,
        official_date=date(2021, 3, 15),
        last_date=date(2023, 1, 1),
    )


def test_unknown_event_type_is_refused():
    assert _refused(_official(), EventInput("promoted", date(2022, 1, 1))) == "type"
