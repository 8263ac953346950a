"""Organisation tree and organisation pages (thin: selectors do the scoping)."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangvu.accounts.roles import ALL_ACTIONS
from dangvu.accounts.scoping import allows
from dangvu.audit.display import readable
from dangvu.audit.selectors import audit_for_object
from dangvu.core.errors import ValidationError
from dangvu.core.forms import DayField, add_service_errors
from dangvu.core.templatetags.dangvu import slice_after, vndate, vnnum
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.forms import (
    ChildForm,
    DissolveForm,
    MergeForm,
    MoveForm,
    OrganisationField,
    RenameForm,
)
from dangvu.organisations.panels import panels_for
from dangvu.organisations.selectors import (
    org_ancestors,
    org_change_preview,
    org_children,
    org_children_on,
    org_get_or_404,
    org_label,
    org_lineage,
    org_pick,
    org_roots_for,
    org_version_on,
)
from dangvu.organisations.services import (
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_rename,
)


def pick(request):
    """htmx fragment: the organisations a picker offers for the typed text (`<field>_q`), among
    those the person may `need` (an action), dissolved ones too when `past`."""
    field = request.GET.get("field", "")[:60]
    query = request.GET.get(f"{field}_q", request.GET.get("q", ""))[:200]
    need = request.GET.get("need", "organisations.view")
    if need not in ALL_ACTIONS:
        need = "organisations.view"
    kinds = tuple(k for k in request.GET.get("kinds", "").split(",") if k in OrgKind.values)
    orgs = org_pick(
        actor=request.user,
        q=query,
        action=need,
        include_dissolved=request.GET.get("past") == "1",
        kinds=kinds,
    )
    items = [
        {
            "key": o.code,
            "label": o.label,
            "title": o.name,
            "sub": slice_after(o.label, o.name),
            "note": ""
            if o.is_active
            else _("no longer active since %(day)s") % {"day": vndate(o.valid_to)},
        }
        for o in orgs
    ]
    return render(
        request,
        "core/_pick.html",
        {
            "items": items,
            "query": query.strip(),
            "list_label": _("Matching organisations"),
            "none_text": _("No organisation among yours matches."),
        },
    )


class OnForm(forms.Form):
    """The date a page shows the tree as of."""

    on = DayField(label=_("As of"), required=False)


def _on(request) -> tuple[OnForm, date | None]:
    form = OnForm(request.GET or None)
    day = form.cleaned_data["on"] if form.is_valid() else None
    return form, day


def tree(request):
    show_dissolved = request.GET.get("dissolved") == "1"
    on_form, on = _on(request)
    roots = org_roots_for(actor=request.user)
    if on is not None:
        roots = [o for o in roots if o.valid_from <= on and (o.valid_to is None or on < o.valid_to)]
    elif not show_dissolved:
        roots = [o for o in roots if o.is_active]
    return render(
        request,
        "organisations/tree.html",
        {"roots": roots, "show_dissolved": show_dissolved, "on": on, "on_form": on_form},
    )


def children(request, code):
    """htmx fragment: the children of one node, loaded when it is opened (on a date: as the
    tree stood that day)."""
    org = org_get_or_404(actor=request.user, code=code)
    show_dissolved = request.GET.get("dissolved") == "1"
    _form, on = _on(request)
    if on is not None:
        kids = [_as_then(v) for v in org_children_on(actor=request.user, org=org, day=on)]
    else:
        kids = org_children(actor=request.user, org=org, include_dissolved=show_dissolved)
    return render(
        request,
        "organisations/_children.html",
        {"children": kids, "show_dissolved": show_dissolved, "on": on},
    )


def _as_then(version):
    """The organisation of a version, named and kinded as it was then (not saved)."""
    org = version.organisation
    org.name, org.kind = version.name, version.kind
    return org


def detail(request, code):
    """An organisation as it stands today, or on a chosen date (`on`); a dissolved one as it
    stood on its last day."""
    org = org_get_or_404(actor=request.user, code=code)
    user = request.user
    on_form, on = _on(request)
    last_day = org.valid_to - timedelta(days=1) if not org.is_active else None
    shown_on = on or last_day
    existed = shown_on is None or org.active_on(shown_on)
    if shown_on is not None:
        versions = org_children_on(actor=user, org=org, day=shown_on) if existed else []
        children, former_children = [_as_then(v) for v in versions], []
        version = org_version_on(org, shown_on) if existed else None
    else:
        kids = org_children(actor=user, org=org, include_dissolved=True)
        children = [c for c in kids if c.is_active]
        former_children = [c for c in kids if not c.is_active]
        version = None
    context = {
        "org": org,
        "version": version,
        "on": shown_on,
        "chosen_on": on,
        "existed": existed,
        "on_form": on_form,
        "crumbs": org_ancestors(actor=user, org=org),
        "children": children,
        "former_children": former_children,
        "panels": panels_for(request, org, shown_on) if existed else {},
        "can_manage_tree": org.is_active
        and on is None
        and allows(user, "organisations.manage", org),
        "lineage": org_lineage(actor=user, org=org),
        "audit": readable(
            audit_for_object(object_type="organisation", object_id=org.pk), show_sensitive=False
        )
        if allows(user, "audit.view", org)
        else None,
    }
    return render(request, "organisations/detail.html", context)


# --- managing the tree (organisation-board staff) ----------------------------------------------


def _managed_or_404(request, code):
    return org_get_or_404(actor=request.user, code=code, action="organisations.manage")


def _org_action(request, code, form_class, title, apply, consequences=None):
    """A change to the tree: the form, then (for changes that carry members and figures with
    them) a page that states the consequences and asks for confirmation, then the change."""
    org = _managed_or_404(request, code)
    form = form_class(request.POST or None, actor=request.user)
    editing = "edit" in request.POST
    if request.method == "POST" and not editing and form.is_valid():
        if consequences is not None and request.POST.get("confirmed") != "1":
            return render(
                request,
                "organisations/confirm.html",
                {
                    "org": org,
                    "form": form,
                    "title": title,
                    "consequences": consequences(org, form.cleaned_data),
                    "hidden": _carried(request, form),
                },
            )
        try:
            result = apply(org, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"date": "on", "sources": None})
        else:
            messages.success(request, _("Saved."))
            return redirect("organisations:detail", code=result.code)
    return render(
        request,
        "organisations/action.html",
        {"org": org, "form": form, "title": title, "confirms": consequences is not None},
    )


def _carried(request, form) -> list[tuple[str, str]]:
    """The form's values as hidden inputs of the confirmation page: the organisations chosen
    by code (with their label, so that the form shows them again on "Change")."""
    out = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, OrganisationField):
            if value is not None:
                label = org_label(actor=request.user, org=value, action=field.action)
                out += [(name, value.code), (f"{name}_q", label)]
        elif isinstance(value, date):
            out.append((name, value.isoformat()))
        elif value not in (None, ""):
            out.append((name, str(value)))
    return out


def org_new_child(request, code):
    def apply(org, data):
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
    def apply(org, data):
        return organisation_rename(
            actor=request.user,
            org=org,
            name=data["name"],
            on=data["on"],
            decision_number=data["decision_number"],
        )

    return _org_action(request, code, RenameForm, _("Rename"), apply)


def _what_goes_with(org) -> dict:
    preview = org_change_preview(org)
    return {
        "org": org.name,
        "orgs": vnnum(preview["organisations"]),
        "rows": preview["rows"],
        "blocks": preview["blocks"],
        "count": preview["organisations"],
    }


def _rows_text(rows) -> str:
    return "; ".join(f"{vnnum(n)} {label}" for label, n in rows) or _("no record")


def org_move(request, code):
    def apply(org, data):
        return organisation_move(
            actor=request.user,
            org=org,
            new_parent=data["parent"],
            on=data["on"],
            decision_number=data["decision_number"],
        )

    def consequences(org, data):
        w = _what_goes_with(org)
        parent = data["parent"]
        return [
            _(
                "%(org)s moves under %(parent)s from %(on)s, with the %(orgs)s organisations "
                "under it and their records (%(rows)s)."
            )
            % {**w, "parent": parent.name, "on": vndate(data["on"]), "rows": _rows_text(w["rows"])},
            _(
                "From that date its figures count in %(parent)s and no longer in its present "
                "superior organisation; reports of earlier dates do not change."
            )
            % {"parent": parent.name},
            _("Its history records the move and the decision number."),
        ]

    return _org_action(
        request, code, MoveForm, _("Move under another organisation"), apply, consequences
    )


def org_merge(request, code):
    def apply(org, data):
        return organisation_merge(
            actor=request.user,
            sources=[org],
            target=data["target"],
            on=data["on"],
            decision_number=data["decision_number"],
        )

    def consequences(org, data):
        w = _what_goes_with(org)
        target = data["target"]
        return [
            _("%(org)s ceases to exist on %(on)s: it is merged into %(target)s.")
            % {"org": org.name, "target": target.name, "on": vndate(data["on"])},
            _(
                "The %(orgs)s organisations under it and its records (%(rows)s) pass to "
                "%(target)s on that date."
            )
            % {**w, "target": target.name, "rows": _rows_text(w["rows"])},
            _(
                "Reports of earlier dates still show %(org)s as it was; its page keeps its "
                "history and shows it as it stood on its last day."
            )
            % {"org": org.name},
            _("This cannot be undone by one action: a later change needs its own decision."),
        ]

    return _org_action(
        request, code, MergeForm, _("Merge into another organisation"), apply, consequences
    )


def org_dissolve(request, code):
    def apply(org, data):
        return organisation_dissolve(
            actor=request.user, org=org, on=data["on"], decision_number=data["decision_number"]
        )

    def consequences(org, data):
        w = _what_goes_with(org)
        lines = [
            _("%(org)s ceases to exist on %(on)s; nothing passes to another organisation.")
            % {"org": org.name, "on": vndate(data["on"])},
            _(
                "Reports of earlier dates still show it; its page keeps its history and shows "
                "it as it stood on its last day."
            ),
        ]
        if w["blocks"]:
            lines.append(
                _(
                    "It still has organisations or records under it (%(rows)s): move them "
                    "first, or the dissolution will be refused."
                )
                % {
                    "rows": _rows_text(
                        [
                            (_("organisations"), w["count"]),
                            *w["rows"],
                        ]
                    )
                }
            )
        return lines

    return _org_action(request, code, DissolveForm, _("Dissolve"), apply, consequences)
