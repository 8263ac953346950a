"""The document pages (thin: parse, call a selector or service through the gate, render)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import holds_anywhere
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.core.uploads import FILE_KINDS, download, max_upload_bytes
from dangvu.documents.choices import Status
from dangvu.documents.forms import DocumentForm, ListForm, ReportForm, SendForm
from dangvu.documents.selectors import (
    FILTERS,
    awaiting_list,
    can_manage,
    document_get,
    document_list,
    document_pick,
    file_get,
    implementation_summary,
    implementing_documents,
    own_recipients,
    recipient_get,
    recipient_list,
)
from dangvu.documents.services import (
    RECIPIENT_REPORT,
    document_create,
    file_attach,
    implementation_report,
    recipients_send,
)

PAGE_SIZE = 50
UPLOAD_SLACK = 64 * 1024


def _need(request, action: str = "documents.view") -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def _say_errors(request, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for error in errors:
            messages.error(request, error)


def _detail(d, anchor: str = ""):
    return redirect(reverse("documents:detail", args=[d.pk]) + anchor)


def document_list_view(request):
    """Find a document by its number or words; or the documents awaiting our report."""
    _need(request)
    form = ListForm(request.GET or None, actor=request.user)
    d = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    if d.get("awaiting"):
        page = Paginator(awaiting_list(actor=request.user, today=today), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    else:
        qs = document_list(
            actor=request.user, q=d.get("q", ""), kind=d.get("kind", ""), year=d.get("year")
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "awaiting": bool(d.get("awaiting")),
        "today": today,
        "query": query.urlencode(),
        # The search as the API's file of it takes it (documents.api: format=xlsx|csv).
        "filters": {"q": d.get("q", ""), "kind": d.get("kind", ""), "year": d.get("year")},
        "can_create": holds_anywhere(request.user, "documents.manage"),
        "can_report": holds_anywhere(request.user, "documents.report"),
    }
    return render(request, "documents/list.html", context)


def document_new(request):
    _need(request, "documents.manage")
    initial = {"organisation": request.GET.get("org", "")}
    if request.GET.get("implements"):
        initial["implements"] = request.GET["implements"][:20]
    form = DocumentForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            d = document_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(code)s is recorded.") % {"code": d.code})
            return _detail(d)
    return render(request, "documents/edit.html", {"form": form})


def document_detail(request, document_id):
    d = document_get(actor=request.user, pk=document_id)
    today = timezone.localdate()
    show = request.GET.get("show", "")
    if show not in FILTERS:
        show = ""
    summary = implementation_summary(actor=request.user, document=d, today=today)
    recipients = Paginator(
        recipient_list(actor=request.user, document=d, today=today, show=show), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    own = own_recipients(actor=request.user, document=d)
    manage = can_manage(request.user, d)
    files = list(d.files.filter(recipient__isnull=True))
    context = {
        "d": d,
        "today": today,
        "summary": summary,
        "recipients": recipients,
        "show": show,
        "implementation_api": f"/api/v1/documents/{d.pk}/implementation",
        "filters": [("", _("All"))]
        + [
            ("overdue", _("Overdue")),
            ("not_reported", _("Not reported")),
            ("reported", _("Reported")),
        ]
        + list(Status.choices),
        "own": own,
        "report_forms": [(r, _report_form(request, r)) for r in own],
        "implemented_by": implementing_documents(actor=request.user, document=d),
        "manage": manage,
        "files": files,
        "send_form": SendForm(actor=request.user) if manage else None,
        "file_limit_mb": max_upload_bytes() // 1048576,
        "file_accept": ",".join(f".{e}" for k in FILE_KINDS.values() for e in k.extensions),
    }
    return render(request, "documents/detail.html", context)


def send_view(request, document_id):
    """Send the document down the tree (POST) and go back to it; errors as messages."""
    d = document_get(actor=request.user, pk=document_id)
    if not can_manage(request.user, d):
        raise Http404
    form = SendForm(request.POST or None, actor=request.user)
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                n = recipients_send(
                    actor=request.user,
                    document=d,
                    organisations=form.organisations(),
                    children_of_kind=c.get("children_of_kind") or None,
                    under=c.get("under"),
                    due_on=c.get("due_on"),
                )
            except ValidationError as exc:
                _say_errors(request, exc)
            else:
                messages.success(request, _("Sent to %(n)d more organisations.") % {"n": n})
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return _detail(d, "#distribution")


def _report_form(request, r, data=None) -> ReportForm:
    """A recipient's report form over the report it holds, with its version (core.editing)."""
    form = ReportForm(
        data,
        initial={"status": r.status, "notes": r.notes, "implementing": r.implementing_id or ""},
        actor=request.user,
        prefix=f"r{r.pk}",
    )
    return versioned(form, RECIPIENT_REPORT.version(r))


def report_view(request, recipient_id):
    """A recipient's implementation report, with its file when one is sent: posted from the
    document's page; a refused one (an error, or the report changed since the page was
    opened) comes back on its own page with the input kept (the file chosen again)."""
    r = recipient_get(actor=request.user, pk=recipient_id, action="documents.report")
    d = r.document
    if request.method == "POST" and _too_large(request):
        messages.error(request, _("The file is too large."))
        return _detail(d, "#report")
    form = _report_form(request, r, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            implementation_report(
                actor=request.user,
                recipient=r,
                status=c["status"],
                notes=c.get("notes", ""),
                implementing=c.get("implementing"),
                on=c.get("on"),
                version=c["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The report of %(org)s is recorded.") % {"org": r.organisation.name},
            )
            upload = request.FILES.get(f"r{r.pk}-file")
            if upload is not None:
                try:
                    file_attach(actor=request.user, document=d, recipient=r, upload=upload)
                except ValidationError as exc:  # the report stands; the file is said refused
                    _say_errors(request, exc)
            return _detail(d, "#report")
    context = {
        "d": d,
        "r": r,
        "form": form,
        "file_accept": ",".join(f".{e}" for k in FILE_KINDS.values() for e in k.extensions),
    }
    return render(request, "documents/report.html", context)


def _too_large(request) -> bool:
    try:
        sent = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        sent = 0
    return sent > max_upload_bytes() + UPLOAD_SLACK


def attach_view(request, document_id):
    """Attach a file to the document (POST, multipart) by its issuer's managers."""
    d = document_get(actor=request.user, pk=document_id)
    if not can_manage(request.user, d):
        raise Http404
    if request.method == "POST":
        if _too_large(request):
            messages.error(request, _("The file is too large."))
        else:
            try:
                f = file_attach(
                    actor=request.user,
                    document=d,
                    upload=request.FILES.get("file"),
                    title=request.POST.get("title", ""),
                )
            except ValidationError as exc:
                _say_errors(request, exc)
            else:
                messages.success(request, _("%(name)s is attached.") % {"name": f.name})
    return _detail(d, "#files")


def file_view(request, document_id, file_id):
    f = file_get(actor=request.user, document_id=document_id, file_id=file_id)
    return download(f)


def pick_view(request):
    """htmx fragment: the documents a picker offers for the typed text."""
    _need(request)
    field = request.GET.get("field", "")[:60]
    query = request.GET.get(f"{field}_q", request.GET.get("q", ""))[:200]
    items = [
        {
            "key": d.pk,
            "label": f"{d.code} ({d.issued_on:%d/%m/%Y}) {d.title}"[:200],
            "title": d.code,
            "sub": d.title,
            "note": "",
        }
        for d in document_pick(actor=request.user, q=query)
    ]
    return render(
        request,
        "core/_pick.html",
        {
            "items": items,
            "query": query.strip(),
            "list_label": _("Matching documents"),
            "none_text": _("No document you can read matches."),
        },
    )


__all__ = [
    "document_list_view",
    "document_new",
    "document_detail",
    "send_view",
    "report_view",
    "attach_view",
    "file_view",
    "pick_view",
]
