"""Rollup counters per subtree (SubtreeCounter), kept in the writer's transaction, for every
organisation above the cells (a cell counts its own members when asked).

Every change that moves a count (a member event, an organisation created or dissolved, a
subtree moved) computes its deltas keyed by (organisation id, dim, value) and applies them here
in one upsert per batch, keys sorted so that concurrent writers lock rows in the same order.
"""

import json
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from dangvu.core.db import fetch, json_rows
from dangvu.organisations.choices import GRASSROOTS_KINDS, MEMBER_HOLDING_KINDS
from dangvu.organisations.models import (
    STEPLEN,
    Organisation,
    SnapshotMark,
    SubtreeCounter,
    SubtreeSnapshot,
)

__all__ = [
    "Deltas",
    "ancestor_paths",
    "ancestor_ids",
    "counters_deferred",
    "counters_apply",
    "org_contribution",
    "spread",
    "snapshots_invalidate",
]

Deltas = Tally  # (org_id, dim, value) -> int


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every ancestor's path, root first."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def ancestor_ids(path: str, cache: dict | None = None) -> list[int]:
    """Ids of the node at `path` and of all its ancestors (from the current tree)."""
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


def spread(deltas: Deltas, org_ids: Iterable[int], contribution: dict, sign: int) -> None:
    """Add sign × contribution to every organisation in org_ids."""
    for org_id in org_ids:
        for (dim, value), n in contribution.items():
            deltas[(org_id, dim, value)] += sign * n


def org_contribution(org: Organisation) -> dict[tuple[str, str], int]:
    """What one active organisation adds to its own and its ancestors' counters."""
    contribution = {("org_kind", org.kind): 1}
    if org.kind in GRASSROOTS_KINDS:
        contribution[("grassroots", "total")] = 1
        if org.grassroots_type:
            contribution[("grassroots_type", org.grassroots_type)] = 1
    return contribution


def _member_holding(org_ids: set[int]) -> set[int]:
    return set(
        Organisation.objects.filter(
            kind__in=sorted(MEMBER_HOLDING_KINDS), id__one_of=sorted(org_ids)
        ).values_list("id", flat=True)
    )


_deferred: ContextVar[Deltas | None] = ContextVar("counters_deferred", default=None)


@contextmanager
def counters_deferred() -> Iterator[None]:
    """Collect the counter deltas of many writes and apply them once, when the block ends
    without an error. For bulk loads, inside the transaction that writes the rows: the
    nation's and the province's rows are then written once per block instead of once per
    batch (the costliest statement of a PostgreSQL national load: 6.5 s → 3.0 s on a 47,000
    member sample). Counters read inside the block do not include its own writes yet."""
    pending = Deltas()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    counters_apply(pending)


def counters_apply(deltas: Deltas) -> None:
    """Add the deltas to the stored counters. Cells keep no rows: a cell's figures are counted
    from its own members (at most a few hundred) when asked (members.selectors.cell_counts);
    a row per birth month, ethnicity, level… of every cell was two thirds of all counter rows
    (docs/decisions/0003)."""
    pending = _deferred.get()
    if pending is not None:
        pending.update(deltas)
        return
    cells = _member_holding({org_id for (org_id, _d, _v), n in deltas.items() if n})
    rows = sorted((k, v) for k, v in deltas.items() if v and k[0] not in cells)
    if not rows:
        return
    table = SubtreeCounter._meta.db_table
    upsert = (
        "ON CONFLICT (organisation_id, dim, value) "
        f"DO UPDATE SET count = {table}.count + excluded.count"
    )
    # One statement, the rows as one JSON parameter (core.db.json_rows), in key order.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, dim, value, count) "
            f"{json_rows('bigint', '', '', 'bigint')} " + upsert,
            [json.dumps([(*k, n) for k, n in rows])],
        )


def snapshots_invalidate(since) -> None:
    """A change to the tree dated `since` makes every snapshot from that day on describe a tree
    that no longer was; drop them (reports fall back to computing from the periods until
    `dangvu snapshots` rebuilds)."""
    marks = list(SnapshotMark.objects.filter(day__gte=since).values_list("organisation_id", "day"))
    for org_id, day in marks:
        SubtreeSnapshot.objects.filter(organisation_id=org_id, day=day).delete()
    SnapshotMark.objects.filter(day__gte=since).delete()
