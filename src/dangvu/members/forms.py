"""Forms for the member pages: input parsing only; the rules are in services."""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangvu.accounts.scoping import restrict
from dangvu.core.forms import ActorForm, DayField, PickerField
from dangvu.core.refdata import ETHNICITIES, GENDERS
from dangvu.members.choices import IN_PARTY, USER_EVENTS, EventType, Status
from dangvu.members.fields import EVENT_DATES, RECORD, LazyChoices, form_field, record_field
from dangvu.members.models import Member, Position
from dangvu.members.selectors import member_pick
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.forms import DestinationField, OrganisationField
from dangvu.organisations.selectors import org_label

__all__ = [
    "MemberForm",
    "MemberEditForm",
    "EventForm",
    "SearchForm",
    "MemberField",
    "OpenMemberForm",
    "PositionForm",
]


class MemberForm(ActorForm):
    """Putting a member on the records: the record's fields (members.fields.RECORD, in its
    order), the cell and how the member joins."""

    organisation = OrganisationField(
        label=_("Party cell"), action="members.manage", kinds=MEMBER_HOLDING_KINDS
    )
    entry = forms.ChoiceField(
        label=_("Joins the records by"),
        choices=[
            (EventType.ADMITTED, _("Admission")),
            (EventType.TRANSFERRED_IN, _("Transfer from outside Dangvu")),
        ],
    )
    entry_date = DayField(
        label=_("Date of transfer in"),
        required=False,
    )
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = dict(self.fields)
        self.fields = {f.name: form_field(f) for f in RECORD}
        self.fields.update(own)


class EventForm(ActorForm):
    type = forms.ChoiceField(label=_("Event"))
    date = DayField(label=_("Date"))
    # A receiving cell the actor cannot see does not exist for them (decision 0009).
    organisation = DestinationField(
        label=_("Receiving party cell"),
        required=False,
        kinds=MEMBER_HOLDING_KINDS,
        help_text=_(
            "For a transfer or a restoration. A cell of another committee or province: type "
            "its code; that side receives the member."
        ),
    )
    other_party = forms.CharField(
        label=_("Transferred to (outside Dangvu)"),
        required=False,
        max_length=255,
        help_text=_(
            "For a transfer out of Dangvu: the army or police party organisation, a "
            "central bloc, abroad, or the province."
        ),
    )
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = DayField(
        label=_("Decision date"),
        required=False,
    )
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "—")] + [
            (t.value, t.label) for t in USER_EVENTS if t != EventType.CORRECTION
        ]


class SearchForm(ActorForm):
    q = forms.CharField(label=_("Name, card or identity number"), required=False, max_length=200)
    org = OrganisationField(label=_("Organisation"), required=False, action="members.view")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("In the party")), ("", _("All")), *Status.choices],
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=LazyChoices(GENDERS))
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), required=False, choices=LazyChoices(ETHNICITIES)
    )
    after = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    due = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("recognition", _("Probation completed: recognition due")),
            ("recognition_overdue", _("Recognition overdue")),
        ],
        widget=forms.HiddenInput,
    )
    before = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class MemberEditForm(forms.Form):
    """The record fields only: the cell, the dates and the status change through events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The dated attributes change through AttributeForm (a change or a correction).
        self.fields = {
            f.name: form_field(f) for f in RECORD if f.name not in EVENT_DATES and not f.dated
        }


class AttributeForm(forms.Form):
    """A change of one dated attribute (from a day on, with its diploma or decision) or the
    correction of a typing error (members.services.member_attribute_change)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("change", _("A change: it holds from a day on (a course completed, a new job)")),
            ("correction", _("A typing error in the current value")),
            ("correction_start", _("A typing error from the start: every past report changes")),
        ],
        widget=forms.RadioSelect,
        initial="change",
    )
    valid_from = DayField(
        label=_("Holds from"),
        required=False,
        help_text=_("For a change: the date of the diploma or decision."),
    )
    source = forms.CharField(
        label=_("Diploma or decision"),
        required=False,
        max_length=60,
        help_text=_("Its number and date, e.g. Bằng số 123, 15/05/2025."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        f = record_field(field)
        value = forms.ChoiceField(
            label=_("New value"),
            choices=LazyChoices(f.reflist, empty_label=f.empty_label),
            # "No" / "None" is a value too (a member who leaves the Youth Union at 30).
            required=f.empty_label is None,
        )
        self.fields = {"value": value, **self.fields}


class MemberField(PickerField):
    """A member chosen by name (or party card number) among those the actor may `action`;
    cleans to the Member."""

    default_error_messages = {"required": _("Choose a member: type part of the name.")}
    placeholder = _("Type part of the name, or the party card number")

    def __init__(self, *, action="members.view", **kw):
        self.action = action
        super().__init__(**kw)

    def find(self, key):
        if not key.isdigit() or len(key) > 18:
            return None
        return (
            restrict(Member.objects.filter(pk=int(key)), self.actor, self.action)
            .select_related("organisation")
            .first()
        )

    def search(self, text: str) -> list:
        return member_pick(actor=self.actor, q=text.split(" · ")[0], action=self.action)

    def key_of(self, member) -> str:
        return str(member.pk)

    def label_of(self, member) -> str:
        if getattr(member, "label", None) is None:
            path = org_label(actor=self.actor, org=member.organisation, action=self.action)
            member.label = f"{member.full_name} · {path}"
        return member.label

    def gone(self, member) -> bool:
        return member.status not in IN_PARTY

    def pick_url(self, name: str) -> str:
        return f"{reverse('members:pick')}?{urlencode({'field': name, 'need': self.action})}"

    def error(self, kind: str, text: str = "") -> str:
        if kind == "unknown_key":
            return _("No such member among yours.")
        if kind == "none":
            return _("No member among yours is named “%(text)s”.") % {"text": text}
        return _("Several members match “%(text)s”: choose one below.") % {"text": text}


class OpenMemberForm(ActorForm):
    """The home page's "open a record": a member chosen by name."""

    member = MemberField(label=_("Open a member's record"))


class PositionForm(ActorForm):
    """Who takes a position, from when: a member chosen by name, or (for a village's positions)
    the name of someone outside the party."""

    kind = forms.ChoiceField(label=_("Position"))
    member = MemberField(label=_("Party member"), required=False)
    person_name = forms.CharField(
        label=_("Or the name of a person outside the party"), required=False, max_length=150
    )
    valid_from = DayField(label=_("From"))
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Position.Kind.choices
