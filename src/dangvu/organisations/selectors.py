"""Reads over the organisation tree: every one that serves a person takes the actor and goes
through the access gate (accounts.scoping)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, restrict, scope_for
from dangvu.core.db import prefix_q
from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_code, tokens
from dangvu.organisations.choices import LinkKind, OrgKind
from dangvu.organisations.models import Organisation, OrganisationLink

__all__ = [
    "org_list",
    "org_get",
    "org_get_or_404",
    "org_children",
    "org_roots_for",
    "org_lineage",
    "org_ancestors",
    "org_parents",
    "Lineage",
]


def org_list(
    *,
    actor,
    q: str = "",
    parent: Organisation | None = None,
    kind: str = "",
    action: str = "organisations.view",
    include_dissolved: bool = False,
) -> QuerySet:
    """Organisations the actor may `action`; `q` matches every word of the folded name or the
    code."""
    qs = restrict(Organisation.objects.all(), actor, action)
    if not include_dissolved:
        qs = qs.filter(valid_to__isnull=True)
    if parent is not None:
        qs = qs.filter(prefix_q("path", parent.path), depth=parent.depth + 1)
    if kind:
        if kind not in OrgKind.values:
            raise ValidationError(
                {"kind": _("Unknown kind: choose %(k)s.") % {"k": ", ".join(OrgKind.values)}}
            )
        qs = qs.filter(kind=kind)
    words = tokens(q)
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(name_folded__contains=word)
        code = _code_or_none(q)
        qs = qs.filter(by_name | Q(code=code) if code else by_name)
    return qs.order_by("depth", "name_folded")


def _code_or_none(text) -> str | None:
    """The code as stored, or None for text that cannot be a code (it then matches nothing:
    never handed to the database, which refuses some characters outright)."""
    try:
        return clean_code(text)
    except ValueError:
        return None


def org_get(*, actor, code: str, action: str = "organisations.view") -> Organisation | None:
    """The organisation with this code if the actor may `action` it (None otherwise, whether it
    exists or not)."""
    code = _code_or_none(code)
    if code is None:
        return None
    return restrict(Organisation.objects.filter(code=code), actor, action).first()


def org_get_or_404(*, actor, code: str, action: str = "organisations.view") -> Organisation:
    org = org_get(actor=actor, code=code, action=action)
    if org is None:
        raise Http404
    return org


def org_children(*, actor, org: Organisation, include_dissolved: bool = False) -> QuerySet:
    return org_list(actor=actor, parent=org, include_dissolved=include_dissolved)


def org_roots_for(*, actor, action: str = "organisations.view") -> list[Organisation]:
    """The top organisations of the actor's view: the highest nodes the action reaches, active
    ones first (a dissolved province's history after the province that took it over)."""
    roots = scope_for(actor).roots(action)
    qs = (
        Organisation.objects.filter(depth=1)
        if roots is None
        else Organisation.objects.filter(path__in=roots)
    )
    return sorted(qs, key=lambda o: (not o.is_active, o.name_folded))


def org_ancestors(*, actor, org: Organisation) -> list[Organisation]:
    """Ancestors the actor may see, root first (breadcrumbs)."""
    return list(restrict(Organisation.objects.get_ancestors(org), actor))


def org_parents(*, actor, orgs) -> dict[str, str]:
    """{parent path: parent code} of the organisations' parents the actor may see, in one
    query (a parent outside the scope is not named)."""
    paths = {o.path[: -o.steplen] for o in orgs if o.depth > 1}
    if not paths:
        return {}
    parents = restrict(Organisation.objects.filter(path__in=sorted(paths)), actor)
    return dict(parents.values_list("path", "code"))


@dataclass(frozen=True)
class Lineage:
    """One lineage link as the actor may see it: `other` is the organisation on the other side,
    None when it lies outside the actor's scope (it is then not named)."""

    kind: str
    label: str
    date: date
    decision_number: str
    other: Organisation | None
    hidden: bool


def _lineage(actor, link: OrganisationLink, other: Organisation | None) -> Lineage:
    visible = other is not None and allows(actor, "organisations.view", other)
    return Lineage(
        kind=link.kind,
        label=link.get_kind_display(),
        date=link.date,
        decision_number=link.decision_number,
        other=other if visible else None,
        hidden=other is not None and not visible,
    )


def org_lineage(*, actor, org: Organisation) -> dict[str, list[Lineage]]:
    """What `org` became ("out") and was formed from ("in": merged or split organisations, not
    children moved under it). Organisations outside the actor's scope are not named."""
    out = OrganisationLink.objects.filter(source=org).exclude(kind=LinkKind.RENAMED)
    formed = OrganisationLink.objects.filter(
        target=org, kind__in=[LinkKind.MERGED_INTO, LinkKind.SPLIT_INTO]
    )
    return {
        "out": [_lineage(actor, link, link.target) for link in out.select_related("target")],
        "in": [_lineage(actor, link, link.source) for link in formed.select_related("source")],
    }
