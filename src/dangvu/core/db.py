"""Database helpers that differ by engine: planner statistics and the bulk write path.

Django's bulk_create costs about 30x a raw executemany for wide models (PERFORMANCE.md, trap 7),
so the services' bulk paths write through `insert_rows`: executemany on SQLite, COPY on
PostgreSQL. Callers stay inside their service's transaction; the rules, events, counters and
audit are the service's business, not this module's.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, transaction
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

__all__ = [
    "refresh_planner_statistics",
    "rebuild_indexes",
    "foreign_keys_checked_after",
    "secondary_indexes",
    "drop_indexes",
    "create_indexes",
    "missing_foreign_keys",
    "restore_foreign_keys",
    "allocate_ids",
    "commit_without_flush_wait",
    "page_cache",
    "planner_settings",
    "instance_maker",
    "insert_rows",
    "json_rows",
    "update_row",
    "fetch",
    "Prepared",
    "ids_in",
    "raw_rows",
    "as_date",
    "prefix_q",
    "PREFIX_END",
]

# Paths ([0-9A-Z]) and folded names ([a-z0-9 ]) sort below "~" bytewise; on PostgreSQL those
# columns use the "C" collation (migrations) so the same holds there.
PREFIX_END = "~"


def prefix_q(field_name: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range an index can serve.

    Django's `__startswith` compiles to a LIKE that SQLite cannot serve from an index, and that
    PostgreSQL can only with a pattern index or a fixed plan (PERFORMANCE.md traps 1 and 2).
    """
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + PREFIX_END})


def refresh_planner_statistics(*models, added: int | None = None) -> None:
    """After a bulk load, tell PostgreSQL's planner how big the tables have become.

    Autovacuum does it eventually, but only after commit: until then a large load inside one
    transaction is planned as if the tables were empty (nested loops over seq scans: seconds
    instead of milliseconds for a report). SQLite plans from its indexes and needs nothing.

    `added`: the rows just loaded; a table the planner already knows to hold ten times as many
    is left alone (statistics that far along stay right, and ANALYZE samples 30,000 rows each
    time: a quarter of a national generation's time went into it).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if added is not None:
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
                known = cursor.fetchone()[0]
                if known > 10 * added:
                    continue
            name = connection.ops.quote_name(table)
            if not connection.in_atomic_block:
                cursor.execute(f"ANALYZE {name}")
                continue
            # Inside a transaction ANALYZE keeps its lock until the commit; two loads analysing
            # the same tables in different orders would wait for each other. A table another
            # transaction is analysing is left to it.
            try:
                with transaction.atomic():
                    cursor.execute(f"LOCK TABLE {name} IN SHARE UPDATE EXCLUSIVE MODE NOWAIT")
                    cursor.execute(f"ANALYZE {name}")
            except OperationalError:
                continue


def rebuild_indexes(*models) -> None:
    """PostgreSQL, after a bulk load: rebuild the tables' indexes packed. Rows inserted in an
    order other than an index's leave its pages split about half full (a national load's indexes
    then weigh about 90 B/member more than when built in one sorted pass, as a restore would
    build them). Locks each table while it runs: for loads, not for a database in use. SQLite
    fills its pages as it goes and needs nothing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"REINDEX TABLE {connection.ops.quote_name(model._meta.db_table)}")


def _foreign_key_fields(model):
    return [
        f
        for f in model._meta.local_concrete_fields
        if f.remote_field is not None and f.db_constraint
    ]


def _foreign_key_constraints(model) -> dict[str, str]:
    """{column: constraint name} of the foreign key constraints on `model`'s table that belong
    to its foreign key fields."""
    columns = {f.column for f in _foreign_key_fields(model)}
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        c["columns"][0]: name
        for name, c in constraints.items()
        if c["foreign_key"] and c["columns"][0] in columns
    }


def _unconstrained_fields(model) -> list:
    present = _foreign_key_constraints(model)
    return [f for f in _foreign_key_fields(model) if f.column not in present]


def missing_foreign_keys(*models) -> list[str]:
    """PostgreSQL: "table.column" of every foreign key field of `models` whose constraint is
    not in the database (a load that stopped inside foreign_keys_checked_after)."""
    if connection.vendor != "postgresql":
        return []
    return [f"{m._meta.db_table}.{f.column}" for m in models for f in _unconstrained_fields(m)]


def _no_pending_checks(cursor) -> None:
    """Inside a transaction, PostgreSQL refuses to alter a table with deferred checks pending:
    run them now (constraints stay deferred for the rest of the transaction)."""
    if connection.in_atomic_block:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def restore_foreign_keys(*models) -> None:
    """PostgreSQL: add the missing foreign key constraints of `models`, as Django creates them
    (deferrable, checked at commit). Adding one checks every row already there, in one join."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _no_pending_checks(cursor)
        for model in models:
            table = model._meta.db_table
            for field in _unconstrained_fields(model):
                target = field.target_field
                name = f"{table}_{field.column}_fk"[:63]
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                    f"FOREIGN KEY ({quote(field.column)}) "
                    f"REFERENCES {quote(target.model._meta.db_table)} ({quote(target.column)}) "
                    "DEFERRABLE INITIALLY DEFERRED"
                )


@contextmanager
def foreign_keys_checked_after(*models, leave: Sequence = ()) -> Iterator[None]:
    """PostgreSQL, for a bulk load into `models`: their foreign keys checked once over all rows
    at the end instead of row by row. A row-by-row check is a locking lookup of the parent row
    per reference: about 260 µs of the server's 390 µs per generated member (eleven references
    each). The constraints are dropped on entry and added back on exit, which checks every row
    (an error there names the constraint); a load killed in between leaves them out until the
    next `restore_foreign_keys` (generate calls it on every run; `dangvu check` reports them).
    As a restore does it. SQLite keeps its checks at commit (not measured there).

    `leave`: models whose constraints the caller restores itself when the block succeeds
    (generate checks the events' beside the snapshot build); after an error, all come back."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _no_pending_checks(cursor)
        for model in models:
            table = quote(model._meta.db_table)
            for name in _foreign_key_constraints(model).values():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    try:
        yield
    except BaseException:
        restore_foreign_keys(*models)
        raise
    restore_foreign_keys(*[model for model in models if model not in leave])


def secondary_indexes(*models) -> list[list[str]]:
    """[name, definition] of every index of the models' tables that neither keys nor constrains
    them (those a bulk load can build after its rows; `create_indexes`)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY c.relname"
        )
    else:
        # Keys and unique constraints are sqlite_autoindex_* (no SQL) or CREATE UNIQUE INDEX.
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name"
        )
    return [list(row) for model in models for row in fetch(sql, [model._meta.db_table])]


def drop_indexes(names: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")


def create_indexes(indexes: Iterable[Sequence[str]]) -> list[str]:
    """Create the [name, definition] indexes that do not exist (each built in one sorted pass:
    packed, as a restore builds them). Returns the names created."""
    if connection.vendor == "postgresql":
        missing, key = "SELECT to_regclass(%s) IS NULL", connection.ops.quote_name
    else:
        missing = (
            "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s)"
        )
        key = str
    created = []
    with connection.cursor() as cursor:
        for name, definition in indexes:
            cursor.execute(missing, [key(name)])
            if cursor.fetchone()[0]:
                cursor.execute(definition)
                created.append(name)
    return created


def commit_without_flush_wait() -> None:
    """PostgreSQL, inside a transaction of a bulk load: its commit returns before the write-ahead
    log reaches the disk (synchronous_commit off, for this transaction only). A commit waited
    about 75 ms for the flush on this machine: a national load commits about 1,900 times.
    A server crash can lose the last such commits, never part of one: what generate and
    `dangvu snapshots` write is found missing and written again on the next run. Not for
    anything a user is told is saved."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


@contextmanager
def planner_settings(**settings: str) -> Iterator[None]:
    """PostgreSQL: planner settings (`enable_sort="off"`) for the statements of the block, the
    connection's own values given back after it (also after an error, unless its transaction
    failed: a rollback undoes the change then). Nothing on SQLite. For the rare statement whose
    cost the planner cannot see: one that reads an ordered range lazily up to a bound."""
    if connection.vendor != "postgresql":
        yield
        return
    from psycopg.pq import TransactionStatus

    with connection.cursor() as cursor:
        before = {}
        for name, value in settings.items():
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, %s, false)", [name, name, value]
            )
            before[name] = cursor.fetchone()[0]
    try:
        yield
    finally:
        if connection.connection.info.transaction_status != TransactionStatus.INERROR:
            with connection.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


@contextmanager
def page_cache(mib: int) -> Iterator[None]:
    """SQLite: this connection keeps up to `mib` MiB of database pages in memory for the block
    (the default is 2 MiB). A national load inserts into unique indexes in random order; with
    the default cache, each insert at 1M members read its index pages back from the operating
    system (a 1M-member load took 500 s; a later run with 512 MiB 376 s, peak RSS 887 MiB: not
    side by side, so only roughly). PostgreSQL's shared buffers are the server's: nothing to
    do."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def allocate_ids(model, n: int) -> list[int]:
    """`n` primary keys for new rows of `model`, unused by any other writer.

    PostgreSQL: drawn from the table's sequence (safe under concurrency). SQLite: the writer
    holds the database lock for its whole transaction (transaction_mode IMMEDIATE), so the
    numbers after the current maximum are this transaction's.
    """
    if n <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Returned as runs of consecutive numbers (one run unless another writer drew
            # from the sequence at the same moment): a row per number cost about 8 µs each.
            cursor.execute(
                "SELECT MIN(v), MAX(v) FROM (SELECT v, v - ROW_NUMBER() OVER (ORDER BY v) AS run "
                "FROM (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS v "
                "FROM generate_series(1, %s)) AS drawn) AS numbered GROUP BY run ORDER BY 1",
                [table, pk, n],
            )
            return [v for first, last in cursor.fetchall() for v in range(first, last + 1)]
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


# Defaults that several instances can share (a list or dict default would be one object for all).
_SHAREABLE = (str, int, float, Decimal, date, datetime, type(None))


def instance_maker(model) -> Callable[[dict], object]:
    """A function building unsaved `model` instances from {attname: value}, as `model(**values)`
    does, for bulk paths. Django's keyword path looks every field up, pops it, asks for its
    default and sets it through descriptors: about 25 µs for a member, a tenth of a national
    load's Python. This fills the instance's attributes directly (about 3 µs). A model with
    pre_init/post_init receivers goes through its constructor instead. Callable and mutable
    defaults are still made once per instance."""
    fields = model._meta.concrete_fields
    known = {f.attname for f in fields}
    plan = []
    for f in fields:
        default = f.get_default()
        fresh = (f.has_default() and callable(f.default)) or not isinstance(default, _SHAREABLE)
        plan.append((f.attname, f.get_default if fresh else None, default))
    constructed = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)

    def make(values: dict):
        unknown = values.keys() - known
        if unknown:
            raise TypeError(f"{model.__name__} has no field {sorted(unknown)[0]!r}")
        if constructed:
            return model(**values)
        instance = model.__new__(model)
        attrs = instance.__dict__
        for name, fresh, default in plan:
            attrs[name] = values[name] if name in values else (fresh() if fresh else default)
        instance._state = ModelState()
        return instance

    return make


def json_rows(*casts: str) -> str:
    """A SELECT of the rows sent as one JSON parameter, a list of lists, with len(casts) columns
    (on PostgreSQL each cast to its type; "" leaves it text). Bulk statements send thousands of
    rows this way: psycopg dumps every placeholder or array value in Python, and SQLite caps a
    statement's parameters. Ends with WHERE true, which SQLite needs before an ON CONFLICT."""
    if connection.vendor == "postgresql":
        columns = ", ".join(
            f"(r->>{i})::{cast}" if cast else f"r->>{i}" for i, cast in enumerate(casts)
        )
        return f"SELECT {columns} FROM json_array_elements(%s::json) AS r WHERE true"
    columns = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(casts)))
    return f"SELECT {columns} FROM json_each(%s) WHERE true"


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain tuples (values in `columns` order, database representations: dates as
    date objects, JSON as text) into `model`'s table. Returns the number of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        rows = list(rows)
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({placeholders})", rows)
        return len(rows)


def update_row(model, pk, values: dict) -> None:
    """UPDATE one row of `model` with {field name: Python value}, converted as Model.save would.

    For the per-event hot path (one event costs a few ms, most of it in the ORM's query
    compilation rather than in the database: PERFORMANCE.md, trap 7)."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
            f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s",
            [*params, pk],
        )


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Rows of a raw query, values converted by the driver only (dates computed by an
    expression come back as text on SQLite: the caller converts)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ids_param(ids: Sequence[int]) -> str:
    joined = ",".join(str(int(i)) for i in ids)
    return "{" + joined + "}" if connection.vendor == "postgresql" else "[" + joined + "]"


def ids_in(ids: Sequence[int]) -> RawSQL:
    """For `field__in=`: the ids as one parameter (a PostgreSQL array, a JSON list on SQLite),
    so a Prepared query takes a list of any length (its marker: a tuple such as (-7777777,))
    and a long list is one placeholder, not thousands. PostgreSQL estimates the rows of an
    unnested constant array from its length, as it would an IN list's."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [_ids_param(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [_ids_param(ids)])


class Prepared:
    """A queryset compiled to SQL once and run with other values: compiling costs more than a
    small query itself (a cell's report as of a date: about 1 ms of 3 in the ORM).

    `build(*markers)` makes the queryset with marker values nobody uses (an id of -7777777, the
    date 1111-11-11, the id list (-7777777,) of `ids_in`); `rows(*values)` runs the SQL with
    each value where its marker's parameter was. A marker not found among the parameters is an
    error when first compiled."""

    def __init__(self, build: Callable[..., object], *markers):
        self._build, self._markers = build, markers
        self._compiled: dict[str, tuple] = {}

    @staticmethod
    def _db(value):
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        if isinstance(value, list | tuple):  # ids_in's list
            return _ids_param(value)
        return value

    def rows(self, *values) -> list[tuple]:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            sql, params = self._build(*self._markers).query.sql_with_params()
            slots = [
                next(
                    (i for i, m in enumerate(self._markers) if p == m or p == self._db(m)),
                    None,
                )
                for p in params
            ]
            missing = set(range(len(self._markers))) - set(slots)
            if missing:
                raise ValueError(f"markers not among the parameters: {sorted(missing)}")
            compiled = self._compiled[connection.vendor] = (sql, params, slots)
        sql, params, slots = compiled
        return fetch(
            sql,
            [p if i is None else self._db(values[i]) for p, i in zip(params, slots, strict=True)],
        )


def raw_rows(queryset, chunk_size: int = 10000) -> Iterator[tuple]:
    """The rows of a values_list queryset as the driver gives them, read in chunks (a
    server-side cursor on PostgreSQL, as QuerySet.iterator uses). Django's per-row converters
    are skipped: dates stay text on SQLite, booleans 0/1. A snapshot build reads millions of
    grouped rows: the converters cost about 12 µs a row of them."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. an empty __in: no rows, as Django answers
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def as_date(value) -> date | None:
    """A date from `fetch` (text on SQLite when computed by an expression such as MAX)."""
    return date.fromisoformat(value) if isinstance(value, str) else value
