"""Rollups under parallel writers (issue 21, item 5): many transactions recording events at
the same moment, each on its own connection, never lose an increment of a rollup counter or of
the admissions by month, and none fails: not on the racing insert of a row that did not exist
yet (a new organisation's first member, the first admission of a month, a value counted for the
first time), not on a deadlock. The counters are then compared with a rebuild from the events
(`dangvu check`).

PostgreSQL only: SQLite serialises writers (one write lock, BEGIN IMMEDIATE, a busy timeout),
and the test suite's SQLite database is in memory with a shared cache, whose table locks fail at
once ("database table is locked") instead of waiting as the file's lock does: a test of it would
test the test database."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.models import AdmissionMonth
from dangvu.members.choices import EventType
from dangvu.members.services import member_create, member_event_record
from dangvu.organisations.services import organisation_create
from dangvu.stats.consistency import consistency_check
from dangvu.stats.models import SubtreeCounter
from dangvu.testing.factories import build_tree, member_data

WRITERS = 8
ROUNDS = 10  # per writer: two admissions, a transfer out and back between two cells, a death


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_lose_no_rollup_increment_and_none_fails():
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises them; see the module)")
    tree = build_tree(actor=SYSTEM)
    # A grassroots committee created now has no counter row for what its members will add:
    # the writers race to insert them (and the first admission of May 2024 under every
    # ancestor, and ethnicity "05", which no one has yet).
    new = organisation_create(
        actor=SYSTEM,
        code="KT-DG-MO",
        name="Đảng ủy xã Đăk Môn",
        kind="grassroots_committee",
        parent=tree.district,
        valid_from=date(2015, 1, 1),
        grassroots_type="commune",
    )
    new_a = organisation_create(
        actor=SYSTEM,
        code="KT-DG-MO-01",
        name="Chi bộ thôn Đăk Môn",
        kind="cell",
        parent=new,
        valid_from=date(2015, 1, 1),
    )
    new_b = organisation_create(
        actor=SYSTEM,
        code="KT-DG-MO-02",
        name="Chi bộ thôn Đăk Đoát",
        kind="cell",
        parent=new,
        valid_from=date(2015, 1, 1),
    )
    assert not SubtreeCounter.objects.filter(organisation=new, dim="ethnicity").exists()
    assert not AdmissionMonth.objects.filter(month=date(2024, 5, 1)).exists()

    writers = WRITERS
    start = threading.Barrier(writers)
    failed: list[BaseException] = []
    done = [0] * writers

    def write(i: int) -> None:
        try:
            start.wait(timeout=30)
            for r in range(ROUNDS):
                day = date(2024, 5, 1 + (i * ROUNDS + r) % 28)
                a = member_create(
                    actor=SYSTEM,
                    data=member_data(
                        full_name=f"Y Thử {i} {r}",
                        ethnicity="05" if r % 2 else "01",
                        gender="F" if (i + r) % 2 else "M",
                        admission_date=day,
                        official_date=None,
                        birth_date=date(1990 + r, 1 + i, 1),
                    ),
                    organisation=new_a,
                )
                b = member_create(
                    actor=SYSTEM,
                    data=member_data(
                        full_name=f"H'Thử {i} {r}",
                        ethnicity="05",
                        admission_date=day,
                        official_date=None,
                    ),
                    organisation=new_b if r % 2 else tree.cell1,
                )
                # Between two cells of the same committee, out and back, then a death.
                member_event_record(
                    actor=SYSTEM,
                    member=a,
                    type=EventType.TRANSFERRED,
                    date=date(2024, 9, 2),
                    organisation=new_b,
                )
                member_event_record(
                    actor=SYSTEM,
                    member=a,
                    type=EventType.TRANSFERRED,
                    date=date(2024, 10, 1),
                    organisation=new_a,
                )
                member_event_record(
                    actor=SYSTEM, member=b, type=EventType.DIED, date=date(2024, 11, 5)
                )
                done[i] += 1
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            failed.append(exc)
            start.abort()
        finally:
            connections.close_all()

    began = time.monotonic()
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.monotonic() - began
    assert failed == [], [repr(e) for e in failed]
    assert done == [ROUNDS] * writers
    print(f"\n{writers} writers × {ROUNDS} rounds on {connection.vendor}: {elapsed:.1f} s")

    # Every counter agrees with a rebuild from the events.
    assert consistency_check() == []
    # …and the figures are the ones written: each round leaves one member in new_a (the other
    # died), half of the second members in new_b, and all admissions counted in May 2024.
    n = writers * ROUNDS
    counts = dict(
        SubtreeCounter.objects.filter(organisation=new, dim="status").values_list("value", "count")
    )
    assert sum(counts.values()) == n
    may = AdmissionMonth.objects.get(organisation=tree.province, month=date(2024, 5, 1))
    assert may.admitted == 2 * n
