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

from dangvu.core.db import Prepared, json_rows
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import Member
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.stats.counted import (
    member_contribution,
    org_contribution,
    period_columns,
)
from dangvu.stats.models import SubtreeCounter, SubtreeSnapshot
from dangvu.stats.snapshots import add_members, snapshots_adjust_many

__all__ = [
    "Deltas",
    "counters_deferred",
    "counters_apply",
    "spread",
    "snapshots_invalidate",
    "cell_counts",
    "subtree_totals",
    "TreeCounters",
    "MemberCounters",
]

Deltas = Tally  # (org_id, dim, value) -> int


def spread(deltas: Deltas, org_ids: Iterable[int], contribution: dict, sign: int) -> None:
    """Add sign × contribution to every organisation in org_ids."""
    for org_id in org_ids:
        for (dim, value), n in contribution.items():
            deltas[(org_id, dim, value)] += sign * n


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
    from its own members (at most a few hundred) when asked (cell_counts);
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
    SubtreeSnapshot.objects.filter(day__gte=since).delete()


# --- keeping the counters: what the writers below stats tell it ------------------------------


_MEMBER_COLUMNS = period_columns(record_prefix="")
_CELL_MEMBERS = Prepared(
    lambda path, cell: (
        Member.objects.filter(org_path=path, organisation_id=cell, status__in=IN_PARTY)
        .annotate(**_MEMBER_COLUMNS)
        .values_list(*_MEMBER_COLUMNS)
    ),
    "~path~",
    -7_777_777,
)


def cell_counts(cell: Organisation) -> Tally:
    """What a cell's rollup counters would hold (cells keep none), counted from its own
    members' counted columns (the periods' SQL on the member rows), column by column: a few
    hundred rows at most, the SQL compiled once (a cell's report today took 3 ms, most of it
    one Python dictionary per member)."""
    tally: Tally = Tally(org_contribution(cell) if cell.valid_to is None else {})
    add_members(tally, _CELL_MEMBERS.rows(cell.path, cell.pk), 1)
    return tally


def subtree_totals(org: Organisation) -> Tally:
    """What the subtree of `org` adds to its ancestors' counters: its root's counter rows, or
    for a cell (which keeps none) its own contribution and its members'."""
    if org.kind in MEMBER_HOLDING_KINDS:
        return cell_counts(org)
    return Tally(
        {
            (dim, value): count
            for dim, value, count in SubtreeCounter.objects.filter(organisation=org)
            .exclude(count=0)
            .values_list("dim", "value", "count")
        }
    )


class TreeCounters:
    """The tree observer (core.registry.TreeObserver) that keeps the counters and drops the
    snapshots a change to the tree makes stale."""

    def organisations_added(self, orgs, chains) -> None:
        deltas = Deltas()
        for org in orgs:
            spread(deltas, chains[org.pk], org_contribution(org), +1)
        counters_apply(deltas)

    def organisation_ended(self, org, chain) -> None:
        deltas = Deltas()
        spread(deltas, chain, org_contribution(org), -1)
        counters_apply(deltas)

    def subtree_moved(self, org, old_chain, new_chain) -> None:
        totals = subtree_totals(org)
        deltas = Deltas()
        spread(deltas, old_chain, totals, -1)
        spread(deltas, new_chain, totals, +1)
        counters_apply(deltas)

    def tree_changed(self, since) -> None:
        snapshots_invalidate(since)


class MemberCounters:
    """The member projection (members.projections) that moves the counters of every ancestor
    of the cells a change leaves and joins, and the snapshots it reaches back into."""

    def members_changed(self, changes, paths) -> None:
        # Summed per chain of ancestors above the cells first (the cells of one grassroots
        # organisation share it), then spread once per chain: a bulk load of a commune adds
        # thousands of members to a few chains.
        by_chain: dict[tuple[int, ...], Tally] = {}
        for change in changes:
            for row, sign in ((change.before, -1), (change.after, +1)):
                if row is None or row.status not in IN_PARTY:
                    continue
                chain = tuple(paths.ancestors(row.organisation_id)[:-1])
                tally = by_chain.setdefault(chain, Tally())
                if sign > 0:
                    tally.update(member_contribution(row))
                else:
                    tally.subtract(member_contribution(row))
        deltas = Deltas()
        for chain, tally in by_chain.items():
            spread(deltas, chain, tally, +1)
        counters_apply(deltas)
        dated = [c for c in changes if c.after_spans is not None]
        if not dated or (len(dated) > 1 and not SubtreeSnapshot.objects.exists()):
            return
        snapshots_adjust_many(
            [(c.before, c.before_spans or [], c.after, c.after_spans) for c in dated]
        )
