"""Reads over the organisation tree: every one that serves a person takes the actor and goes
through the access gate (accounts.scoping)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, restrict, scope_for
from dangvu.core.db import Prepared, as_date, instance_maker, prefix_q
from dangvu.core.errors import ValidationError
from dangvu.core.registry import org_bound_entries
from dangvu.core.text import clean_code, fold, natural_key, tokens
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS, LinkKind, OrgKind
from dangvu.organisations.models import Organisation, OrganisationLink, OrganisationVersion
from dangvu.organisations.tree import ancestor_paths

__all__ = [
    "versions_where",
    "org_list",
    "org_get",
    "org_get_or_404",
    "transfer_destination",
    "org_children",
    "org_roots_for",
    "org_lineage",
    "org_ancestors",
    "org_parents",
    "org_pick",
    "org_paths_named",
    "org_label",
    "org_children_on",
    "org_change_preview",
    "Lineage",
    "PICK_LIMIT",
]

PICK_LIMIT = 15
PATH_SEPARATOR = " › "
# An ancestor in a path is named without the words every one of them starts with.
_ANCESTOR_PREFIXES = ("Đảng bộ ", "Đảng ủy ", "Đảng uỷ ")


def org_list(
    *,
    actor,
    q: str = "",
    parent: Organisation | None = None,
    kind: str = "",
    action: str = "organisations.view",
    include_dissolved: bool = False,
    within: Organisation | None = None,
) -> QuerySet:
    """Organisations the actor may `action`; `q` matches every word of the folded name or the
    code; `within`: those of its subtree (itself included)."""
    qs = restrict(Organisation.objects.all(), actor, action)
    if not include_dissolved:
        qs = qs.filter(valid_to__isnull=True)
    if within is not None:
        qs = qs.filter(prefix_q("path", within.path))
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


def transfer_destination(code: str) -> Organisation | None:
    """The active party cell with this code anywhere in Dangvu: where a member may be sent by a
    transfer of party activity. The one lookup outside the person's scope: a cell's name and
    code are its address, which the transfer letter carries anyway (docs/decisions/0014)."""
    code = _code_or_none(code)
    if code is None:
        return None
    return Organisation.objects.filter(
        code=code, kind__in=sorted(MEMBER_HOLDING_KINDS), valid_to__isnull=True
    ).first()


def org_get_or_404(*, actor, code: str, action: str = "organisations.view") -> Organisation:
    org = org_get(actor=actor, code=code, action=action)
    if org is None:
        raise Http404
    return org


def org_children(*, actor, org: Organisation, include_dissolved: bool = False) -> list:
    """The children the actor may see, in natural order of their names ("tổ dân phố 2" before
    "tổ dân phố 10")."""
    kids = org_list(actor=actor, parent=org, include_dissolved=include_dissolved)
    return sorted(kids, key=lambda o: natural_key(o.name_folded))


def org_children_on(*, actor, org: Organisation, day: date) -> list[OrganisationVersion]:
    """The organisations under `org` on `day`, as the tree stood that day (their versions:
    name, kind and place of that day), those the actor may see, in natural order."""
    own = org_version_on(org, day)
    if own is None:
        return []
    versions = list(
        OrganisationVersion.objects.filter(covering_q(day))
        .filter(prefix_q("path", own.path))
        .alias(path_length=Length("path"))
        .filter(path_length=len(own.path) + org.steplen)
        .select_related("organisation")
    )
    visible = set(
        restrict(
            Organisation.objects.filter(pk__in=[v.organisation_id for v in versions]), actor
        ).values_list("pk", flat=True)
    )
    kept = [v for v in versions if v.organisation_id in visible]
    return sorted(kept, key=lambda v: natural_key(fold(v.name)))


def org_change_preview(org: Organisation) -> dict:
    """What a move, merge or dissolution of `org` carries with it: the active organisations
    under it, and each registered model's live rows in its subtree (core.registry)."""
    orgs = (
        Organisation.objects.filter(prefix_q("path", org.path), valid_to__isnull=True)
        .exclude(pk=org.pk)
        .count()
    )
    rows = [(str(e.title), e.live_count(org.path)) for e in org_bound_entries() if e.live_count]
    return {"organisations": orgs, "rows": rows, "blocks": bool(orgs or any(n for _t, n in rows))}


_VERSION_FIELDS = [f.attname for f in OrganisationVersion._meta.concrete_fields]
_VERSION_ON = Prepared(
    lambda org, day: (
        OrganisationVersion.objects.filter(organisation_id=org)
        .filter(covering_q(day))
        .order_by("-valid_from")
        .values_list(*_VERSION_FIELDS)[:1]
    ),
    -7_777_777,
    date(1111, 11, 11),
)
_make_version = instance_maker(OrganisationVersion)


def org_version_on(org: Organisation, day: date) -> OrganisationVersion | None:
    """The organisation's version in force on `day` (None: it did not exist then). Compiled
    once: every report as of a date asks it, and for a cell the ORM's compiling took as long
    as the report's own query."""
    rows = _VERSION_ON.rows(org.pk, day)
    if not rows:
        return None
    values = dict(zip(_VERSION_FIELDS, rows[0], strict=True))
    values["valid_from"] = as_date(values["valid_from"])
    values["valid_to"] = as_date(values["valid_to"])
    version = _make_version(values)
    version._state.adding, version._state.db = False, "default"
    return version


def versions_where(field: str, values) -> Iterator[tuple[int, str, date, date | None]]:
    """The versions whose `field` ("organisation_id" or "path") is one of `values`, a thousand
    values a query: (organisation id, path, from, until)."""
    values = sorted(set(values))
    for start in range(0, len(values), 1000):
        yield from OrganisationVersion.objects.filter(
            **{f"{field}__in": values[start : start + 1000]}
        ).values_list("organisation_id", "path", "valid_from", "valid_to")


def covering_q(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def _short(name: str) -> str:
    for prefix in _ANCESTOR_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def org_paths_named(*, actor, orgs, action: str = "organisations.view") -> dict[int, str]:
    """{id: "Chi bộ thôn 2 › xã Đăk Plô › tỉnh Quảng Ngãi"}: each organisation's name followed
    by its ancestors' names, nearest first, as far up as the actor may see them (`action` or
    organisations.view); one query for all of them."""
    orgs = list(orgs)
    prefixes = sorted({p for o in orgs for p in ancestor_paths(o.path)[:-1]})
    names: dict[str, str] = {}
    if prefixes:
        scope = scope_for(actor)
        rows = Organisation.objects.filter(path__one_of=prefixes).values_list("path", "name")
        names = {
            path: name
            for path, name in rows
            if scope.covers_path(action, path) or scope.covers_path("organisations.view", path)
        }
    labels = {}
    for o in orgs:
        above = [names[p] for p in reversed(ancestor_paths(o.path)[:-1]) if p in names]
        labels[o.pk] = PATH_SEPARATOR.join([o.name, *map(_short, above)])
    return labels


def org_label(*, actor, org: Organisation, action: str = "organisations.view") -> str:
    return org_paths_named(actor=actor, orgs=[org], action=action)[org.pk]


def org_pick(
    *,
    actor,
    q: str,
    action: str = "organisations.view",
    include_dissolved: bool = False,
    kinds: tuple[str, ...] = (),
    limit: int = PICK_LIMIT,
) -> list[Organisation]:
    """Organisations for a picker: the one whose code is `q`, then those whose folded name holds
    every word of `q` (accents and case ignored, any order), the actor may `action`; active
    ones first, then names that start with the query, higher levels, natural order. Each
    carries `label` (its path, org_paths_named). At most `limit`."""
    words = tokens(q)
    if not words:
        return []
    qs = restrict(Organisation.objects.all(), actor, action)
    if not include_dissolved:
        qs = qs.filter(valid_to__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    by_name = Q()
    for word in words:
        by_name &= Q(name_folded__contains=word)
    code = _code_or_none(q)
    found = list(qs.filter(by_name | Q(code=code) if code else by_name)[: limit * 4])
    folded = " ".join(words)

    def rank(o):
        return (
            o.code != code,
            not o.is_active,
            not o.name_folded.startswith(folded) and f" {folded}" not in o.name_folded,
            o.depth,
            natural_key(o.name_folded),
        )

    found = sorted(found, key=rank)[:limit]
    labels = org_paths_named(actor=actor, orgs=found, action=action)
    for o in found:
        o.label = labels[o.pk]
    return found


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
