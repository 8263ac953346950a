"""The import and export pages (thin: parse, call a selector or service through the gate,
render). A small file is checked in the request; a large one in `dangvu worker`, the page
following its progress."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangvu.accounts.scoping import holds_anywhere
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.core.tables import CONTENT_TYPES
from dangvu.interchange.exports import MEMBER_COLUMNS, import_template, members_export
from dangvu.interchange.forms import ExportForm, ImportForm
from dangvu.interchange.models import ImportState
from dangvu.interchange.selectors import import_get, import_list
from dangvu.interchange.services import (
    import_confirm,
    import_create,
    import_path,
    import_size_check,
    import_start,
    progress_read,
)
from dangvu.organisations.selectors import org_get

PAGE_SIZE = 20


def _need(request, action: str) -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def imports_view(request):
    """Bring a file: choose the organisation and the file; the check comes first."""
    _need(request, "members.manage")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"organisation": request.GET.get("org", "")},
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            import_size_check(upload.size)
            job = import_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=upload.read(),
                file_name=upload.name,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            import_start(job)
            return redirect("interchange:import", import_id=job.pk)
    jobs = Paginator(import_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interchange/imports.html", {"form": form, "jobs": jobs})


def import_detail(request, import_id):
    job = import_get(actor=request.user, pk=import_id)
    context = {"job": job, "progress": progress_read(job), "states": ImportState}
    return render(request, "interchange/import.html", context)


def import_progress(request, import_id):
    """The progress fragment, polled while the file is being checked or written; once it is
    done the page reloads to show the outcome."""
    job = import_get(actor=request.user, pk=import_id)
    if job.finished:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"job": job, "progress": progress_read(job)}
    return render(request, "interchange/_progress.html", context)


@require_POST
def import_write(request, import_id):
    job = import_get(actor=request.user, pk=import_id)
    try:
        job = import_confirm(
            actor=request.user, job=job, partial=request.POST.get("partial") == "1"
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        import_start(job)
    return redirect("interchange:import", import_id=job.pk)


def import_rejected(request, import_id):
    job = import_get(actor=request.user, pk=import_id)
    if not job.rejected_file:
        raise Http404
    stem = job.file_name.rsplit(".", 1)[0]
    return FileResponse(
        open(import_path(job.rejected_file), "rb"),  # noqa: SIM115 - the response closes it
        as_attachment=True,
        filename=f"{stem}-loi.{job.kind}",
        content_type=CONTENT_TYPES[job.kind],
    )


def template_view(request):
    """The workbook to fill: headers, drop-down lists, the cells of ?org= when given."""
    _need(request, "members.manage")
    org = org_get(actor=request.user, code=request.GET.get("org", ""), action="members.manage")
    data = import_template(org=org)
    response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
    name = f"mau-nhap-dang-vien{'-' + org.code.lower() if org else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_view(request):
    """Choose the organisation, members, columns and format; the file comes back at once,
    written row by row."""
    _need(request, "members.view")
    data = request.POST if request.method == "POST" else None
    initial = {"org": request.GET.get("org", ""), "status": "active"}
    form = ExportForm(data, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            out, _count, name = members_export(
                actor=request.user,
                org=cd["org"],
                fmt=cd["format"],
                columns=cd["columns"],
                status=cd["status"],
                reason=cd["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return FileResponse(
                out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[cd["format"]]
            )
    sensitive = [name for name, c in MEMBER_COLUMNS.items() if c.sensitive]
    return render(request, "interchange/export.html", {"form": form, "sensitive": sensitive})
