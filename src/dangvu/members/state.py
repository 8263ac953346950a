"""The membership state machine: one pure function shared by the single-event service, the
bulk path and `dangvu check`, so that every path enforces the same rules."""

from datetime import date
from typing import NamedTuple

from django.utils.translation import gettext as _

from dangvu.core.dates import add_months
from dangvu.core.errors import DomainError
from dangvu.core.rules import rule_value_or_none
from dangvu.members.choices import IN_PARTY, TERMINAL, EventType, Status

__all__ = ["MemberState", "EventInput", "transition", "probation_end", "replay"]


class MemberState(NamedTuple):
    """Immutable; a NamedTuple because the bulk path builds millions of them."""

    status: str | None = None
    org_id: int | None = None
    exempted: bool = False
    temp_org_id: int | None = None
    admission_date: date | None = None
    ceremony_date: date | None = None
    official_date: date | None = None
    last_date: date | None = None

    @property
    def in_party(self) -> bool:
        return self.status in IN_PARTY


class EventInput(NamedTuple):
    type: str
    date: date
    org_id: int | None = None  # the receiving organisation, for events that name one
    initial_status: str | None = None  # transferred_in from outside: official or probationary
    ceremony_date: date | None = None  # admitted: when the ceremony took place


def probation_end(state: MemberState) -> date | None:
    """The day the probation ends, by the rule in force at the ceremony; None for a ceremony
    before the first rule Dangvu records (core.rules.RuleNotInForce): such a record's own
    dates stand as recorded."""
    start = state.ceremony_date or state.admission_date
    months = rule_value_or_none("probation_months", on=start)
    return add_months(start, months) if months is not None else None


# Who may be admitted again (kết nạp lại), after the waiting time: those who left, were
# struck off or expelled (DOMAIN.md §3.2). A member who died or was transferred out cannot.
READMITTABLE = frozenset({Status.LEFT, Status.STRUCK_OFF, Status.EXPELLED})


def _check_readmission_wait(state: MemberState, day: date) -> None:
    """A person is admitted again only `readmission_wait_months` after leaving (the rule in
    force on the day of the new admission; before the first recorded rule: as recorded)."""
    months = rule_value_or_none("readmission_wait_months", on=day)
    if months is None or state.last_date is None:
        return
    earliest = add_months(state.last_date, months)
    if day < earliest:
        raise DomainError(
            _(
                "A person is admitted again only %(n)d months after leaving the party: "
                "not before %(d)s."
            )
            % {"n": months, "d": _fmt(earliest)},
            field="date",
        )


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _terminal_error(state: MemberState) -> DomainError:
    messages = {
        Status.DIED: _("This member has died; no further event can be recorded."),
        Status.LEFT: _("This member has left the party; only an admission again can be recorded."),
        Status.EXPELLED: _(
            "This member was expelled; only a restoration or an admission again can be recorded."
        ),
        Status.STRUCK_OFF: _(
            "This member was struck off; only a restoration or an admission again can be recorded."
        ),
        Status.TRANSFERRED_OUT: _(
            "This member was transferred out of Dangvu; only a transfer in can be recorded."
        ),
    }
    return DomainError(messages[state.status], field="type")


def transition(state: MemberState, ev: EventInput) -> MemberState:
    """The state after `ev`, or DomainError naming the field that breaks a rule."""
    t = ev.type
    if state.last_date and ev.date < state.last_date:
        raise DomainError(
            _("The date cannot be before the member's last recorded event (%(d)s).")
            % {"d": _fmt(state.last_date)},
            field="date",
        )
    if t in (EventType.ADMITTED, EventType.TRANSFERRED_IN):
        returning = t == EventType.TRANSFERRED_IN and state.status == Status.TRANSFERRED_OUT
        again = t == EventType.ADMITTED and state.status in READMITTABLE
        if state.status is not None and not returning and not again:
            raise DomainError(_("This person is already on the party's records."), field="type")
        if ev.org_id is None:
            raise DomainError(_("Choose the party cell."), field="organisation")
        if again:
            _check_readmission_wait(state, ev.date)
        if t == EventType.ADMITTED:
            return state._replace(
                last_date=ev.date,
                status=Status.PROBATIONARY,
                org_id=ev.org_id,
                exempted=False,
                temp_org_id=None,
                admission_date=ev.date,
                ceremony_date=ev.ceremony_date or ev.date,
                official_date=None,
            )
        if returning:  # back from where they were transferred out to, as they were
            status = Status.OFFICIAL if state.official_date else Status.PROBATIONARY
            return state._replace(last_date=ev.date, status=status, org_id=ev.org_id)
        return state._replace(
            last_date=ev.date, status=ev.initial_status or Status.OFFICIAL, org_id=ev.org_id
        )

    if state.status is None:
        raise DomainError(_("This person is not on the party's records yet."), field="type")

    if t == EventType.RESTORED:
        if state.status not in (Status.EXPELLED, Status.STRUCK_OFF):
            raise DomainError(
                _("Only an expelled or struck-off member can be restored."), field="type"
            )
        return state._replace(
            last_date=ev.date,
            status=Status.OFFICIAL if state.official_date else Status.PROBATIONARY,
            org_id=ev.org_id or state.org_id,
            exempted=False,
            temp_org_id=None,
        )

    if state.status in TERMINAL:
        raise _terminal_error(state)

    if t == EventType.RECOGNISED:
        if state.status != Status.PROBATIONARY:
            raise DomainError(
                _("Only a probationary member can be recognised as official."), field="type"
            )
        # Before the first recorded rule the probation's end is unknown: the recognition's own
        # date is when it took effect (the record of the time is the evidence).
        end = probation_end(state) or ev.date
        if ev.date < end:
            raise DomainError(
                _("The probation period ends on %(d)s; recognition cannot be dated earlier.")
                % {"d": _fmt(end)},
                field="date",
            )
        # Recognition takes effect on the day the probation ends, even if decided later.
        return state._replace(last_date=ev.date, status=Status.OFFICIAL, official_date=end)

    if t in (EventType.TRANSFERRED, EventType.REORGANISED):
        if ev.org_id is None:
            raise DomainError(_("Choose the receiving party cell."), field="organisation")
        if ev.org_id == state.org_id:
            raise DomainError(
                _("The receiving cell is the member's current cell."), field="organisation"
            )
        return state._replace(
            last_date=ev.date,
            org_id=ev.org_id,
            temp_org_id=None if t == EventType.TRANSFERRED else state.temp_org_id,
        )

    if t == EventType.TEMPORARY_TRANSFER:
        if ev.org_id is None:
            raise DomainError(_("Choose the receiving party cell."), field="organisation")
        if ev.org_id == state.org_id:
            raise DomainError(
                _("The receiving cell is the member's current cell."), field="organisation"
            )
        if state.temp_org_id is not None:
            raise DomainError(_("The member is already temporarily transferred."), field="type")
        return state._replace(last_date=ev.date, temp_org_id=ev.org_id)

    if t == EventType.TEMPORARY_RETURN:
        if state.temp_org_id is None:
            raise DomainError(_("The member is not temporarily transferred."), field="type")
        return state._replace(last_date=ev.date, temp_org_id=None)

    if t == EventType.EXEMPTED:
        if state.exempted:
            raise DomainError(_("The member is already exempted."), field="type")
        return state._replace(last_date=ev.date, exempted=True)

    if t == EventType.EXEMPTION_ENDED:
        if not state.exempted:
            raise DomainError(_("The member is not exempted."), field="type")
        return state._replace(last_date=ev.date, exempted=False)

    terminal = {
        EventType.DIED: Status.DIED,
        EventType.STRUCK_OFF: Status.STRUCK_OFF,
        EventType.EXPELLED: Status.EXPELLED,
        EventType.LEFT: Status.LEFT,
        EventType.TRANSFERRED_OUT: Status.TRANSFERRED_OUT,
    }
    if t in terminal:
        return state._replace(last_date=ev.date, status=terminal[t], temp_org_id=None)

    raise DomainError(_("Unknown event type: %(t)s.") % {"t": t}, field="type")


def replay(events) -> MemberState:
    """State after a sequence of effective events (EventInput-like objects)."""
    state = MemberState()
    for ev in events:
        state = transition(state, ev)
    return state
