"""Forms of the organisation pages: input parsing only; the rules are in services."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm, DayField, PickerField
from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.selectors import (
    PATH_SEPARATOR,
    org_get,
    org_label,
    org_pick,
    org_roots_for,
    transfer_destination,
)

__all__ = [
    "ChildForm",
    "RenameForm",
    "MoveForm",
    "MergeForm",
    "DissolveForm",
    "OrganisationField",
    "DestinationField",
    "org_period",
]


# --- the organisation picker ------------------------------------------------------------------


def org_period(request, form_class, action: str):
    """(form, organisation, from, to) of a page over a subtree and a period: `form_class` has
    the fields `org`, `date_from` and `date_to`; the organisation is `?org=`, else the first
    the person may `action`; the period defaults to this year."""
    form = form_class(request.GET or None, actor=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    org = data.get("org")
    if org is None and not form.errors:
        roots = org_roots_for(actor=request.user, action=action)
        org = roots[0] if roots else None
    today = timezone.localdate()
    date_from = data.get("date_from") or date(today.year, 1, 1)
    date_to = data.get("date_to") or date(today.year, 12, 31)
    if not request.GET:
        form = form_class(
            initial={"org": org, "date_from": date_from, "date_to": date_to}, actor=request.user
        )
    return form, org, date_from, date_to


class OrganisationField(PickerField):
    """An organisation chosen by name or code among those the actor may `action` (active ones
    only unless `include_dissolved`; of `kinds` when given). Cleans to the Organisation."""

    default_error_messages = {
        "required": _("Choose an organisation: type part of its name or its code."),
    }
    placeholder = _("Type part of the name, or the code")

    def __init__(self, *, action="organisations.view", include_dissolved=False, kinds=(), **kw):
        self.action = action
        self.include_dissolved = include_dissolved
        self.kinds = tuple(kinds)
        super().__init__(**kw)

    def find(self, key):
        org = org_get(actor=self.actor, code=key, action=self.action)
        return org if org is not None and self._allowed(org) else None

    def key_of(self, org) -> str:
        return org.code

    def label_of(self, org) -> str:
        if getattr(org, "label", None) is None:
            org.label = org_label(actor=self.actor, org=org, action=self.action)
        return org.label

    def gone(self, org) -> bool:
        return not org.is_active

    def pick_url(self, name: str) -> str:
        params = {"field": name, "need": self.action}
        if self.include_dissolved:
            params["past"] = "1"
        if self.kinds:
            params["kinds"] = ",".join(self.kinds)
        return f"{reverse('organisations:pick')}?{urlencode(params)}"

    def error(self, kind: str, text: str = "") -> str:
        if kind == "unknown_key":
            return _("No organisation with this code among yours.")
        if kind == "none":
            return _("No organisation among yours is named “%(text)s”: type part of its name.") % {
                "text": text
            }
        return _("Several organisations match “%(text)s”: choose one below.") % {"text": text}

    def _allowed(self, org) -> bool:
        return (self.include_dissolved or org.is_active) and (
            not self.kinds or org.kind in self.kinds
        )

    def search(self, text: str) -> list:
        """The organisations `text` names: its code, or its label (the picker's path text), or
        every word of it in their names."""
        by_code = self.find(text)
        if by_code is not None:
            return [by_code]
        first = text.split(PATH_SEPARATOR.strip())[0]
        found = org_pick(
            actor=self.actor,
            q=first,
            action=self.action,
            include_dissolved=self.include_dissolved,
            kinds=self.kinds,
        )
        exact = [o for o in found if o.label == text]
        return exact or found


class DestinationField(OrganisationField):
    """The receiving cell of a transfer: picked by name among the cells the person sees, or
    given by its code anywhere in Dangvu (a cell of another committee or province: the code on
    its letter; organisations.selectors.transfer_destination)."""

    def find(self, key):
        return super().find(key) or transfer_destination(key)

    def label_of(self, org) -> str:
        if org_get(actor=self.actor, code=org.code, action=self.action) is None:
            return org.name  # outside the person's scope: its name only
        return super().label_of(org)


def _date_field(label):
    return DayField(label=label, initial=timezone.localdate)


class _Decision(ActorForm):
    """A change made by a decision: its number comes after what the change is."""

    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([n for n in self.fields if n != "decision_number"] + ["decision_number"])


class ChildForm(ActorForm):
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
    parent = OrganisationField(label=_("New parent organisation"), action="organisations.manage")
    on = _date_field(_("From"))


class MergeForm(_Decision):
    target = OrganisationField(label=_("Merge into"), action="organisations.manage")
    on = _date_field(_("From"))


class DissolveForm(_Decision):
    on = _date_field(_("Dissolved on"))
