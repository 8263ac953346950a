"""Forms of the import and export pages: input parsing only; the rules are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangvu.core.forms import ActorForm
from dangvu.interchange.exports import DEFAULT_COLUMNS, MEMBER_COLUMNS
from dangvu.organisations.forms import OrganisationField

__all__ = ["ImportForm", "ExportForm", "STATUS_CHOICES"]


class ImportForm(ActorForm):
    organisation = OrganisationField(
        label=_("Into"),
        action="members.manage",
        help_text=_("A party cell, or the committee whose cells the file's rows name."),
    )
    file = forms.FileField(
        label=_("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


STATUS_CHOICES = [
    ("active", _("In the party (probationary and official)")),
    ("probationary", _("Probationary")),
    ("official", _("Official")),
    ("", _("Everyone on the records")),
]


class ExportForm(ActorForm):
    org = OrganisationField(label=_("Organisation"), action="members.view")
    status = forms.ChoiceField(label=_("Members"), choices=STATUS_CHOICES, required=False)
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[(name, c.label) for name, c in MEMBER_COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_COLUMNS),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        widget=forms.RadioSelect,
        initial="xlsx",
    )
    reason = forms.CharField(
        label=_("Reason (for personal particulars)"),
        required=False,
        max_length=500,
        help_text=_(
            "Ethnicity, religion, date of birth, identity number and phone are "
            "personal particulars: say why you need them; the log keeps it."
        ),
    )
