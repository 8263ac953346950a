"""Audit records as people read them: who (full name and role), what (a label), and for a
change the fields that changed, each with its label and its value before and after in words
(a cell's name, not its id; "Cao cấp", not "advanced"; 13/09/2021, not 2021-09-13).

Apps above `audit` register how their fields read (register_fields) and how their references
resolve, many at once (register_refs); the records of one page take one query per reference
kind, whatever their number."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from dangvu.audit.labels import action_label

__all__ = [
    "FieldDisplay",
    "Entry",
    "register_fields",
    "register_refs",
    "readable",
    "sensitive_changes",
]


@dataclass(frozen=True)
class FieldDisplay:
    """How one field of a record reads: `label`; `choices` code -> label; `ref` a reference
    kind registered with register_refs; `date` a date; `sensitive` shown only to who may see
    the object's personal particulars."""

    label: object
    choices: Callable[[], dict] | None = None
    ref: str | None = None
    date: bool = False
    sensitive: bool = False


@dataclass
class Entry:
    time: object
    who: str
    role: str
    what: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    record: object = None  # the AuditRecord read


_FIELDS: dict[str, dict[str, FieldDisplay]] = {}
_REFS: dict[str, Callable[[set], dict]] = {}


def register_fields(object_type: str, fields: dict[str, FieldDisplay]) -> None:
    _FIELDS.setdefault(object_type, {}).update(fields)


def register_refs(ref: str, resolve: Callable[[set], dict]) -> None:
    """`resolve(ids)` -> {id: name}, in one query ("actor": {user id: (name, role)})."""
    _REFS[ref] = resolve


def _date_text(value) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _diff(record, fields: dict[str, FieldDisplay]) -> list[tuple[str, object, object]]:
    before, after = record.before or {}, record.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [
        (name, before.get(name), after.get(name))
        for name in fields
        if before and name in after and before.get(name) != after.get(name)
    ]


def sensitive_changes(record) -> bool:
    """The record changed a field registered as sensitive (a member's ethnicity…): showing its
    values releases the object's personal particulars."""
    fields = _FIELDS.get(record.object_type, {})
    return any(fields[name].sensitive for name, _old, _new in _diff(record, fields))


def readable(records, *, show_sensitive) -> list[Entry]:
    """The records as Entries, the fields that changed in words (personal particulars hidden
    unless `show_sensitive`: a bool for every record, or a function of the record)."""
    records = list(records)
    shows = show_sensitive if callable(show_sensitive) else (lambda _r: show_sensitive)
    diffs = {r.pk: _diff(r, _FIELDS.get(r.object_type, {})) for r in records}
    wanted: dict[str, set] = {}
    for r in records:
        fields = _FIELDS.get(r.object_type, {})
        for name, old, new in diffs[r.pk]:
            ref = fields[name].ref
            if ref:
                wanted.setdefault(ref, set()).update(v for v in (old, new) if v is not None)
    names = {ref: _REFS[ref](ids) if ref in _REFS else {} for ref, ids in wanted.items()}
    people = _people({r.actor_id for r in records if r.actor_id})

    def text(display: FieldDisplay, value, shown: bool) -> str:
        if value in (None, ""):
            return "—"
        if display.sensitive and not shown:
            return _("(hidden)")
        if display.ref:
            return str(names.get(display.ref, {}).get(value, value))
        if display.choices is not None:
            return str(display.choices().get(value, value))
        if display.date:
            return _date_text(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value)

    out = []
    for r in records:
        fields = _FIELDS.get(r.object_type, {})
        shown = bool(shows(r))
        who, role = people.get(r.actor_id, (None, ""))
        if who is None:
            who = _("Dangvu (automatic)") if r.actor_name in ("", "system") else r.actor_name
        out.append(
            Entry(
                time=r.time,
                who=who,
                role=role,
                what=action_label(r.action),
                changes=[
                    (
                        str(fields[name].label),
                        text(fields[name], old, shown),
                        text(fields[name], new, shown),
                    )
                    for name, old, new in diffs[r.pk]
                ],
                record=r,
            )
        )
    return out


def _people(ids: set) -> dict:
    """{user id: (full name, role and organisation)}, by the "actor" resolver accounts
    registers (audit comes before accounts in the app order)."""
    if not ids or "actor" not in _REFS:
        return {}
    return _REFS["actor"](ids)
