"""A member's dated attributes (RecordField.dated: general education, professional level,
political theory, occupation) as they stood on each day.

The record holds today's values; AttributeChange rows hold the history, append-only, replayed
in the order they were recorded (a correction replaces what it corrects). The in-party periods
carry the values in force during each span and are cut where one changes, so every report as of
a date (stats) counts the values of that date without knowing this module: a change today
leaves every earlier report as it was, and a correction from the start changes them all.
"""

from collections.abc import Iterable
from datetime import date

from dangvu.core.db import as_date, fetch
from dangvu.members.fields import DATED_FIELDS
from dangvu.members.models import AttributeChange

__all__ = [
    "DATED_FIELDS",
    "Timeline",
    "attrs_of",
    "timeline_of",
    "timelines_of",
    "with_attributes",
    "status_spans",
]

Kind = AttributeChange.Kind


def attrs_of(record) -> tuple:
    """The record's dated attributes, in DATED_FIELDS order."""
    return tuple(getattr(record, name) for name in DATED_FIELDS)


class Timeline:
    """The values of one member's dated attributes by day. `rows`: (field, value, kind,
    valid_from) in the order recorded; a field without rows keeps the record's value for the
    whole history."""

    def __init__(self, record, rows: Iterable[tuple] = ()):
        entries: dict[str, dict[date | None, str]] = {}
        for field, value, kind, valid_from in rows:
            values = entries.setdefault(field, {})
            if kind == Kind.CORRECTION and valid_from is None:
                values.clear()  # it was always this: what was recorded before is replaced
            values[valid_from] = value
        self._record = dict(zip(DATED_FIELDS, attrs_of(record), strict=True))
        # field -> [(from, value)] in date order, "from the start" first.
        self._entries = {
            field: sorted(values.items(), key=lambda kv: kv[0] or date.min)
            for field, values in entries.items()
        }

    def __bool__(self) -> bool:
        return bool(self._entries)

    def value(self, field: str, day: date) -> str:
        entries = self._entries.get(field)
        if not entries:
            return self._record[field]
        current = entries[0][1]
        for start, value in entries:
            if start is not None and start > day:
                break
            current = value
        return current

    def at(self, day: date) -> tuple:
        return tuple(self.value(field, day) for field in DATED_FIELDS)

    def current(self) -> tuple:
        return self.at(date.max)

    def entries(self, field: str) -> list[tuple[date | None, str]]:
        """(in force from, value) of one field, oldest first; empty: the record's value always."""
        return list(self._entries.get(field, ()))

    def days(self) -> list[date]:
        """The days on which some value changes."""
        return sorted({d for entries in self._entries.values() for d, _v in entries if d})


_ROWS_SQL = (
    f"SELECT member_id, field, value, kind, valid_from FROM {AttributeChange._meta.db_table} "
    "WHERE member_id IN ({}) ORDER BY member_id, id"
)


def timelines_of(members: list) -> dict[int, Timeline]:
    """{member id: Timeline} of the members that have recorded changes (one query)."""
    if not members:
        return {}
    by_id = {m.pk: m for m in members}
    rows: dict[int, list] = {}
    for member_id, field, value, kind, valid_from in fetch(
        _ROWS_SQL.format(", ".join(["%s"] * len(by_id))), list(by_id)
    ):
        rows.setdefault(member_id, []).append((field, value, kind, as_date(valid_from)))
    return {pk: Timeline(by_id[pk], member_rows) for pk, member_rows in rows.items()}


def timeline_of(member) -> Timeline:
    return timelines_of([member]).get(member.pk) or Timeline(member)


def status_spans(periods: list, make) -> list:
    """The stored periods with the cuts made for the attributes taken out: one span per
    (cell, status, exemption) run, empty periods left out, `make(organisation_id, status,
    exempted, valid_from, valid_to)` each."""
    out: list = []
    for p in periods:
        if p.valid_to is not None and p.valid_to <= p.valid_from:
            continue  # empty: covers no day
        last = out[-1] if out else None
        if (
            last is not None
            and last.valid_to == p.valid_from
            and (last.organisation_id, last.status, last.exempted)
            == (p.organisation_id, p.status, p.exempted)
        ):
            last.valid_to = p.valid_to
            continue
        out.append(make(p.organisation_id, p.status, p.exempted, p.valid_from, p.valid_to))
    return out


def with_attributes(spans: list, record, timeline: Timeline | None, make) -> list:
    """The spans cut on the days a dated attribute changes, each piece with the values in force
    (`make(organisation_id, status, exempted, valid_from, valid_to, attrs)`). Without a
    timeline the record's values hold throughout."""
    if not timeline:
        attrs = attrs_of(record)
        return [
            make(s.organisation_id, s.status, s.exempted, s.valid_from, s.valid_to, attrs)
            for s in spans
        ]
    days = timeline.days()
    out = []
    for s in spans:
        start, attrs = s.valid_from, timeline.at(s.valid_from)
        for day in days:
            if day <= s.valid_from or (s.valid_to is not None and day >= s.valid_to):
                continue
            now = timeline.at(day)
            if now != attrs:
                out.append(make(s.organisation_id, s.status, s.exempted, start, day, attrs))
                start, attrs = day, now
        out.append(make(s.organisation_id, s.status, s.exempted, start, s.valid_to, attrs))
    return out
