"""A training class's life cycle as one pure function, which every service that moves a class
asks (STYLE.md rule 16): planned → open for enrolment → closed (under way) → finished (results
recorded); cancelled from any state before it is finished."""

from dangvu.training.choices import State

__all__ = ["NEXT", "ENROLLING", "can_move", "may_enrol"]

NEXT: dict[str, frozenset[str]] = {
    State.PLANNED: frozenset({State.OPEN, State.CLOSED, State.CANCELLED}),
    State.OPEN: frozenset({State.CLOSED, State.CANCELLED}),
    State.CLOSED: frozenset({State.OPEN, State.FINISHED, State.CANCELLED}),
    State.FINISHED: frozenset(),
    State.CANCELLED: frozenset(),
}
# A person is enrolled (or withdrawn) while the class is planned or open; once it is closed
# the roll is the class's and changes no more.
ENROLLING = frozenset({State.PLANNED, State.OPEN})


def can_move(current: str, target: str) -> bool:
    return target in NEXT.get(current, frozenset())


def may_enrol(current: str) -> bool:
    return current in ENROLLING
