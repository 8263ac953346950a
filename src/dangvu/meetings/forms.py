"""Forms of the meeting pages: input parsing only; the rules are in meetings.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm, DayField, TimeOfDayField
from dangvu.meetings.choices import Absence, Evaluator, Kind, TaskState
from dangvu.members.forms import MemberField
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.forms import OrganisationField

__all__ = [
    "OrgPeriodForm",
    "MeetingForm",
    "CalendarForm",
    "RecordForm",
    "EvaluationForm",
    "TaskForm",
    "ReviewForm",
    "PRESENT",
]

PRESENT = "present"
CELLS = sorted(MEMBER_HOLDING_KINDS)


class OrgPeriodForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="meetings.view", required=False)
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)


class MeetingForm(ActorForm):
    organisation = OrganisationField(label=_("Party cell"), action="meetings.manage", kinds=CELLS)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.REGULAR)
    planned_on = DayField(label=_("Date"))
    starts_at = TimeOfDayField()
    topic = forms.CharField(label=_("Topic"), required=False, max_length=300)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = forms.CharField(label=_("Venue"), required=False, max_length=200)
    online_link = forms.CharField(label=_("Online link"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = _("Starts at")


class CalendarForm(ActorForm):
    """A year's calendar from a rule."""

    organisation = OrganisationField(label=_("Party cell"), action="meetings.manage", kinds=CELLS)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    day = forms.IntegerField(label=_("Day of the month"), min_value=1, max_value=31, initial=5)
    starts_at = TimeOfDayField()
    place = forms.CharField(label=_("Venue"), required=False, max_length=200)
    thematic = forms.BooleanField(
        label=_("A thematic meeting every quarter (March, June, September, December)"),
        required=False,
        initial=True,
    )
    thematic_topic = forms.CharField(label=_("Thematic topic"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = _("Starts at")


class RecordForm(forms.Form):
    """What happened at a meeting: one choice per member of the cell (present unless tapped
    otherwise), the reason of an absence, the times, chair, minute-taker and texts."""

    held_on = DayField(label=_("Held on"))
    started_at = TimeOfDayField()
    ended_at = TimeOfDayField()
    chair = forms.TypedChoiceField(label=_("Chair"), required=False, coerce=int, empty_value=None)
    minute_taker = forms.TypedChoiceField(
        label=_("Minute-taker"), required=False, coerce=int, empty_value=None
    )
    guests = forms.CharField(
        label=_("Guests and higher-committee attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    content = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_at"].label = _("Started at")
        self.fields["ended_at"].label = _("Ended at")
        people = [("", "—")] + [(e.member_id, e.full_name) for e in roster if not e.away]
        self.fields["chair"].choices = people
        self.fields["minute_taker"].choices = people
        self.roster = list(roster)
        choices = [(PRESENT, _("Present")), *Absence.choices]
        for e in self.roster:
            if e.away:
                continue
            self.fields[f"a{e.member_id}"] = forms.ChoiceField(
                label=e.full_name,
                choices=choices,
                initial=PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[f"r{e.member_id}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=200
            )

    def rows(self):
        """(roster entry, attendance field, reason field) for the template."""
        return [
            (e, self[f"a{e.member_id}"], self[f"r{e.member_id}"]) for e in self.roster if not e.away
        ]

    def absences_chosen(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {
            e.member_id: (d[f"a{e.member_id}"], d.get(f"r{e.member_id}", ""))
            for e in self.roster
            if not e.away and d.get(f"a{e.member_id}", PRESENT) != PRESENT
        }


class EvaluationForm(forms.Form):
    """The scoring sheet's criteria, each within its points."""

    by = forms.ChoiceField(label=_("Evaluated by"), choices=Evaluator.choices)
    scorer_name = forms.CharField(label=_("Scored by"), required=False, max_length=150)
    strengths = forms.CharField(
        label=_("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    weaknesses = forms.CharField(
        label=_("Weaknesses"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria=(), sides=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = [c for c in Evaluator.choices if c[0] in sides]
        self.criteria = list(criteria)
        for code, label, points in self.criteria:
            self.fields[f"s_{code}"] = forms.IntegerField(
                label=f"{label} (0–{points})",
                min_value=0,
                max_value=points,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"s_{code}"] for code, _l, _p in self.criteria}


class TaskForm(ActorForm):
    member = MemberField(label=_("Party member"), action="meetings.manage")
    title = forms.CharField(label=_("Task"), max_length=300)
    suited_to = forms.CharField(
        label=_("How it suits their ability, conditions and health"), max_length=300
    )
    assigned_on = DayField(label=_("Given on"))
    due_on = DayField(label=_("Due on"))
    detail = forms.CharField(
        label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Result"), choices=[c for c in TaskState.choices if c[0] != TaskState.OPEN]
    )
    on = DayField(label=_("Reviewed on"))
    review = forms.CharField(
        label=_("Review"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
