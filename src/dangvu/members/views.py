"""Member pages: search list, record page with its event timeline, add a member, record an
event. Thin: parse the form, call a selector or a service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangvu.accounts.scoping import allows, holds_anywhere, release_sensitive, sensitive_allowed
from dangvu.audit.selectors import audit_for_object
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.forms import add_service_errors
from dangvu.members.choices import EventType
from dangvu.members.forms import EventForm, MemberEditForm, MemberForm, SearchForm
from dangvu.members.models import MembershipEvent
from dangvu.members.selectors import (
    SEARCH_CAP,
    effective_events,
    member_events,
    member_get,
    member_list,
    members_after,
    search_capped,
)
from dangvu.members.services import (
    MEMBER_FIELDS,
    member_create,
    member_event_record,
    member_update,
)
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get

PAGE_SIZE = 25


def _managed_org(request, code: str) -> Organisation | None:
    return org_get(actor=request.user, code=code, action="members.manage") if code else None


def show_sensitive(request, members, via: str = "page") -> None:
    """Mark each member served with whether their sensitive fields are shown (`sensitive_shown`
    for the templates: masked otherwise), audited once for the whole page."""
    shown = release_sensitive(request.user, members, via=via)
    for m in members:
        m.sensitive_shown = m.pk in shown


def member_search(request):
    """Members visible to the user; `q` ignores accents and case; keyset pages by name."""
    form = SearchForm(request.GET or {"status": "active"})
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    org = None
    if data.get("org"):
        org = org_get(actor=request.user, code=data["org"], action="members.view")
        if org is None:
            form.add_error("org", _("No organisation with this code among yours."))
    status = data.get("status", "active") if request.GET else "active"
    page, next_after, capped = [], None, False
    try:
        qs = member_list(
            actor=request.user,
            org=org,
            q=data.get("q", ""),
            status=status,
            filters={"gender": data.get("gender"), "ethnicity": data.get("ethnicity")},
        )
        page = list(members_after(qs, data.get("after"))[: PAGE_SIZE + 1])
    except ValidationError as exc:
        add_service_errors(form, exc)
    else:
        if len(page) > PAGE_SIZE:
            page = page[:PAGE_SIZE]
            next_after = page[-1].pk
        # A name search keeps its first SEARCH_CAP matches: the last page says so when it did.
        capped = next_after is None and search_capped(qs, data.get("q", ""))
    show_sensitive(request, page)
    context = {
        "form": form,
        "members": page,
        "next_after": next_after,
        "capped": capped,
        "search_cap": SEARCH_CAP,
        "org": org,
        "can_add": holds_anywhere(request.user, "members.manage"),
    }
    template = "members/_results.html" if request.headers.get("HX-Request") else "members/list.html"
    return render(request, template, context)


def member_detail(request, pk):
    member = member_get(actor=request.user, pk=pk)
    events = list(member_events(member))
    effective = effective_events(member.pk)
    can_manage = allows(request.user, "members.manage", member)
    show_sensitive(request, [member])
    audit = views = None
    if allows(request.user, "audit.view", member):
        audit = audit_for_object(object_type="member", object_id=member.pk)
        views = audit_for_object(object_type="member", object_id=member.pk, kind="views")
    context = {
        "member": member,
        "events": events,
        "correctable": effective[-1].pk if can_manage and len(effective) > 1 else None,
        "can_manage": can_manage,
        "audit": audit,
        "views": views,
    }
    return render(request, "members/detail.html", context)


def member_new(request):
    if not holds_anywhere(request.user, "members.manage"):
        raise Http404
    initial = {
        "organisation": request.GET.get("org", ""),
        "religion": "00",
        "professional_level": "none",
        "theory_level": "none",
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = _managed_org(request, data.pop("organisation"))
        if org is None:
            form.add_error("organisation", _("No party cell with this code among yours."))
        else:
            entry = data.pop("entry")
            extra = {k: data.pop(k) for k in ("entry_date", "decision_number", "issuer")}
            try:
                member = member_create(
                    actor=request.user, data=data, organisation=org, entry=entry, **extra
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("%(name)s has been added.") % {"name": member.full_name}
                )
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/new.html", {"form": form})


def member_edit(request, pk):
    member = member_get(actor=request.user, pk=pk, action="members.manage")
    # The form shows the whole record: editing it needs its particulars too (audited).
    if not sensitive_allowed(request.user, member):
        raise Http404
    show_sensitive(request, [member], via="edit")
    initial = {name: getattr(member, name) for name in MEMBER_FIELDS}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(actor=request.user, member=member, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/edit.html", {"form": form, "member": member})


def event_new(request, pk):
    member = member_get(actor=request.user, pk=pk, action="members.manage")
    form = EventForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receiving = None
        if data["organisation"]:
            # A receiving cell the actor cannot see does not exist for them (decision 0009).
            receiving = org_get(actor=request.user, code=data["organisation"])
            if receiving is None:
                form.add_error("organisation", _("No organisation with this code among yours."))
        if not form.errors:
            try:
                member_event_record(
                    actor=request.user,
                    member=member,
                    type=data["type"],
                    date=data["date"],
                    organisation=receiving,
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    issuer=data["issuer"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event has been recorded."))
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/event_new.html", {"form": form, "member": member})


@require_POST
def event_correct(request, pk):
    member = member_get(actor=request.user, pk=pk, action="members.manage")
    corrects = request.POST.get("corrects", "")
    target = (
        MembershipEvent.objects.filter(member=member, pk=int(corrects)).first()
        if corrects.isdigit() and len(corrects) < 19
        else None
    )
    try:
        member_event_record(
            actor=request.user,
            member=member,
            type=EventType.CORRECTION,
            date=timezone.localdate(),
            corrects=target,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for msgs in field_errors(exc).values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("The event has been corrected."))
    return redirect("members:detail", pk=member.pk)


def org_members_panel(request, org: Organisation) -> str | None:
    """The organisation page's member panel (organisations.panels): its first members in the
    party, with links to all of them and, in a cell one manages, to add one."""
    if not holds_anywhere(request.user, "members.view"):
        return None
    members = list(member_list(actor=request.user, org=org, status="active")[:20])
    show_sensitive(request, members)
    can_add = (
        org.is_active
        and org.kind in MEMBER_HOLDING_KINDS
        and allows(request.user, "members.manage", org)
    )
    return render_to_string(
        "members/_org_members.html",
        {"org": org, "members": members, "can_add": can_add},
        request=request,
    )
