"""THE visibility rule. Every view, API endpoint, export and report asks here.

A user's active grants become a Scope once per request (cached on the user object):
for each action, the organisation paths whose subtree (or the organisation alone) it covers.
Outside the scope an object does not exist: callers turn an empty lookup into a 404.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.roles import ALL_ACTIONS, ROLE_ACTIONS
from dangvu.core.db import prefix_q

__all__ = ["Scope", "scope_for", "org_q", "member_q", "can", "clear_scope_cache"]

_CACHE_ATTR = "_dangvu_scope"


@dataclass
class Scope:
    everything: frozenset[str] = frozenset()  # actions granted over the whole tree
    subtrees: dict[str, set[str]] = field(default_factory=dict)  # action -> path prefixes
    exact: dict[str, set[str]] = field(default_factory=dict)  # action -> exact paths
    member_id: int | None = None  # the user's own member record

    def actions(self) -> set[str]:
        return set(self.everything) | set(self.subtrees) | set(self.exact)

    def path_q(self, action: str, field_name: str) -> Q:
        if action in self.everything:
            return Q()
        q = Q(pk__in=[])
        for prefix in self.subtrees.get(action, ()):
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


def scope_for(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=ALL_ACTIONS)
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
        for grant in grants:
            org = grant.organisation
            for action in ROLE_ACTIONS.get(grant.role, ()):
                if action == "members.view_self":
                    continue  # one's own record, never a subtree (see member_q)
                if grant.include_descendants and org.depth == 1 and org.kind == "central":
                    everything.add(action)
                target = subtrees if grant.include_descendants else exact
                target.setdefault(action, set()).add(org.path)
        scope = Scope(everything=frozenset(everything), subtrees=subtrees, exact=exact)
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    scope.member_id = member.pk if member is not None else None
    setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def can(user, action: str) -> bool:
    """The user holds the action somewhere (object checks use org_q/member_q)."""
    scope = scope_for(user)
    return action in scope.actions() or (action == "members.view_self" and scope.member_id)


def org_q(user, action: str = "organisations.view", field_name: str = "path") -> Q:
    """Filter on Organisation (or on any model with an organisation path field)."""
    return scope_for(user).path_q(action, field_name)


def member_q(user, action: str = "members.view") -> Q:
    """Filter on Member: members of covered subtrees, plus the user's own record."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if action == "members.view_self" else scope.path_q(action, "org_path")
    if scope.member_id and action in ("members.view", "members.view_self"):
        q |= Q(pk=scope.member_id)
    return q
