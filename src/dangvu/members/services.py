"""Membership services: every write to a member goes through here.

Each service is one transaction: it locks the member, checks the rules (state.transition),
appends the event, updates the member row and its in-party periods, moves the rollup counters
of every ancestor, and writes the audit record. The bulk path (members_create_bulk) applies the
same transition function and writes the same rows in batches.
"""

import functools
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.services import AuditEntry, audit_bulk, audit_record
from dangvu.core.dates import add_months, check_in_range
from dangvu.core.db import (
    allocate_ids,
    as_date,
    fetch,
    insert_rows,
    instance_maker,
    json_rows,
    prefix_q,
    refresh_planner_statistics,
    update_row,
)
from dangvu.core.editing import Editable, editable, shown_value
from dangvu.core.errors import DomainError, ValidationError
from dangvu.core.rules import rule_value_or_none
from dangvu.core.text import clean_text, fold, rotations
from dangvu.members.apps import SENSITIVE_FIELDS
from dangvu.members.choices import (
    EVENTS_WITH_ORG,
    IN_PARTY,
    USER_EVENTS,
    EventType,
    Status,
)
from dangvu.members.dated import (
    DATED_FIELDS,
    Timeline,
    attrs_of,
    status_spans,
    timeline_of,
    timelines_of,
    with_attributes,
)
from dangvu.members.fields import EVENT_DATES, MEMBER_FIELDS, RECORD, RecordField, record_field
from dangvu.members.models import (
    AttributeChange,
    Member,
    MemberPeriod,
    MembershipEvent,
    NameKey,
    Position,
    Transfer,
)
from dangvu.members.projections import EventFact, MemberChange, project, spans_of
from dangvu.members.selectors import effective_events
from dangvu.members.state import READMITTABLE, EventInput, MemberState, probation_end, transition
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.organisations.tree import OrgPaths

__all__ = [
    "MEMBER_FIELDS",
    "MEMBER_RECORD",
    "NumberTaken",
    "clean_record",
    "member_create",
    "members_create_bulk",
    "members_create_checked",
    "check_cell",
    "PositionInput",
    "positions_create_bulk",
    "name_keys_deferred",
    "member_update",
    "member_link_user",
    "member_event_record",
    "member_attribute_change",
    "members_reassign",
    "transfer_send",
    "transfer_receive",
    "transfer_close",
    "transfers_move",
    "periods_from_events",
    "event_input",
    "replay_with_periods",
    "id_runs",
    "recorder_id",
    "PERSON_FIELDS",
    "clean_person",
    "position_assign",
    "position_end",
    "positions_move",
    "member_ceremony_record",
]

# A bulk load this large refreshes the planner's statistics (PostgreSQL) before it returns.
ANALYZE_AFTER = 1000

_DIGITS = re.compile(r"^\d+$")


# --- validation of the record ------------------------------------------------------------------


class NumberTaken(ValidationError):
    """An identity or party card number another member already has. Numbers are unique in the
    whole country, so the refusal says so without saying where the other record is, and is
    audited (after the refused transaction: audited_refusals) — repeated refusals are how
    someone would probe for numbers outside their scope."""

    def __init__(self, errors: dict, fields: list[str]):
        super().__init__(errors)
        self.fields = fields


def audited_refusals(service):
    """Write the audit record of a NumberTaken refusal once the service's own transaction has
    rolled back (it would roll the record back with it)."""

    @functools.wraps(service)
    def run(*, actor, **kwargs):
        try:
            return service(actor=actor, **kwargs)
        except NumberTaken as exc:
            audit_record(
                actor=actor,
                entry=AuditEntry(
                    "member.number_refused",
                    "member",
                    "",
                    "",
                    after={"fields": exc.fields, "service": service.__name__},
                ),
            )
            raise

    return run


def _check_day(day: date, field: str, today: date) -> None:
    """A date of an act: within the supported range (core.dates) and not in the future."""
    try:
        check_in_range(day)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None
    if day > today:
        raise ValidationError({field: _("The date cannot be in the future.")})


def _named(f: RecordField) -> str:
    """The field's label inside a sentence ("Choose the ethnicity.")."""
    return str(f.label).lower()


def _clean_field(f: RecordField, value, today: date):
    """One record field checked and normalised; ValueError with the reason otherwise."""
    if f.kind == "text":
        text = clean_text(value, max_length=f.max_length)
        if f.required and not text:
            raise ValueError(_("Enter the %(label)s.") % {"label": _named(f)})
        return text
    if f.kind == "date":
        if value in (None, ""):
            if f.required:
                raise ValueError(_("Enter the %(label)s.") % {"label": _named(f)})
            return None
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(_("Enter a valid date (YYYY-MM-DD).")) from None
        check_in_range(value)
        if value > today:
            raise ValueError(_("The date cannot be in the future."))
        return value
    text = clean_text(value, max_length=60)
    if f.kind == "digits":
        if not text:
            return None
        if not _DIGITS.match(text) or len(text) != f.digits:
            raise ValueError(
                _("The %(label)s must have %(n)d digits.") % {"label": _named(f), "n": f.digits}
            )
        return text
    if not text:
        if f.default is not None:
            return f.default
        raise ValueError(_("Choose the %(label)s.") % {"label": _named(f)})
    item = f.reflist.lookup(text)
    if item is None:
        if f.empty_label is not None and fold(text) in _SAID_EMPTY | {fold(str(f.empty_label))}:
            return ""  # "Không", "No": the empty value, said in words
        raise ValueError(_("Unknown %(label)s code: %(v)s.") % {"label": _named(f), "v": text})
    return item.code


_SAID_EMPTY = frozenset({"khong", "no", "none", "khong co"})
_NUMBERS = tuple(f for f in RECORD if f.kind == "digits")

# The free texts of an event (MembershipEvent): their limits, checked before the database.
EVENT_TEXTS = {"decision_number": 60, "issuer": 255, "other_party": 255, "note": 2000}


def clean_event_texts(**texts) -> dict[str, str]:
    """The free texts of an event normalised (core.text.clean_text; the note may have line
    breaks); ValidationError naming each one too long or with control characters."""
    cleaned, errors = {}, {}
    for name, value in texts.items():
        try:
            cleaned[name] = clean_text(
                value, max_length=EVENT_TEXTS[name], multiline=name == "note"
            )
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_record(
    data: dict,
    *,
    existing: Member | None = None,
    check_unique: bool = True,
    today: date | None = None,
    age_on: date | None = None,
    upper_age: bool = True,
) -> dict:
    """Check and normalise the record fields (members.fields.RECORD) and the rules between
    them; ValidationError naming every wrong field. The one validation of a member's record:
    forms, API, the bulk path and imports all come here.
    `check_unique=False`: the caller checks identity and card numbers for a whole batch.
    `today`: the caller's, for a batch (the time-zone conversion costs a few µs a row).
    `age_on`: the day the age window is checked on, when it is not the admission date (the
    admission pipeline checks it on the day the cell considered the person); `upper_age=False`:
    admitted over the upper limit by the decision of the committee that may allow it."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    today = today or timezone.localdate()
    for f in RECORD:
        try:
            cleaned[f.name] = _clean_field(f, data.get(f.name), today)
        except ValueError as exc:
            errors[f.name] = str(exc)
            cleaned[f.name] = None
    taken = []
    if check_unique:
        for f in _NUMBERS:
            value = cleaned[f.name]
            if value is None or f.name in errors:
                continue
            clash = Member.objects.filter(**{f.name: value})
            if existing is not None:
                clash = clash.exclude(pk=existing.pk)
            if clash.exists():
                errors[f.name] = _("Another member already has this %(label)s.") % {
                    "label": _named(f)
                }
                taken.append(f.name)

    birth = cleaned["birth_date"]
    admitted = cleaned["admission_date"]
    if birth and admitted and "birth_date" not in errors and "admission_date" not in errors:
        # Before the first recorded rule no age limit is checked (the record of the time
        # stands); core.rules never assumes the earliest value.
        considered = age_on or admitted
        lo = rule_value_or_none("admission_min_age", on=considered)
        hi = rule_value_or_none("admission_max_age", on=considered)
        if lo is not None and considered < add_months(birth, 12 * lo):
            errors["admission_date"] = _(
                "A member must be at least %(n)d years old when admitted."
            ) % {"n": lo}
        elif upper_age and hi is not None and considered > add_months(birth, 12 * hi):
            errors["admission_date"] = _(
                "A member must be at most %(n)d years old when admitted."
            ) % {"n": hi}
    ceremony = cleaned["ceremony_date"]
    if ceremony and admitted and ceremony < admitted:
        errors["ceremony_date"] = _("The ceremony cannot be before the admission decision.")
    official = cleaned["official_date"]
    if official and admitted and "official_date" not in errors:
        end = probation_end(
            MemberState(admission_date=admitted, ceremony_date=ceremony or admitted)
        )
        if end is not None and official < end:
            errors["official_date"] = _(
                "Recognition cannot come before the probation period ends (%(d)s)."
            ) % {"d": end.strftime("%d/%m/%Y")}
    if errors:
        if taken:
            raise NumberTaken(errors, taken)
        raise ValidationError(errors)
    return cleaned


def check_cell(
    org: Organisation | None, on: date, field_name: str = "organisation", *, founded: bool = True
) -> Organisation:
    """The organisation can hold members on `on`. `founded=False` when entering a member's past
    (records often date from before the cell was entered in Dangvu)."""
    if org is None:
        raise ValidationError({field_name: _("Choose the party cell.")})
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({field_name: _("Members can only belong to a party cell.")})
    if org.valid_to is not None and on >= org.valid_to:
        raise ValidationError({field_name: _("This party cell no longer exists on that date.")})
    if founded and on < org.valid_from:
        raise ValidationError({field_name: _("This party cell did not exist yet on that date.")})
    return org


# --- shared writing helpers --------------------------------------------------------------------


def event_input(ev: MembershipEvent, member: Member) -> EventInput:
    initial = ev.status_after if ev.type == EventType.TRANSFERRED_IN else None
    org_id = (
        ev.temp_organisation_id if ev.type == EventType.TEMPORARY_TRANSFER else ev.organisation_id
    )
    return EventInput(
        type=ev.type,
        date=ev.date,
        org_id=org_id,
        initial_status=initial,
        ceremony_date=member.ceremony_date,
    )


def _initial_state(member: Member, first_type: str | None) -> MemberState:
    """Before the first event: what the record says of the time before Dangvu knew the member
    (a member transferred in from outside brings an official date with them)."""
    return MemberState(
        admission_date=member.admission_date,
        ceremony_date=member.ceremony_date,
        official_date=member.official_date if first_type == EventType.TRANSFERRED_IN else None,
    )


def periods_from_events(
    member: Member, events: Iterable[MembershipEvent], timeline: Timeline | None = None
) -> list[MemberPeriod]:
    """In-party spans from a member's effective events, in order, cut where a dated attribute
    changes (`timeline`; None: the record's values throughout)."""
    return replay_with_periods(member, list(events), make=MemberPeriod, timeline=timeline)[1]


def replay_with_periods(
    member, events: list, make=None, timeline: Timeline | None = None
) -> tuple[MemberState, list]:
    """The state a member's effective events lead to and the in-party spans they produce, cut
    where a dated attribute changes (members.dated), one `make(member=, organisation_id=,
    status=, exempted=, valid_from=, valid_to=, <the dated attributes>=)` each (plain rows by
    default). `member` and the events need only the fields they are read for (`dangvu check`
    passes plain rows)."""
    periods: list = []
    state = _initial_state(member, events[0].type if events else None)
    for ev in events:
        after = transition(state, event_input(ev, member))
        on = effective_on(ev.type, ev.date, after, periods)
        _period_step(periods, member, state, after, on, make=_Span)
        state = after
    return state, with_attributes(periods, member, timeline, _maker(make or _Span, member))


def _maker(make, member):
    def build(organisation_id, status, exempted, valid_from, valid_to, attrs):
        return make(
            member=member,
            organisation_id=organisation_id,
            status=status,
            exempted=exempted,
            valid_from=valid_from,
            valid_to=valid_to,
            **dict(zip(DATED_FIELDS, attrs, strict=True)),
        )

    return build


class _Span:
    """A period as the bulk path and the event path write it (a plain row, not a model
    instance); `id` is the stored row's, None for a new one."""

    __slots__ = (
        "id",
        "organisation_id",
        "status",
        "exempted",
        "valid_from",
        "valid_to",
        *DATED_FIELDS,
    )

    def __init__(
        self,
        member,
        organisation_id,
        status,
        exempted,
        valid_from,
        valid_to=None,
        id=None,
        **attrs,
    ):
        self.id = id
        self.organisation_id = organisation_id
        self.status = status
        self.exempted = exempted
        self.valid_from = valid_from
        self.valid_to = valid_to
        # The dated attributes (DATED_FIELDS) by name; those not given: empty (set later).
        for name in DATED_FIELDS:
            setattr(self, name, attrs.pop(name, ""))
        if attrs:
            raise TypeError(f"not dated attributes: {sorted(attrs)}")

    def row(self, member_id: int) -> tuple:
        """In _PERIOD_COLUMNS order."""
        return (
            member_id,
            self.organisation_id,
            self.status,
            self.exempted,
            self.valid_from,
            self.valid_to,
            *attrs_of(self),
        )


def _span(organisation_id, status, exempted, valid_from, valid_to):
    return _Span(None, organisation_id, status, exempted, valid_from, valid_to)


def _stored_periods(member_id: int) -> list[_Span]:
    rows = fetch(
        "SELECT id, organisation_id, status, exempted, valid_from, valid_to, "
        + ", ".join(DATED_FIELDS)
        + f" FROM {MemberPeriod._meta.db_table} WHERE member_id = %s ORDER BY valid_from, id",
        [member_id],
    )
    return [
        _Span(
            None,
            org,
            status,
            bool(exempted),
            as_date(start),
            as_date(end),
            pk,
            **dict(zip(DATED_FIELDS, attrs, strict=True)),
        )
        for pk, org, status, exempted, start, end, *attrs in rows
    ]


def _periods_after(
    m: Member,
    stored: list[_Span],
    before: MemberState,
    after: MemberState,
    event_type: str,
    day: date,
    timeline: Timeline | None,
) -> list[_Span]:
    """The member's periods once an event of `event_type` dated `day` moved them from `before`
    to `after` (the stored ones with the cuts made for the attributes taken out, stepped, cut
    again)."""
    spans = status_spans(stored, _span)
    open_spans = [p for p in spans if p.valid_to is None]
    closed = [p for p in spans if p.valid_to is not None]
    on = effective_on(event_type, day, after, open_spans)
    _period_step(open_spans, m, before, after, on, make=_Span)
    # Joined again at the seam: a state left and taken back the same day is one period.
    spans = status_spans(closed + open_spans, _span)
    return with_attributes(spans, m, timeline, _maker(_Span, m))


def _write_periods(member_id: int, stored: list[_Span], new: list[_Span]) -> None:
    """Make the member's stored periods `new`: a period that only ends now is updated, the
    others deleted or inserted."""

    def key(p):
        return (p.organisation_id, p.status, p.exempted, p.valid_from, *attrs_of(p))

    # A list per key: two stored periods with the same key (empty periods an earlier version
    # left) are both matched or deleted, never one of them forgotten.
    kept: dict[tuple, list[_Span]] = {}
    for p in stored:
        kept.setdefault(key(p), []).append(p)
    inserts = []
    for p in new:
        same = kept.get(key(p))
        old = same.pop(0) if same else None
        if old is None:
            inserts.append(p.row(member_id))
        elif old.valid_to != p.valid_to:
            update_row(MemberPeriod, old.id, {"valid_to": p.valid_to})
    gone = [p.id for same in kept.values() for p in same]
    if gone:
        MemberPeriod.objects.filter(pk__in=gone).delete()
    if inserts:
        insert_rows(MemberPeriod, _PERIOD_COLUMNS, inserts)


def _last_event(member_id: int) -> tuple[date | None, int]:
    """The date of the member's latest event and the highest sequence number."""
    day, seq = fetch(
        f"SELECT MAX(date), MAX(seq) FROM {MembershipEvent._meta.db_table} WHERE member_id = %s",
        [member_id],
    )[0]
    return as_date(day), seq or 0


def effective_on(event_type: str, day: date, after: MemberState, periods: list) -> date:
    """The day an event takes effect in the member's periods (and so in every report as of a
    date): its own date, except where the rules date the act otherwise. Recognition takes
    effect on the day the probation ends even when decided later (DOMAIN.md §3, step 13): a
    member recognised on 18/11/2026 whose 12 months ended on 03/11/2026 counts as official
    from 03/11/2026. Never before the start of the member's current period (a transfer recorded
    meanwhile keeps its own date)."""
    if event_type == EventType.RECOGNISED and after.official_date:
        start = periods[-1].valid_from if periods else after.official_date
        return max(after.official_date, start)
    return day


def _period_step(
    periods: list, member, before: MemberState, after: MemberState, on: date, make=None
) -> None:
    key_before = (before.status, before.org_id, before.exempted) if before.in_party else None
    key_after = (after.status, after.org_id, after.exempted) if after.in_party else None
    if key_before == key_after:
        return
    if key_before is not None and periods and periods[-1].valid_to is None:
        if periods[-1].valid_from >= on:
            # It began that day: closed, it would be an empty period, which covers no day and,
            # kept, was copied again by each later event of the same day.
            periods.pop()
            last = periods[-1] if periods else None
            if (
                key_after is not None
                and last is not None
                and last.valid_to == on
                and (last.status, last.organisation_id, last.exempted) == key_after
            ):
                last.valid_to = None  # back to the state it left that day
                return
        else:
            periods[-1].valid_to = on
    if key_after is not None:
        periods.append(
            (make or MemberPeriod)(
                member=member,
                organisation_id=after.org_id,
                status=after.status,
                exempted=after.exempted,
                valid_from=on,
            )
        )


def _state_of(member: Member, last_date: date | None) -> MemberState:
    return MemberState(
        status=member.status or None,
        org_id=member.organisation_id,
        exempted=member.exempted,
        temp_org_id=member.temp_organisation_id,
        admission_date=member.admission_date,
        ceremony_date=member.ceremony_date,
        official_date=member.official_date,
        last_date=last_date,
    )


def _member_snapshot(m: Member) -> dict:
    data = {name: getattr(m, name) for name in MEMBER_FIELDS}
    data.update(
        status=m.status,
        organisation=m.organisation_id,
        exempted=m.exempted,
        temporary_organisation=m.temp_organisation_id,
    )
    return data


def _audit_entry(action: str, m: Member, before=None, after=None) -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="member",
        object_id=m.pk,
        object_repr=m.full_name,
        org_path=m.org_path,
        before=before,
        after=after,
    )


# What an event changes on the member row (_apply_state).
_STATE_FIELDS = [
    "status",
    "organisation",
    "org_path",
    "exempted",
    "temp_organisation",
    "official_date",
    "admission_date",
    "updated_at",
]


def _apply_state(m: Member, state: MemberState, paths: OrgPaths) -> None:
    m.status = state.status
    m.organisation_id = state.org_id
    m.org_path = paths.path(state.org_id)
    m.exempted = state.exempted
    m.temp_organisation_id = state.temp_org_id
    m.official_date = state.official_date
    if state.admission_date:
        m.admission_date = state.admission_date


def _effects(
    actor,
    changes: list[MemberChange],
    paths: OrgPaths,
    audits: list[AuditEntry],
    batch_size: int = 2000,
) -> None:
    """What every member write does after its rows: the projections (rollup counters,
    snapshots: members.projections) and the audit, in the writer's transaction. The one
    event, the bulk load and the reorganisation all end here."""
    project(changes, paths)
    audit_bulk(actor=actor, entries=audits, batch_size=batch_size)


_EVENT_COLUMNS = (
    "member_id",
    "seq",
    "type",
    "date",
    "organisation_id",
    "from_organisation_id",
    "temp_organisation_id",
    "status_before",
    "status_after",
    "exempted_after",
    "other_party",
    "decision_number",
    "decision_date",
    "issuer",
    "note",
    "recorded_at",
    "recorded_by_id",
    "corrects_id",
)
_PERIOD_COLUMNS = (
    "member_id",
    "organisation_id",
    "status",
    "exempted",
    "valid_from",
    "valid_to",
    *DATED_FIELDS,
)
_make_event = instance_maker(MembershipEvent)


def _event_row(
    member_id: int,
    seq: int,
    fields: dict,
    before: MemberState,
    after: MemberState,
    stamp,
    recorded_by: int | None,
    corrects_id: int | None = None,
) -> tuple:
    """An event as _insert_events writes it (in _EVENT_COLUMNS order): `fields` holds its
    type and date and any of other_party, decision_number, decision_date, issuer, note."""
    return (
        member_id,
        seq,
        fields["type"],
        fields["date"],
        after.org_id,
        before.org_id,
        after.temp_org_id if fields["type"] == EventType.TEMPORARY_TRANSFER else None,
        before.status or "",
        after.status,
        after.exempted,
        fields.get("other_party") or "",
        fields.get("decision_number") or "",
        fields.get("decision_date"),
        fields.get("issuer") or "",
        fields.get("note") or "",
        stamp,
        recorded_by,
        corrects_id,
    )


def _insert_events(rows: list[tuple], ids: list[int] | None = None) -> None:
    """Append events (rows of _event_row), with the given ids when the caller needs them."""
    if ids is None:
        insert_rows(MembershipEvent, _EVENT_COLUMNS, rows)
    else:
        insert_rows(
            MembershipEvent,
            ("id", *_EVENT_COLUMNS),
            ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
        )


def _EVENT(values: dict, **extra) -> MembershipEvent:
    """A stored event as an instance (no query): the row just written."""
    event = _make_event({**values, **extra})
    event._state.adding = False
    return event


def _stamp():
    """The recording time as the bulk writers store it (and the time itself)."""
    now = timezone.now()
    return connection.ops.adapt_datetimefield_value(now), now


def recorder_id(actor) -> int | None:
    """The user who acts, for a row's recorded_by (None: the system)."""
    return actor.pk if getattr(actor, "pk", None) else None


def _copy(m: Member) -> Member:
    clone = Member(**{f.attname: getattr(m, f.attname) for f in Member._meta.concrete_fields})
    return clone


_deferred_names: ContextVar[set[str] | None] = ContextVar("name_keys_deferred", default=None)


@contextmanager
def name_keys_deferred() -> Iterator[None]:
    """Collect the names that many writes bring and add their keys once, when the block ends
    without an error. For parallel bulk loads: two transactions adding the same new names must
    take them in one order (key order, in one pass), or each waits for the other."""
    pending: set[str] = set()
    token = _deferred_names.set(pending)
    try:
        yield
    finally:
        _deferred_names.reset(token)
    _name_keys_add(pending)


def _name_keys_add(names: Iterable[str]) -> None:
    """Search keys for the names no member bore before (members.models.NameKey), written in
    key order. A corrected name's old keys stay: they find no one once nobody bears it, and
    deleting them would race with a member given that name at the same moment."""
    pending = _deferred_names.get()
    if pending is not None:
        pending.update(names)
        return
    names = sorted({n for n in names if n})
    # A name's first rotation is the name itself.
    known = set(
        NameKey.objects.filter(key__one_of=names, name=F("key")).values_list("name", flat=True)
    )
    rows = sorted((k, n) for n in names if n not in known for k in rotations(n))
    if not rows:
        return
    # One JSON parameter: bulk_create compiles every row in Python (about 0.3 s for 5,000 keys
    # in a profile of a national load).
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(NameKey._meta.db_table)} ({qn('key')}, {qn('name')}) "
            f"{json_rows('', '')} ON CONFLICT DO NOTHING",
            [json.dumps(rows)],
        )


# --- creating members --------------------------------------------------------------------------


@dataclass
class _Spec:
    record: dict
    history: list[dict]


def _history_for(
    cleaned: dict,
    org: Organisation,
    entry: str,
    entry_date: date | None,
    other_party: str,
    decision: dict,
) -> list[dict]:
    if entry == EventType.TRANSFERRED_IN:
        status = Status.OFFICIAL if cleaned["official_date"] else Status.PROBATIONARY
        return [
            dict(
                type=EventType.TRANSFERRED_IN,
                date=entry_date or timezone.localdate(),
                organisation=org,
                initial_status=status,
                other_party=other_party,
                **decision,
            )
        ]
    history = [
        dict(type=EventType.ADMITTED, date=cleaned["admission_date"], organisation=org, **decision)
    ]
    if cleaned["official_date"]:
        history.append(dict(type=EventType.RECOGNISED, date=cleaned["official_date"]))
    return history


@audited_refusals
@transaction.atomic
def member_create(
    *,
    actor,
    data: dict,
    organisation: Organisation,
    entry: str = EventType.ADMITTED,
    entry_date: date | None = None,
    other_party: str = "",
    decision_number: str = "",
    decision_date=None,
    issuer: str = "",
    age_on: date | None = None,
    over_age: bool = False,
) -> Member:
    """Put a member on the records: admitted into `organisation` (and recognised, when an
    official date is given), or transferred in from outside Dangvu on `entry_date`.

    Events: admitted [+ recognised], or transferred_in. Raises ValidationError naming fields.
    `age_on`: the day the age window applies (the cell's resolution, for the admission
    pipeline); `over_age`: admitted over the age limit by the competent committee's decision,
    which the caller has checked and recorded.
    """
    if entry not in (EventType.ADMITTED, EventType.TRANSFERRED_IN):
        raise ValidationError({"entry": _("Unknown way of joining: %(e)s.") % {"e": entry}})
    cleaned = clean_record(data, age_on=age_on, upper_age=not over_age)
    texts = clean_event_texts(
        decision_number=decision_number, issuer=issuer, other_party=other_party
    )
    decision_number, issuer = texts["decision_number"], texts["issuer"]
    other_party = texts["other_party"]
    for name, day in (("entry_date", entry_date), ("decision_date", decision_date)):
        if day:
            _check_day(day, name, timezone.localdate())
    check_cell(organisation, entry_date or timezone.localdate())
    decision = dict(decision_number=decision_number, decision_date=decision_date, issuer=issuer)
    spec = _Spec(
        cleaned, _history_for(cleaned, organisation, entry, entry_date, other_party, decision)
    )
    return _create_many(actor, [spec])[0]


@audited_refusals
@transaction.atomic
def members_create_bulk(*, actor, rows: list[dict], batch_size: int = 2000) -> list[Member]:
    """Create many members with their histories in one transaction (all or nothing).

    Each row: the record fields, "organisation" (an Organisation) and optionally "history", a
    list of events {type, date, organisation?, initial_status?, decision_number?…} replayed
    through the same rules as member_event_record. Without a history the member is admitted
    (and recognised when an official date is given). Errors name the row: {"row 3: field": …}.
    """
    specs, errors = [], {}
    seen: dict[tuple[str, str], int] = {}
    today = timezone.localdate()
    for i, row in enumerate(rows, start=1):
        for name in ("identity_number", "party_card_number"):
            value = (row.get(name) or "").strip()
            if value:
                if (name, value) in seen:
                    errors[f"row {i}: {name}"] = [
                        _("Row %(n)d already has this number.") % {"n": seen[(name, value)]}
                    ]
                seen.setdefault((name, value), i)
        try:
            cleaned = clean_record(row, check_unique=False, today=today)
            org = row["organisation"]
            history = row.get("history") or _history_for(
                cleaned, org, EventType.ADMITTED, None, "", {}
            )
            specs.append(_Spec(cleaned, history))
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                errors[f"row {i}: {name}"] = msgs
    if errors:
        raise ValidationError(errors)
    return _create_many(actor, specs, batch_size=batch_size, rows_numbered=True)


def members_create_checked(
    *, actor, rows: list[tuple[dict, Organisation]], batch_size: int = 2000
) -> list[Member]:
    """Admit members whose records the caller has cleaned (clean_record, check_cell) and
    whose numbers it has checked against the records and each other (an import checks a whole
    file before it writes): admitted into the organisation [+ recognised]. The caller holds
    the transaction (an import writes all its chunks in one). Errors name the row, as the
    bulk path's do."""
    specs = [
        _Spec(cleaned, _history_for(cleaned, org, EventType.ADMITTED, None, "", {}))
        for cleaned, org in rows
    ]
    return _create_many(actor, specs, batch_size=batch_size, rows_numbered=True)


def _check_unique_numbers(specs: list[_Spec], rows_numbered: bool) -> None:
    """Identity and party card numbers already on the records: one query per number kind."""
    for f in _NUMBERS:
        name = f.name
        wanted = {s.record[name]: i for i, s in enumerate(specs, start=1) if s.record.get(name)}
        if not wanted:
            continue
        taken = set(
            Member.objects.filter(**{f"{name}__one_of": list(wanted)}).values_list(name, flat=True)
        )
        if taken:
            value = min(taken, key=lambda v: wanted[v])
            key = f"row {wanted[value]}: {name}" if rows_numbered else name
            raise NumberTaken(
                {key: [_("Another member already has this %(label)s.") % {"label": _named(f)}]},
                [name],
            )


def _create_many(
    actor, specs: list[_Spec], batch_size: int = 2000, rows_numbered: bool = False
) -> list[Member]:
    """Write members with their histories: the same transitions as member_event_record, rows
    written with executemany / COPY (core.db.insert_rows), counters summed per batch, one audit
    record per member (single create) or per cell (bulk)."""
    paths = OrgPaths()
    members, histories = [], []
    if rows_numbered:
        # The bulk path skipped the per-row check in _clean_record (one query per batch here).
        _check_unique_numbers(specs, rows_numbered)
        paths.preload(h.get("organisation") for s in specs for h in s.history)
    make = instance_maker(Member)
    for i, spec in enumerate(specs, start=1):
        m = make({**spec.record, "name_folded": fold(spec.record["full_name"])})
        state = _initial_state(m, spec.history[0]["type"] if spec.history else None)
        steps = []
        try:
            for h in spec.history:
                org = h.get("organisation")
                ev = EventInput(
                    type=h["type"],
                    date=h["date"],
                    org_id=org.pk if org else None,
                    initial_status=h.get("initial_status"),
                    ceremony_date=m.ceremony_date,
                )
                if h["type"] in EVENTS_WITH_ORG:
                    check_cell(org, h["date"], founded=False)
                after = transition(state, ev)
                steps.append((h, state, after))
                state = after
        except DomainError as exc:
            key = (
                f"row {i}: {exc.field or 'history'}" if rows_numbered else (exc.field or "__all__")
            )
            raise ValidationError({key: [exc.message]}) from None
        except ValidationError as exc:
            if not rows_numbered:
                raise
            raise ValidationError(
                {f"row {i}: {k}": v for k, v in exc.message_dict.items()}
            ) from None
        _apply_state(m, state, paths)
        members.append(m)
        histories.append(steps)

    stamp, now = _stamp()
    fields = Member._meta.concrete_fields
    for m, pk in zip(members, allocate_ids(Member, len(members)), strict=True):
        m.pk = pk
        m.created_at = m.updated_at = stamp
    values = attrgetter(*(f.attname for f in fields))
    insert_rows(Member, [f.column for f in fields], map(values, members))
    for m in members:
        m.created_at = m.updated_at = now
        m._state.adding = False
    _name_keys_add(m.name_folded for m in members)

    recorded_by = recorder_id(actor)
    events, periods, audits, changes = [], [], [], []
    by_cell: dict[int, list[Member]] = {}
    for m, steps in zip(members, histories, strict=True):
        member_periods: list[_Span] = []
        pk = m.pk
        for seq, (h, before, after) in enumerate(steps, start=1):
            events.append(_event_row(pk, seq, h, before, after, stamp, recorded_by))
            on = effective_on(h["type"], h["date"], after, member_periods)
            _period_step(member_periods, m, before, after, on, make=_Span)
        # A new record's attributes have no history yet: its values hold throughout.
        member_periods = with_attributes(member_periods, m, None, _maker(_Span, m))
        periods.extend(p.row(pk) for p in member_periods)
        # Members entered with a past reach into the snapshots already taken.
        changes.append(
            MemberChange(
                None,
                m,
                [],
                spans_of(member_periods),
                [EventFact(h["type"], h["date"], after.org_id) for h, _b, after in steps],
            )
        )
        by_cell.setdefault(m.organisation_id, []).append(m)
    _insert_events(events)
    insert_rows(MemberPeriod, _PERIOD_COLUMNS, periods)
    if len(members) == 1:
        m = members[0]
        audits.append(_audit_entry("member.create", m, after=_member_snapshot(m)))
    else:
        # A bulk load is audited per cell: who added which members (their records and events
        # carry the rest), as runs of ids. One row per member would double the size of a
        # national database.
        for cell_id, cell_members in by_cell.items():
            audits.append(
                AuditEntry(
                    action="member.create_bulk",
                    object_type="organisation",
                    object_id=cell_id,
                    object_repr=str(len(cell_members)),
                    org_path=paths.path(cell_id),
                    after={
                        "count": len(cell_members),
                        "members": id_runs(m.pk for m in cell_members),
                    },
                )
            )
    _effects(actor, changes, paths, audits, batch_size=batch_size)
    if len(members) >= ANALYZE_AFTER:
        refresh_planner_statistics(Member, MembershipEvent, MemberPeriod, added=len(members))
    return members


def id_runs(ids: Iterable[int]) -> list[list[int]]:
    """Ids as [first, last] runs of consecutive numbers: a cell's members created together
    have consecutive ids, so the audit record of a bulk load stays a few bytes per cell."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


# --- changing a record -------------------------------------------------------------------------


def _record_shown(name: str, value) -> str:
    if isinstance(value, str) and record_field(name).kind == "code":
        return record_field(name).label_of(value) or "—"
    return shown_value(value)


# The record as its edit page and GET /api/v1/members/{id} show it (core.editing): a change
# made after the editor read it refuses their save; the dated attributes are checked one by
# one by member_attribute_change.
MEMBER_RECORD = editable(
    Editable(
        name="members.record",
        labels=lambda: {f.name: f.label for f in RECORD},
        read=lambda m: {name: getattr(m, name) for name in MEMBER_FIELDS},
        audit=lambda m: ("member", m.pk),
        secret=frozenset(SENSITIVE_FIELDS),
        show=_record_shown,
        page="members:edit",
        api="POST /api/v1/members/{member_id}/record",
    )
)


_EDITED = tuple(f.name for f in RECORD if f.name not in EVENT_DATES and not f.dated)


@audited_refusals
@transaction.atomic
def member_update(*, actor, member: Member, data: dict, version: str | None = None) -> Member:
    """Correct or complete record fields (not the membership state: that takes an event).
    `version` (core.editing): the record as the editor read it; changed since, nothing is
    written (EditConflict)."""
    m = Member.objects.select_for_update().get(pk=member.pk)
    # What the edit changes (the dates events set and the dated attributes have their own acts).
    MEMBER_RECORD.check(m, version, fields=_EDITED)
    merged = {name: getattr(m, name) for name in MEMBER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in MEMBER_FIELDS})
    for name in EVENT_DATES:
        # Dates that events set stay as the events set them.
        merged[name] = getattr(m, name)
    cleaned = clean_record(merged, existing=m)
    moved = {name: cleaned[name] for name in DATED_FIELDS if cleaned[name] != getattr(m, name)}
    if moved:
        # A course completed and a typing error are different acts with different effects on
        # past reports: each is recorded as such (member_attribute_change), never as an edit.
        raise ValidationError(
            {
                name: _(
                    "This value changes with a date and a source: record it as a change "
                    "(from which day, on which diploma or decision) or as a correction."
                )
                for name in moved
            }
        )
    before = _copy(m)
    for name, value in cleaned.items():
        setattr(m, name, value)
    m.name_folded = fold(m.full_name)
    if _member_snapshot(before) == _member_snapshot(m):
        return m
    m.save()
    if before.name_folded != m.name_folded:
        _name_keys_add([m.name_folded])
    paths = OrgPaths()
    paths.preload_one(m.organisation_id, m.org_path)
    spans = spans_of(_stored_periods(m.pk))
    _effects(
        actor,
        [MemberChange(before, m, spans, spans)],
        paths,
        [_audit_entry("member.update", m, _member_snapshot(before), _member_snapshot(m))],
    )
    return m


AttributeKind = AttributeChange.Kind


@audited_refusals
@transaction.atomic
def member_attribute_change(
    *,
    actor,
    member: Member,
    field: str,
    value: str,
    kind: str,
    valid_from: date | None = None,
    from_start: bool = False,
    source: str = "",
    note: str = "",
    version: str | None = None,
) -> AttributeChange:
    """Record a dated attribute's change or correction (members.dated).

    - kind "change": the value holds from `valid_from` (not in the future, not on a day that
      already has a change of this attribute); reports as of earlier days keep the old value.
    - kind "correction": the value was wrong; `from_start` puts it right for the whole history,
      otherwise only the value in force since the latest change (the whole history when there
      was no change).
    Effects: the history row (and the value before the first change, the first time), the
    record's current value, the periods cut at the change, the counters and snapshots, an audit
    record."""
    today = timezone.localdate()
    if field not in DATED_FIELDS:
        raise ValidationError({"field": _("This attribute is not one that changes with a date.")})
    if kind not in (AttributeKind.CHANGE, AttributeKind.CORRECTION):
        raise ValidationError({"kind": _("Choose a change or a correction.")})
    try:
        value = _clean_field(record_field(field), value, today)
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    texts = clean_event_texts(decision_number=source, note=note)
    source, note = texts["decision_number"], texts["note"]
    m = Member.objects.select_for_update().get(pk=member.pk)
    MEMBER_RECORD.check(m, version, fields=[field])
    timeline = timeline_of(m)
    entries = timeline.entries(field)
    rows: list[tuple] = []
    if kind == AttributeKind.CHANGE:
        if valid_from is None:
            raise ValidationError({"valid_from": _("Enter the date from which it holds.")})
        _check_day(valid_from, "valid_from", today)
        if valid_from <= m.birth_date:
            raise ValidationError({"valid_from": _("The date must be after the date of birth.")})
        if any(start == valid_from for start, _v in entries):
            raise ValidationError(
                {
                    "valid_from": _(
                        "A change of this attribute on that day is already recorded: correct it "
                        "instead."
                    )
                }
            )
        if timeline.value(field, valid_from) == value:
            raise ValidationError({"value": _("That is already the value on that day.")})
        if not entries:
            rows.append((getattr(m, field), AttributeKind.INITIAL, None))
        rows.append((value, AttributeKind.CHANGE, valid_from))
    else:
        corrected = None if from_start or not entries else entries[-1][0]
        was = timeline.value(field, corrected or date.max)
        # From the start over a history of several values, any value changes something.
        if was == value and (len(entries) <= 1 or not from_start):
            raise ValidationError({"value": _("That is already the recorded value.")})
        rows.append((value, AttributeKind.CORRECTION, corrected))
    recorded_by = recorder_id(actor)
    created = [
        AttributeChange.objects.create(
            member=m,
            field=field,
            value=row_value,
            kind=row_kind,
            valid_from=row_from,
            source=source if row_kind != AttributeKind.INITIAL else "",
            note=note if row_kind != AttributeKind.INITIAL else "",
            recorded_by_id=recorded_by,
        )
        for row_value, row_kind, row_from in rows
    ]
    timeline = timeline_of(m)
    before = _copy(m)
    setattr(m, field, timeline.value(field, today))
    if getattr(before, field) != getattr(m, field):
        m.save(update_fields=[field, "updated_at"])
    paths = OrgPaths()
    paths.preload_one(m.organisation_id, m.org_path)
    stored = _stored_periods(m.pk)
    after_periods = with_attributes(status_spans(stored, _span), m, timeline, _maker(_Span, m))
    _write_periods(m.pk, stored, after_periods)
    change = created[-1]
    _effects(
        actor,
        [MemberChange(before, m, spans_of(stored), spans_of(after_periods))],
        paths,
        [
            _audit_entry(
                f"member.attribute.{kind}",
                m,
                {field: getattr(before, field)},
                {
                    field: value,
                    "valid_from": change.valid_from,
                    "from_start": change.valid_from is None,
                    "source": source,
                    "change": change.pk,
                },
            )
        ],
    )
    return change


@transaction.atomic
def member_link_user(*, actor, member: Member, user) -> Member:
    """Give a member a sign-in of their own (the `member` role then shows them their record).
    A user belongs to at most one member record."""
    m = Member.objects.select_for_update().get(pk=member.pk)
    if user is not None and Member.objects.filter(user=user).exclude(pk=m.pk).exists():
        raise ValidationError({"user": _("This user is already linked to another member.")})
    before = m.user_id
    m.user = user
    m.save(update_fields=["user", "updated_at"])
    audit_bulk(
        actor=actor,
        entries=[_audit_entry("member.link_user", m, {"user": before}, {"user": m.user_id})],
    )
    return m


# --- membership events ------------------------------------------------------------------------


@transaction.atomic
def member_event_record(
    *,
    actor,
    member: Member,
    type: str,
    date: date,
    organisation: Organisation | None = None,
    decision_number: str = "",
    decision_date=None,
    issuer: str = "",
    note: str = "",
    other_party: str = "",
    corrects: MembershipEvent | None = None,
) -> MembershipEvent:
    """Record one membership event.

    Rules: no event after death or leaving; recognition only once the probation period has
    ended; a transfer names a real, existing party cell; dates are not in the future nor before
    the member's last event; a correction reverses the member's latest effective event.
    Effects: the event, the member's current state, its in-party periods, the rollup counters
    of the old and new cells and all their ancestors, an audit record.
    """
    today = timezone.localdate()
    texts = clean_event_texts(
        decision_number=decision_number, issuer=issuer, note=note, other_party=other_party
    )
    decision_number, issuer, note = texts["decision_number"], texts["issuer"], texts["note"]
    other_party = texts["other_party"]
    if type not in USER_EVENTS:
        raise ValidationError({"type": _("This kind of event cannot be recorded here.")})
    if date is None:
        raise ValidationError({"date": _("Enter the date.")})
    if type == EventType.TRANSFERRED_OUT and not (other_party and decision_number):
        # The record here closes: where the member went and by which letter must be kept.
        errors = {}
        if not other_party:
            errors["other_party"] = _(
                "Say where the member is transferred to (the army or police party organisation, "
                "a central bloc, abroad, the province)."
            )
        if not decision_number:
            errors["decision_number"] = _("Enter the number of the transfer letter.")
        raise ValidationError(errors)
    _check_day(date, "date", today)
    if decision_date:
        _check_day(decision_date, "decision_date", today)
    m = Member.objects.select_for_update().get(pk=member.pk)
    pending = _in_transit(m.pk)
    if pending is not None and type in _MOVING:
        raise ValidationError(
            {
                "type": _(
                    "A transfer of this member to %(cell)s is in transit: it moves the member "
                    "when received, or is withdrawn first."
                )
                % {"cell": pending.to_organisation.name}
            }
        )
    if type == EventType.CORRECTION:
        return _correct(actor, m, corrects, date, decision_number, decision_date, issuer, note)
    if type == EventType.ADMITTED and m.status not in READMITTABLE:
        # Said before asking for the cell: a member on the records is not admitted (again).
        raise ValidationError({"type": [_("This person is already on the party's records.")]})
    # A restoration may name a new cell; the other events that name one must.
    if type in EVENTS_WITH_ORG and (type != EventType.RESTORED or organisation is not None):
        check_cell(organisation, date)
    last_date, last_seq = _last_event(m.pk)
    before_state = _state_of(m, last_date)
    try:
        after_state = transition(
            before_state,
            # Admitted again: a new ceremony (on the day of the decision unless recorded).
            EventInput(
                type=type,
                date=date,
                org_id=organisation.pk if organisation else None,
                ceremony_date=None if type == EventType.ADMITTED else m.ceremony_date,
            ),
        )
    except DomainError as exc:
        raise ValidationError({exc.field or "__all__": [exc.message]}) from None
    if pending is not None and type in _CLOSING:
        # The record closes: nothing is left to receive.
        pending.state, pending.closed_on = Transfer.State.WITHDRAWN, date
        pending.reason = str(EventType(type).label)
        pending.save(update_fields=["state", "closed_on", "reason"])
    return _write_event(
        actor,
        m,
        before_state,
        after_state,
        seq=last_seq + 1,
        fields=dict(
            type=type,
            date=date,
            other_party=other_party,
            decision_number=decision_number,
            decision_date=decision_date,
            issuer=issuer,
            note=note,
        ),
    )


def _write_event(
    actor,
    m: Member,
    before_state: MemberState,
    after_state: MemberState,
    fields: dict,
    corrects=None,
    rebuild_periods: list | None = None,
    seq: int | None = None,
) -> MembershipEvent:
    paths = OrgPaths()
    paths.preload_one(m.organisation_id, m.org_path)
    before = _copy(m)
    stored = _stored_periods(m.pk)
    spans_before = spans_of(stored)
    _apply_state(m, after_state, paths)
    m.updated_at = timezone.now()
    update_row(
        Member,
        m.pk,
        {name: getattr(m, Member._meta.get_field(name).attname) for name in _STATE_FIELDS},
    )
    if seq is None:
        seq = _last_event(m.pk)[1] + 1
    stamp, now = _stamp()
    row = _event_row(
        m.pk,
        seq,
        fields,
        before_state,
        after_state,
        stamp,
        recorder_id(actor),
        corrects.pk if corrects is not None else None,
    )
    (event_id,) = allocate_ids(MembershipEvent, 1)
    _insert_events([row], ids=[event_id])
    event = _EVENT(dict(zip(_EVENT_COLUMNS, row, strict=True)), id=event_id, recorded_at=now)
    facts = [EventFact(fields["type"], fields["date"], after_state.org_id)]
    if corrects is not None:
        facts.append(EventFact(corrects.type, corrects.date, corrects.organisation_id, -1))
    if rebuild_periods is not None:
        MemberPeriod.objects.filter(member=m).delete()
        MemberPeriod.objects.bulk_create(rebuild_periods)
        after_periods = rebuild_periods
    else:
        after_periods = _periods_after(
            m, stored, before_state, after_state, fields["type"], fields["date"], timeline_of(m)
        )
        _write_periods(m.pk, stored, after_periods)
    _effects(
        actor,
        [MemberChange(before, m, spans_before, spans_of(after_periods), facts)],
        paths,
        [
            _audit_entry(
                f"member.event.{fields['type']}",
                m,
                _member_snapshot(before),
                {**_member_snapshot(m), "event": event.pk, "event_date": fields["date"]},
            )
        ],
    )
    return event


def _correct(
    actor,
    m: Member,
    target: MembershipEvent | None,
    on: date,
    decision_number,
    decision_date,
    issuer,
    note,
) -> MembershipEvent:
    effective = effective_events(m.pk)
    if target is None:
        raise ValidationError({"corrects": _("Choose the event to correct.")})
    if not effective or effective[-1].pk != target.pk:
        raise ValidationError({"corrects": _("Only the member's latest event can be corrected.")})
    if len(effective) == 1:
        raise ValidationError(
            {"corrects": _("The event that put the member on the records cannot be corrected.")}
        )
    if target.type == EventType.REORGANISED:
        # A reorganisation is the organisation's act, not the member's: it is undone by another
        # reorganisation, never by putting the member back into a cell that may be gone.
        raise ValidationError(
            {"corrects": _("A move made by a reorganisation cannot be corrected here.")}
        )
    remaining = effective[:-1]
    try:
        state = _initial_state(m, remaining[0].type)
        for ev in remaining:
            state = transition(state, event_input(ev, m))
        periods = periods_from_events(m, remaining, timeline_of(m))
    except DomainError as exc:  # pragma: no cover - the remaining events were valid before
        raise ValidationError({"corrects": [exc.message]}) from None
    if state.in_party:
        check_cell(Organisation.objects.get(pk=state.org_id), on, "corrects")
    before_state = _state_of(m, None)
    return _write_event(
        actor,
        m,
        before_state,
        state,
        dict(
            type=EventType.CORRECTION,
            date=on,
            decision_number=decision_number,
            decision_date=decision_date,
            issuer=issuer,
            note=note,
        ),
        corrects=target,
        rebuild_periods=periods,
    )


@transaction.atomic
def members_reassign(
    *,
    actor,
    source: Organisation,
    target: Organisation,
    on: date,
    ids: list[int] | None = None,
    decision_number: str = "",
) -> int:
    """Move the in-party members of a cell (those `ids`, or all) to another cell because of a
    reorganisation (merge, split): a `reorganised` event each, not a personal transfer. The
    members' registry entry's `reassign` (MembersConfig.ready). Returns how many moved."""
    qs = Member.objects.select_for_update().filter(
        org_path=source.path, organisation=source, status__in=IN_PARTY
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    members = list(qs.order_by("pk"))
    if not members:
        return 0
    check_cell(target, on, "target")
    paths = OrgPaths()
    last = {
        member_id: (as_date(day), seq)
        for member_id, day, seq in fetch(
            f"SELECT member_id, MAX(date), MAX(seq) FROM {MembershipEvent._meta.db_table} "
            f"WHERE member_id IN ({', '.join(['%s'] * len(members))}) GROUP BY member_id",
            [m.pk for m in members],
        )
    }
    stamp, _now = _stamp()
    fields = dict(type=EventType.REORGANISED, date=on, decision_number=decision_number)
    events, new_periods, audits, changes = [], [], [], []
    timelines = timelines_of(members)
    # A member whose attributes change after `on` has more than one open-ended piece to cut:
    # their periods are worked out one by one (rare: a reorganisation is dated today).
    one_by_one = {pk for pk, t in timelines.items() if any(d > on for d in t.days())}
    for m in members:
        last_date, last_seq = last.get(m.pk, (None, 0))
        before_state = _state_of(m, last_date)
        try:
            after_state = transition(
                before_state, EventInput(type=EventType.REORGANISED, date=on, org_id=target.pk)
            )
        except DomainError as exc:
            raise ValidationError({"date": [f"{m.full_name}: {exc.message}"]}) from None
        before = _copy(m)
        _apply_state(m, after_state, paths)
        events.append(
            _event_row(
                m.pk, last_seq + 1, fields, before_state, after_state, stamp, recorder_id(actor)
            )
        )
        if m.pk in one_by_one:
            stored = _stored_periods(m.pk)
            _write_periods(
                m.pk,
                stored,
                _periods_after(
                    m, stored, before_state, after_state, EventType.REORGANISED, on, timelines[m.pk]
                ),
            )
        else:
            timeline = timelines.get(m.pk)
            attrs = timeline.at(on) if timeline else attrs_of(m)
            new_periods.append((m.pk, target.pk, m.status, m.exempted, on, None, *attrs))
        changes.append(MemberChange(before, m))
        audits.append(
            _audit_entry(
                "member.event.reorganised",
                m,
                {"organisation": source.pk},
                {"organisation": target.pk, "event_date": on},
            )
        )
    Member.objects.bulk_update(
        members, ["organisation", "org_path", "temp_organisation"], batch_size=2000
    )
    MemberPeriod.objects.filter(
        member__in=[m for m in members if m.pk not in one_by_one], valid_to__isnull=True
    ).update(valid_to=on)
    _insert_events(events)
    insert_rows(MemberPeriod, _PERIOD_COLUMNS, new_periods)
    _effects(actor, changes, paths, audits)
    return len(members)


# --- transfers between committees (two acts) ----------------------------------------------------

# Events that move the member elsewhere: refused while a transfer is in transit (it is the
# transfer's receipt that moves them).
_MOVING = (EventType.TRANSFERRED, EventType.TEMPORARY_TRANSFER, EventType.TRANSFERRED_OUT)
_CLOSING = (EventType.DIED, EventType.EXPELLED, EventType.STRUCK_OFF, EventType.LEFT)


def _in_transit(member_id: int) -> Transfer | None:
    return Transfer.objects.filter(member_id=member_id, state=Transfer.State.SENT).first()


def _transfer_audit(action: str, t: Transfer, **after) -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="member",
        object_id=t.member_id,
        object_repr=t.member.full_name,
        org_path=t.org_path,
        after={"transfer": t.pk, "to": t.to_organisation_id, **after},
    )


@transaction.atomic
def transfer_send(
    *,
    actor,
    member: Member,
    to: Organisation,
    on: date,
    decision_number: str = "",
    note: str = "",
) -> Transfer:
    """The sending side's act: the member is introduced to a cell of another committee and is
    "in transit" until that side receives them. Nothing moves yet: the member stays counted in
    their cell (docs/decisions/0014). Rules: an in-party member, one transfer in transit at a
    time, a real cell that exists on `on`, not the member's own, `on` neither in the future nor
    before the member's last event."""
    today = timezone.localdate()
    texts = clean_event_texts(decision_number=decision_number, note=note)
    if on is None:
        raise ValidationError({"date": _("Enter the date.")})
    _check_day(on, "date", today)
    m = Member.objects.select_for_update().get(pk=member.pk)
    if m.status not in IN_PARTY:
        raise ValidationError({"type": _("Only a member in the party can be transferred.")})
    last_date, _seq = _last_event(m.pk)
    if last_date and on < last_date:
        raise ValidationError(
            {
                "date": _("The date cannot be before the member's last recorded event (%(d)s).")
                % {"d": last_date.strftime("%d/%m/%Y")}
            }
        )
    check_cell(to, on)
    if to.pk == m.organisation_id:
        raise ValidationError(
            {"organisation": _("The receiving cell is the member's current cell.")}
        )
    if _in_transit(m.pk) is not None:
        raise ValidationError({"type": _("A transfer of this member is already in transit.")})
    t = Transfer(
        member=m,
        to_organisation=to,
        to_path=to.path,
        sent_on=on,
        decision_number=texts["decision_number"],
        note=texts["note"],
        sent_by_id=recorder_id(actor),
    )
    t.place_in(m.organisation)
    t.save()
    audit_bulk(actor=actor, entries=[_transfer_audit("member.transfer.sent", t, sent_on=on)])
    return t


@transaction.atomic
def transfer_receive(*, actor, transfer: Transfer, on: date, note: str = "") -> Transfer:
    """The receiving side's act: the member joins the receiving cell on `on` (a `transferred`
    event of that date: the receiver's counters and 1-BTCTW move only now, the sender's too)."""
    t = (
        Transfer.objects.select_for_update()
        .select_related("member", "to_organisation")
        .get(pk=transfer.pk)
    )
    if t.state != Transfer.State.SENT:
        raise ValidationError({"transfer": _("This transfer is no longer in transit.")})
    if on is None:
        raise ValidationError({"date": _("Enter the date.")})
    if on < t.sent_on:
        raise ValidationError(
            {
                "date": _("The member cannot be received before being sent (%(d)s).")
                % {"d": t.sent_on.strftime("%d/%m/%Y")}
            }
        )
    t.state = Transfer.State.RECEIVED
    t.save(update_fields=["state"])
    event = member_event_record(
        actor=actor,
        member=t.member,
        type=EventType.TRANSFERRED,
        date=on,
        organisation=t.to_organisation,
        decision_number=t.decision_number,
        note=note,
    )
    t.closed_on, t.closed_by_id, t.event = on, recorder_id(actor), event
    t.save(update_fields=["closed_on", "closed_by", "event"])
    audit_bulk(
        actor=actor, entries=[_transfer_audit("member.transfer.received", t, received_on=on)]
    )
    return t


@transaction.atomic
def transfer_close(*, actor, transfer: Transfer, state: str, reason: str) -> Transfer:
    """Close a transfer in transit without moving the member: `refused` by the receiving side,
    or `withdrawn` by the sending side; the reason is required."""
    t = Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)
    if state not in (Transfer.State.REFUSED, Transfer.State.WITHDRAWN):
        raise ValidationError({"state": _("Choose refused or withdrawn.")})
    if t.state != Transfer.State.SENT:
        raise ValidationError({"transfer": _("This transfer is no longer in transit.")})
    try:
        reason = clean_text(reason, max_length=2000, multiline=True)
    except ValueError as exc:
        raise ValidationError({"reason": str(exc)}) from None
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    t.state, t.reason = state, reason
    t.closed_on, t.closed_by_id = timezone.localdate(), recorder_id(actor)
    t.save(update_fields=["state", "reason", "closed_on", "closed_by"])
    audit_bulk(actor=actor, entries=[_transfer_audit(f"member.transfer.{state}", t, reason=reason)])
    return t


def transfers_move(*, old_path: str, new_path: str) -> None:
    """A subtree moved: the transfers sent from it and to it follow (core.registry)."""
    for field in ("org_path", "to_path"):
        Transfer.objects.filter(prefix_q(field, old_path)).update(
            **{field: Concat(Value(new_path), Substr(F(field), Length(Value(old_path)) + 1))}
        )


# --- the person's particulars before they are a member (admission) ---------------------------

PERSON_FIELDS = tuple(
    f.name for f in RECORD if not f.set_by_events and f.name != "party_card_number"
)


def clean_person(data: dict, *, today: date | None = None) -> dict:
    """Check and normalise a person's particulars (the record fields of a member that exist
    before admission: members.fields.RECORD without the card and the event dates) with the
    same field rules as a member's record; ValidationError naming every wrong field. An
    identity number that another member already has is refused (a candidate who is already a
    member is a mistake)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for name in PERSON_FIELDS:
        f = record_field(name)
        try:
            cleaned[name] = _clean_field(f, data.get(name), today)
        except ValueError as exc:
            errors[name] = str(exc)
    number = cleaned.get("identity_number")
    if number and Member.objects.filter(identity_number=number).exists():
        errors["identity_number"] = _("A party member already has this identity number.")
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- positions ----------------------------------------------------------------------------------

PARTY_POSITIONS = frozenset(
    {
        Position.Kind.SECRETARY,
        Position.Kind.DEPUTY_SECRETARY,
        Position.Kind.COMMITTEE_MEMBER,
        Position.Kind.STANDING_COMMITTEE,
    }
)
# One holder at a time in an organisation (DOMAIN.md §7.2: a secretary and one deputy).
SINGLE_SEAT = frozenset(Position.Kind.values) - {
    Position.Kind.COMMITTEE_MEMBER,
    Position.Kind.STANDING_COMMITTEE,
}


def _position_audit(action: str, p: Position, before=None) -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="position",
        object_id=p.pk,
        object_repr=f"{p.get_kind_display()}: {p.person_name}",
        org_path=p.org_path,
        before=before,
        after={
            "kind": p.kind,
            "member": p.member_id,
            "person_name": p.person_name,
            "organisation": p.organisation_id,
            "valid_from": p.valid_from,
            "valid_to": p.valid_to,
        },
    )


def _position_errors(
    organisation: Organisation, kind: str, member: Member | None, person_name: str
) -> dict[str, str]:
    """What forbids `kind` to this person in `organisation` (position_assign's rules, also
    positions_create_bulk's): the party's positions are held by members in the party within the
    organisation's subtree, the standing committee belongs to committees, a village's positions
    sit on its party cell and may be held by anyone named."""
    errors: dict[str, str] = {}
    is_cell = organisation.kind in MEMBER_HOLDING_KINDS
    if not organisation.is_active:
        errors["organisation"] = _("This organisation no longer exists.")
    if kind in PARTY_POSITIONS:
        if member is None:
            errors["member"] = _("A party position is held by a party member: choose the member.")
        elif member.status not in IN_PARTY:
            errors["member"] = _("%(name)s is not in the party.") % {"name": member.full_name}
        elif not member.org_path.startswith(organisation.path):
            errors["member"] = _("%(name)s is not a member of %(org)s.") % {
                "name": member.full_name,
                "org": organisation.name,
            }
        if kind == Position.Kind.STANDING_COMMITTEE and is_cell:
            errors["kind"] = _("A party cell has no standing committee.")
    else:
        if not is_cell:
            errors["organisation"] = _(
                "A village's positions are kept on the party cell of the village."
            )
        if member is None and not person_name:
            errors["person_name"] = _("Enter the name of the person, or choose the member.")
    return errors


@transaction.atomic
def position_assign(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    valid_from: date,
    member: Member | None = None,
    person_name: str = "",
    decision_number: str = "",
    note: str = "",
) -> Position:
    """Record that a person holds `kind` in `organisation` from `valid_from`.

    Rules: the party's positions are held by members in the party within the organisation's
    subtree; a village's positions sit on a party cell and may be held by anyone (a name, or a
    member); the standing committee belongs to committees, not cells; a single-seat position
    (secretary, deputy, village head, a mass organisation's head) passes to the new holder —
    the previous holder's term ends that day; nobody holds the same position twice at once.
    """
    if kind not in Position.Kind.values:
        raise ValidationError({"kind": _("Unknown position: %(k)s.") % {"k": kind}})
    if valid_from is None:
        raise ValidationError({"valid_from": _("Enter the date.")})
    _check_day(valid_from, "valid_from", timezone.localdate())
    texts = clean_event_texts(decision_number=decision_number, note=note)
    person_name = clean_text(person_name or "", max_length=150)
    errors = _position_errors(organisation, kind, member, person_name)
    if errors:
        raise ValidationError(errors)
    holders = Position.objects.select_for_update().filter(
        organisation=organisation, kind=kind, valid_to__isnull=True
    )
    for current in holders:
        same = member is not None and current.member_id == member.pk
        if same or (
            member is None and current.member_id is None and current.person_name == person_name
        ):
            raise ValidationError(
                {
                    "member": _("%(name)s already holds this position.")
                    % {"name": current.person_name}
                }
            )
        if kind in SINGLE_SEAT:
            if current.valid_from > valid_from:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "The current holder took office on %(d)s: the new term cannot "
                            "start earlier."
                        )
                        % {"d": current.valid_from.strftime("%d/%m/%Y")}
                    }
                )
            before = {"valid_to": None}
            current.valid_to = valid_from
            current.save(update_fields=["valid_to"])
            audit_record(actor=actor, entry=_position_audit("position.end", current, before))
    p = Position(
        kind=kind,
        member=member,
        person_name=member.full_name if member is not None else person_name,
        valid_from=valid_from,
        decision_number=texts["decision_number"],
        note=texts["note"][:255],
        recorded_by_id=recorder_id(actor),
    )
    p.place_in(organisation)
    p.save()
    audit_record(actor=actor, entry=_position_audit("position.assign", p))
    return p


@transaction.atomic
def position_end(*, actor, position: Position, on: date) -> Position:
    """The holder's term ends on `on` (not before it began)."""
    if on is None:
        raise ValidationError({"valid_to": _("Enter the date.")})
    _check_day(on, "valid_to", timezone.localdate())
    p = Position.objects.select_for_update().get(pk=position.pk)
    if p.valid_to is not None:
        raise ValidationError({"valid_to": _("This term has already ended.")})
    if on < p.valid_from:
        raise ValidationError({"valid_to": _("A term cannot end before it began.")})
    p.valid_to = on
    p.save(update_fields=["valid_to"])
    audit_record(actor=actor, entry=_position_audit("position.end", p, {"valid_to": None}))
    return p


@dataclass(frozen=True)
class PositionInput:
    organisation: Organisation
    kind: str
    valid_from: date
    member: Member | None = None
    person_name: str = ""


@transaction.atomic
def positions_create_bulk(*, actor, rows: list[PositionInput]) -> list[Position]:
    """Record many first holders at once (the national generator: every cell's committee),
    with position_assign's rules for each row, all or nothing: a row another holder's term
    would have to end for (a single-seat position already held, or named twice) is refused
    instead; nobody holds the same position twice at once. One query for the holders already
    in office, one insert, the audit in one statement. The system only: a person assigns one
    position at a time (position_assign), which ends the previous holder's term."""
    if actor is not None and actor is not SYSTEM:
        raise ValidationError({"__all__": _("Only the system records positions in bulk.")})
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for n, r in enumerate(rows, start=1):
        if r.kind not in Position.Kind.values:
            found = {"kind": _("Unknown position: %(k)s.") % {"k": r.kind}}
        elif r.valid_from is None or r.valid_from > today:
            found = {"valid_from": _("Enter a date that is not in the future.")}
        else:
            found = _position_errors(r.organisation, r.kind, r.member, r.person_name)
        for name, message in found.items():
            errors.setdefault(f"row {n}: {name}", []).append(message)
    if errors:
        raise ValidationError(errors)
    seats: set[tuple[int, str]] = set()
    held: set[tuple[int, str, int | None]] = set()
    open_rows = Position.objects.filter(
        organisation__in={r.organisation.pk for r in rows},
        kind__in={r.kind for r in rows},
        valid_to__isnull=True,
    ).values_list("organisation_id", "kind", "member_id")
    for org, kind, member in open_rows:
        held.add((org, kind, member))
        if kind in SINGLE_SEAT:
            seats.add((org, kind))
    out = []
    for n, r in enumerate(rows, start=1):
        seat = (r.organisation.pk, r.kind)
        holder = (*seat, r.member.pk if r.member is not None else None)
        if seat in seats and r.kind in SINGLE_SEAT:
            errors[f"row {n}: kind"] = [
                _("%(org)s already has its %(position)s.")
                % {"org": r.organisation.name, "position": Position.Kind(r.kind).label.lower()}
            ]
        elif r.member is not None and holder in held:
            errors[f"row {n}: member"] = [
                _("%(name)s already holds this position.") % {"name": r.member.full_name}
            ]
        seats.add(seat)
        held.add(holder)
        p = Position(
            kind=r.kind,
            member=r.member,
            person_name=(r.member.full_name if r.member is not None else r.person_name)[:150],
            valid_from=r.valid_from,
            recorded_by_id=recorder_id(actor),
        )
        p.place_in(r.organisation)
        out.append(p)
    if errors:
        raise ValidationError(errors)
    Position.objects.bulk_create(out, batch_size=2000)
    audit_bulk(actor=actor, entries=[_position_audit("position.assign", p) for p in out])
    return out


def positions_move(*, old_path: str, new_path: str) -> None:
    """A subtree moved: its positions follow (the default rewrite of the path)."""
    Position.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
    )


@transaction.atomic
def member_ceremony_record(*, actor, member: Member, on: date) -> Member:
    """The admission ceremony of a probationary member took place on `on` (the probation's 12
    months count from it: members.state.probation_end). Not before the admission decision, not
    in the future, not once recognised."""
    if on is None:
        raise ValidationError({"date": _("Enter the date.")})
    _check_day(on, "date", timezone.localdate())
    m = Member.objects.select_for_update().get(pk=member.pk)
    if m.status != Status.PROBATIONARY:
        raise ValidationError({"date": _("Only a probationary member's ceremony can be recorded.")})
    if m.admission_date and on < m.admission_date:
        raise ValidationError(
            {
                "date": _("The ceremony cannot be before the admission decision (%(d)s).")
                % {"d": m.admission_date.strftime("%d/%m/%Y")}
            }
        )
    before = m.ceremony_date
    m.ceremony_date = on
    m.save(update_fields=["ceremony_date", "updated_at"])
    audit_record(
        actor=actor,
        entry=_audit_entry("member.update", m, {"ceremony_date": before}, {"ceremony_date": on}),
    )
    return m
