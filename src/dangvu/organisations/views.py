"""Organisation tree and organisation pages (thin: selectors do the scoping)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows
from dangvu.audit.selectors import audit_for_object
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.organisations.forms import ChildForm, DissolveForm, MergeForm, MoveForm, RenameForm
from dangvu.organisations.panels import panels_for
from dangvu.organisations.selectors import (
    org_ancestors,
    org_children,
    org_get,
    org_get_or_404,
    org_lineage,
    org_roots_for,
)
from dangvu.organisations.services import (
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_rename,
)


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
    org = org_get_or_404(actor=request.user, code=code)
    show_dissolved = request.GET.get("dissolved") == "1"
    kids = org_children(actor=request.user, org=org, include_dissolved=show_dissolved)
    return render(
        request,
        "organisations/_children.html",
        {"children": kids, "show_dissolved": show_dissolved},
    )


def detail(request, code):
    org = org_get_or_404(actor=request.user, code=code)
    user = request.user
    children = list(org_children(actor=user, org=org, include_dissolved=True))
    context = {
        "org": org,
        "crumbs": org_ancestors(actor=user, org=org),
        "children": [c for c in children if c.is_active],
        "former_children": [c for c in children if not c.is_active],
        "panels": panels_for(request, org),
        "can_manage_tree": org.is_active and allows(user, "organisations.manage", org),
        "lineage": org_lineage(actor=user, org=org),
        "audit": audit_for_object(object_type="organisation", object_id=org.pk)
        if allows(user, "audit.view", org)
        else None,
    }
    return render(request, "organisations/detail.html", context)


# --- managing the tree (organisation-board staff) ----------------------------------------------


def _managed_or_404(request, code):
    return org_get_or_404(actor=request.user, code=code, action="organisations.manage")


def _managed_target(request, form, field, code):
    """An organisation named by code in a form, among those the user manages."""
    target = org_get(actor=request.user, code=code, action="organisations.manage")
    if target is None:
        form.add_error(field, _("No organisation with this code among yours."))
    return target


def _org_action(request, code, form_class, title, apply):
    org = _managed_or_404(request, code)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = apply(org, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result is not None:
                messages.success(request, _("Saved."))
                return redirect("organisations:detail", code=result.code)
    return render(request, "organisations/action.html", {"org": org, "form": form, "title": title})


def org_new_child(request, code):
    def apply(org, form):
        data = form.cleaned_data
        return organisation_create(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=org,
            valid_from=data["valid_from"],
            grassroots_type=data["grassroots_type"],
            place_name=data["place_name"],
        )

    return _org_action(request, code, ChildForm, _("Add an organisation under it"), apply)


def org_rename(request, code):
    def apply(org, form):
        data = form.cleaned_data
        return organisation_rename(
            actor=request.user,
            org=org,
            name=data["name"],
            on=data["on"],
            decision_number=data["decision_number"],
        )

    return _org_action(request, code, RenameForm, _("Rename"), apply)


def org_move(request, code):
    def apply(org, form):
        data = form.cleaned_data
        parent = _managed_target(request, form, "parent", data["parent"])
        if parent is None:
            return None
        return organisation_move(
            actor=request.user,
            org=org,
            new_parent=parent,
            on=data["on"],
            decision_number=data["decision_number"],
        )

    return _org_action(request, code, MoveForm, _("Move under another organisation"), apply)


def org_merge(request, code):
    def apply(org, form):
        data = form.cleaned_data
        target = _managed_target(request, form, "target", data["target"])
        if target is None:
            return None
        return organisation_merge(
            actor=request.user,
            sources=[org],
            target=target,
            on=data["on"],
            decision_number=data["decision_number"],
        )

    return _org_action(request, code, MergeForm, _("Merge into another organisation"), apply)


def org_dissolve(request, code):
    def apply(org, form):
        data = form.cleaned_data
        return organisation_dissolve(
            actor=request.user, org=org, on=data["on"], decision_number=data["decision_number"]
        )

    return _org_action(request, code, DissolveForm, _("Dissolve"), apply)
