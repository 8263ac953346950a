"""Forms of the admission pages: input parsing only; the rules are in admission.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.admission.choices import Proposer, Stage, Step
from dangvu.core.forms import ActorForm, DayField
from dangvu.members.fields import form_field, record_field
from dangvu.members.forms import MemberField
from dangvu.members.services import PERSON_FIELDS
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS, OrgKind
from dangvu.organisations.forms import OrganisationField

__all__ = [
    "CandidateForm",
    "CandidateEditForm",
    "StepForm",
    "CandidateFilterForm",
    "OrgChoiceForm",
    "TargetForm",
]


class CandidateEditForm(ActorForm):
    """Correcting a case's particulars, helper and note (before the decision)."""

    helper = MemberField(label=_("Party member assigned to help"), required=False)
    hard_area = forms.BooleanField(
        label=_("Lives in a mountain, border, island or especially disadvantaged area"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = dict(self.fields)
        self.fields = {name: form_field(record_field(name)) for name in PERSON_FIELDS}
        self.fields.update(own)


class CandidateForm(CandidateEditForm):
    """Opening a case: the cell and the day, then the particulars, the helper and the note."""

    organisation = OrganisationField(
        label=_("Party cell"), action="admission.manage", kinds=MEMBER_HOLDING_KINDS
    )
    date = DayField(label=_("Identified on"))
    proposed_by = forms.ChoiceField(label=_("Proposed by"), choices=Proposer.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first = ("organisation", "date")
        self.fields = {
            **{name: self.fields[name] for name in first},
            **{k: f for k, f in self.fields.items() if k not in first},
        }


# The fields each step asks for, besides its date.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    Step.CLASS_PASSED: ("certificate_number", "note"),
    Step.APPLIED: ("note",),
    Step.CV_VERIFIED: ("document_number", "issuer", "note"),
    Step.INTRODUCED: ("introducer1", "since1", "introducer2", "since2", "youth_union_resolution"),
    Step.CELL_RESOLVED: (
        "votes_for",
        "votes_total",
        "document_number",
        "over_age_decision",
        "note",
    ),
    Step.VOTE_FAILED: ("votes_for", "votes_total", "note"),
    Step.COMMITTEE_RESOLVED: ("document_number", "issuer", "note"),
    Step.ADMITTED: ("decision_number", "issuer", "received_on", "note"),
    Step.CEREMONY: ("consent_number", "note"),
    Step.RECOGNISED: ("votes_for", "votes_total", "decision_number", "decision_on", "issuer"),
    Step.NOT_RECOGNISED: ("decision_number", "issuer", "note"),
    Step.WITHDRAWN: ("note",),
}


class StepForm(ActorForm):
    """One step of a case: its date and the fields its rule needs (STEP_FIELDS)."""

    date = DayField(label=_("Date"))
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=40)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=255, required=False)
    introducer1 = MemberField(label=_("First introducer"))
    since1 = DayField(label=_("Together with the person since"))
    introducer2 = MemberField(label=_("Second introducer"), required=False)
    since2 = DayField(label=_("Together with the person since"), required=False)
    youth_union_resolution = forms.CharField(
        label=_("Youth Union resolution (for a Youth Union member)"),
        max_length=60,
        required=False,
    )
    votes_for = forms.IntegerField(label=_("Official members in favour"), min_value=0)
    votes_total = forms.IntegerField(
        label=_("Official members of the cell"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to count them from the cell's records."),
    )
    over_age_decision = forms.CharField(
        label=_("Provincial committee's decision (over 60)"), max_length=60, required=False
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    decision_on = DayField(label=_("Decision date"), required=False)
    received_on = DayField(label=_("The cell received the decision on"), required=False)
    consent_number = forms.CharField(
        label=_("Upper committee's consent (a late ceremony)"), max_length=60, required=False
    )
    note = forms.CharField(
        label=_("Note or reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = {"date", *STEP_FIELDS.get(step, ())}
        self.fields = {k: f for k, f in self.fields.items() if k in wanted}
        if step in (Step.WITHDRAWN, Step.NOT_RECOGNISED):
            self.fields["note"].required = True
        if step in (Step.ADMITTED, Step.RECOGNISED):
            self.fields["decision_number"].required = True
        if step == Step.COMMITTEE_RESOLVED:
            self.fields["document_number"].required = True


class CandidateFilterForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="admission.view", required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("open", _("Open cases")), ("", _("All"))] + list(Stage.choices),
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[("", "—"), ("overdue", _("Overdue")), ("soon", _("Due within 30 days"))],
    )


class OrgChoiceForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="admission.view", required=False)


_COMMITTEES = [k for k in OrgKind.values if k not in MEMBER_HOLDING_KINDS]


class TargetForm(ActorForm):
    """A committee's term target; the split by year as lines "2021: 120"."""

    organisation = OrganisationField(
        label=_("Committee"), action="admission.manage", kinds=_COMMITTEES, include_dissolved=True
    )
    term_start = DayField(label=_("Term from"))
    term_end = DayField(label=_("Term until"))
    total = forms.IntegerField(label=_("New members"), min_value=1)
    ethnic_minority = forms.IntegerField(label=_("of whom ethnic minority"), min_value=0, initial=0)
    women = forms.IntegerField(label=_("of whom women"), min_value=0, initial=0)
    youth = forms.IntegerField(label=_("of whom aged 30 or under"), min_value=0, initial=0)
    by_year = forms.CharField(
        label=_("Split by year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2021: 120\n2022: 120"}),
        help_text=_("One line per year: “2021: 120”."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean_by_year(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for n, line in enumerate(self.cleaned_data["by_year"].splitlines(), start=1):
            if not line.strip():
                continue
            year, _sep, count = line.partition(":")
            try:
                out[int(year.strip())] = int(count.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)d: write the year, a colon and the number (2021: 120).") % {"n": n}
                ) from None
        return out
