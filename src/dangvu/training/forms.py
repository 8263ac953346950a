"""Forms of the training pages: input parsing only; the rules are in training.services."""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm, DayField, PickerField, TimeOfDayField
from dangvu.members.models import Position
from dangvu.organisations.forms import OrganisationField
from dangvu.training.choices import Kind, Mode, State
from dangvu.training.selectors import person_find, person_pick
from dangvu.training.services import SessionInput

__all__ = [
    "ListForm",
    "ClassForm",
    "ClassEditForm",
    "SessionForm",
    "PersonField",
    "EnrolForm",
    "PositionEnrolForm",
    "RollCallForm",
    "ImportForm",
    "ScoresForm",
    "CompleteForm",
    "VerifyForm",
    "ReportForm",
    "SESSION_SLOTS",
    "CLUSTER_SLOTS",
    "PRESENT",
    "ABSENT",
]

SESSION_SLOTS = 5
CLUSTER_SLOTS = 4
PRESENT, ABSENT = "1", "0"


class ListForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="training.view", required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Kind.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *State.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class _ClassFields(ActorForm):
    """What class_create and class_update share."""

    title = forms.CharField(label=_("Title"), max_length=300)
    mode = forms.ChoiceField(label=_("How it meets"), choices=Mode.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100000)
    location = forms.CharField(label=_("Venue"), required=False, max_length=300)
    online_link = forms.CharField(label=_("Online link"), required=False, max_length=300)
    audience = forms.CharField(label=_("Target audience"), required=False, max_length=500)
    lecturers = forms.CharField(
        label=_("Lecturers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance (%)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Empty: the rule in force (80 %)."),
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark of the final test"),
        required=False,
        min_value=0,
        max_value=10,
        decimal_places=2,
        help_text=_("Empty: the class holds no final test."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, CLUSTER_SLOTS + 1):
            field = OrganisationField(
                label=_("Commune served %(n)d") % {"n": i},
                action="training.manage",
                required=False,
            )
            field.bind(self.actor)
            self.fields[f"cluster{i}"] = field

    def cluster(self) -> list:
        found = [self.cleaned_data.get(f"cluster{i}") for i in range(1, CLUSTER_SLOTS + 1)]
        return list({o.pk: o for o in found if o is not None}.values())

    def cluster_fields(self):
        return [self[f"cluster{i}"] for i in range(1, CLUSTER_SLOTS + 1)]


class ClassForm(_ClassFields):
    """A new class with its sessions (SESSION_SLOTS rows; empty rows are left out)."""

    organisation = OrganisationField(label=_("Organising committee"), action="training.manage")
    kind = forms.ChoiceField(label=_("Kind of class"), choices=Kind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["organisation", "kind", "title", "mode"])
        for i in range(1, SESSION_SLOTS + 1):
            self.fields[f"s{i}_day"] = DayField(label=_("Date"), required=False)
            self.fields[f"s{i}_start"] = TimeOfDayField(label=_("From"))
            self.fields[f"s{i}_end"] = TimeOfDayField(label=_("To"))
            self.fields[f"s{i}_topic"] = forms.CharField(
                label=_("Topic"), required=False, max_length=300
            )
            self.fields[f"s{i}_lecturer"] = forms.CharField(
                label=_("Lecturer"), required=False, max_length=200
            )

    def main_fields(self):
        return [
            self[n]
            for n in self.fields
            if not n.startswith(("s1_", "s2_", "s3_", "s4_", "s5_", "cluster"))
        ]

    def session_rows(self):
        return [
            (i, [self[f"s{i}_{p}"] for p in ("day", "start", "end", "topic", "lecturer")])
            for i in range(1, SESSION_SLOTS + 1)
        ]

    def sessions(self) -> list[SessionInput]:
        d = self.cleaned_data
        out = []
        for i in range(1, SESSION_SLOTS + 1):
            values = [d.get(f"s{i}_{p}") for p in ("day", "start", "end", "topic", "lecturer")]
            if not any(values):
                continue
            day, start, end, topic, lecturer = values
            out.append(SessionInput(day, start, end, topic or "", lecturer or ""))
        return out

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {
            "organisation": d["organisation"],
            "kind": d["kind"],
            "mode": d["mode"],
            "title": d["title"],
            "capacity": d["capacity"],
            "location": d["location"],
            "cluster": self.cluster(),
            "online_link": d["online_link"],
            "audience": d["audience"],
            "lecturers": d["lecturers"],
            "min_attendance_percent": d["min_attendance_percent"],
            "pass_mark": d["pass_mark"],
            "sessions": self.sessions(),
        }


class ClassEditForm(_ClassFields):
    def main_fields(self):
        return [
            self[n] for n in self.fields if not n.startswith("cluster") and not self[n].is_hidden
        ]

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        names = ("title", "mode", "capacity", "location", "online_link", "audience", "lecturers")
        data = {n: d[n] for n in names}
        data["min_attendance_percent"] = d["min_attendance_percent"]
        data["pass_mark"] = d["pass_mark"]
        data["cluster"] = self.cluster()
        return data


class SessionForm(forms.Form):
    day = DayField(label=_("Date"))
    starts_at = TimeOfDayField(label=_("From"), required=True)
    ends_at = TimeOfDayField(label=_("To"), required=True)
    topic = forms.CharField(label=_("Topic"), max_length=300)
    lecturer = forms.CharField(label=_("Lecturer"), required=False, max_length=200)

    def session(self) -> SessionInput:
        d = self.cleaned_data
        return SessionInput(d["day"], d["starts_at"], d["ends_at"], d["topic"], d["lecturer"])


class PersonField(PickerField):
    """A party member or a person on the admission pipeline, chosen by name among those the
    actor may enrol (training.selectors.person_pick); cleans to a PersonChoice."""

    default_error_messages = {"required": _("Choose a person: type part of the name.")}
    placeholder = _("Type part of the name")

    def find(self, key):
        return person_find(actor=self.actor, key=key)

    def search(self, text: str) -> list:
        return person_pick(actor=self.actor, q=text.split(" · ")[0])

    def key_of(self, person) -> str:
        return person.key

    def label_of(self, person) -> str:
        return person.label

    def pick_url(self, name: str) -> str:
        return f"{reverse('training:pick')}?{urlencode({'field': name})}"

    def error(self, kind: str, text: str = "") -> str:
        if kind == "unknown_key":
            return _("No such person among those you may enrol.")
        if kind == "none":
            return _("Nobody you may enrol is named “%(text)s”.") % {"text": text}
        return _("Several people match “%(text)s”: choose one below.") % {"text": text}


class EnrolForm(ActorForm):
    person = PersonField(label=_("Party member or candidate"))


class PositionEnrolForm(ActorForm):
    under = OrganisationField(label=_("Under the organisation"), action="training.manage")
    positions = forms.MultipleChoiceField(
        label=_("Holding the position"),
        choices=Position.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class RollCallForm(forms.Form):
    """One choice per enrolled person: present (unless tapped otherwise) or absent."""

    def __init__(self, *args, people=(), marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        marks = marks or {}
        for e in self.people:
            self.fields[f"p{e.pk}"] = forms.ChoiceField(
                label=e.full_name,
                choices=[(PRESENT, _("Present")), (ABSENT, _("Absent"))],
                initial=ABSENT if marks.get(e.pk) is False else PRESENT,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [(e, self[f"p{e.pk}"]) for e in self.people]

    def marks(self) -> tuple[list[int], list[int]]:
        present, absent = [], []
        for e in self.people:
            (present if self.cleaned_data[f"p{e.pk}"] == PRESENT else absent).append(e.pk)
        return present, absent


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Participant list (CSV)"))


class ScoresForm(forms.Form):
    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for e in self.people:
            self.fields[f"e{e.pk}"] = forms.DecimalField(
                label=e.full_name,
                required=False,
                min_value=0,
                max_value=10,
                decimal_places=2,
                initial=e.score,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            )

    def rows(self):
        return [(e, self[f"e{e.pk}"]) for e in self.people]

    def scores(self) -> dict[int, object]:
        return {
            e.pk: self.cleaned_data[f"e{e.pk}"]
            for e in self.people
            if self.cleaned_data.get(f"e{e.pk}") is not None
        }


class CompleteForm(forms.Form):
    issued_on = DayField(label=_("Certificates issued on"))


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=80)


class ReportForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="training.view", required=False)
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)
