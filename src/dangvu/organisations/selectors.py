"""Reads over the organisation tree, always through the scope rule."""

from django.db.models import Q, QuerySet

from dangvu.accounts.scoping import org_q, scope_for
from dangvu.core.db import prefix_q
from dangvu.core.text import tokens
from dangvu.organisations.choices import LinkKind
from dangvu.organisations.models import Organisation, OrganisationLink

__all__ = [
    "org_receiving",
    "org_list",
    "org_get",
    "org_children",
    "org_roots_for",
    "org_lineage",
    "org_ancestors",
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
    """Organisations the actor may see; `q` matches every word of the folded name or the code."""
    qs = Organisation.objects.filter(org_q(actor, action))
    if not include_dissolved:
        qs = qs.filter(valid_to__isnull=True)
    if parent is not None:
        qs = qs.filter(prefix_q("path", parent.path), depth=parent.depth + 1)
    if kind:
        qs = qs.filter(kind=kind)
    words = tokens(q)
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(name_folded__contains=word)
        qs = qs.filter(by_name | Q(code__iexact=q.strip()))
    return qs.order_by("depth", "name_folded")


def org_get(*, actor, code: str, action: str = "organisations.view") -> Organisation | None:
    return Organisation.objects.filter(org_q(actor, action), code=code).first()


def org_receiving(code: str) -> Organisation | None:
    """An organisation named as the receiver of a transfer: any organisation in the country,
    whatever the actor's scope (a member may move to another province's cell)."""
    code = (code or "").strip()
    return Organisation.objects.filter(code=code).first() if code else None


def org_children(*, actor, org: Organisation, include_dissolved: bool = False) -> QuerySet:
    return org_list(actor=actor, parent=org, include_dissolved=include_dissolved)


def org_roots_for(*, actor) -> list[Organisation]:
    """The top organisations of the actor's view: the highest visible nodes."""
    scope = scope_for(actor)
    if "organisations.view" in scope.everything:
        return list(Organisation.objects.filter(depth=1).order_by("name_folded"))
    paths = sorted(
        scope.subtrees.get("organisations.view", set())
        | scope.exact.get("organisations.view", set())
    )
    tops = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    orgs = {o.path: o for o in Organisation.objects.filter(path__in=tops)}
    return sorted(orgs.values(), key=lambda o: o.name_folded)


def org_ancestors(*, actor, org: Organisation) -> list[Organisation]:
    """Ancestors the actor may see, root first (breadcrumbs)."""
    return list(Organisation.objects.get_ancestors(org).filter(org_q(actor)))


def org_lineage(org: Organisation) -> dict:
    return {
        "out": list(OrganisationLink.objects.filter(source=org).select_related("target")),
        # What it was formed from: merged or split organisations (not children moved under it).
        "in": list(
            OrganisationLink.objects.filter(
                target=org, kind__in=[LinkKind.MERGED_INTO, LinkKind.SPLIT_INTO]
            ).select_related("source")
        ),
    }
