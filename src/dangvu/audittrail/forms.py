"""The audit trail's search form: input parsing only (audittrail.selectors reads)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.audit.labels import ACTION_LABELS
from dangvu.audittrail.choices import Kind, ObjectType
from dangvu.core.forms import ActorForm, DayField
from dangvu.organisations.forms import OrganisationField

__all__ = ["AuditSearchForm", "action_choices"]


def action_choices() -> list[tuple[str, str]]:
    """Every labelled action, by its label (in the active language)."""
    labelled = sorted(
        ((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1]
    )
    return [("", _("Any action")), ("member.event.", _("Membership events")), *labelled]


class AuditSearchForm(ActorForm):
    org = OrganisationField(
        label=_("Organisation"), action="audit.view", include_dissolved=True, required=False
    )
    who = forms.CharField(
        label=_("Who acted"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("Name or user name")}),
    )
    object_type = forms.ChoiceField(
        label=_("About"), required=False, choices=[("", _("Anything")), *ObjectType.choices]
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=action_choices)
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Changes, views and exports")), *Kind.choices],
    )
    # Reached from a row or from an object's page: one person, one object.
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end comes before the start."))
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _("Choose what the record is about."))
        return data
