"""Membership services: every write to a member goes through here.

Each service is one transaction: it locks the member, checks the rules (state.transition),
appends the event, updates the member row and its in-party periods, moves the rollup counters
of every ancestor, and writes the audit record. The bulk path (members_create_bulk) applies the
same transition function and writes the same rows in batches.
"""

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.audit.services import AuditEntry, audit_bulk
from dangvu.core.dates import add_months
from dangvu.core.db import (
    allocate_ids,
    as_date,
    fetch,
    insert_rows,
    instance_maker,
    json_rows,
    refresh_planner_statistics,
    update_row,
)
from dangvu.core.errors import DomainError, ValidationError
from dangvu.core.refdata import (
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    OCCUPATIONS,
    PROFESSIONAL_LEVELS,
    RELIGIONS,
    THEORY_LEVELS,
)
from dangvu.core.rules import rule_value
from dangvu.core.text import fold, rotations
from dangvu.members.choices import (
    EVENTS_WITH_ORG,
    IN_PARTY,
    USER_EVENTS,
    EventType,
    Status,
)
from dangvu.members.models import Member, MemberPeriod, MembershipEvent, NameKey
from dangvu.members.rollup import member_contribution
from dangvu.members.selectors import effective_events
from dangvu.members.snapshots import Span, snapshots_adjust, spans_of
from dangvu.members.state import EventInput, MemberState, probation_end, transition
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation, SnapshotMark, SubtreeCounter
from dangvu.organisations.rollups import (
    Deltas,
    ancestor_ids,
    ancestor_paths,
    counters_apply,
    spread,
)

__all__ = [
    "MEMBER_FIELDS",
    "member_create",
    "members_create_bulk",
    "name_keys_deferred",
    "member_update",
    "member_link_user",
    "member_event_record",
    "members_reassign",
    "periods_from_events",
    "event_input",
    "replay_with_periods",
]

# A bulk load this large refreshes the planner's statistics (PostgreSQL) before it returns.
ANALYZE_AFTER = 1000

# Record fields a person enters (the state fields are the events' business).
MEMBER_FIELDS = (
    "full_name",
    "birth_name",
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "hometown",
    "identity_number",
    "phone",
    "education",
    "professional_level",
    "theory_level",
    "occupation",
    "party_card_number",
    "admission_date",
    "ceremony_date",
    "official_date",
)

_DIGITS = re.compile(r"^\d+$")


# --- validation of the record ------------------------------------------------------------------


# Labels named in error messages, translated only when an error is reported.
_L_ETHNICITY = gettext_lazy("ethnicity")
_L_RELIGION = gettext_lazy("religion")
_L_EDUCATION = gettext_lazy("general education")
_L_PROFESSIONAL = gettext_lazy("professional level")
_L_THEORY = gettext_lazy("political theory")
_L_OCCUPATION = gettext_lazy("occupation")
_L_IDENTITY = gettext_lazy("citizen identity number")
_L_CARD = gettext_lazy("party card number")


def _lookup(reflist, value, field_name, label, errors, cleaned, default=None):
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        if default is not None:
            cleaned[field_name] = default
            return
        errors[field_name] = _("Choose the %(label)s.") % {"label": label}
        return
    item = reflist.lookup(value)
    if item is None:
        errors[field_name] = _("Unknown %(label)s code: %(v)s.") % {"label": label, "v": value}
    else:
        cleaned[field_name] = item.code


def _as_date(value, field_name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field_name] = _("Enter a valid date (YYYY-MM-DD).")
        return None


def _clean_record(
    data: dict,
    *,
    existing: Member | None = None,
    check_unique: bool = True,
    today: date | None = None,
) -> dict:
    """Check and normalise the record fields; ValidationError naming every wrong field.
    `check_unique=False`: the caller checks identity and card numbers for a whole batch.
    `today`: the caller's, for a batch (the time-zone conversion costs a few µs a row)."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    today = today or timezone.localdate()

    full_name = " ".join((data.get("full_name") or "").split())
    if not full_name:
        errors["full_name"] = _("Enter the full name.")
    elif len(full_name) > 150:
        errors["full_name"] = _("The name is too long (150 characters at most).")
    cleaned["full_name"] = full_name
    cleaned["birth_name"] = " ".join((data.get("birth_name") or "").split())
    cleaned["hometown"] = (data.get("hometown") or "").strip()
    cleaned["phone"] = (data.get("phone") or "").strip()

    for name in ("birth_date", "admission_date", "ceremony_date", "official_date"):
        cleaned[name] = _as_date(data.get(name), name, errors)
        if cleaned[name] and cleaned[name] > today:
            errors[name] = _("The date cannot be in the future.")
    birth = cleaned["birth_date"]
    if birth is None and "birth_date" not in errors:
        errors["birth_date"] = _("Enter the date of birth.")

    gender = (data.get("gender") or "").strip()
    if gender not in GENDERS:
        errors["gender"] = _("Choose Male or Female.")
    cleaned["gender"] = gender
    _lookup(ETHNICITIES, data.get("ethnicity"), "ethnicity", _L_ETHNICITY, errors, cleaned)
    _lookup(RELIGIONS, data.get("religion"), "religion", _L_RELIGION, errors, cleaned, default="00")
    _lookup(
        EDUCATION_LEVELS,
        data.get("education"),
        "education",
        _L_EDUCATION,
        errors,
        cleaned,
    )
    _lookup(
        PROFESSIONAL_LEVELS,
        data.get("professional_level"),
        "professional_level",
        _L_PROFESSIONAL,
        errors,
        cleaned,
        default="none",
    )
    _lookup(
        THEORY_LEVELS,
        data.get("theory_level"),
        "theory_level",
        _L_THEORY,
        errors,
        cleaned,
        default="none",
    )
    _lookup(OCCUPATIONS, data.get("occupation"), "occupation", _L_OCCUPATION, errors, cleaned)

    for name, length, label in (
        ("identity_number", 12, _L_IDENTITY),
        ("party_card_number", 8, _L_CARD),
    ):
        value = (data.get(name) or "").strip() or None
        if value is not None:
            if not _DIGITS.match(value) or len(value) != length:
                errors[name] = _("The %(label)s must have %(n)d digits.") % {
                    "label": label,
                    "n": length,
                }
            elif check_unique:
                clash = Member.objects.filter(**{name: value})
                if existing is not None:
                    clash = clash.exclude(pk=existing.pk)
                if clash.exists():
                    errors[name] = _("Another member already has this %(label)s.") % {
                        "label": label
                    }
        cleaned[name] = value

    admitted = cleaned["admission_date"]
    if admitted is None and "admission_date" not in errors:
        errors["admission_date"] = _("Enter the admission date.")
    if birth and admitted and "birth_date" not in errors and "admission_date" not in errors:
        lo = rule_value("admission_min_age", on=admitted)
        hi = rule_value("admission_max_age", on=admitted)
        if admitted < add_months(birth, 12 * lo):
            errors["admission_date"] = _(
                "A member must be at least %(n)d years old when admitted."
            ) % {"n": lo}
        elif admitted > add_months(birth, 12 * hi):
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
        if official < end:
            errors["official_date"] = _(
                "Recognition cannot come before the probation period ends (%(d)s)."
            ) % {"d": end.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_cell(
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


def periods_from_events(member: Member, events: Iterable[MembershipEvent]) -> list[MemberPeriod]:
    """In-party spans from a member's effective events, in order."""
    return replay_with_periods(member, list(events), make=MemberPeriod)[1]


def replay_with_periods(member, events: list, make=None) -> tuple[MemberState, list]:
    """The state a member's effective events lead to and the in-party spans they produce, one
    `make(member=, organisation_id=, status=, exempted=, valid_from=)` each (plain rows with
    organisation_id, status, exempted, valid_from and valid_to by default). `member` and the
    events need only the fields they are read for (`dangvu check` passes plain rows)."""
    periods: list = []
    state = _initial_state(member, events[0].type if events else None)
    for ev in events:
        after = transition(state, event_input(ev, member))
        _period_step(periods, member, state, after, ev.date, make=make or _Span)
        state = after
    return state, periods


class _Span:
    """A period as the bulk path and the event path write it (a plain row, not a model
    instance); `id` is the stored row's, None for a new one."""

    __slots__ = ("id", "organisation_id", "status", "exempted", "valid_from", "valid_to")

    def __init__(
        self, member, organisation_id, status, exempted, valid_from, valid_to=None, id=None
    ):
        self.id = id
        self.organisation_id = organisation_id
        self.status = status
        self.exempted = exempted
        self.valid_from = valid_from
        self.valid_to = valid_to


def _stored_periods(member_id: int) -> list[_Span]:
    rows = fetch(
        "SELECT id, organisation_id, status, exempted, valid_from, valid_to "
        f"FROM {MemberPeriod._meta.db_table} WHERE member_id = %s ORDER BY valid_from, id",
        [member_id],
    )
    return [
        _Span(None, org, status, bool(exempted), as_date(start), as_date(end), pk)
        for pk, org, status, exempted, start, end in rows
    ]


def _last_event(member_id: int) -> tuple[date | None, int]:
    """The date of the member's latest event and the highest sequence number."""
    day, seq = fetch(
        f"SELECT MAX(date), MAX(seq) FROM {MembershipEvent._meta.db_table} WHERE member_id = %s",
        [member_id],
    )[0]
    return as_date(day), seq or 0


def _period_step(
    periods: list, member, before: MemberState, after: MemberState, on: date, make=None
) -> None:
    key_before = (before.status, before.org_id, before.exempted) if before.in_party else None
    key_after = (after.status, after.org_id, after.exempted) if after.in_party else None
    if key_before == key_after:
        return
    if key_before is not None and periods and periods[-1].valid_to is None:
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


@dataclass
class _Paths:
    """Organisation id -> (path, ancestor ids), loaded once per operation."""

    cache: dict = field(default_factory=dict)

    def path(self, org_id: int) -> str:
        return self._get(org_id)[0]

    def ancestors(self, org_id: int) -> list[int]:
        return self._get(org_id)[1]

    def preload_one(self, org_id: int, path: str) -> None:
        """A path already known (the member row's own): one query for the ancestors."""
        if org_id not in self.cache:
            self.cache[org_id] = (path, ancestor_ids(path))

    def preload(self, orgs: Iterable[Organisation]) -> None:
        """Paths and ancestors of many organisations in one query (bulk loads)."""
        wanted = list({o.pk for o in orgs if o is not None and o.pk not in self.cache})
        if not wanted:
            return
        # The current paths (an object in hand may predate a move).
        todo = dict(Organisation.objects.filter(pk__one_of=wanted).values_list("pk", "path"))
        prefixes = sorted({p for path in todo.values() for p in ancestor_paths(path)})
        ids = dict(Organisation.objects.filter(path__one_of=prefixes).values_list("path", "id"))
        for pk, path in todo.items():
            self.cache[pk] = (path, [ids[p] for p in ancestor_paths(path)])

    def _get(self, org_id):
        if org_id not in self.cache:
            path = Organisation.objects.values_list("path", flat=True).get(pk=org_id)
            self.cache[org_id] = (path, ancestor_ids(path))
        return self.cache[org_id]


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


def _apply_state(m: Member, state: MemberState, paths: _Paths) -> None:
    m.status = state.status
    m.organisation_id = state.org_id
    m.org_path = paths.path(state.org_id)
    m.exempted = state.exempted
    m.temp_organisation_id = state.temp_org_id
    m.official_date = state.official_date
    if state.admission_date:
        m.admission_date = state.admission_date


def _counter_move(deltas: Deltas, paths: _Paths, before: Member | None, after: Member) -> None:
    if before is not None and before.status in IN_PARTY:
        spread(deltas, paths.ancestors(before.organisation_id), member_contribution(before), -1)
    if after.status in IN_PARTY:
        spread(deltas, paths.ancestors(after.organisation_id), member_contribution(after), +1)


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
) -> Member:
    """Put a member on the records: admitted into `organisation` (and recognised, when an
    official date is given), or transferred in from outside Dangvu on `entry_date`.

    Events: admitted [+ recognised], or transferred_in. Raises ValidationError naming fields.
    """
    if entry not in (EventType.ADMITTED, EventType.TRANSFERRED_IN):
        raise ValidationError({"entry": _("Unknown way of joining: %(e)s.") % {"e": entry}})
    cleaned = _clean_record(data)
    if entry_date and entry_date > timezone.localdate():
        raise ValidationError({"entry_date": _("The date cannot be in the future.")})
    _check_cell(organisation, entry_date or timezone.localdate())
    decision = dict(decision_number=decision_number, decision_date=decision_date, issuer=issuer)
    spec = _Spec(
        cleaned, _history_for(cleaned, organisation, entry, entry_date, other_party, decision)
    )
    return _create_many(actor, [spec])[0]


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
            cleaned = _clean_record(row, check_unique=False, today=today)
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


def _check_unique_numbers(specs: list[_Spec], rows_numbered: bool) -> None:
    """Identity and party card numbers already on the records: one query per number kind."""
    for name, label in (
        ("identity_number", _("citizen identity number")),
        ("party_card_number", _("party card number")),
    ):
        wanted = {s.record[name]: i for i, s in enumerate(specs, start=1) if s.record.get(name)}
        if not wanted:
            continue
        taken = set(
            Member.objects.filter(**{f"{name}__one_of": list(wanted)}).values_list(name, flat=True)
        )
        if taken:
            value = min(taken, key=lambda v: wanted[v])
            key = f"row {wanted[value]}: {name}" if rows_numbered else name
            raise ValidationError(
                {key: [_("Another member already has this %(label)s.") % {"label": label}]}
            )


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
)
_PERIOD_COLUMNS = ("member_id", "organisation_id", "status", "exempted", "valid_from", "valid_to")


def _create_many(
    actor, specs: list[_Spec], batch_size: int = 2000, rows_numbered: bool = False
) -> list[Member]:
    """Write members with their histories: the same transitions as member_event_record, rows
    written with executemany / COPY (core.db.insert_rows), counters summed per batch, one audit
    record per member (single create) or per cell (bulk)."""
    paths = _Paths()
    deltas = Deltas()
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
                    _check_cell(org, h["date"], founded=False)
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

    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
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

    recorded_by = actor.pk if getattr(actor, "pk", None) else None
    events, periods, audits = [], [], []
    by_cell: dict[int, list[Member]] = {}
    for m, steps in zip(members, histories, strict=True):
        member_periods: list[MemberPeriod] = []
        pk = m.pk
        for seq, (h, before, after) in enumerate(steps, start=1):
            events.append(
                (
                    pk,
                    seq,
                    h["type"],
                    h["date"],
                    after.org_id,
                    before.org_id,
                    after.temp_org_id if h["type"] == EventType.TEMPORARY_TRANSFER else None,
                    before.status or "",
                    after.status,
                    after.exempted,
                    h.get("other_party", ""),
                    h.get("decision_number", ""),
                    h.get("decision_date"),
                    h.get("issuer", ""),
                    h.get("note", ""),
                    stamp,
                    recorded_by,
                )
            )
            _period_step(member_periods, m, before, after, h["date"], make=_Span)
        periods.extend(
            (pk, p.organisation_id, p.status, p.exempted, p.valid_from, p.valid_to)
            for p in member_periods
        )
        by_cell.setdefault(m.organisation_id, []).append(m)
    # Counters: what the new members add, spread once over each chain of ancestors above their
    # cells (cells keep no counter rows: counters_apply).
    above: dict[tuple[int, ...], Deltas] = {}
    for cell_id, cell_members in by_cell.items():
        chain = tuple(pk for pk in paths.ancestors(cell_id) if pk != cell_id)
        tally = above.setdefault(chain, Deltas())
        for m in cell_members:
            tally.update(member_contribution(m))
    for chain, tally in above.items():
        spread(deltas, chain, tally, +1)
    insert_rows(MembershipEvent, _EVENT_COLUMNS, events)
    insert_rows(MemberPeriod, _PERIOD_COLUMNS, periods)
    if SnapshotMark.objects.exists():
        # Members entered with a past reach into the snapshots already taken.
        by_member: dict[int, list[Span]] = {}
        for pk, org_id, status, exempted, start, end in periods:
            by_member.setdefault(pk, []).append(Span(org_id, status, exempted, start, end))
        for m in members:
            snapshots_adjust(
                before=None, before_spans=[], after=m, after_spans=by_member.get(m.pk, [])
            )
    counters_apply(deltas)
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
                        "members": _id_runs(m.pk for m in cell_members),
                    },
                )
            )
    audit_bulk(actor=actor, entries=audits, batch_size=batch_size)
    if len(members) >= ANALYZE_AFTER:
        refresh_planner_statistics(
            Member, MembershipEvent, MemberPeriod, SubtreeCounter, added=len(members)
        )
    return members


def _id_runs(ids: Iterable[int]) -> list[list[int]]:
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


@transaction.atomic
def member_update(*, actor, member: Member, data: dict) -> Member:
    """Correct or complete record fields (not the membership state: that takes an event)."""
    m = Member.objects.select_for_update().get(pk=member.pk)
    merged = {name: getattr(m, name) for name in MEMBER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in MEMBER_FIELDS})
    for name in ("admission_date", "ceremony_date", "official_date"):
        # Dates that events set stay as the events set them.
        merged[name] = getattr(m, name)
    cleaned = _clean_record(merged, existing=m)
    before = _copy(m)
    for name, value in cleaned.items():
        setattr(m, name, value)
    m.name_folded = fold(m.full_name)
    if _member_snapshot(before) == _member_snapshot(m):
        return m
    m.save()
    if before.name_folded != m.name_folded:
        _name_keys_add([m.name_folded])
    paths = _Paths()
    deltas = Deltas()
    _counter_move(deltas, paths, before, m)
    counters_apply(deltas)
    spans = spans_of(MemberPeriod.objects.filter(member=m))
    snapshots_adjust(before=before, before_spans=spans, after=m, after_spans=spans)
    audit_bulk(
        actor=actor,
        entries=[_audit_entry("member.update", m, _member_snapshot(before), _member_snapshot(m))],
    )
    return m


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
    if type not in USER_EVENTS:
        raise ValidationError({"type": _("This kind of event cannot be recorded here.")})
    if date is None:
        raise ValidationError({"date": _("Enter the date.")})
    if date > today:
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if decision_date and decision_date > today:
        raise ValidationError({"decision_date": _("The date cannot be in the future.")})
    m = Member.objects.select_for_update().get(pk=member.pk)
    if type == EventType.CORRECTION:
        return _correct(actor, m, corrects, date, decision_number, decision_date, issuer, note)
    # A restoration may name a new cell; the other events that name one must.
    if type in EVENTS_WITH_ORG and (type != EventType.RESTORED or organisation is not None):
        _check_cell(organisation, date)
    last_date, last_seq = _last_event(m.pk)
    before_state = _state_of(m, last_date)
    try:
        after_state = transition(
            before_state,
            EventInput(
                type=type,
                date=date,
                org_id=organisation.pk if organisation else None,
                ceremony_date=m.ceremony_date,
            ),
        )
    except DomainError as exc:
        raise ValidationError({exc.field or "__all__": [exc.message]}) from None
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
    paths = _Paths()
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
    event = MembershipEvent.objects.create(
        member=m,
        seq=seq,
        organisation_id=after_state.org_id,
        from_organisation_id=before_state.org_id,
        temp_organisation_id=(
            after_state.temp_org_id if fields["type"] == EventType.TEMPORARY_TRANSFER else None
        ),
        status_before=before_state.status or "",
        status_after=after_state.status,
        exempted_after=after_state.exempted,
        corrects=corrects,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    if rebuild_periods is not None:
        MemberPeriod.objects.filter(member=m).delete()
        MemberPeriod.objects.bulk_create(rebuild_periods)
        after_periods = rebuild_periods
    else:
        closed = [p for p in stored if p.valid_to is not None]
        periods = [p for p in stored if p.valid_to is None]
        _period_step(periods, m, before_state, after_state, fields["date"], make=_Span)
        for p in periods:
            if p.id is None:
                insert_rows(
                    MemberPeriod,
                    ("member_id", "organisation_id", "status", "exempted", "valid_from"),
                    [(m.pk, p.organisation_id, p.status, p.exempted, p.valid_from)],
                )
            elif p.valid_to is not None:
                update_row(MemberPeriod, p.id, {"valid_to": p.valid_to})
        after_periods = closed + periods
    deltas = Deltas()
    _counter_move(deltas, paths, before, m)
    counters_apply(deltas)
    snapshots_adjust(
        before=before, before_spans=spans_before, after=m, after_spans=spans_of(after_periods)
    )
    audit_bulk(
        actor=actor,
        entries=[
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
        periods = periods_from_events(m, remaining)
    except DomainError as exc:  # pragma: no cover - the remaining events were valid before
        raise ValidationError({"corrects": [exc.message]}) from None
    if state.in_party:
        _check_cell(Organisation.objects.get(pk=state.org_id), on, "corrects")
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
    from_org: Organisation,
    to_org: Organisation,
    on: date,
    member_ids: list[int] | None = None,
    decision_number: str = "",
) -> int:
    """Move the in-party members of a cell to another cell because of a reorganisation (merge,
    split): a `reorganised` event each, not a personal transfer. Returns how many moved."""
    qs = Member.objects.select_for_update().filter(organisation=from_org, status__in=IN_PARTY)
    if member_ids is not None:
        qs = qs.filter(pk__in=member_ids)
    members = list(qs.order_by("pk"))
    if not members:
        return 0
    _check_cell(to_org, on, "target")
    paths = _Paths()
    deltas = Deltas()
    last_dates = dict(
        MembershipEvent.objects.filter(member__in=members)
        .values("member_id")
        .annotate(d=Max("date"))
        .values_list("member_id", "d")
    )
    seqs = dict(
        MembershipEvent.objects.filter(member__in=members)
        .values("member_id")
        .annotate(s=Max("seq"))
        .values_list("member_id", "s")
    )
    events, new_periods, audits = [], [], []
    for m in members:
        before_state = _state_of(m, last_dates.get(m.pk))
        try:
            after_state = transition(
                before_state, EventInput(type=EventType.REORGANISED, date=on, org_id=to_org.pk)
            )
        except DomainError as exc:
            raise ValidationError({"date": [f"{m.full_name}: {exc.message}"]}) from None
        before = _copy(m)
        _apply_state(m, after_state, paths)
        events.append(
            MembershipEvent(
                member=m,
                seq=seqs.get(m.pk, 0) + 1,
                type=EventType.REORGANISED,
                date=on,
                organisation_id=to_org.pk,
                from_organisation_id=from_org.pk,
                status_before=before_state.status,
                status_after=after_state.status,
                exempted_after=after_state.exempted,
                decision_number=decision_number,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
        )
        new_periods.append(
            MemberPeriod(
                member=m,
                organisation_id=to_org.pk,
                status=m.status,
                exempted=m.exempted,
                valid_from=on,
            )
        )
        _counter_move(deltas, paths, before, m)
        audits.append(
            _audit_entry(
                "member.event.reorganised",
                m,
                {"organisation": from_org.pk},
                {"organisation": to_org.pk, "event_date": on},
            )
        )
    Member.objects.bulk_update(
        members, ["organisation", "org_path", "temp_organisation"], batch_size=2000
    )
    MemberPeriod.objects.filter(member__in=members, valid_to__isnull=True).update(valid_to=on)
    MembershipEvent.objects.bulk_create(events, batch_size=2000)
    MemberPeriod.objects.bulk_create(new_periods, batch_size=2000)
    counters_apply(deltas)
    audit_bulk(actor=actor, entries=audits)
    return len(members)
