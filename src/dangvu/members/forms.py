"""Forms for the member pages: input parsing only; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import DayField
from dangvu.core.refdata import ETHNICITIES, GENDERS
from dangvu.members.choices import USER_EVENTS, EventType, Status
from dangvu.members.fields import EVENT_DATES, RECORD, LazyChoices, form_field

__all__ = ["MemberForm", "MemberEditForm", "EventForm", "SearchForm"]


class MemberForm(forms.Form):
    """Putting a member on the records: the record's fields (members.fields.RECORD, in its
    order), the cell and how the member joins."""

    organisation = forms.CharField(label=_("Party cell (code)"), max_length=40)
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


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("Event"))
    date = DayField(label=_("Date"))
    organisation = forms.CharField(
        label=_("Receiving party cell (code)"),
        required=False,
        max_length=40,
        help_text=_("For a transfer or a restoration."),
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


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, card or identity number"), required=False, max_length=200)
    org = forms.CharField(label=_("Organisation code"), required=False, max_length=40)
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


class MemberEditForm(forms.Form):
    """The record fields only: the cell, the dates and the status change through events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {f.name: form_field(f) for f in RECORD if f.name not in EVENT_DATES}
