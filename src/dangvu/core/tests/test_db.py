"""core.db helpers that behave differently per engine."""

import random

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from dangvu.core.db import insert_rows, rebuild_indexes, refresh_planner_statistics
from dangvu.members.models import NameKey

pytestmark = pytest.mark.django_db


def _index_bytes(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
        return cursor.fetchone()[0]


def test_rebuilt_indexes_are_packed_after_a_load_in_random_order():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite fills its index pages as it goes")
    keys = [f"k{n:06d}" for n in range(20_000)]
    random.Random(3).shuffle(keys)
    insert_rows(NameKey, ("key", "name"), ((k, k) for k in keys))
    loaded = _index_bytes("members_namekey_pkey")
    rebuild_indexes(NameKey)
    rebuilt = _index_bytes("members_namekey_pkey")
    assert rebuilt < 0.8 * loaded
    assert NameKey.objects.count() == 20_000


def test_rebuilding_indexes_is_left_alone_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL rebuilds")
    with CaptureQueriesContext(connection) as queries:
        rebuild_indexes(NameKey)
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_statistics_of_a_table_another_load_is_analysing_are_left_to_it():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans from its indexes")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE members_namekey IN SHARE UPDATE EXCLUSIVE MODE")
            with transaction.atomic():  # a load's transaction: no wait, no error
                with connection.cursor() as mine:
                    mine.execute("SET LOCAL lock_timeout = '2s'")  # waiting would fail the test
                NameKey.objects.create(key="a", name="a")
                refresh_planner_statistics(NameKey)
                assert NameKey.objects.count() == 1
            cursor.execute("ROLLBACK")
    finally:
        other.close()
