"""A file of member records checked before anything is written.

Columns are recognised by their header however it is written (accents, case, punctuation and
common other names do not count: "Họ và tên", "HO TEN", "ho_va_ten"); values are turned into
record fields (dates as dd/mm/yyyy, ISO or Excel dates; numbers Excel stored as numbers get
back their leading zeros) and checked by the one validation of a member's record
(members.services.clean_record), the cell by check_cell. Then duplicates: within the file, and
against the records, by party card number, identity number, or name + date of birth +
hometown. A row that is already on the records as the same person is "unchanged", so
importing a file again changes nothing (docs/decisions/0025)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, restrict
from dangvu.core.errors import ValidationError
from dangvu.core.text import fold
from dangvu.interchange.reading import Table
from dangvu.members.fields import RECORD, RecordField, record_field
from dangvu.members.models import Member
from dangvu.members.services import check_cell, clean_record
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation

__all__ = [
    "ORGANISATION",
    "COLUMNS",
    "Problem",
    "Checked",
    "header_key",
    "map_headers",
    "check_file",
    "MAX_PROBLEMS",
]

ORGANISATION = "organisation"  # the column naming the party cell (by code or name)
MAX_PROBLEMS = 2000  # listed in a preview; the rejected-rows file has them all

# Other names the committees' spreadsheets (and the national member database's exports) give
# the columns, folded (header_key). The field's own name and its labels in both languages are
# recognised without being listed.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho ten", "ho va ten dang vien", "ten dang vien", "ho va ten khai sinh"),
    "birth_name": ("ten khai sinh", "ten goi khac", "ten thuong goi", "bi danh"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "sinh ngay", "ns", "dob", "date of birth"),
    "gender": ("gioi tinh", "gioi", "phai", "nam nu", "sex"),
    "ethnicity": ("dan toc",),
    "religion": ("ton giao",),
    "hometown": ("que quan", "nguyen quan", "que"),
    "identity_number": (
        "so cccd",
        "cccd",
        "so can cuoc",
        "can cuoc cong dan",
        "so can cuoc cong dan",
        "so dinh danh",
        "so dinh danh ca nhan",
        "cmnd cccd",
        "so cmnd cccd",
    ),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt"),
    "education": (
        "giao duc pho thong",
        "trinh do giao duc pho thong",
        "trinh do van hoa",
        "van hoa",
        "gdpt",
        "trinh do gdpt",
        "trinh do hoc van",
        "hoc van",
        "trinh do van hoa pho thong",
    ),
    "professional_level": ("trinh do chuyen mon", "chuyen mon", "cmnv", "chuyen mon nghiep vu"),
    "theory_level": (
        "ly luan chinh tri",
        "trinh do ly luan chinh tri",
        "trinh do llct",
        "llct",
        "ly luan",
    ),
    "occupation": ("nghe nghiep", "nghe nghiep hien nay"),
    "academic_title": ("hoc ham",),
    "youth_union": ("doan vien", "doan vien thanh nien", "doan vien tncs ho chi minh"),
    "enterprise_owner": ("chu doanh nghiep tu nhan", "chu doanh nghiep"),
    "married_foreigner": ("co vo chong nguoi nuoc ngoai", "vo chong nguoi nuoc ngoai"),
    "party_card_number": ("so the dang", "so the dang vien", "the dang", "so the"),
    "admission_date": (
        "ngay vao dang",
        "ngay ket nap",
        "ngay ket nap dang",
        "ngay vao dang lan dau",
    ),
    "ceremony_date": ("ngay le ket nap", "ngay to chuc le ket nap"),
    "official_date": (
        "ngay chinh thuc",
        "ngay cong nhan chinh thuc",
        "ngay vao dang chinh thuc",
        "ngay dang vien chinh thuc",
    ),
    ORGANISATION: (
        "chi bo",
        "ma chi bo",
        "ten chi bo",
        "to chuc dang",
        "ma to chuc dang",
        "sinh hoat tai chi bo",
        "cell",
        "party cell",
        "organisation code",
        "organization",
    ),
}

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_MARKS = re.compile(r"\(.*?\)|\*")


def header_key(text) -> str:
    """A header as compared: folded, without notes in brackets, stars and punctuation."""
    return _NOT_WORD.sub(" ", fold(_MARKS.sub(" ", str(text or "")))).strip()


def _names() -> dict[str, str]:
    """{header key: field} for every field, in both languages."""
    out: dict[str, str] = {}
    for column, others in SYNONYMS.items():
        for other in others:
            out[header_key(other)] = column
    for f in RECORD:
        out[header_key(f.name.replace("_", " "))] = f.name
        for lang in ("en", "vi"):
            with translation.override(lang):
                out[header_key(f.label)] = f.name
    for lang in ("en", "vi"):
        with translation.override(lang):
            out[header_key(_("Party cell"))] = ORGANISATION
    return out


def column_label(column: str) -> str:
    return str(_("Party cell")) if column == ORGANISATION else str(record_field(column).label)


COLUMNS: tuple[str, ...] = tuple(f.name for f in RECORD) + (ORGANISATION,)


@dataclass(frozen=True)
class Problem:
    line: int  # in the file; 0 for the file as a whole
    column: str  # the header as the file writes it
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Checked:
    """What a file turned out to be. `new`: (line, cleaned record, cell) to write;
    `unchanged`: lines already on the records; `rejected`: (line, the row's values, its
    problems in one text); `problems`: the first MAX_PROBLEMS, each naming row and column."""

    headers: list[str]
    ignored: list[str] = field(default_factory=list)
    total: int = 0
    new: list[tuple[int, dict, Organisation]] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[tuple[int, list, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def reject(self, line: int, values: list, problems: list[Problem]) -> None:
        reason = "; ".join(f"{p.column}: {p.message}" for p in problems)
        self.rejected.append((line, values, reason))
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


def map_headers(headers: list[str], *, needs_cell: bool) -> tuple[dict[int, str], list[str]]:
    """{column index: field} and the headers not recognised (ignored). ValidationError (field
    "file") when a column is missing or named twice."""
    names = _names()
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    problems = []
    for i, header in enumerate(headers):
        if not str(header or "").strip():
            continue
        column = names.get(header_key(header))
        if column is None:
            ignored.append(str(header))
            continue
        if column in seen:
            problems.append(
                _('Columns "%(a)s" and "%(b)s" are the same field.')
                % {"a": seen[column], "b": header}
            )
            continue
        seen[column] = str(header)
        mapping[i] = column
    required = [f.name for f in RECORD if f.required]
    if needs_cell:
        required.append(ORGANISATION)
    missing = [column_label(c) for c in required if c not in seen]
    if missing:
        problems.append(
            _("The file has no column for: %(cols)s (the header must be its first row).")
            % {"cols": ", ".join(missing)}
        )
    if problems:
        raise ValidationError({"file": problems})
    return mapping, ignored


_DAY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def _day(value) -> date | str | None:
    """A date from a cell: an Excel date, dd/mm/yyyy (or with dots or dashes), or ISO."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _DAY.match(text)
    try:
        if m:
            d, mo, y = (int(g) for g in m.groups())
            return date(y, mo, d)
        return date.fromisoformat(text[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else text
    except ValueError:
        return text


def _text(value, f: RecordField | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and f is not None and f.kind == "digits":
        # Excel keeps an identity number as a number and drops its leading zeros (most start
        # with the province's code, 001 to 096).
        return str(value).zfill(f.digits)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    if f is not None and f.kind == "digits":
        text = text.lstrip("'").replace(" ", "").replace(".", "")
    return text


def shown(value) -> str:
    """A cell's value as the preview repeats it."""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)[:200]


class _Cells:
    """The party cells a row may name: under the target organisation, in the actor's scope,
    by code or by name (a name two cells share must be given as a code)."""

    def __init__(self, actor, target: Organisation):
        qs = restrict(
            Organisation.objects.filter(
                path__startswith=target.path,
                kind__in=sorted(MEMBER_HOLDING_KINDS),
                valid_to__isnull=True,
            ),
            actor,
            "members.manage",
        )
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in qs:
            self.by_code[org.code.upper()] = org
            self.by_name.setdefault(org.name_folded, []).append(org)

    def find(self, text: str) -> Organisation | str:
        text = text.strip()
        org = self.by_code.get(text.upper())
        if org is not None:
            return org
        found = self.by_name.get(fold(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            return _("Several party cells have this name: write its code.")
        return _("No party cell with this code or name under the chosen organisation.")


def _person_key(name_folded: str, birth: date | None, hometown: str) -> tuple:
    return (name_folded, birth, fold(hometown or ""))


def check_file(
    *,
    actor,
    target: Organisation,
    table: Table,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> Checked:
    """Check every row of the table (writing nothing). ValidationError for the file as a whole
    (a missing column, a target the actor may not import into)."""
    if not allows(actor, "members.manage", target):
        raise ValidationError({"organisation": _("You may not add members to this organisation.")})
    holds = target.kind in MEMBER_HOLDING_KINDS
    mapping, ignored = map_headers(table.headers, needs_cell=not holds)
    checked = Checked(headers=[str(h or "") for h in table.headers], ignored=ignored)
    header_of = {column: str(table.headers[i]) for i, column in mapping.items()}
    cells = _Cells(actor, target)
    today = today or timezone.localdate()
    pending: list[tuple[int, list, dict, Organisation]] = []
    seen: dict[tuple, int] = {}

    def flush():
        _against_records(actor, checked, pending, header_of)
        pending.clear()

    for count, (line, values) in enumerate(table.rows, start=1):
        checked.total = count
        data, problems = {}, []
        org: Organisation | str = target
        for i, column in mapping.items():
            value = values[i] if i < len(values) else None
            if column == ORGANISATION:
                text = _text(value, None)
                if text:
                    org = cells.find(text)
                    if isinstance(org, str):
                        problems.append(Problem(line, header_of[column], text, org))
                elif not holds:
                    org = _("Enter the party cell.")
                    problems.append(Problem(line, header_of[column], "", org))
                continue
            f = record_field(column)
            if f.kind == "date":
                day = _day(value)
                if isinstance(day, str):
                    problems.append(
                        Problem(
                            line,
                            header_of[column],
                            shown(value),
                            _("Not a date: write it as dd/mm/yyyy."),
                        )
                    )
                    day = None
                data[column] = day
            else:
                data[column] = _text(value, f)
        cleaned = None
        try:
            cleaned = clean_record(data, check_unique=False, today=today)
        except ValidationError as exc:
            known = {p.column for p in problems}
            for name, messages in exc.message_dict.items():
                column = header_of.get(name, column_label(name) if name in COLUMNS else name)
                if column in known:
                    continue
                raw = values[_index(mapping, name)] if name in header_of else ""
                for message in messages:
                    problems.append(Problem(line, column, shown(raw), message))
        if cleaned is not None and not isinstance(org, str):
            try:
                check_cell(org, today)
            except ValidationError as exc:
                for messages in exc.message_dict.values():
                    problems.extend(
                        Problem(line, header_of.get(ORGANISATION, ""), org.code, m)
                        for m in messages
                    )
        if cleaned is not None and not problems:
            for key in _keys(cleaned):
                first = seen.get(key)
                if first is not None:
                    problems.append(_twice(line, key, first, header_of, cleaned))
                    break
            else:
                for key in _keys(cleaned):
                    seen[key] = line
        if problems:
            checked.reject(line, values, problems)
        else:
            pending.append((line, values, cleaned, org))
            if len(pending) >= 1000:
                flush()
        if progress is not None and count % 500 == 0:
            progress(count)
    flush()
    if progress is not None:
        progress(checked.total)
    checked.new.sort(key=lambda row: row[0])
    checked.rejected.sort(key=lambda row: row[0])
    checked.problems.sort(key=lambda p: p.line)
    return checked


def _index(mapping: dict[int, str], name: str) -> int:
    return next(i for i, c in mapping.items() if c == name)


def _keys(cleaned: dict) -> list[tuple]:
    keys = []
    if cleaned.get("party_card_number"):
        keys.append(("party_card_number", cleaned["party_card_number"]))
    if cleaned.get("identity_number"):
        keys.append(("identity_number", cleaned["identity_number"]))
    keys.append(
        ("person",)
        + _person_key(fold(cleaned["full_name"]), cleaned["birth_date"], cleaned["hometown"])
    )
    return keys


def _twice(line: int, key: tuple, first: int, header_of: dict, cleaned: dict) -> Problem:
    if key[0] == "person":
        return Problem(
            line,
            header_of["full_name"],
            cleaned["full_name"],
            _("Row %(n)d has the same person (name, date of birth and hometown).") % {"n": first},
        )
    return Problem(
        line,
        header_of.get(key[0], column_label(key[0])),
        key[1],
        _("Row %(n)d already has this number.") % {"n": first},
    )


def _same_person(m: Member, cleaned: dict) -> bool:
    """The member on the records is the person of the row: same name and date of birth, and no
    number of the row contradicts theirs."""
    if m.name_folded != fold(cleaned["full_name"]) or m.birth_date != cleaned["birth_date"]:
        return False
    return all(
        not cleaned.get(n) or not getattr(m, n) or getattr(m, n) == cleaned[n]
        for n in ("party_card_number", "identity_number")
    )


def _against_records(actor, checked: Checked, pending: list, header_of: dict) -> None:
    """Rows checked against the members already on the records, a thousand at a time (three
    queries, each on an index)."""
    if not pending:
        return
    found: dict[tuple, Member] = {}
    for name in ("party_card_number", "identity_number"):
        values = sorted({c[name] for _l, _v, c, _o in pending if c.get(name)})
        if values:
            for m in Member.objects.filter(**{f"{name}__one_of": values}).select_related(
                "organisation"
            ):
                found[(name, getattr(m, name))] = m
    names = sorted({fold(c["full_name"]) for _l, _v, c, _o in pending})
    births = {c["birth_date"] for _l, _v, c, _o in pending}
    for m in Member.objects.filter(name_folded__one_of=names).select_related("organisation"):
        if m.birth_date in births:
            found[("person",) + _person_key(m.name_folded, m.birth_date, m.hometown)] = m
    for line, values, cleaned, org in pending:
        matches = [found[k] for k in _keys(cleaned) if k in found]
        if not matches:
            checked.new.append((line, cleaned, org))
            continue
        m = matches[0]
        if all(x.pk == m.pk for x in matches) and _same_person(m, cleaned):
            checked.unchanged.append(line)
            continue
        key = next(k for k in _keys(cleaned) if k in found)
        column = header_of.get(key[0], header_of["full_name"])
        if allows(actor, "members.view", m):
            who = _("%(name)s, born %(born)s, of %(cell)s") % {
                "name": m.full_name,
                "born": m.birth_date.strftime("%d/%m/%Y") if m.birth_date else "?",
                "cell": m.organisation.name,
            }
        else:
            who = _("a member outside your organisations")
        if key[0] == "person":
            message = _(
                "A member with this name, date of birth and hometown is already on the records "
                "with other numbers: %(who)s."
            ) % {"who": who}
            value = cleaned["full_name"]
        else:
            message = _("This number already belongs to another member: %(who)s.") % {"who": who}
            value = key[1]
        checked.reject(line, values, [Problem(line, column, value, message)])
