"""A member's record, declared once: every field a person enters, its label, kind, limits and
reference list. The forms (members.forms), the API's input and output schemas (members.api),
the services' validation (members.services.clean_record) and the bulk path all read this, so
a limit or a reference list changes in one place and is the same on every path and engine.

The membership state (status, cell, exemption) is not here: events change it.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field

from dangvu.core.apischema import Day
from dangvu.core.forms import DayField
from dangvu.core.refdata import (
    ACADEMIC_TITLES,
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    OCCUPATIONS,
    PROFESSIONAL_LEVELS,
    RELIGIONS,
    THEORY_LEVELS,
    YES,
    RefList,
)
from dangvu.core.text import clean_text

__all__ = [
    "RecordField",
    "LazyChoices",
    "RECORD",
    "MEMBER_FIELDS",
    "EVENT_DATES",
    "DATED_FIELDS",
    "record_field",
    "form_field",
    "schema_fields",
]


@dataclass(frozen=True)
class RecordField:
    """One field of the record. `kind`: "text", "date", "code" (a value of `reflist`, given
    by code, name or another name) or "digits" (exactly `digits` digits). `default`: what an
    empty optional field becomes. `set_by_events`: the events keep it once the member is on
    the records (an edit leaves it as it is). `dated`: its value changes in life (a course
    completed, a new job) and reports count the value in force on their date: a change is a
    dated fact with its source (members.dated), not an edit of the record."""

    name: str
    label: Any
    kind: str
    required: bool = False
    max_length: int | None = None
    reflist: RefList | None = None
    digits: int | None = None
    default: str | None = None
    set_by_events: bool = False
    dated: bool = False
    help_text: Any = ""
    # A code field whose empty value means something ("No", "None"): shown and offered so.
    empty_label: Any = None

    def label_of(self, value) -> str:
        """The value as shown: its reference list's label (a code field)."""
        if not value and self.empty_label is not None:
            return str(self.empty_label)
        return self.reflist.label(value) if self.reflist else str(value or "")


def _particular(name: str, label) -> RecordField:
    """A yes-or-no particular that forms 2 and 3-BTCTW count: "yes", or empty for no."""
    return RecordField(
        name, label, "code", reflist=YES, default="", dated=True, empty_label=_("No")
    )


RECORD: tuple[RecordField, ...] = (
    RecordField("full_name", _("Full name"), "text", required=True, max_length=150),
    RecordField("birth_name", _("Birth name"), "text", max_length=150),
    RecordField("birth_date", _("Date of birth"), "date", required=True),
    RecordField("gender", _("Gender"), "code", required=True, reflist=GENDERS),
    RecordField("ethnicity", _("Ethnicity"), "code", required=True, reflist=ETHNICITIES),
    RecordField("religion", _("Religion"), "code", reflist=RELIGIONS, default="00"),
    RecordField("hometown", _("Hometown"), "text", max_length=255),
    RecordField("identity_number", _("Citizen identity number"), "digits", digits=12),
    RecordField("phone", _("Phone"), "text", max_length=20),
    RecordField(
        "education",
        _("General education"),
        "code",
        required=True,
        reflist=EDUCATION_LEVELS,
        dated=True,
    ),
    RecordField(
        "professional_level",
        _("Professional level"),
        "code",
        reflist=PROFESSIONAL_LEVELS,
        default="none",
        dated=True,
    ),
    RecordField(
        "theory_level",
        _("Political theory"),
        "code",
        reflist=THEORY_LEVELS,
        default="none",
        dated=True,
    ),
    RecordField(
        "occupation", _("Occupation"), "code", required=True, reflist=OCCUPATIONS, dated=True
    ),
    # Forms 2 and 3-BTCTW count these; empty (none, no) on nearly every record.
    RecordField(
        "academic_title",
        _("Academic title"),
        "code",
        reflist=ACADEMIC_TITLES,
        default="",
        dated=True,
        empty_label=_("None"),
    ),
    _particular("youth_union", _("Youth Union member")),
    _particular("enterprise_owner", _("Private-enterprise owner")),
    _particular("married_foreigner", _("Married to a foreigner")),
    RecordField("party_card_number", _("Party card number"), "digits", digits=8),
    RecordField("admission_date", _("Admission date"), "date", required=True, set_by_events=True),
    RecordField("ceremony_date", _("Admission ceremony date"), "date", set_by_events=True),
    RecordField(
        "official_date",
        _("Official date"),
        "date",
        set_by_events=True,
        help_text=_("Leave empty for a probationary member."),
    ),
)
MEMBER_FIELDS = tuple(f.name for f in RECORD)
EVENT_DATES = tuple(f.name for f in RECORD if f.set_by_events)
# In the order of MemberPeriod's columns for them (members.dated).
DATED_FIELDS = tuple(f.name for f in RECORD if f.dated)
_BY_NAME = {f.name: f for f in RECORD}


def record_field(name: str) -> RecordField:
    return _BY_NAME[name]


# --- forms ------------------------------------------------------------------------------------


class LazyChoices:
    """Reference-list choices evaluated per request, in the active language."""

    def __init__(self, reflist: RefList, blank: bool = True, empty_label=None):
        self.reflist, self.blank, self.empty_label = reflist, blank, empty_label

    def __iter__(self):
        if self.empty_label is not None:
            yield ("", str(self.empty_label))
        elif self.blank:
            yield ("", "—")
        yield from self.reflist.choices()


def form_field(f: RecordField, *, required: bool | None = None) -> forms.Field:
    """The Django form field of a record field (the services check everything again)."""
    required = f.required if required is None else required
    common = {"label": f.label, "required": required, "help_text": f.help_text}
    if f.kind == "date":
        return DayField(
            **common,
        )
    if f.kind == "code":
        choices = LazyChoices(f.reflist, blank=f.default is None, empty_label=f.empty_label)
        return forms.ChoiceField(choices=choices, **common)
    if f.kind == "digits":
        return forms.CharField(
            max_length=f.digits, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
        )
    return forms.CharField(max_length=f.max_length, **common)


# --- API schemas ------------------------------------------------------------------------------


def _text_of(f: RecordField):
    def check(value):
        return None if value is None else clean_text(value, max_length=f.max_length)

    return check


def schema_fields(*, omit: tuple[str, ...] = (), optional: bool = False) -> dict[str, tuple]:
    """{name: (type, default)} of the record fields for pydantic.create_model: the API's input
    (optional=False: required fields required) and output (optional=True, all nullable; a
    field the caller may not see is left out of the answer)."""
    out: dict[str, tuple] = {}
    for f in RECORD:
        if f.name in omit:
            continue
        if f.kind == "date":
            kind: Any = Day
        elif f.kind == "text":
            kind = Annotated[str, Field(max_length=f.max_length), AfterValidator(_text_of(f))]
        elif f.kind == "digits":
            kind = Annotated[str, Field(max_length=f.digits)]
        else:
            # A coded field: its codes as an enum (the answer gives a code, or "" for an empty
            # optional value); the input takes a code or, as the forms do, a label or alias.
            codes = tuple(f.reflist.codes)
            if optional:
                kind = Literal[codes + ("",)] if f.default is not None else Literal[codes]
            else:
                kind = Literal[codes] | Annotated[str, Field(max_length=60)]
        description = str(f.label)
        if f.reflist is not None:
            description += f" (a code of the {f.reflist.name} list, /api/v1/reference; or its name)"
        if optional or not f.required:
            default = None if (optional or f.default is None) else f.default
            if f.kind == "text" and not optional:
                default = ""
            out[f.name] = (kind | None, Field(default, description=description))
        else:
            out[f.name] = (kind, Field(..., description=description))
    return out
