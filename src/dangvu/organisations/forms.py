"""Forms of the organisation pages: input parsing only; the rules are in services."""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm, DayField
from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import PATH_SEPARATOR, org_get, org_label, org_pick

__all__ = [
    "ChildForm",
    "RenameForm",
    "MoveForm",
    "MergeForm",
    "DissolveForm",
    "OrganisationField",
    "OrgPicker",
]


# --- the organisation picker ------------------------------------------------------------------


class OrgPicker(forms.Widget):
    """A text box where a name or a code is typed; as-you-type choices under it (htmx, from
    organisations:pick) put the chosen code in a hidden input. Without JavaScript the form is
    sent with the typed text and answered, when several organisations match, with a choice of
    them (radio buttons) next to the field."""

    template_name = "organisations/widgets/picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.field = None

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_q"))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = self.field
        code, text = value if isinstance(value, tuple) else (value, None)
        if isinstance(code, Organisation):
            code = code.code
        code = code or ""
        if text is None and code and field is not None:
            org = org_get(actor=field.actor, code=code, action=field.action)
            text = org_label(actor=field.actor, org=org, action=field.action) if org else code
        params = {"field": name}
        if field is not None:
            params["need"] = field.action
            if field.include_dissolved:
                params["past"] = "1"
            if field.kinds:
                params["kinds"] = ",".join(field.kinds)
        context["widget"].update(
            {
                "code": code,
                "text": text or "",
                "candidates": getattr(field, "candidates", None) or [],
                "pick_url": f"{reverse('organisations:pick')}?{urlencode(params)}",
            }
        )
        return context


class OrganisationField(forms.Field):
    """An organisation chosen by name or code among those the actor may `action` (active ones
    only unless `include_dissolved`; of `kinds` when given). Cleans to the Organisation."""

    widget = OrgPicker
    default_error_messages = {
        "required": _("Choose an organisation: type part of its name or its code."),
    }

    def __init__(self, *, action="organisations.view", include_dissolved=False, kinds=(), **kw):
        self.action = action
        self.include_dissolved = include_dissolved
        self.kinds = tuple(kinds)
        self.actor = None
        self.candidates = []
        super().__init__(**kw)
        self.widget.field = self

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field = result
        result.candidates = []
        return result

    def bind(self, actor) -> None:
        self.actor = actor

    def prepare_value(self, value):
        return value.code if isinstance(value, Organisation) else value

    def to_python(self, value):
        code, text = value if isinstance(value, tuple) else (value or "", None)
        if isinstance(code, Organisation):
            return code
        code = (code or "").strip()
        text = (text or "").strip()
        if not code and not text:
            return None
        chosen = org_get(actor=self.actor, code=code, action=self.action) if code else None
        if chosen is not None and not self._allowed(chosen):
            chosen = None
        if chosen is not None and (
            not text or text == org_label(actor=self.actor, org=chosen, action=self.action)
        ):
            return chosen
        if not text:
            raise forms.ValidationError(
                _("No organisation with this code among yours."), code="unknown"
            )
        matches = self._matches(text)
        if chosen is not None and chosen in matches:
            return chosen
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(
                _("No organisation among yours is named “%(text)s”: type part of its name.")
                % {"text": text[:80]},
                code="unknown",
            )
        self.candidates = matches
        raise forms.ValidationError(
            _("Several organisations match “%(text)s”: choose one below.") % {"text": text[:80]},
            code="ambiguous",
        )

    def _allowed(self, org) -> bool:
        return (self.include_dissolved or org.is_active) and (
            not self.kinds or org.kind in self.kinds
        )

    def _matches(self, text: str) -> list:
        """The organisations `text` names: its code, or its label (the picker's path text), or
        every word of it in their names."""
        by_code = org_get(actor=self.actor, code=text, action=self.action)
        if by_code is not None and self._allowed(by_code):
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
