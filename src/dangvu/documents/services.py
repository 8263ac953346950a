"""Writes of party documents: issuing one (its number checked against its kind and issuer),
sending it to organisations (chosen, or every child of a kind under one) and a recipient's
implementation report. Every write is audited in its transaction. docs/decisions/0023."""

from collections.abc import Iterable
from datetime import date

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows
from dangvu.audit.services import AuditEntry, audit_bulk, audit_record
from dangvu.core.db import prefix_q
from dangvu.core.editing import Editable, editable, shown_value
from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_texts, fold
from dangvu.core.uploads import check_upload, stored_name
from dangvu.documents.choices import Kind, Status
from dangvu.documents.models import Document, DocumentFile, Recipient
from dangvu.documents.numbers import check_number
from dangvu.members.services import recorder_id
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation

__all__ = [
    "document_create",
    "document_update",
    "recipients_send",
    "implementation_report",
    "RECIPIENT_REPORT",
    "file_attach",
    "documents_move",
    "recipients_move",
]

TEXT_LIMITS = {"title": 500, "signer": 200, "summary": 5000, "full_text": 200_000, "notes": 5000}
MULTILINE = {"summary", "full_text", "notes"}


def _system(actor) -> bool:
    return actor is None or actor is SYSTEM


def _gate(actor, action: str, target, field: str, message: str) -> None:
    """The system (the demo, the generator) records as told; a person where the gate allows
    `action` over the target's organisation."""
    if _system(actor) or allows(actor, action, target):
        return
    raise ValidationError({field: message})


def _search(d: Document) -> str:
    return " ".join(fold(t) for t in (d.code, d.title, d.summary, d.signer) if t)


def _entry(action: str, d: Document, after=None, before=None) -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="document",
        object_id=d.pk,
        object_repr=f"{d.code} {d.title}"[:100],
        org_path=d.org_path,
        before=before,
        after=after,
    )


def _texts(**texts) -> dict[str, str]:
    return clean_texts(texts, limits=TEXT_LIMITS, multiline=MULTILINE)


@transaction.atomic
def document_create(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    code: str,
    issued_on: date,
    title: str,
    signer: str = "",
    summary: str = "",
    full_text: str = "",
    implements: Document | None = None,
    circular: bool = False,
) -> Document:
    """Record a document its organisation issued: the number is read loosely and must fit the
    kind and the issuer (documents.numbers); a second document with the same number in the same
    year of the same issuer is refused."""
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the issuing organisation.")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    if issued_on is None:
        raise ValidationError({"issued_on": _("Enter the date of the document.")})
    texts = _texts(title=title, signer=signer, summary=summary, full_text=full_text)
    if not texts["title"]:
        raise ValidationError({"title": _("Enter the title.")})
    n = check_number(code, kind=kind, org_kind=organisation.kind)
    if issued_on < organisation.valid_from or (
        organisation.valid_to is not None and issued_on >= organisation.valid_to
    ):
        raise ValidationError(
            {
                "issued_on": _(
                    "%(org)s did not exist on that date (it existed from %(start)s%(end)s)."
                )
                % {
                    "org": organisation.name,
                    "start": organisation.valid_from.strftime("%d/%m/%Y"),
                    "end": f" – {organisation.valid_to:%d/%m/%Y}" if organisation.valid_to else "",
                }
            }
        )
    d = Document(
        kind=kind,
        number=n.number,
        kind_abbr=n.kind_abbr,
        issuer_abbr=n.issuer_abbr,
        code=n.code,
        issued_on=issued_on,
        year=issued_on.year,
        implements=implements,
        circular=bool(circular),
        recorded_by_id=recorder_id(actor),
        **texts,
    )
    d.place_in(organisation)
    _gate(
        actor,
        "documents.manage",
        d,
        "organisation",
        _("You may not issue documents of this organisation."),
    )
    if implements is not None:
        if not _system(actor) and not _visible(actor, implements):
            raise ValidationError({"implements": _("Choose a document you can see.")})
        if implements.issued_on > issued_on:
            raise ValidationError(
                {"implements": _("A document cannot implement one issued after it.")}
            )
    d.search = _search(d)
    if Document.objects.filter(
        organisation=organisation, kind=kind, number=n.number, year=d.year
    ).exists():
        raise ValidationError(
            {
                "code": _("%(code)s of %(year)d is already recorded for this organisation.")
                % {"code": n.code, "year": d.year}
            }
        )
    try:
        with transaction.atomic():
            d.save()
    except IntegrityError:
        raise ValidationError(
            {
                "code": _("%(code)s of %(year)d is already recorded for this organisation.")
                % {"code": n.code, "year": d.year}
            }
        ) from None
    audit_record(
        actor=actor,
        entry=_entry("documents.create", d, after={"code": d.code, "title": d.title}),
    )
    return d


def _visible(actor, d: Document) -> bool:
    """The actor sees the document: issued in their scope, or sent there (documents.selectors
    says how; the layer's own selectors are read here, never the other way round)."""
    from dangvu.documents.selectors import documents_visible

    return documents_visible(actor).filter(pk=d.pk).exists()


@transaction.atomic
def document_update(*, actor, document: Document, **changes) -> Document:
    d = Document.objects.select_for_update().get(pk=document.pk)
    _gate(
        actor,
        "documents.manage",
        d,
        "organisation",
        _("You may not manage the documents of this organisation."),
    )
    allowed = {"title", "signer", "summary", "full_text"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    before = {k: getattr(d, k) for k in changes}
    texts = _texts(**{k: changes[k] for k in changes})
    if "title" in texts and not texts["title"]:
        raise ValidationError({"title": _("Enter the title.")})
    for k, v in texts.items():
        setattr(d, k, v)
    d.search = _search(d)
    d.save()
    audit_record(actor=actor, entry=_entry("documents.update", d, after=texts, before=before))
    return d


@transaction.atomic
def recipients_send(
    *,
    actor,
    document: Document,
    organisations: Iterable[Organisation] = (),
    children_of_kind: str | None = None,
    under: Organisation | None = None,
    due_on: date | None = None,
) -> int:
    """Send the document to the chosen organisations and/or every live organisation of kind
    `children_of_kind` below `under`: one query to find them, one to skip those already sent
    to, one bulk insert, one bulk audit. Returns how many were added."""
    _gate(
        actor,
        "documents.manage",
        document,
        "organisations",
        _("You may not send the documents of this organisation."),
    )
    if due_on is not None and due_on < document.issued_on:
        raise ValidationError({"due_on": _("The due date cannot be before the document's date.")})
    if children_of_kind and children_of_kind not in OrgKind.values:
        raise ValidationError({"children_of_kind": _("Choose a kind of organisation.")})
    ids = {o.pk for o in organisations}
    targets: dict[int, str] = {}
    if ids:
        targets.update(
            Organisation.objects.filter(pk__in=ids, valid_to__isnull=True).values_list("pk", "path")
        )
        if len(targets) != len(ids):
            raise ValidationError(
                {"organisations": _("Choose organisations that exist and have not ended.")}
            )
    if children_of_kind:
        if under is None:
            raise ValidationError(
                {"under": _("Choose the organisation whose children receive it.")}
            )
        qs = Organisation.objects.filter(
            prefix_q("path", under.path), kind=children_of_kind, valid_to__isnull=True
        ).exclude(pk=under.pk)
        targets.update(qs.values_list("pk", "path"))
    if not targets:
        raise ValidationError({"organisations": _("Choose at least one organisation.")})
    outside = [p for p in targets.values() if not p.startswith(document.org_path)]
    if outside:
        raise ValidationError(
            {
                "organisations": _(
                    "A document is sent down its issuer's tree: %(n)d of the organisations "
                    "chosen are not under %(issuer)s."
                )
                % {"n": len(outside), "issuer": document.organisation.name}
            }
        )
    targets.pop(document.organisation_id, None)
    if not targets:
        raise ValidationError({"organisations": _("A document is not sent to its own issuer.")})
    already = set(
        Recipient.objects.filter(document=document).values_list("organisation_id", flat=True)
    )
    rows = [
        Recipient(document=document, organisation_id=pk, org_path=path, due_on=due_on)
        for pk, path in sorted(targets.items())
        if pk not in already
    ]
    Recipient.objects.bulk_create(rows, batch_size=1000)
    audit_bulk(
        actor=actor,
        entries=[
            AuditEntry(
                action="documents.send",
                object_type="document",
                object_id=document.pk,
                object_repr=document.code,
                org_path=path,
                after={"organisation": pk, "due_on": due_on.isoformat() if due_on else None},
            )
            for pk, path in ((r.organisation_id, r.org_path) for r in rows)
        ],
    )
    return len(rows)


def _report_shown(name: str, value) -> str:
    if name == "status":
        return str(Status(value).label)
    if name == "implementing":
        return value.code if value is not None else "—"
    return shown_value(value)


# A recipient's implementation report as its form (the document's page, the report's page) and
# GET /api/v1/documents/{id}/implementation show it (core.editing): reporting again replaces it.
RECIPIENT_REPORT = editable(
    Editable(
        name="documents.report",
        labels=lambda: {
            "status": _("Status"),
            "notes": _("Progress notes"),
            "implementing": _("Our implementing document"),
            "on": _("Reported on"),
        },
        read=lambda r: {
            "status": r.status,
            "notes": r.notes,
            "implementing": r.implementing,
            "on": r.reported_on,
        },
        audit=lambda r: ("document_recipient", r.pk),
        show=_report_shown,
        page="documents:report",
        api="POST /api/v1/documents/{document_id}/implementation",
    )
)


@transaction.atomic
def implementation_report(
    *,
    actor,
    recipient: Recipient,
    status: str,
    notes: str = "",
    implementing: Document | None = None,
    on: date | None = None,
    version: str | None = None,
) -> Recipient:
    """A recipient's report: its status, progress notes and its own implementing document
    (one the recipient organisation issued); again, over the report before. `version`
    (core.editing): the report as the editor read it; changed since, nothing is written."""
    r = Recipient.objects.select_for_update().get(pk=recipient.pk)
    _gate(
        actor,
        "documents.report",
        r,
        "status",
        _("You may not report for this organisation."),
    )
    RECIPIENT_REPORT.check(r, version)
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if implementing is not None and implementing.organisation_id != r.organisation_id:
        raise ValidationError(
            {"implementing": _("The implementing document must be one this organisation issued.")}
        )
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"on": _("A report cannot be dated in the future.")})
    if day < r.document.issued_on:
        raise ValidationError({"on": _("A report cannot be dated before the document.")})
    if status == Status.NOT_STARTED and not notes:
        raise ValidationError(
            {"notes": _("Say why the work has not started (the progress notes).")}
        )
    before = {"status": r.status, "notes": r.notes, "implementing": r.implementing_id}
    r.status = status
    r.notes = _texts(notes=notes)["notes"]
    r.implementing = implementing
    r.reported_on = day
    r.save()
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action="documents.report",
            object_type="document_recipient",
            object_id=r.pk,
            object_repr=f"{r.document.code} → {r.organisation_id}"[:100],
            org_path=r.org_path,
            before=before,
            after={"status": r.status, "notes": r.notes, "implementing": r.implementing_id},
        ),
    )
    return r


@transaction.atomic
def file_attach(
    *, actor, document: Document, upload, title: str = "", recipient: Recipient | None = None
) -> DocumentFile:
    """Attach a file to a document (by its issuer's managers) or to a recipient's report (by
    those who report for the recipient): its type is read from its bytes and its size checked
    first (core.uploads). Stored under a generated name; removed again if the record fails."""
    if recipient is not None:
        if recipient.document_id != document.pk:
            raise ValidationError({"recipient": _("Choose a recipient of this document.")})
        _gate(
            actor,
            "documents.report",
            recipient,
            "file",
            _("You may not report for this organisation."),
        )
        path_org = recipient.org_path
    else:
        _gate(
            actor,
            "documents.manage",
            document,
            "file",
            _("You may not manage the documents of this organisation."),
        )
        path_org = document.org_path
    title = clean_texts({"title": title}, limits={"title": 300})["title"]
    checked = check_upload(upload)
    path = default_storage.save(stored_name(f"documents/{document.pk}", checked.kind), upload)
    try:
        with transaction.atomic():
            row = DocumentFile.objects.create(
                document=document,
                recipient=recipient,
                title=title,
                file=path,
                name=checked.name,
                kind=checked.kind.code,
                size=checked.size,
                uploaded_by_id=recorder_id(actor),
            )
            entry = _entry(
                "documents.file_attach",
                document,
                after={
                    "file": checked.name,
                    "title": title,
                    "recipient": getattr(recipient, "pk", None),
                },
            )
            entry.org_path = path_org
            audit_record(actor=actor, entry=entry)
    except BaseException:
        default_storage.delete(path)
        raise
    return row


def _move(model, old_path: str, new_path: str) -> None:
    model.objects.filter(prefix_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), Substr(F("org_path"), Length(Value(old_path)) + 1))
    )


def documents_move(*, old_path: str, new_path: str) -> None:
    """A subtree moved (core.registry): the documents its organisations issued follow."""
    _move(Document, old_path, new_path)


def recipients_move(*, old_path: str, new_path: str) -> None:
    """A subtree moved: the distribution rows of its organisations follow."""
    _move(Recipient, old_path, new_path)
