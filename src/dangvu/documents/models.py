"""Party documents (resolutions, directives, plans…) and their distribution: who must
implement each one, by when, and what they reported. docs/decisions/0023."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.documents.choices import Kind, Status
from dangvu.organisations.models import OrgBoundModel

__all__ = ["Document", "Recipient", "DocumentFile"]


class Document(OrgBoundModel):
    """A document its issuing organisation put out, numbered "<number>-<kind>/<issuer>"
    (`code`, canonical). Organisation-bound to the issuer: registered in
    DocumentsConfig.ready()."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.PositiveIntegerField(_("number"))
    kind_abbr = models.CharField(max_length=10, editable=False)
    issuer_abbr = models.CharField(max_length=20, editable=False)
    code = models.CharField(_("document number"), max_length=40, db_index=True)
    issued_on = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(editable=False)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    full_text = models.TextField(_("full text"), blank=True)
    # title + code + summary, folded (core.text.fold): the search ignores diacritics.
    search = models.TextField(editable=False, default="")
    implements = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_by",
        verbose_name=_("implements"),
    )
    # Sent for wide circulation: every organisation below a recipient sees it too (a cell reads
    # the province's plan sent to its commune), besides the recipients themselves.
    circular = models.BooleanField(_("for wide circulation"), default=False)
    recorded_by = person_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "number", "year"],
                name="documents_unique_number",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Recipient(OrgBoundModel):
    """An organisation a document was sent to, with its due date and its implementation
    report. Organisation-bound to the recipient."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("document")
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    implementing = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("implementing document"),
    )
    notes = models.TextField(_("progress notes"), blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="documents_unique_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["document", "status"]),
            # The overdue list of one document: unreported recipients by due date.
            models.Index(fields=["document", "reported_on", "due_on"]),
        ]

    def __str__(self):
        return f"{self.document_id} → {self.organisation_id}"


class DocumentFile(models.Model):
    """A file of a document (its signed text, an annex) or of a recipient's implementation
    report, as PDF, DOCX or an image, checked from its bytes before it is stored
    (core.uploads), under a generated name. Read through its document's gate."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=10)  # core.uploads.FILE_KINDS
    size = models.PositiveIntegerField()
    uploaded_by = person_ref()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.document_id} {self.name}"
