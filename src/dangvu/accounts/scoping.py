"""THE access gate. Every view, API endpoint, export, htmx fragment, home-page widget and
command that serves a person decides here, with the actor, about the rows it serves.

A user's active grants become a Scope once per request (cached on the user object): for each
action, the organisation paths whose subtree (or the organisation alone) it covers. Every row
that belongs to an organisation is registered (dangvu.core.registry.OrgBound) with the field
holding its organisation's path, so one rule decides about any of them:

- `restrict(queryset, actor, action)`: the rows the actor may `action`;
- `get_or_404(actor, model, action, **lookup)`: one of them, or Http404 — outside the scope an
  object does not exist, whether or not it does;
- `allows(actor, action, obj)`: a decision about one object in hand, by its own path;
- `sensitive_allowed(actor, obj)` / `release_sensitive(...)`: whether the object's sensitive
  fields may be shown, and the one audit record per request of those that were.

"Holds this action somewhere" (`holds_anywhere`) only shapes menus; it never decides about an
object. docs/decisions/0009 says why the gate is here and how an app joins it.
"""

from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.roles import ALL_ACTIONS, ROLE_ACTIONS
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.db import prefix_q
from dangvu.core.registry import org_bound

__all__ = [
    "SYSTEM",
    "Scope",
    "scope_for",
    "clear_scope_cache",
    "restrict",
    "get_or_404",
    "allows",
    "holds_anywhere",
    "covers_all",
    "sensitive_allowed",
    "release_sensitive",
]

_CACHE_ATTR = "_dangvu_scope"


class _System:
    """Dangvu itself, or an administrator's command-line tool run without `--as USER`: every
    action everywhere, audited as "system"."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    username = "system"

    def __str__(self):
        return self.username


SYSTEM = _System()


@dataclass
class Scope:
    everything: frozenset[str] = frozenset()  # actions granted over the whole tree
    subtrees: dict[str, set[str]] = field(default_factory=dict)  # action -> path prefixes
    exact: dict[str, set[str]] = field(default_factory=dict)  # action -> exact paths
    member_id: int | None = None  # the user's own member record
    roles: frozenset[str] = frozenset()  # the roles held today (the second factor's rule)

    def actions(self) -> set[str]:
        return set(self.everything) | set(self.subtrees) | set(self.exact)

    def path_q(self, action: str, field_name: str) -> Q:
        if action in self.everything:
            return Q()
        q = Q(pk__in=[])
        for prefix in sorted(self.subtrees.get(action, ())):
            q |= prefix_q(field_name, prefix)
        exact = self.exact.get(action)
        if exact:
            q |= Q(**{f"{field_name}__in": sorted(exact)})
        return q

    def covers_path(self, action: str, path: str) -> bool:
        if action in self.everything:
            return True
        return any(
            path.startswith(p) for p in self.subtrees.get(action, ())
        ) or path in self.exact.get(action, ())

    def covers_subtree(self, action: str, path: str) -> bool:
        """The action reaches everything under `path` (a grant at it or above it)."""
        if action in self.everything:
            return True
        return any(path.startswith(p) for p in self.subtrees.get(action, ()))

    def roots(self, action: str) -> list[str] | None:
        """The highest paths the action reaches (None: the whole tree)."""
        if action in self.everything:
            return None
        paths = sorted(self.subtrees.get(action, set()) | self.exact.get(action, set()))
        subtrees = self.subtrees.get(action, set())
        return [p for p in paths if not any(p != o and p.startswith(o) for o in subtrees)]


def scope_for(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=ALL_ACTIONS, roles=frozenset({"admin"}))
    else:
        today = timezone.localdate()
        grants = (
            RoleGrant.objects.filter(user=user)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
            .select_related("organisation")
        )
        subtrees: dict[str, set[str]] = {}
        exact: dict[str, set[str]] = {}
        everything: set[str] = set()
        roles: set[str] = set()
        for grant in grants:
            roles.add(grant.role)
            org = grant.organisation
            for action in ROLE_ACTIONS.get(grant.role, ()):
                if action == "members.view_self":
                    continue  # one's own record, never a subtree (the registry's self rule)
                if grant.include_descendants and org.depth == 1 and org.kind == "central":
                    everything.add(action)
                target = subtrees if grant.include_descendants else exact
                target.setdefault(action, set()).add(org.path)
        scope = Scope(
            everything=frozenset(everything),
            subtrees=subtrees,
            exact=exact,
            roles=frozenset(roles),
        )
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    scope.member_id = member.pk if member is not None else None
    setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _actor_id(actor) -> int | None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    return actor.pk


def restrict(queryset: QuerySet, actor, action: str | None = None) -> QuerySet:
    """The rows of `queryset` the actor may `action` (default: the model's view action): those
    whose organisation the action covers, and those about the actor themselves where the
    model's registration says so (a member's own record)."""
    entry = org_bound(queryset.model)
    action = action or entry.view_action
    scope = scope_for(actor)
    if action in scope.everything:
        return queryset
    q = scope.path_q(action, entry.path_field)
    own = _actor_id(actor)
    if entry.self_field and action in entry.self_actions and own is not None:
        q |= Q(**{entry.self_field: own})
    return queryset.filter(q)


def get_or_404(actor, model, action: str | None = None, **lookup) -> Model:
    """The one object of `model` (a model or a queryset) matching `lookup` that the actor may
    `action`; Http404 when there is none, or when it exists outside the actor's scope."""
    queryset = model if isinstance(model, QuerySet) else model._default_manager.all()
    obj = restrict(queryset.filter(**lookup), actor, action).first()
    if obj is None:
        raise Http404
    return obj


def _about(obj, self_field: str):
    """The id of the user a row is about, following `self_field` ("user", "member__user")."""
    *hops, last = self_field.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def allows(actor, action: str, obj) -> bool:
    """Whether the actor may `action` this object, decided by its own organisation's path."""
    entry = org_bound(type(obj))
    if scope_for(actor).covers_path(action, getattr(obj, entry.path_field) or ""):
        return True
    own = _actor_id(actor)
    return bool(
        entry.self_field
        and action in entry.self_actions
        and own is not None
        and _about(obj, entry.self_field) == own
    )


def holds_anywhere(actor, action: str) -> bool:
    """The actor holds the action somewhere: for menus and links only (which pages to offer),
    never for a decision about an object."""
    scope = scope_for(actor)
    return action in scope.actions() or (action == "members.view_self" and bool(scope.member_id))


def covers_all(actor, action: str, view_action: str, path: str | None = None) -> bool:
    """`action` reaches every row the actor can `view_action` (under `path` when given). For
    filters on sensitive fields: such a filter is allowed only where no row it could select
    is hidden from the actor's sensitive view (else its result would reveal the field)."""
    scope = scope_for(actor)
    if action in scope.everything:
        return True
    regions: list[tuple[bool, str]] = []  # (a whole subtree?, path)
    if view_action in scope.everything:
        regions.append((True, path or ""))
    else:
        for p in scope.subtrees.get(view_action, ()):
            if path is None or p.startswith(path):
                regions.append((True, p))
            elif path.startswith(p):
                regions.append((True, path))
        for e in scope.exact.get(view_action, ()):
            if path is None or e.startswith(path):
                regions.append((False, e))
    return all(
        scope.covers_subtree(action, p) if whole else scope.covers_path(action, p)
        for whole, p in regions
    )


# --- sensitive fields -----------------------------------------------------------------------


def sensitive_allowed(actor, obj) -> bool:
    """The object's sensitive fields may be shown to the actor: their sensitive action covers
    the object's organisation (or the object is about the actor)."""
    entry = org_bound(type(obj))
    if not entry.sensitive_fields or not entry.sensitive_action:
        return True
    return allows(actor, entry.sensitive_action, obj)


def release_sensitive(actor, objs, *, via: str, fields: tuple[str, ...] | None = None) -> set:
    """Decide, for every object served in one response, whether its sensitive fields are shown;
    returns the primary keys of those shown and writes ONE audit record naming them (nothing
    when none is). Call once per request with everything the response shows."""
    objs = list(objs)
    if not objs:
        return set()
    entry = org_bound(type(objs[0]))
    shown = [o for o in objs if sensitive_allowed(actor, o)]
    if shown and entry.sensitive_fields:
        first = shown[0]
        single = len(shown) == 1
        audit_record(
            actor=actor,
            entry=AuditEntry(
                action=f"{entry.model._meta.model_name}.sensitive_view",
                object_type=entry.model._meta.model_name,
                object_id=first.pk if single else "",
                object_repr=str(first) if single else str(len(shown)),
                org_path=getattr(first, entry.path_field) if single else "",
                after={
                    "via": via,
                    "fields": list(fields or entry.sensitive_fields),
                    "ids": sorted(o.pk for o in shown),
                },
            ),
        )
    return {o.pk for o in shown}
