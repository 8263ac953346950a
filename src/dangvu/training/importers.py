"""An online platform's participant list (Zoom, Google Meet, Microsoft Teams… exported as CSV)
read against a class's enrolled people: parse, then match each row by its folded name
(core.text.fold: accents, đ and case do not count). Pure functions: the services preview the
result (writing nothing) and write the matched rows on confirmation."""

import csv
import difflib
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dangvu.core.errors import ValidationError
from dangvu.core.text import fold
from dangvu.training.choices import Match

__all__ = [
    "ParticipantRow",
    "RowMatch",
    "Enrolled",
    "MISSPELLING_RATIO",
    "MAX_ROWS",
    "LIST_LIMIT",
    "parse_participants",
    "match_participants",
]

# A name this close to exactly one enrolled name (difflib's ratio of the folded names) is
# reported as a probable misspelling, with that name as a suggestion: never applied unasked.
MISSPELLING_RATIO = 0.85
MAX_ROWS = 5000  # a class has at most a few hundred people; a list is not a province
LIST_LIMIT = 1024 * 1024  # bytes: a list of a few hundred people is a few dozen kB

# Header cells, folded, that name each column (the platforms' English, Vietnamese exports).
NAME_HEADERS = (
    "name",
    "full name",
    "ho va ten",
    "ho ten",
    "ten",
    "participant",
    "participant name",
    "display name",
    "name (original name)",
    "ten nguoi tham gia",
    "hoc vien",
)
EMAIL_HEADERS = ("email", "e-mail", "user email", "email address", "thu dien tu", "dia chi email")
DURATION_HEADERS = (
    "duration",
    "duration (minutes)",
    "total duration (minutes)",
    "in-meeting duration",
    "attendance duration",
    "time in call",
    "thoi luong",
    "thoi gian tham gia",
    "so phut",
)


@dataclass(frozen=True)
class ParticipantRow:
    line: int  # in the file, 1 first
    name: str
    email: str = ""
    minutes: int | None = None


@dataclass(frozen=True)
class Enrolled:
    """An enrolled person as the matching sees them."""

    enrolment_id: int
    full_name: str
    name_folded: str


@dataclass(frozen=True)
class RowMatch:
    """What one row turned out to be: matched to an enrolment; an unknown name; ambiguous (two
    or more enrolled people fold to this name: `candidates`); a duplicate of an earlier row
    (`first_line`); or a probable misspelling of one enrolled name (`suggestion`)."""

    row: ParticipantRow
    status: str
    enrolment_id: int | None = None
    suggestion: Enrolled | None = None
    candidates: tuple[int, ...] = ()
    first_line: int | None = None


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Teams writes UTF-16 with its BOM
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")  # with or without the BOM
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The list is not UTF-8 text: export it again as CSV (UTF-8).")}
        ) from None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [fold(cell).strip(" :") for cell in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_UNITS = re.compile(
    r"(\d+)\s*(h|hr|hrs|hours?|gio|m|min|mins|minutes?|phut|s|sec|secs|seconds?|giay)\b"
)


def _minutes(text: str) -> int | None:
    """Minutes from "45", "45 min", "1:05:30" (h:mm:ss), "05:30" (mm:ss… read as h:mm when
    there is no third part), "1h 5m 30s", "1 giờ 5 phút"; None when unreadable."""
    value = fold(text).strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if m := _HMS.match(value):
        h, mnt, s = int(m[1]), int(m[2]), int(m[3] or 0)
        return h * 60 + mnt + (1 if s >= 30 else 0)
    total, found = 0.0, False
    for amount, unit in _UNITS.findall(value):
        found = True
        n = int(amount)
        if unit[0] in "hg":
            total += n * 60
        elif unit[0] in "mp":
            total += n
        else:
            total += n / 60
    return round(total) if found else None


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


def parse_participants(content: bytes) -> list[ParticipantRow]:
    """The participant rows of a CSV list: UTF-8 (with or without its BOM) or UTF-16; comma,
    semicolon or tab separated; the header is the first line that names a name column ("Name",
    "Full name", "Họ và tên"…: the platforms put a summary above it), then an optional e-mail and
    duration. Empty rows are skipped. A ValidationError on "file" when no name column is found."""
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[ParticipantRow] = []
    name_at = email_at = duration_at = None
    for line, cells in enumerate(reader, start=1):
        if name_at is None:
            name_at = _column(cells, NAME_HEADERS)
            if name_at is not None:
                email_at = _column(cells, EMAIL_HEADERS)
                duration_at = _column(cells, DURATION_HEADERS)
            continue
        if not any(c.strip() for c in cells):
            continue

        rows.append(
            ParticipantRow(
                line=line,
                name=" ".join(_cell(cells, name_at).split()),
                email=_cell(cells, email_at),
                minutes=_minutes(_cell(cells, duration_at)),
            )
        )
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                {"file": _("The list has more than %(n)d rows.") % {"n": MAX_ROWS}}
            )
    if name_at is None:
        raise ValidationError(
            {"file": _("No column of names was found (a header such as “Name” or “Họ và tên”).")}
        )
    return rows


# The platforms add what is not the name: "Nguyễn Văn A (Nguyen Van A)", "Nguyễn Văn A - Chi bộ 3"
# stays as typed; only a trailing "(…)" (Zoom's original name) and "(Guest)"/"(Khách)" go.
_TRAILING = re.compile(r"\s*\([^)]*\)\s*$")


def _key(name: str) -> str:
    return fold(_TRAILING.sub("", name))


def match_participants(rows: list[ParticipantRow], enrolled: list[Enrolled]) -> list[RowMatch]:
    """Each row matched to the enrolled people by folded name: matched (exactly one person of
    that name); ambiguous (two or more: nothing is guessed); a duplicate of an earlier row that
    matched the same person, or carried the same name; a probable misspelling (no exact match,
    but the name is at least MISSPELLING_RATIO like exactly one enrolled name: suggested, not
    applied); else unknown."""
    by_name: dict[str, list[Enrolled]] = {}
    for e in enrolled:
        by_name.setdefault(e.name_folded, []).append(e)
    names = list(by_name)
    seen_names: dict[str, int] = {}
    seen_people: dict[int, int] = {}
    out: list[RowMatch] = []
    for row in rows:
        key = _key(row.name)
        if key in seen_names:
            out.append(RowMatch(row, Match.DUPLICATE, first_line=seen_names[key]))
            continue
        seen_names[key] = row.line
        found = by_name.get(key, [])
        if len(found) > 1:
            out.append(
                RowMatch(row, Match.AMBIGUOUS, candidates=tuple(e.enrolment_id for e in found))
            )
        elif found:
            person = found[0].enrolment_id
            if person in seen_people:
                out.append(RowMatch(row, Match.DUPLICATE, first_line=seen_people[person]))
            else:
                seen_people[person] = row.line
                out.append(RowMatch(row, Match.MATCHED, enrolment_id=person))
        else:
            close = [
                n
                for n in names
                if key and difflib.SequenceMatcher(None, key, n).ratio() >= MISSPELLING_RATIO
            ]
            if len(close) == 1 and len(by_name[close[0]]) == 1:
                out.append(RowMatch(row, Match.MISSPELT, suggestion=by_name[close[0]][0]))
            else:
                out.append(RowMatch(row, Match.UNKNOWN))
    return out
