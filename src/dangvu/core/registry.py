"""The platform's registries, filled by each app in its `AppConfig.ready()`.

- **Organisation-bound rows** (`OrgBound`): every model whose rows belong to an organisation
  registers once: the action that views its rows, the field that holds the organisation's
  materialised path, its sensitive fields, and how a reorganisation carries the rows. The
  access gate (accounts.scoping) decides about any registered row from that path; the
  organisation services run moves, merges, splits and dissolutions over the registry, so
  `organisations` never imports an app above it. An unregistered model cannot pass the gate.
- **Tree observers** (`TreeObserver`): what must follow a change to the tree besides the rows
  themselves (the rollup counters and snapshots of `stats`). Organisation services call them
  explicitly, in their own transaction, for single and bulk changes alike: no signals.
- **Consistency checks**: the parts of `dangvu check` an app contributes beyond the statistics
  (e.g. `dataset`: indexes a stopped load left out).

This module imports nothing of Dangvu: every app may use it (docs/decisions/0010).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "OrgBound",
    "TreeObserver",
    "register_org_bound",
    "org_bound",
    "org_bound_for",
    "org_bound_entries",
    "register_tree_observer",
    "tree_observers",
    "register_check",
    "DueItem",
    "DueSource",
    "register_due",
    "due_sources",
    "consistency_checks",
]


@dataclass(frozen=True)
class OrgBound:
    """How the platform treats the rows of one organisation-bound model.

    - `label`: the rows' name in a split's parts (`{"target": org, "members": [ids]}`).
    - `view_action`: the action that shows a row; other actions are asked for by the caller.
    - `path_field` / `org_field`: the organisation's materialised path (indexed) and the
      foreign key to it, on the row.
    - `sensitive_fields` / `sensitive_action`: fields released only where the actor holds
      `sensitive_action` over the row's organisation (accounts.scoping.sensitive_allowed).
    - `self_field` / `self_actions`: the lookup from a row to the user it is about (a member's
      own record): that user holds `self_actions` on it wherever it sits.
    - `move`: rewrite the paths of the rows below `old_path` after a subtree moved to
      `new_path`; None: the default prefix rewrite of `path_field`.
    - `reassign(actor=, source=, target=, on=, decision_number=, ids=)`: carry the live rows of
      `source` (those `ids`, or all when None) to `target` in a merge or split; None: the rows
      stay with the ended organisation as its history.
    - `live_ids(org)`: the rows that keep `org` from being dissolved and that a split must hand
      out, each to exactly one part; `live_message` says what to do first.
    - `cell_tally(cell)`: what the rows of a cell add to the rollup counters (cells keep no
      counter rows: stats).
    - `live_count(path)` / `title`: how many live rows the subtree at `path` holds, and what
      they are called ("party members"), for the confirmation of a move, merge or dissolution.
    """

    model: type
    label: str
    view_action: str
    path_field: str = "org_path"
    org_field: str = "organisation"
    sensitive_fields: tuple[str, ...] = ()
    sensitive_action: str | None = None
    self_field: str | None = None
    self_actions: frozenset[str] = frozenset()
    move: Callable[..., Any] | None = None
    reassign: Callable[..., int] | None = None
    live_ids: Callable[[Any], list[int]] | None = None
    live_message: str = ""
    cell_tally: Callable[[Any], Any] | None = None
    live_count: Callable[[str], int] | None = None
    title: str = ""


class TreeObserver(Protocol):
    """Told of every change to the organisation tree, inside the changing transaction."""

    def organisations_added(self, orgs: Iterable[Any], chains: dict[int, list[int]]) -> None:
        """New active organisations; `chains[org.pk]` = ids of the org and its ancestors."""

    def organisation_ended(self, org: Any, chain: list[int]) -> None:
        """`org` was dissolved, merged or split (it is no longer active)."""

    def subtree_moved(self, org: Any, old_chain: list[int], new_chain: list[int]) -> None:
        """The subtree of `org` moved: ids of its old and new ancestors (itself excluded)."""

    def tree_changed(self, since: Any) -> None:
        """The tree's history changed from the date `since` on (versions opened or closed)."""


_org_bound: dict[type, OrgBound] = {}
_observers: list[TreeObserver] = []
_checks: dict[str, Callable] = {}


def register_org_bound(entry: OrgBound) -> OrgBound:
    """Register a model's rows as organisation-bound (once per model; from AppConfig.ready)."""
    existing = _org_bound.get(entry.model)
    if existing is not None and existing != entry:
        raise RuntimeError(f"{entry.model.__name__} is already registered differently")
    _org_bound[entry.model] = entry
    return entry


def org_bound(model: type) -> OrgBound:
    """The registration of `model` (or of the concrete model a proxy stands for)."""
    entry = org_bound_for(model)
    if entry is None:
        raise LookupError(
            f"{model.__name__} is not registered as organisation-bound: register it in its "
            "app's AppConfig.ready() (dangvu.core.registry.register_org_bound)"
        )
    return entry


def org_bound_for(model: type) -> OrgBound | None:
    concrete = getattr(getattr(model, "_meta", None), "concrete_model", model)
    return _org_bound.get(concrete)


def org_bound_entries() -> list[OrgBound]:
    return list(_org_bound.values())


def register_tree_observer(observer: TreeObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


def tree_observers() -> list[TreeObserver]:
    return list(_observers)


def register_check(name: str, check: Callable[[Callable[[str, str], None]], None]) -> None:
    """A part of `dangvu check`: `check(report)` calls report(kind, message) per difference."""
    _checks[name] = check


def consistency_checks() -> dict[str, Callable]:
    return dict(_checks)


# --- work that is due (the home page) ---------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """One line of "what is due" on a person's home page: `count` things (`more`: at least
    that many) that `title` names, with a link to the list of them. `level` "overdue" for what
    is already late, "due" for what is due now, "soon" for what falls due shortly."""

    title: str
    count: int
    url: str
    level: str = "due"
    more: bool = False


@dataclass(frozen=True)
class DueSource:
    """An app's contribution to the home page: `items(actor, today)` returns the DueItems this
    person has (through the access gate), an empty list when none."""

    name: str
    order: int
    items: Callable[[Any, Any], list[DueItem]]


_due: dict[str, DueSource] = {}


def register_due(source: DueSource) -> None:
    _due[source.name] = source


def due_sources() -> list[DueSource]:
    return sorted(_due.values(), key=lambda s: s.order)
