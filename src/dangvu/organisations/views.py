"""Organisation tree and organisation pages (thin: selectors do the scoping)."""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import render

from dangvu.accounts.scoping import can
from dangvu.audit.selectors import audit_for_object
from dangvu.members.selectors import member_list
from dangvu.organisations.selectors import (
    org_ancestors,
    org_children,
    org_get,
    org_lineage,
    org_roots_for,
)
from dangvu.reports.selectors import membership_report


def _org_or_404(request, code):
    org = org_get(actor=request.user, code=code)
    if org is None:
        raise Http404
    return org


def tree(request):
    show_dissolved = request.GET.get("dissolved") == "1"
    roots = org_roots_for(actor=request.user)
    if not show_dissolved:
        roots = [o for o in roots if o.is_active]
    return render(
        request, "organisations/tree.html", {"roots": roots, "show_dissolved": show_dissolved}
    )


def children(request, code):
    """htmx fragment: the children of one node, loaded when it is opened."""
    org = _org_or_404(request, code)
    show_dissolved = request.GET.get("dissolved") == "1"
    kids = org_children(actor=request.user, org=org, include_dissolved=show_dissolved)
    return render(
        request,
        "organisations/_children.html",
        {"children": kids, "show_dissolved": show_dissolved},
    )


def detail(request, code):
    org = _org_or_404(request, code)
    report = None
    if can(request.user, "reports.view"):
        as_of = None if org.is_active else org.valid_to - timedelta(days=1)
        report = membership_report(org, as_of)
    children = list(org_children(actor=request.user, org=org, include_dissolved=True))
    context = {
        "org": org,
        "crumbs": org_ancestors(actor=request.user, org=org),
        "children": [c for c in children if c.is_active],
        "former_children": [c for c in children if not c.is_active],
        "members": member_list(actor=request.user, org=org, status="active")[:20],
        "report": report,
        "can_manage": org_get(actor=request.user, code=org.code, action="members.manage")
        is not None,
        "lineage": org_lineage(org),
        "audit": audit_for_object(object_type="organisation", object_id=org.pk)
        if can(request.user, "audit.view")
        else None,
    }
    return render(request, "organisations/detail.html", context)
