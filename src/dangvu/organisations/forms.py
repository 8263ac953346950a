"""Forms of the organisation pages: input parsing only; the rules are in services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import DayField
from dangvu.organisations.choices import GrassrootsType, OrgKind

__all__ = ["ChildForm", "RenameForm", "MoveForm", "MergeForm", "DissolveForm"]


def _date_field(label):
    return DayField(label=label, initial=timezone.localdate)


class _Decision(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)


class ChildForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *OrgKind.choices])
    grassroots_type = forms.ChoiceField(
        label=_("Grassroots type"), required=False, choices=[("", "—"), *GrassrootsType.choices]
    )
    place_name = forms.CharField(label=_("Place"), required=False, max_length=255)
    valid_from = _date_field(_("Founded on"))


class RenameForm(_Decision):
    name = forms.CharField(label=_("New name"), max_length=255)
    on = _date_field(_("From"))


class MoveForm(_Decision):
    parent = forms.CharField(label=_("New parent organisation (code)"), max_length=40)
    on = _date_field(_("From"))


class MergeForm(_Decision):
    target = forms.CharField(label=_("Merge into (code)"), max_length=40)
    on = _date_field(_("From"))


class DissolveForm(_Decision):
    on = _date_field(_("Dissolved on"))
