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
from dangvu.audit.display import readable
from dangvu.audit.selectors import audit_for_object
from dangvu.core.dates import parse_date
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.forms import add_service_errors
from dangvu.core.htmx import wants_fragment
from dangvu.members.choices import IN_PARTY, Status
from dangvu.members.fields import DATED_FIELDS, record_field
from dangvu.members.forms import (
    AttributeForm,
    EventForm,
    MemberEditForm,
    MemberForm,
    OpenMemberForm,
    PositionForm,
    SearchForm,
)
from dangvu.members.models import MembershipEvent
from dangvu.members.selectors import (
    COUNT_BOUND,
    SEARCH_CAP,
    attribute_history,
    bounded_count,
    dated_attributes,
    effective_events,
    member_events,
    member_get,
    member_list,
    member_pick,
    members_after,
    members_before,
    members_on,
    positions_of,
    search_capped,
    transfer_get,
    transfer_in_transit,
    transfers_pending,
)
from dangvu.members.services import (
    MEMBER_FIELDS,
    MEMBER_RECORD,
    member_attribute_change,
    member_create,
    member_event_record,
    member_update,
    position_assign,
    transfer_close,
    transfer_send,
)
from dangvu.members.services import (
    transfer_receive as receive,
)
from dangvu.members.state import EventType, MemberState, probation_end
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get_or_404, org_paths_named

PAGE_SIZE = 25


def show_sensitive(request, members, via: str = "page") -> None:
    """Mark each member served with whether their sensitive fields are shown (`sensitive_shown`
    for the templates: masked otherwise), audited once for the whole page."""
    shown = release_sensitive(request.user, members, via=via)
    for m in members:
        m.sensitive_shown = m.pk in shown


def member_search(request):
    """Members visible to the user; `q` ignores accents and case; keyset pages by name."""
    if not holds_anywhere(request.user, "members.view"):
        raise Http404  # a role that sees no member has no member list (its own record aside)
    form = SearchForm(request.GET or {"status": "active"}, actor=request.user)
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    org = data.get("org")
    status = data.get("status", "active") if request.GET else "active"
    page, next_after, prev_before, capped, total = [], None, None, False, None
    try:
        qs = member_list(
            actor=request.user,
            org=org,
            q=data.get("q", ""),
            status=status,
            filters={"gender": data.get("gender"), "ethnicity": data.get("ethnicity")},
            due=data.get("due", ""),
        )
        if data.get("before"):
            page = list(members_before(qs, data["before"])[: PAGE_SIZE + 1])[::-1]
            if len(page) > PAGE_SIZE:
                page = page[1:]
                prev_before = page[0].pk
            next_after = page[-1].pk if page else None
        else:
            page = list(members_after(qs, data.get("after"))[: PAGE_SIZE + 1])
            if len(page) > PAGE_SIZE:
                page = page[:PAGE_SIZE]
                next_after = page[-1].pk
            if data.get("after") and page:
                prev_before = page[0].pk
        total = bounded_count(qs)
    except ValidationError as exc:
        add_service_errors(form, exc)
    else:
        # A name search keeps its first SEARCH_CAP matches: the last page says so when it did.
        capped = next_after is None and search_capped(qs, data.get("q", ""))
    show_sensitive(request, page)
    context = {
        "form": form,
        "members": page,
        "next_after": next_after,
        "prev_before": prev_before,
        "total": total,
        "bound": COUNT_BOUND,
        "capped": capped,
        "search_cap": SEARCH_CAP,
        "org": org,
        "due": dict(form.fields["due"].choices).get(data.get("due")) if data.get("due") else None,
        "paths": org_paths_named(
            actor=request.user, orgs={m.organisation for m in page}, action="members.view"
        ),
        "can_add": holds_anywhere(request.user, "members.manage"),
    }
    template = "members/_results.html" if wants_fragment(request) else "members/list.html"
    return render(request, template, context)


def member_pick_view(request):
    """htmx fragment: the members a member picker offers for the typed text (`<field>_q`)."""
    field = request.GET.get("field", "")[:60]
    query = request.GET.get(f"{field}_q", request.GET.get("q", ""))[:200]
    need = request.GET.get("need", "members.view")
    if need not in ("members.view", "members.manage"):
        need = "members.view"
    found = member_pick(actor=request.user, q=query, action=need)
    items = [
        {
            "key": m.pk,
            "label": m.label,
            "title": m.full_name,
            "sub": m.label.split(" · ", 1)[1],
            "note": "" if m.status in IN_PARTY else m.get_status_display(),
        }
        for m in found
    ]
    return render(
        request,
        "core/_pick.html",
        {
            "items": items,
            "query": query.strip(),
            "list_label": _("Matching members"),
            "none_text": _("No member among yours matches."),
        },
    )


def member_open(request):
    """The home page's "open a record": the member chosen by name, or the choice again."""
    form = OpenMemberForm(request.GET or None, actor=request.user)
    if form.is_valid() and form.cleaned_data["member"] is not None:
        return redirect("members:detail", pk=form.cleaned_data["member"].pk)
    return render(request, "members/open.html", {"form": form})


def _state_for_probation(member):
    return MemberState(admission_date=member.admission_date, ceremony_date=member.ceremony_date)


def member_detail(request, pk):
    member = member_get(actor=request.user, pk=pk)
    events = list(member_events(member))
    effective = effective_events(member.pk)
    can_manage = allows(request.user, "members.manage", member)
    show_sensitive(request, [member])
    audit = views = None
    if allows(request.user, "audit.view", member):
        shown = member.sensitive_shown
        audit = readable(
            audit_for_object(object_type="member", object_id=member.pk), show_sensitive=shown
        )
        views = readable(
            audit_for_object(object_type="member", object_id=member.pk, kind="views"),
            show_sensitive=shown,
        )
    recognition_due = None
    if member.status == Status.PROBATIONARY:
        end = probation_end(_state_for_probation(member))
        if end is not None and end <= timezone.localdate():
            recognition_due = end
    dated = dated_attributes(member)
    context = {
        "member": member,
        "recognition_due": recognition_due,
        "events": events,
        "correctable": effective[-1].pk if can_manage and len(effective) > 1 else None,
        "dated": dated,
        # A change or correction recorded: the history downloads (api: members/{id}/attributes).
        "attributes_changed": any(a["recorded"] for a in dated),
        "attributes_api": f"/api/v1/members/{member.pk}/attributes",
        "in_transit": transfer_in_transit(member),
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
    form = MemberForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("organisation")
        entry = data.pop("entry")
        extra = {k: data.pop(k) for k in ("entry_date", "decision_number", "issuer")}
        try:
            member = member_create(
                actor=request.user, data=data, organisation=org, entry=entry, **extra
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": member.full_name})
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
    versioned(form, MEMBER_RECORD.version(member))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            member_update(actor=request.user, member=member, data=data, version=version)
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/edit.html", {"form": form, "member": member})


def event_new(request, pk):
    member = member_get(actor=request.user, pk=pk, action="members.manage")
    form = EventForm(
        request.POST or None, initial={"date": timezone.localdate()}, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receiving = data["organisation"]
        foreign = receiving is not None and not allows(request.user, "members.manage", receiving)
        if foreign and data["type"] != EventType.TRANSFERRED:
            form.add_error(
                "organisation",
                _(
                    "This cell belongs to another committee: only a transfer can send a member there."
                ),
            )
            return render(request, "members/event_new.html", {"form": form, "member": member})
        if foreign:
            # A cell of another committee: that side receives the member (two acts).
            try:
                transfer_send(
                    actor=request.user,
                    member=member,
                    to=receiving,
                    on=data["date"],
                    decision_number=data["decision_number"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The transfer has been sent to %(cell)s. The member stays counted here "
                        "until that side receives them."
                    )
                    % {"cell": receiving.name},
                )
                return redirect("members:detail", pk=member.pk)
            return render(request, "members/event_new.html", {"form": form, "member": member})
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
                other_party=data["other_party"],
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


def org_members_panel(request, org: Organisation, on=None) -> str | None:
    """The organisation page's member panel (organisations.panels): its first members in the
    party (on `on`, as the tree stood that day, when given), how many, with links to all of
    them and, in a cell one manages, to add one."""
    if not holds_anywhere(request.user, "members.view"):
        return None
    if on is None:
        qs = member_list(actor=request.user, org=org, status="active")
        members, total = list(qs[:20]), bounded_count(qs)
    else:
        members, total = members_on(actor=request.user, org=org, day=on)
    show_sensitive(request, members)
    can_add = (
        on is None
        and org.is_active
        and org.kind in MEMBER_HOLDING_KINDS
        and allows(request.user, "members.manage", org)
    )
    return render_to_string(
        "members/_org_members.html",
        {
            "org": org,
            "members": members,
            "total": total,
            "bound": COUNT_BOUND,
            "on": on,
            "can_add": can_add,
            "paths": org_paths_named(actor=request.user, orgs={m.organisation for m in members}),
        },
        request=request,
    )


def attribute_change(request, pk):
    """Record a change or a correction of one dated attribute (members.dated), named by
    ?field= (the first of them by default)."""
    member = member_get(actor=request.user, pk=pk, action="members.manage")
    field = request.GET.get("field") or DATED_FIELDS[0]
    if field not in DATED_FIELDS:
        raise Http404
    label = record_field(field).label
    form = AttributeForm(
        request.POST or None, initial={"valid_from": timezone.localdate()}, field=field
    )
    versioned(form, MEMBER_RECORD.version(member))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        try:
            member_attribute_change(
                actor=request.user,
                member=member,
                field=field,
                value=data["value"],
                kind="change" if kind == "change" else "correction",
                valid_from=data["valid_from"] if kind == "change" else None,
                from_start=kind == "correction_start",
                source=data["source"],
                note=data["note"],
                version=data["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The change has been recorded."))
            return redirect("members:detail", pk=member.pk)
    context = {
        "form": form,
        "member": member,
        "label": label,
        "history": attribute_history(member, field),
    }
    return render(request, "members/attribute.html", context)


def transfers(request):
    """Transfers in transit: those to receive (sent to cells in the person's scope) and those
    sent (from cells in their scope), each with its age."""
    if not holds_anywhere(request.user, "members.view"):
        raise Http404
    today = timezone.localdate()
    incoming = transfers_pending(request.user, "in", today)
    outgoing = transfers_pending(request.user, "out", today)
    for row in incoming:
        row["can_act"] = allows(request.user, "members.manage", row["transfer"].to_organisation)
    for row in outgoing:
        row["can_act"] = allows(request.user, "members.manage", row["transfer"])
    context = {"incoming": incoming, "outgoing": outgoing, "today": today}
    return render(request, "members/transfers.html", context)


def _transfer_act(request, transfer_id, act):
    """Receive or refuse (the receiving side), or withdraw (the sending side) a transfer."""
    side = "sending" if act == "withdraw" else "receiving"
    transfer = transfer_get(actor=request.user, pk=transfer_id, side=side)
    try:
        if act == "receive":
            try:
                day = parse_date(request.POST.get("date")) or timezone.localdate()
            except ValueError:
                raise ValidationError({"date": _("Enter a valid date (dd/mm/yyyy).")}) from None
            receive(actor=request.user, transfer=transfer, on=day)
            messages.success(
                request,
                _("%(name)s has been received into %(cell)s.")
                % {"name": transfer.member.full_name, "cell": transfer.to_organisation.name},
            )
        else:
            state = "withdrawn" if act == "withdraw" else "refused"
            transfer_close(
                actor=request.user,
                transfer=transfer,
                state=state,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("The transfer has been closed."))
    except ValidationError as exc:
        for msgs in field_errors(exc).values():
            for msg in msgs:
                messages.error(request, msg)
    return redirect("members:transfers")


@require_POST
def transfer_receive(request, transfer_id):
    return _transfer_act(request, transfer_id, "receive")


@require_POST
def transfer_refuse(request, transfer_id):
    return _transfer_act(request, transfer_id, "refuse")


@require_POST
def transfer_withdraw(request, transfer_id):
    return _transfer_act(request, transfer_id, "withdraw")


# --- positions ------------------------------------------------------------------------------


def org_positions_panel(request, org: Organisation, on=None) -> str | None:
    """The organisation page's positions panel (organisations.panels): who holds which
    position now, with a link to record a new holder where the person manages members."""
    if on is not None or not allows(request.user, "organisations.view", org):
        return None
    held = positions_of(actor=request.user, org=org)
    can_assign = org.is_active and allows(request.user, "members.manage", org)
    if not held and not can_assign:
        return None
    return render_to_string(
        "members/_org_positions.html",
        {"org": org, "positions": held, "can_assign": can_assign},
        request=request,
    )


def position_new(request, code):
    """Record that someone takes a position in an organisation the person manages."""
    org = org_get_or_404(actor=request.user, code=code, action="members.manage")
    form = PositionForm(
        request.POST or None, initial={"valid_from": timezone.localdate()}, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            position_assign(
                actor=request.user,
                organisation=org,
                kind=d["kind"],
                valid_from=d["valid_from"],
                member=d["member"],
                person_name=d["person_name"],
                decision_number=d["decision_number"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The position has been recorded."))
            return redirect("organisations:detail", code=org.code)
    history = positions_of(actor=request.user, org=org, current=False)
    return render(
        request, "members/position_new.html", {"org": org, "form": form, "history": history}
    )
