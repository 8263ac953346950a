"""core.db helpers that behave differently per engine."""

import random
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangvu.core.db import (
    allocate_ids,
    commit_without_flush_wait,
    fetch,
    foreign_keys_checked_after,
    insert_rows,
    instance_maker,
    missing_foreign_keys,
    page_cache,
    planner_settings,
    raw_rows,
    rebuild_indexes,
    refresh_planner_statistics,
    restore_foreign_keys,
)
from dangvu.members.fields import DATED_FIELDS
from dangvu.members.models import Member, MemberPeriod, NameKey
from dangvu.stats.consistency import consistency_check

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


PERIOD_KEYS = ["members_memberperiod.member_id", "members_memberperiod.organisation_id"]


def _period_row(member_id: int, org_id: int) -> tuple:
    return (
        member_id,
        org_id,
        "official",
        False,
        "2020-01-01",
        None,
        *(_ATTRIBUTES.get(name, "") for name in DATED_FIELDS),
    )


_ATTRIBUTES = {
    "education": "primary",
    "professional_level": "none",
    "theory_level": "none",
    "occupation": "farmer",
}
# The loaders' columns (members.services._PERIOD_COLUMNS): the dated attributes included.
_PERIOD_COLUMNS = (
    "member_id",
    "organisation_id",
    "status",
    "exempted",
    "valid_from",
    "valid_to",
    *DATED_FIELDS,
)


def test_a_load_checks_foreign_keys_once_at_the_end(tree, make_member):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its deferred checks")
    m = make_member(tree.cell1)
    with foreign_keys_checked_after(MemberPeriod):
        assert missing_foreign_keys(MemberPeriod) == PERIOD_KEYS
        insert_rows(MemberPeriod, _PERIOD_COLUMNS, [_period_row(m.pk, tree.cell2.pk)])
    assert missing_foreign_keys(MemberPeriod) == []
    assert MemberPeriod.objects.filter(member=m, organisation=tree.cell2).exists()
    # Restored as Django declares them: checked at commit, so a transaction may order its rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'members_memberperiod'::regclass "
            "AND contype = 'f' AND condeferrable AND condeferred"
        )
        assert cursor.fetchone()[0] == 2


def test_keys_left_to_the_caller_stay_out_only_when_the_load_succeeds(tree):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its deferred checks")
    with (
        pytest.raises(RuntimeError),
        foreign_keys_checked_after(MemberPeriod, leave=[MemberPeriod]),
    ):
        raise RuntimeError("the load failed")
    assert missing_foreign_keys(MemberPeriod) == []
    with foreign_keys_checked_after(MemberPeriod, NameKey, leave=[MemberPeriod]):
        pass
    assert missing_foreign_keys(MemberPeriod) == PERIOD_KEYS
    restore_foreign_keys(MemberPeriod)
    assert missing_foreign_keys(MemberPeriod) == []


def test_a_row_the_load_broke_is_refused_when_the_keys_come_back(tree, make_member):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its deferred checks")
    m = make_member(tree.cell1)
    with (
        pytest.raises(IntegrityError, match="organisation_id"),
        transaction.atomic(),
        foreign_keys_checked_after(MemberPeriod),
    ):
        insert_rows(MemberPeriod, _PERIOD_COLUMNS, [_period_row(m.pk, 987_654_321)])
    assert not MemberPeriod.objects.filter(organisation_id=987_654_321).exists()


def test_keys_a_stopped_load_left_out_are_named_then_restored(tree, make_member):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its deferred checks")
    make_member(tree.cell1)
    with connection.cursor() as cursor:  # what a load killed half-way leaves
        constraints = connection.introspection.get_constraints(cursor, "members_memberperiod")
        name = next(
            n for n, c in constraints.items() if c["foreign_key"] and c["columns"] == ["member_id"]
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending: ALTER may run
        cursor.execute(f'ALTER TABLE members_memberperiod DROP CONSTRAINT "{name}"')
    assert missing_foreign_keys(MemberPeriod) == ["members_memberperiod.member_id"]
    assert any("members_memberperiod.member_id" in p for p in consistency_check())
    restore_foreign_keys(MemberPeriod)
    assert missing_foreign_keys(MemberPeriod) == []
    assert consistency_check() == []


def test_foreign_keys_stay_on_sqlite(tree):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes them out")
    with CaptureQueriesContext(connection) as queries, foreign_keys_checked_after(MemberPeriod):
        pass
    assert len(queries) == 0
    assert missing_foreign_keys(MemberPeriod) == []


def _record(**extra) -> dict:
    return dict(
        full_name="Lò Văn Panh",
        name_folded="lo van panh",
        birth_date=date(1985, 3, 4),
        gender="M",
        ethnicity="03",
        education="upper_secondary",
        occupation="farmer",
        **extra,
    )


def test_instance_maker_builds_what_the_constructor_builds(tree):
    make = instance_maker(Member)
    built, expected = make(_record()), Member(**_record())
    for f in Member._meta.concrete_fields:
        assert getattr(built, f.attname) == getattr(expected, f.attname), f.attname
    assert built.religion == "00" and built.exempted is False and built.pk is None
    # An ordinary unsaved instance: saving it inserts a row.
    built.organisation, built.org_path, built.status = tree.cell1, tree.cell1.path, "official"
    built.save()
    assert Member.objects.get(pk=built.pk).full_name == "Lò Văn Panh"
    with pytest.raises(TypeError, match="no field 'nickname'"):
        make(_record(nickname="x"))


def test_instance_maker_makes_callable_defaults_per_instance():
    # User.date_joined defaults to timezone.now; Field.get_default calls the cached
    # `_get_default`, replaced here by a counting one.
    field = User._meta.get_field("date_joined")
    calls = []
    saved = field.__dict__.get("_get_default")
    field.__dict__["_get_default"] = lambda: calls.append(1) or timezone.now()
    try:
        make = instance_maker(User)
        first, second = make({"username": "a"}), make({"username": "b"})
    finally:
        if saved is None:
            del field.__dict__["_get_default"]
        else:
            field.__dict__["_get_default"] = saved
    assert len(calls) >= 2 and first.date_joined and second.date_joined


def test_instance_maker_runs_init_signals_when_a_model_has_receivers():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=NameKey)
    try:
        made = instance_maker(NameKey)({"key": "van an", "name": "an van"})
    finally:
        signals.post_init.disconnect(receiver, sender=NameKey)
    assert seen == [made]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_transaction_commits_without_waiting_for_the_flush_and_only_it():
    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    if connection.vendor != "postgresql":
        commit_without_flush_wait()  # nothing to do on SQLite
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")  # the test server may run with it off
    try:
        with transaction.atomic():
            commit_without_flush_wait()
            assert setting() == "off"
        assert setting() == "on"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def test_page_cache_is_this_connections_for_the_block_only():
    def cache_size():
        return fetch("PRAGMA cache_size")[0][0]

    if connection.vendor != "sqlite":
        with page_cache(64):  # the server's shared buffers: nothing to set
            pass
        return
    before = cache_size()
    with page_cache(64):
        assert cache_size() == -64 * 1024
    assert cache_size() == before
    with pytest.raises(RuntimeError), page_cache(32):
        raise RuntimeError("a load failed")
    assert cache_size() == before


def test_planner_settings_hold_for_the_block_and_are_given_back():
    if connection.vendor != "postgresql":
        with planner_settings(enable_sort="off"):  # SQLite has no such settings
            assert fetch("SELECT 1") == [(1,)]
        return

    def sort() -> str:
        return fetch("SHOW enable_sort")[0][0]

    with planner_settings(enable_sort="off"):
        assert sort() == "off"
    assert sort() == "on"
    with pytest.raises(RuntimeError), planner_settings(enable_sort="off"):
        raise RuntimeError("a search failed")
    assert sort() == "on"
    # A statement that fails inside a transaction: the rollback gives the value back.
    with pytest.raises(DatabaseError), transaction.atomic(), planner_settings(enable_sort="off"):
        fetch("SELECT 1 / 0")
    assert sort() == "on"


def test_raw_rows_are_the_querysets_rows_in_chunks_and_none_for_an_empty_one(tree, make_member):
    for _ in range(7):
        make_member(tree.cell1)
    qs = Member.objects.order_by("pk").values_list("pk", "organisation_id", "full_name")
    assert list(raw_rows(qs, chunk_size=3)) == list(qs)
    assert list(raw_rows(Member.objects.filter(pk__in=[]).values_list("pk"))) == []


def test_allocated_ids_are_the_numbers_drawn_even_when_not_consecutive():
    first = allocate_ids(MemberPeriod, 300)
    assert len(set(first)) == 300 and first == sorted(first)
    if connection.vendor != "postgresql":
        return
    # Another writer drawing at the same moment leaves gaps: a sequence stepping by 3 has one
    # in every draw.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('members_memberperiod', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
        spaced = allocate_ids(MemberPeriod, 5)
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
    assert spaced == list(range(spaced[0], spaced[0] + 15, 3)) and spaced[0] > first[-1]


@pytest.mark.django_db
def test_a_prepared_query_runs_with_each_runs_values_where_the_markers_were():
    from dangvu.core.db import Prepared
    from dangvu.organisations.models import OrganisationVersion
    from dangvu.testing.factories import make_org

    root = make_org(code="TW", kind="central", name="Trung ương")
    other = make_org(code="T01", kind="province", name="Tỉnh Một", parent=root)
    named = Prepared(
        lambda org, day: OrganisationVersion.objects.filter(
            organisation_id=org, valid_from__lte=day
        ).values_list("name", flat=True),
        -7_777_777,
        date(1111, 11, 11),
    )
    assert named.rows(other.pk, date.today()) == [("Tỉnh Một",)]
    assert named.rows(root.pk, date.today()) == [("Trung ương",)]
    assert named.rows(root.pk, date(1900, 1, 1)) == []
    with pytest.raises(ValueError, match="markers"):
        Prepared(lambda org: OrganisationVersion.objects.all(), -1).rows(5)


@pytest.mark.django_db
def test_a_prepared_query_takes_an_id_list_of_any_length_as_one_parameter():
    from dangvu.core.db import Prepared, ids_in
    from dangvu.organisations.models import Organisation
    from dangvu.testing.factories import make_org

    root = make_org(code="TW", kind="central", name="Trung ương")
    a = make_org(code="T01", kind="province", name="Tỉnh Một", parent=root)
    b = make_org(code="T02", kind="province", name="Tỉnh Hai", parent=root)
    named = Prepared(
        lambda ids: (
            Organisation.objects.filter(id__in=ids_in(ids))
            .order_by("code")
            .values_list("code", flat=True)
        ),
        (-7_777_777,),
    )
    assert named.rows([a.pk, b.pk]) == [("T01",), ("T02",)]
    assert named.rows([root.pk]) == [("TW",)]
    assert named.rows([]) == []
    # Thousands of ids stay one parameter (SQLite caps a statement's parameters).
    assert named.rows([b.pk, *range(10**6, 10**6 + 40_000)]) == [("T02",)]
