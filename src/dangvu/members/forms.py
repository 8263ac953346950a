"""Forms for the member pages: input parsing only; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.core.refdata import (
    EDUCATION_LEVELS,
    ETHNICITIES,
    GENDERS,
    OCCUPATIONS,
    PROFESSIONAL_LEVELS,
    RELIGIONS,
    THEORY_LEVELS,
)
from dangvu.members.choices import USER_EVENTS, EventType, Status

__all__ = ["MemberForm", "MemberEditForm", "EventForm", "SearchForm"]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _LazyChoices:
    """Reference-list choices evaluated per request, in the active language."""

    def __init__(self, reflist, blank=True):
        self.reflist, self.blank = reflist, blank

    def __iter__(self):
        if self.blank:
            yield ("", "—")
        yield from self.reflist.choices()


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), widget=_date_widget())
    gender = forms.ChoiceField(label=_("Gender"), choices=_LazyChoices(GENDERS))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=_LazyChoices(ETHNICITIES))
    religion = forms.ChoiceField(label=_("Religion"), choices=_LazyChoices(RELIGIONS, blank=False))
    hometown = forms.CharField(label=_("Hometown"), required=False, max_length=255)
    identity_number = forms.CharField(
        label=_("Citizen identity number"), required=False, max_length=12
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    education = forms.ChoiceField(
        label=_("General education"), choices=_LazyChoices(EDUCATION_LEVELS)
    )
    professional_level = forms.ChoiceField(
        label=_("Professional level"), choices=_LazyChoices(PROFESSIONAL_LEVELS, blank=False)
    )
    theory_level = forms.ChoiceField(
        label=_("Political theory"), choices=_LazyChoices(THEORY_LEVELS, blank=False)
    )
    occupation = forms.ChoiceField(label=_("Occupation"), choices=_LazyChoices(OCCUPATIONS))
    party_card_number = forms.CharField(label=_("Party card number"), required=False, max_length=8)
    organisation = forms.CharField(label=_("Party cell (code)"), max_length=40)
    entry = forms.ChoiceField(
        label=_("Joins the records by"),
        choices=[
            (EventType.ADMITTED, _("Admission")),
            (EventType.TRANSFERRED_IN, _("Transfer from outside Dangvu")),
        ],
    )
    admission_date = forms.DateField(label=_("Admission date"), widget=_date_widget())
    ceremony_date = forms.DateField(
        label=_("Admission ceremony date"), required=False, widget=_date_widget()
    )
    official_date = forms.DateField(
        label=_("Official date"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave empty for a probationary member."),
    )
    entry_date = forms.DateField(
        label=_("Date of transfer in"), required=False, widget=_date_widget()
    )
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=255)


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("Event"))
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    organisation = forms.CharField(
        label=_("Receiving party cell (code)"),
        required=False,
        max_length=40,
        help_text=_("For a transfer or a restoration."),
    )
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=_date_widget())
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "—")] + [
            (t.value, t.label) for t in USER_EVENTS if t != EventType.CORRECTION
        ]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, card or identity number"), required=False)
    org = forms.CharField(label=_("Organisation code"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("In the party")), ("", _("All")), *Status.choices],
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_LazyChoices(GENDERS))
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), required=False, choices=_LazyChoices(ETHNICITIES)
    )


class MemberEditForm(MemberForm):
    """The record fields only: the cell, the dates and the status change through events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "organisation",
            "entry",
            "admission_date",
            "ceremony_date",
            "official_date",
            "entry_date",
            "decision_number",
            "issuer",
        ):
            del self.fields[name]
