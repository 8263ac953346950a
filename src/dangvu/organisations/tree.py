"""Paths of the organisation tree: an organisation's ancestors, by path or by id.

A path is the concatenation of STEPLEN-character steps (treebeard's materialised path), so a
node's ancestors' paths are its path's prefixes; their ids take one indexed query.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from dangvu.core.db import fetch
from dangvu.organisations.models import STEPLEN, Organisation

__all__ = ["ancestor_paths", "ancestor_ids", "OrgPaths"]


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's path, root first."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def ancestor_ids(path: str, cache: dict | None = None) -> list[int]:
    """Ids of the node at `path` and of all its ancestors (from the current tree), root first."""
    if cache is not None and path in cache:
        return cache[path]
    paths = ancestor_paths(path)
    ids = [
        row[0]
        for row in fetch(
            f"SELECT id FROM {Organisation._meta.db_table} WHERE path IN "
            f"({', '.join(['%s'] * len(paths))}) ORDER BY path",
            paths,
        )
    ]
    if cache is not None:
        cache[path] = ids
    return ids


@dataclass
class OrgPaths:
    """Organisation id -> (path, ancestor ids), loaded once per operation."""

    cache: dict = field(default_factory=dict)

    def path(self, org_id: int) -> str:
        return self._get(org_id)[0]

    def ancestors(self, org_id: int) -> list[int]:
        """The organisation's id and its ancestors', root first."""
        return self._get(org_id)[1]

    def preload_one(self, org_id: int, path: str) -> None:
        """A path already known (a row's own copy): one query for the ancestors."""
        if org_id not in self.cache:
            self.cache[org_id] = (path, ancestor_ids(path))

    def preload(self, orgs: Iterable[Organisation]) -> None:
        """Paths and ancestors of many organisations in one query (bulk loads)."""
        wanted = list({o.pk for o in orgs if o is not None and o.pk not in self.cache})
        if not wanted:
            return
        # The current paths (an object in hand may predate a move).
        todo = dict(Organisation.objects.filter(pk__one_of=wanted).values_list("pk", "path"))
        prefixes = sorted({p for path in todo.values() for p in ancestor_paths(path)})
        ids = dict(Organisation.objects.filter(path__one_of=prefixes).values_list("path", "id"))
        for pk, path in todo.items():
            self.cache[pk] = (path, [ids[p] for p in ancestor_paths(path)])

    def _get(self, org_id):
        if org_id not in self.cache:
            path = Organisation.objects.values_list("path", flat=True).get(pk=org_id)
            self.cache[org_id] = (path, ancestor_ids(path))
        return self.cache[org_id]
