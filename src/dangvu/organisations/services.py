"""Organisation lifecycle: create, rename, move, merge, split, dissolve — keeping history.

Each service is one transaction: the tree change, the version rows that keep the old tree
answerable, the lineage links, the rollup counters and the audit record.
"""

from datetime import date

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.audit.services import AuditEntry, audit_bulk, audit_record
from dangvu.core.dates import check_in_range
from dangvu.core.db import allocate_ids, insert_rows, prefix_q, refresh_planner_statistics
from dangvu.core.errors import ValidationError
from dangvu.core.registry import OrgBound, org_bound_entries, tree_observers
from dangvu.core.text import clean_code, clean_text, fold
from dangvu.organisations.choices import (
    ALLOWED_PARENTS,
    LEAF_KINDS,
    GrassrootsType,
    LinkKind,
    OrgKind,
)
from dangvu.organisations.models import (
    STEPLEN,
    Organisation,
    OrganisationLink,
    OrganisationVersion,
)
from dangvu.organisations.tree import ancestor_ids

__all__ = [
    "organisation_create",
    "organisations_create_bulk",
    "organisation_rename",
    "organisation_move",
    "organisation_merge",
    "organisation_split",
    "organisation_dissolve",
]


def _snapshot(org: Organisation) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "grassroots_type": org.grassroots_type,
        "path": org.path,
        "place_name": org.place_name,
        "place_code": org.place_code,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


def _audit(actor, action: str, org: Organisation, before=None, after=None) -> None:
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action=action,
            object_type="organisation",
            object_id=org.pk,
            object_repr=org.name,
            org_path=org.path,
            before=before,
            after=after,
        ),
    )


def _check_date(day: date, field: str = "date") -> None:
    try:
        check_in_range(day)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _check_parent(kind: str, parent: Organisation | None, on: date) -> None:
    if parent is not None and parent.kind in LEAF_KINDS:
        raise ValidationError({"parent": _("A party cell cannot have child organisations.")})
    if (parent.kind if parent else None) not in ALLOWED_PARENTS[kind]:
        raise ValidationError(
            {
                "parent": _("A %(kind)s cannot be placed under %(parent)s.")
                % {
                    "kind": OrgKind(kind).label,
                    "parent": OrgKind(parent.kind).label if parent else _("the top of the tree"),
                }
            }
        )
    if parent is not None and not parent.active_on(on):
        raise ValidationError({"parent": _("The parent organisation did not exist on that date.")})


def _check_not_before_history(org_ids, on: date, field: str = "date") -> None:
    """A change cannot be dated before the organisations' current versions began: history is
    appended, never rewritten."""
    latest = (
        OrganisationVersion.objects.filter(organisation_id__in=org_ids, valid_to__isnull=True)
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    if latest is not None and on < latest:
        raise ValidationError(
            {
                field: _("The date cannot be before the last change already recorded (%(d)s).")
                % {"d": latest.strftime("%d/%m/%Y")}
            }
        )


# --- what follows a change to the tree (core.registry) -----------------------------------------


def _tree_changed(on: date) -> None:
    for observer in tree_observers():
        observer.tree_changed(on)


def _added(orgs: list[Organisation], chains: dict[int, list[int]]) -> None:
    for observer in tree_observers():
        observer.organisations_added(orgs, chains)


def _rewrite_paths(entry: OrgBound, old_path: str, new_path: str) -> None:
    """The default move of organisation-bound rows: their copies of the subtree's paths."""
    field = entry.path_field
    entry.model._base_manager.filter(prefix_q(field, old_path)).update(
        **{field: Concat(Value(new_path), Substr(F(field), Length(Value(old_path)) + 1))}
    )


def _open_version(org: Organisation, on: date) -> OrganisationVersion:
    _tree_changed(on)
    return OrganisationVersion.objects.create(
        organisation=org,
        path=org.path,
        parent_id=Organisation.objects.get_parent(org).pk if org.depth > 1 else None,
        name=org.name,
        kind=org.kind,
        grassroots_type=org.grassroots_type,
        valid_from=on,
    )


def _close_versions(org_ids, on: date) -> None:
    _tree_changed(on)
    OrganisationVersion.objects.filter(organisation_id__in=org_ids, valid_to__isnull=True).update(
        valid_to=on
    )


# --- the one validation of an organisation's fields (single and bulk creation) ---------------

_TEXT_LIMITS = {"name": 255, "place_name": 255, "place_code": 10}


def clean_organisation(spec: dict, parent_kind: str | None) -> tuple[dict, dict[str, str]]:
    """An organisation's fields checked and normalised for creation under a parent of kind
    `parent_kind` (None: a root): (cleaned fields, {field: message}). The code has one pattern
    (core.text.clean_code); texts are NFC without control characters, within their limits."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    if not (spec.get("code") or "").strip():
        errors["code"] = _("Enter a code.")
    else:
        try:
            cleaned["code"] = clean_code(spec["code"])
        except ValueError as exc:
            errors["code"] = str(exc)
    for field, limit in _TEXT_LIMITS.items():
        try:
            cleaned[field] = clean_text(spec.get(field) or "", max_length=limit)
        except ValueError as exc:
            errors[field] = str(exc)
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = _("Enter a name.")
    kind = spec.get("kind")
    if kind not in OrgKind.values:
        errors["kind"] = _("Unknown kind of organisation: %(kind)s.") % {"kind": kind}
    elif parent_kind in LEAF_KINDS:
        errors["parent"] = _("A party cell cannot have child organisations.")
    elif parent_kind not in ALLOWED_PARENTS[kind]:
        errors["parent"] = _("A %(kind)s cannot be placed under %(parent)s.") % {
            "kind": OrgKind(kind).label,
            "parent": OrgKind(parent_kind).label if parent_kind else _("the top of the tree"),
        }
    cleaned["kind"] = kind
    gtype = spec.get("grassroots_type") or ""
    if gtype not in ("", *GrassrootsType.values):
        errors["grassroots_type"] = _("Unknown grassroots type: %(t)s.") % {"t": gtype}
    cleaned["grassroots_type"] = gtype
    return cleaned, errors


def _codes_taken(codes) -> set[str]:
    return set(Organisation.objects.filter(code__one_of=list(codes)).values_list("code", flat=True))


def _decision(decision_number: str) -> str:
    try:
        return clean_text(decision_number, max_length=60)
    except ValueError as exc:
        raise ValidationError({"decision_number": str(exc)}) from None


@transaction.atomic
def organisation_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: Organisation | None,
    valid_from: date,
    grassroots_type: str = "",
    place_name: str = "",
    place_code: str = "",
) -> Organisation:
    """Create an organisation under `parent` (None: a root).

    Preconditions: code unused; kind allowed under the parent's kind; a cell has no children.
    Effects: the node, its first version, +1 in the org_kind counters of it and its ancestors.
    """
    cleaned, errors = clean_organisation(
        dict(
            code=code,
            name=name,
            kind=kind,
            grassroots_type=grassroots_type,
            place_name=place_name,
            place_code=place_code,
        ),
        parent.kind if parent else None,
    )
    if "code" in cleaned and _codes_taken([cleaned["code"]]):
        errors["code"] = _("An organisation with code %(code)s already exists.") % {
            "code": cleaned["code"]
        }
    if errors:
        raise ValidationError(errors)
    _check_date(valid_from, "valid_from")
    _check_parent(kind, parent, valid_from)
    fields = {**cleaned, "name_folded": fold(cleaned["name"]), "valid_from": valid_from}
    org = (
        Organisation.objects.add_child(parent, create_kwargs=fields)
        if parent
        else Organisation.objects.add_root(create_kwargs=fields)
    )
    _open_version(org, valid_from)
    _added([org], {org.pk: ancestor_ids(org.path)})
    _audit(actor, "organisation.create", org, after=_snapshot(org))
    return org


_ORG_FIELDS = ("code", "name", "kind", "grassroots_type", "place_name", "place_code")


@transaction.atomic
def organisations_create_bulk(
    *, actor, parent: Organisation, specs: list[dict], valid_from: date
) -> list[Organisation]:
    """Create a whole branch under an existing `parent` at once (a commune with its grassroots
    organisations and cells): the same checks as organisation_create, rows written with
    executemany / COPY, one audit record for the branch.

    Each spec: code, name, kind, optional grassroots_type / place_name / place_code, and
    "children" (specs of the same shape). Errors name the code: {"X123-T01: parent": …}.
    Returns the new organisations, parents before their children.
    """
    _check_date(valid_from, "valid_from")
    flat: list[tuple[dict, dict | None]] = []  # (spec, parent spec or None for `parent`)

    def walk(items, up):
        for spec in items:
            flat.append((spec, up))
            walk(spec.get("children") or (), spec)

    walk(specs, None)
    if not flat:
        return []
    errors = {}
    cleaned_of: dict[int, dict] = {}
    seen = set()
    for spec, up in flat:
        cleaned, problems = clean_organisation(spec, up["kind"] if up else parent.kind)
        cleaned_of[id(spec)] = cleaned
        code = cleaned.get("code") or spec.get("code") or ""
        for field, message in problems.items():
            errors[f"{code}: {field}" if code else field] = message
        if code and code in seen:
            errors[code] = _("The code %(code)s is given twice.") % {"code": code}
        seen.add(code)
    for code in _codes_taken(c["code"] for c in cleaned_of.values() if "code" in c):
        errors[code] = _("An organisation with code %(code)s already exists.") % {"code": code}
    if not parent.active_on(valid_from):
        errors["parent"] = _("The parent organisation did not exist on that date.")
    if errors:
        raise ValidationError(errors)

    parent = Organisation.objects.select_for_update().get(pk=parent.pk)
    # A range on the indexed path, not startswith (a LIKE that SQLite cannot index).
    last = (
        Organisation.objects.filter(
            path__gt=parent.path, path__lt=parent.path + "~", depth=parent.depth + 1
        )
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    next_step = {id(None): Organisation._str2int(last[-STEPLEN:]) + 1 if last else 1}
    numchild: dict[int, int] = {}
    created: list[Organisation] = []
    node_of: dict[int, Organisation] = {}
    ids = iter(allocate_ids(Organisation, len(flat)))
    for spec, up in flat:
        up_node = node_of[id(up)] if up else parent
        step = next_step.get(id(up), 1)
        next_step[id(up)] = step + 1
        numchild[id(up)] = numchild.get(id(up), 0) + 1
        cleaned = cleaned_of[id(spec)]
        org = Organisation(
            id=next(ids),
            path=Organisation._get_path(up_node.path, up_node.depth + 1, step),
            depth=up_node.depth + 1,
            numchild=0,
            name_folded=fold(cleaned["name"]),
            valid_from=valid_from,
            **cleaned,
        )
        org._parent_id = up_node.pk
        node_of[id(spec)] = org
        created.append(org)
    for spec, org in ((s, node_of[id(s)]) for s, _up in flat):
        org.numchild = numchild.get(id(spec), 0)
    fields = Organisation._meta.concrete_fields
    insert_rows(
        Organisation,
        [f.column for f in fields],
        ([getattr(o, f.attname) for f in fields] for o in created),
    )
    Organisation.objects.filter(pk=parent.pk).update(numchild=F("numchild") + numchild[id(None)])
    _tree_changed(valid_from)
    insert_rows(
        OrganisationVersion,
        ("organisation_id", "path", "parent_id", "name", "kind", "grassroots_type", "valid_from"),
        (
            (o.pk, o.path, o._parent_id, o.name, o.kind, o.grassroots_type, valid_from)
            for o in created
        ),
    )
    above = ancestor_ids(parent.path)
    by_path = {o.path: o.pk for o in created}
    _added(
        created,
        {
            o.pk: above
            + [
                by_path[o.path[:i]]
                for i in range(len(parent.path) + STEPLEN, len(o.path) + 1, STEPLEN)
            ]
            for o in created
        },
    )
    audit_bulk(
        actor=actor,
        entries=[
            AuditEntry(
                action="organisation.create_bulk",
                object_type="organisation",
                object_id=parent.pk,
                object_repr=parent.name,
                org_path=parent.path,
                after={
                    "valid_from": valid_from,
                    "created": [{f: getattr(o, f) for f in _ORG_FIELDS} for o in created],
                },
            )
        ],
    )
    if len(created) >= 1000:
        refresh_planner_statistics(Organisation, OrganisationVersion, added=len(created))
    for o in created:
        o._state.adding = False
    return created


@transaction.atomic
def organisation_rename(
    *, actor, org: Organisation, name: str, on: date, decision_number: str = ""
) -> Organisation:
    try:
        name = clean_text(name, max_length=_TEXT_LIMITS["name"])
    except ValueError as exc:
        raise ValidationError({"name": str(exc)}) from None
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    decision_number = _decision(decision_number)
    _check_date(on)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if not org.is_active:
        raise ValidationError({"organisation": _("This organisation no longer exists.")})
    _check_not_before_history([org.pk], on)
    before = _snapshot(org)
    org.name = name
    org.name_folded = fold(name)
    org.save(update_fields=["name", "name_folded"])
    _close_versions([org.pk], on)
    _open_version(org, on)
    OrganisationLink.objects.create(
        source=org,
        target=org,
        kind=LinkKind.RENAMED,
        date=on,
        decision_number=decision_number,
        note=before["name"],
    )
    _audit(actor, "organisation.rename", org, before=before, after=_snapshot(org))
    return org


@transaction.atomic
def organisation_move(
    *,
    actor,
    org: Organisation,
    new_parent: Organisation,
    on: date,
    decision_number: str = "",
    link: bool = True,
) -> Organisation:
    """Move an organisation with its whole subtree and its members under a new parent.

    Members move with it without a personal transfer: their own history is untouched and a
    report as of a date before `on` still counts them under the old parent.
    """
    decision_number = _decision(decision_number)
    org = Organisation.objects.get(pk=org.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    _check_date(on)
    if not org.is_active:
        raise ValidationError({"organisation": _("This organisation no longer exists.")})
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("An organisation cannot be moved under itself.")})
    _check_parent(org.kind, new_parent, on)
    _check_not_before_history(
        Organisation.objects.get_tree(org).filter(valid_to__isnull=True).values("pk"), on
    )
    before = _snapshot(org)
    old_path = org.path
    old_chain = ancestor_ids(old_path)[:-1]

    Organisation.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    new_path = org.path

    # Versions: every active node of the subtree gets a new one with its new path.
    subtree = list(Organisation.objects.get_tree(org).filter(valid_to__isnull=True))
    _close_versions([n.pk for n in subtree], on)
    parents = {n.path: n.pk for n in subtree}
    parents[new_parent.path] = new_parent.pk
    OrganisationVersion.objects.bulk_create(
        OrganisationVersion(
            organisation=n,
            path=n.path,
            parent_id=parents.get(n.path[: -Organisation.steplen]),
            name=n.name,
            kind=n.kind,
            grassroots_type=n.grassroots_type,
            valid_from=on,
        )
        for n in subtree
    )
    # The rows that belong to the subtree's organisations follow it (core.registry).
    for entry in org_bound_entries():
        if entry.move is not None:
            entry.move(old_path=old_path, new_path=new_path)
        else:
            _rewrite_paths(entry, old_path, new_path)
    for observer in tree_observers():
        observer.subtree_moved(org, old_chain, ancestor_ids(new_parent.path))
    if link:
        OrganisationLink.objects.create(
            source=org,
            target=new_parent,
            kind=LinkKind.MOVED,
            date=on,
            decision_number=decision_number,
        )
    _audit(actor, "organisation.move", org, before=before, after=_snapshot(org))
    return org


def _deactivate(actor, org: Organisation, on: date, action: str) -> None:
    before = _snapshot(org)
    org.valid_to = on
    org.save(update_fields=["valid_to"])
    _close_versions([org.pk], on)
    chain = ancestor_ids(org.path)
    for observer in tree_observers():
        observer.organisation_ended(org, chain)
    _audit(actor, action, org, before=before, after=_snapshot(org))


def _active_children(org: Organisation) -> list[Organisation]:
    return list(Organisation.objects.get_children(org).filter(valid_to__isnull=True))


@transaction.atomic
def organisation_dissolve(
    *, actor, org: Organisation, on: date, decision_number: str = ""
) -> Organisation:
    """Dissolve an organisation that has no active child organisation and no live row of any
    organisation-bound model (no member left)."""
    decision_number = _decision(decision_number)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    _check_date(on)
    if not org.is_active:
        raise ValidationError({"organisation": _("This organisation no longer exists.")})
    if on < org.valid_from:
        raise ValidationError({"date": _("The date is before the organisation was founded.")})
    _check_not_before_history([org.pk], on)
    if _active_children(org):
        raise ValidationError(
            {"organisation": _("Move or dissolve its child organisations first.")}
        )
    for entry in org_bound_entries():
        if entry.live_ids is not None and entry.live_ids(org):
            raise ValidationError({"organisation": str(entry.live_message)})
    _deactivate(actor, org, on, "organisation.dissolve")
    OrganisationLink.objects.create(
        source=org, kind=LinkKind.DISSOLVED, date=on, decision_number=decision_number
    )
    return org


def _hand_over(actor, source, target, children, rows, on, decision_number) -> None:
    """Move child organisations under `target` and the live rows of `source` into it (`rows`:
    {registry label: ids}; a label left out carries all its rows) — the common step of a
    merge and a split. Rows of models registered without `reassign` stay with `source`."""
    for child in children:
        organisation_move(
            actor=actor,
            org=child,
            new_parent=target,
            on=on,
            decision_number=decision_number,
            link=False,
        )
    for entry in org_bound_entries():
        if entry.reassign is None:
            continue
        ids = rows.get(entry.label) if rows is not None else None
        if ids is None or ids:
            entry.reassign(
                actor=actor,
                source=source,
                target=target,
                on=on,
                decision_number=decision_number,
                ids=ids,
            )


@transaction.atomic
def organisation_merge(
    *, actor, sources: list[Organisation], target: Organisation, on: date, decision_number: str = ""
) -> Organisation:
    """Merge organisations into `target` (existing or just created).

    Their child organisations move under the target; their members move to it without a
    personal transfer (a `reorganised` event each, keeping their full history); the sources
    end on `on` with a merged_into link.
    """
    decision_number = _decision(decision_number)
    target = Organisation.objects.get(pk=target.pk)
    _check_date(on)
    if not target.active_on(on):
        raise ValidationError(
            {"target": _("The receiving organisation does not exist on that date.")}
        )
    for source in sources:
        source = Organisation.objects.get(pk=source.pk)
        if source.pk == target.pk or target.path.startswith(source.path):
            raise ValidationError({"sources": _("An organisation cannot be merged into itself.")})
        if not source.is_active:
            raise ValidationError(
                {"sources": _("%(name)s no longer exists.") % {"name": source.name}}
            )
        _check_not_before_history([source.pk], on)
        _hand_over(actor, source, target, _active_children(source), None, on, decision_number)
        source.refresh_from_db()
        _deactivate(actor, source, on, "organisation.merge")
        OrganisationLink.objects.create(
            source=source,
            target=target,
            kind=LinkKind.MERGED_INTO,
            date=on,
            decision_number=decision_number,
        )
    return target


@transaction.atomic
def organisation_split(
    *,
    actor,
    source: Organisation,
    parts: list[dict],
    on: date,
    decision_number: str = "",
) -> list[Organisation]:
    """Split `source` into parts. Each part: {"target": Organisation, "children":
    [Organisation], and per organisation-bound model with live rows its ids under the model's
    registry label, e.g. "members": [ids]}; every child and every live row must go to exactly
    one part."""
    decision_number = _decision(decision_number)
    source = Organisation.objects.get(pk=source.pk)
    _check_date(on)
    _check_not_before_history([source.pk], on)
    handed = [e for e in org_bound_entries() if e.live_ids is not None and e.reassign is not None]
    child_ids = {c.pk for c in _active_children(source)}
    given_children = [c.pk for p in parts for c in p.get("children", [])]
    complete = sorted(given_children) == sorted(child_ids) and all(
        sorted(i for p in parts for i in p.get(e.label, [])) == sorted(e.live_ids(source))
        for e in handed
    )
    if not complete:
        raise ValidationError(
            {"parts": _("Every member and child organisation must go to exactly one part.")}
        )
    targets = []
    for part in parts:
        target = part["target"]
        _hand_over(
            actor,
            source,
            target,
            part.get("children", []),
            {e.label: part.get(e.label, []) for e in handed},
            on,
            decision_number,
        )
        targets.append(target)
    source.refresh_from_db()
    _deactivate(actor, source, on, "organisation.split")
    for target in targets:
        OrganisationLink.objects.create(
            source=source,
            target=target,
            kind=LinkKind.SPLIT_INTO,
            date=on,
            decision_number=decision_number,
        )
    return targets
