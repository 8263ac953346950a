"""The audit trail's pages: the records of one's subtrees, searched (staff holding
`audit.view`), and a member's own "who viewed my particulars". Thin: parse, call a selector,
render."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render

from dangvu.accounts.scoping import holds_anywhere, scope_for
from dangvu.audittrail.display import entries_for, field_labels, filters_of, via_label
from dangvu.audittrail.forms import AuditSearchForm
from dangvu.audittrail.selectors import ACTION, audit_list, audit_page, views_of_me

__all__ = ["trail", "viewed_me", "PAGE_SIZE"]

PAGE_SIZE = 50


def trail(request):
    """The change log: the records of the person's subtrees, newest first, by organisation,
    person, kind of object (or one object), action, period and kind; 50 a page (keyset)."""
    if not holds_anywhere(request.user, ACTION):
        raise Http404  # a role that reads no audit record has no audit trail
    form = AuditSearchForm(request.GET or {"kind": "changes"}, actor=request.user)
    entries, next_before, person = [], None, None
    if form.is_valid():
        data = form.cleaned_data
        records = audit_list(actor=request.user, filters=filters_of(data))
        page, next_before = audit_page(records, before=data.get("before"), size=PAGE_SIZE)
        entries = entries_for(request.user, page, release=True)
        if data.get("actor"):
            person = get_user_model().objects.filter(pk=data["actor"]).first()
    data = form.cleaned_data if form.is_valid() else {}
    query = request.GET.copy()
    query.pop("before", None)
    if not request.GET:
        query["kind"] = "changes"
    context = {
        "form": form,
        "entries": entries,
        "query": query.urlencode(),
        "next_before": next_before,
        "first_page": bool(data.get("before")),
        "person": person,
        "filters": {
            key: data.get(key)
            for key in (
                "org",
                "who",
                "actor",
                "object_type",
                "object_id",
                "action",
                "date_from",
                "date_to",
                "kind",
            )
        },
    }
    return render(request, "audittrail/trail.html", context)


def viewed_me(request):
    """ "Who has viewed your personal particulars": a member's own list of the views and exports
    of their particulars by others (the personal-data law's right to know). Only ever the
    signed-in person's own record."""
    has_record = scope_for(request.user).member_id is not None
    items = views_of_me(user=request.user)
    for item in items:
        item.via_label = via_label(item.via)
        item.field_labels = field_labels(item.fields)
    return render(request, "audittrail/viewed_me.html", {"items": items, "has_record": has_record})
