"""Reads of party documents, each with the actor (the gate decides; docs/decisions/0023).

Who sees a document: those whose `documents.view` covers its issuer; the organisations it was
sent to (and those above them in the actor's scope, through the recipient rows' paths); and,
for a document sent for wide circulation, every organisation below one of its recipients.
A recipient sees its own row of the distribution; the issuer's side sees them all."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere, restrict, scope_for
from dangvu.core.errors import ValidationError
from dangvu.core.registry import DueItem
from dangvu.core.text import fold
from dangvu.documents.choices import Status
from dangvu.documents.models import Document, DocumentFile, Recipient
from dangvu.documents.numbers import parse_number
from dangvu.organisations.models import STEPLEN

__all__ = [
    "documents_visible",
    "document_list",
    "document_get",
    "document_pick",
    "can_manage",
    "Summary",
    "implementation_summary",
    "recipient_list",
    "own_recipients",
    "recipient_get",
    "implementing_documents",
    "file_get",
    "documents_due",
    "awaiting_list",
    "DUE_SOON_DAYS",
]

DUE_SOON_DAYS = 14
COUNT_BOUND = 1000


def _ancestors(paths: list[str]) -> list[str]:
    """Every path above (and at) each of `paths`: the organisations whose wide circulars reach
    them."""
    out: set[str] = set()
    for p in paths:
        out.update(p[:i] for i in range(STEPLEN, len(p) + 1, STEPLEN))
    return sorted(out)


def documents_visible(actor) -> QuerySet:
    """The documents the actor may read (see the module's note)."""
    scope = scope_for(actor)
    if "documents.view" in scope.everything:
        return Document.objects.all()
    roots = scope.roots("documents.view") or []
    if not roots:
        return Document.objects.none()
    received = restrict(Recipient.objects.all(), actor, "documents.view").values("document_id")
    circulars = Recipient.objects.filter(
        org_path__in=_ancestors(roots), document__circular=True
    ).values("document_id")
    return Document.objects.filter(
        scope.path_q("documents.view", "org_path") | Q(pk__in=received) | Q(pk__in=circulars)
    )


def document_list(
    *,
    actor,
    q: str = "",
    kind: str = "",
    year: int | None = None,
    organisation=None,
    implements: Document | None = None,
) -> QuerySet:
    """The documents the actor may read, newest first: `q` is a number ("90-KH/TU", read
    loosely) or words of the title, number, summary or signer, accents and case ignored."""
    qs = documents_visible(actor).select_related("organisation")
    text = (q or "").strip()
    if text:
        try:
            n = parse_number(text)
        except ValidationError:  # not a number: words
            for word in fold(text).split()[:8]:
                qs = qs.filter(search__contains=word)
        else:
            qs = qs.filter(code=n.code)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if implements is not None:
        qs = qs.filter(implements=implements)
    return qs.order_by("-issued_on", "-id")


def document_get(*, actor, pk) -> Document:
    """One document the actor may read, or Http404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    d = (
        documents_visible(actor)
        .select_related("organisation", "implements", "implements__organisation")
        .filter(pk=pk)
        .first()
    )
    if d is None:
        raise Http404
    return d


def document_pick(*, actor, q: str, limit: int = 10) -> list[Document]:
    """The picker's choices: a number, or words of the title."""
    if not (q or "").strip():
        return []
    return list(document_list(actor=actor, q=q)[:limit])


def can_manage(actor, d: Document) -> bool:
    return allows(actor, "documents.manage", d)


@dataclass(frozen=True)
class Summary:
    """Who has and has not acted on a document, as of `today`."""

    total: int
    reported: int
    not_reported: int
    overdue: int
    by_status: dict[str, int]
    today: date

    @property
    def reported_share(self) -> float | None:
        return None if not self.total else self.reported / self.total


def implementation_summary(*, actor, document: Document, today: date) -> Summary | None:
    """The distribution's counts, for those who see the issuer's side (None for a recipient,
    who sees only its own rows). One aggregate query."""
    if not allows(actor, "documents.view", document):
        return None
    agg = Recipient.objects.filter(document=document).aggregate(
        total=Count("pk"),
        reported=Count("pk", filter=Q(reported_on__isnull=False)),
        overdue=Count("pk", filter=Q(reported_on__isnull=True, due_on__lt=today)),
        **{s: Count("pk", filter=Q(status=s)) for s in Status.values},
    )
    return Summary(
        total=agg["total"],
        reported=agg["reported"],
        not_reported=agg["total"] - agg["reported"],
        overdue=agg["overdue"],
        by_status={s: agg[s] for s in Status.values},
        today=today,
    )


FILTERS = ("overdue", "not_reported", "reported", *Status.values)


def recipient_list(*, actor, document: Document, today: date, show: str = "") -> QuerySet:
    """The recipients of a document the actor may see: all of them for the issuer's side, its
    own (those in its scope) for a recipient; `show` one of FILTERS. Overdue first, then by
    due date and name."""
    qs = Recipient.objects.filter(document=document).select_related("organisation", "implementing")
    if not allows(actor, "documents.view", document):
        qs = restrict(qs, actor, "documents.view")
    if show == "overdue":
        qs = qs.filter(reported_on__isnull=True, due_on__lt=today)
    elif show == "not_reported":
        qs = qs.filter(reported_on__isnull=True)
    elif show == "reported":
        qs = qs.filter(reported_on__isnull=False)
    elif show in Status.values:
        qs = qs.filter(status=show)
    return qs.order_by("reported_on", "due_on", "organisation__name", "pk")


def own_recipients(*, actor, document: Document) -> list[Recipient]:
    """The actor's own organisations' rows of the distribution (those where they hold
    `documents.report` themselves): the reports they write on the document's page."""
    return list(
        _own(actor, Recipient.objects.filter(document=document))
        .select_related("organisation", "implementing")
        .order_by("organisation__name")[:50]
    )


def recipient_get(
    *, actor, pk, document: Document | None = None, action: str = "documents.view"
) -> Recipient:
    """One row of a distribution: to those whose `action` covers the recipient, or (to read
    it) to the issuer's side."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = Recipient.objects.filter(pk=pk).select_related("organisation", "document")
    if document is not None:
        qs = qs.filter(document=document)
    if (
        action != "documents.view"
        or document is None
        or not allows(actor, "documents.view", document)
    ):
        qs = restrict(qs, actor, action)
    r = qs.first()
    if r is None:
        raise Http404
    return r


def implementing_documents(*, actor, document: Document) -> list[Document]:
    return list(
        documents_visible(actor)
        .filter(implements=document)
        .select_related("organisation")
        .order_by("issued_on", "pk")[:200]
    )


def file_get(*, actor, document_id, file_id) -> DocumentFile:
    """A file of a document the actor may read; a report's file only to those who see that
    recipient's row."""
    d = document_get(actor=actor, pk=document_id)
    try:
        f = DocumentFile.objects.select_related("recipient").get(pk=int(file_id), document=d)
    except (DocumentFile.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if f.recipient is not None:
        recipient_get(actor=actor, document=d, pk=f.recipient_id)
    return f


def _bounded(qs) -> int:
    return len(qs.values_list("pk", flat=True)[: COUNT_BOUND + 1])


def _own(actor, qs: QuerySet) -> QuerySet:
    """The rows of the organisations the actor reports for: those where they hold
    `documents.report` themselves, not every organisation below them (a province's board
    follows its communes' reports on the document's page; it does not write them)."""
    roots = scope_for(actor).roots("documents.report")
    if roots is None:
        return qs.filter(organisation__depth=1)
    return qs.filter(org_path__in=roots)


def _ours(actor) -> QuerySet:
    """The actor's own organisations' rows still without a report."""
    return _own(actor, Recipient.objects.filter(reported_on__isnull=True))


def documents_due(actor, today: date) -> list[DueItem]:
    """The home page's document work: documents sent to the actor's own organisations whose
    implementation report is overdue or due within two weeks."""
    if not holds_anywhere(actor, "documents.report"):
        return []
    waiting = _ours(actor)
    url = reverse("documents:list") + "?awaiting=1"
    items = []
    for qs, title, level in (
        (waiting.filter(due_on__lt=today), _("Implementation reports overdue"), "overdue"),
        (
            waiting.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)),
            _("Implementation reports due within two weeks"),
            "soon",
        ),
    ):
        n = _bounded(qs)
        if n:
            items.append(
                DueItem(title, min(n, COUNT_BOUND), url, level=level, more=n > COUNT_BOUND)
            )
    return items


def awaiting_list(*, actor, today: date) -> QuerySet:
    """The actor's own recipient rows still without a report, the overdue first."""
    return (
        _ours(actor)
        .select_related("document", "organisation", "document__organisation")
        .order_by("due_on", "pk")
    )
