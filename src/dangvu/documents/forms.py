"""Forms of the document pages: input parsing only; the rules are in documents.services."""

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm, DayField, PickerField
from dangvu.documents.choices import Kind, Status
from dangvu.documents.selectors import document_get, document_pick
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.forms import OrganisationField

__all__ = ["ListForm", "DocumentField", "DocumentForm", "SendForm", "ReportForm", "SEND_SLOTS"]

SEND_SLOTS = 3


class ListForm(ActorForm):
    q = forms.CharField(
        label=_("Number or words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "90-KH/TU"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Kind.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1930, max_value=2100)
    awaiting = forms.BooleanField(label=_("Awaiting our report"), required=False)


class DocumentField(PickerField):
    """A document chosen by its number or title words among those the actor may read."""

    default_error_messages = {"required": _("Choose a document: type its number or title.")}
    placeholder = _("Type its number (90-KH/TU) or words of its title")

    def find(self, key):
        try:
            return document_get(actor=self.actor, pk=key)
        except Http404:
            return None

    def search(self, text: str) -> list:
        return document_pick(actor=self.actor, q=text)

    def label_of(self, d) -> str:
        return f"{d.code} ({d.issued_on:%d/%m/%Y}) {d.title}"[:200]

    def key_of(self, d) -> str:
        return str(d.pk)

    def pick_url(self, name: str) -> str:
        return f"{reverse('documents:pick')}?{urlencode({'field': name})}"

    def error(self, kind: str, text: str = "") -> str:
        if kind == "unknown_key":
            return _("No such document among those you can read.")
        if kind == "none":
            return _("No document you can read matches “%(text)s”.") % {"text": text}
        return _("Several documents match “%(text)s”: choose one below.") % {"text": text}


class DocumentForm(ActorForm):
    organisation = OrganisationField(label=_("Issuing organisation"), action="documents.manage")
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Kind.choices)
    code = forms.CharField(
        label=_("Number"),
        max_length=60,
        help_text=_("As printed: <number>-<kind>/<issuer>, e.g. 90-KH/TU."),
    )
    issued_on = DayField(label=_("Date"))
    title = forms.CharField(label=_("Title"), max_length=500)
    signer = forms.CharField(label=_("Signed by"), required=False, max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    full_text = forms.CharField(
        label=_("Full text"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    implements = DocumentField(label=_("Carries out (the higher document)"), required=False)
    circular = forms.BooleanField(
        label=_("For wide circulation (seen below every recipient)"), required=False
    )


class SendForm(ActorForm):
    children_of_kind = forms.ChoiceField(
        label=_("Every organisation of this kind"),
        required=False,
        choices=[("", "—"), *OrgKind.choices],
    )
    under = OrganisationField(label=_("under"), required=False)
    due_on = DayField(label=_("Report due by"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, SEND_SLOTS + 1):
            field = OrganisationField(
                label=_("Recipient %(n)d") % {"n": i}, action="organisations.view", required=False
            )
            field.bind(self.actor)
            self.fields[f"org{i}"] = field

    def organisations(self) -> list:
        found = [self.cleaned_data.get(f"org{i}") for i in range(1, SEND_SLOTS + 1)]
        return list({o.pk: o for o in found if o is not None}.values())

    def org_fields(self):
        return [self[f"org{i}"] for i in range(1, SEND_SLOTS + 1)]


class ReportForm(ActorForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    notes = forms.CharField(
        label=_("Progress notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    implementing = DocumentField(label=_("Our implementing document"), required=False)
    on = DayField(label=_("Reported on"), required=False)
