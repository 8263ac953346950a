"""Enrolment: capacity and the waiting list in order, promotion on withdrawal, never twice in
a class, many at once by position."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.members.models import Position
from dangvu.members.services import position_assign
from dangvu.testing.factories import make_member
from dangvu.training.choices import Status
from dangvu.training.models import Enrolment
from dangvu.training.services import (
    class_update,
    enrol_by_position,
    enrolment_create,
    enrolment_withdraw,
)

pytestmark = pytest.mark.django_db


def _enrol(c, m):
    return enrolment_create(actor=SYSTEM, training_class=c, member=m)


def test_over_capacity_people_wait_in_order_and_a_withdrawal_promotes_the_first(make_class, people):
    c = make_class(capacity=2)
    a, b, w1, w2 = (_enrol(c, m) for m in people)
    assert [(e.status, e.position) for e in (a, b, w1, w2)] == [
        (Status.ENROLLED, None),
        (Status.ENROLLED, None),
        (Status.WAITING, 1),
        (Status.WAITING, 2),
    ]
    out = enrolment_withdraw(actor=SYSTEM, enrolment=a)
    assert out.promoted.pk == w1.pk
    w1.refresh_from_db(), w2.refresh_from_db()
    assert (w1.status, w1.position) == (Status.ENROLLED, None)
    assert (w2.status, w2.position) == (Status.WAITING, 2)
    # A waiting person who withdraws frees no place.
    assert enrolment_withdraw(actor=SYSTEM, enrolment=w2).promoted is None
    assert c.enrolments.filter(status=Status.ENROLLED).count() == 2


def test_a_larger_capacity_takes_the_waiting_list_in_order_and_a_smaller_one_is_refused(
    make_class, people
):
    c = make_class(capacity=1)
    first, *waiting = (_enrol(c, m) for m in people)
    with pytest.raises(ValidationError):
        class_update(actor=SYSTEM, training_class=c, data={"capacity": 0})
    class_update(actor=SYSTEM, training_class=c, data={"capacity": 3})
    status = dict(c.enrolments.values_list("pk", "status"))
    assert [status[e.pk] for e in waiting] == [Status.ENROLLED, Status.ENROLLED, Status.WAITING]


def test_the_same_person_is_never_enrolled_twice(make_class, people):
    c = make_class()
    _enrol(c, people[0])
    with pytest.raises(ValidationError) as caught:
        _enrol(c, people[0])
    assert "đã có trong lớp này" in str(caught.value)
    assert c.enrolments.count() == 1
    # The database refuses it as well.
    row = c.enrolments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            training_class=c,
            member=people[0],
            full_name=row.full_name,
            name_folded=row.name_folded,
            person_org=row.person_org,
            person_path=row.person_path,
        )


def test_a_person_who_withdrew_enrols_again_at_the_end_of_the_queue(make_class, people):
    c = make_class(capacity=1)
    a = _enrol(c, people[0])
    _enrol(c, people[1])
    enrolment_withdraw(actor=SYSTEM, enrolment=a)
    again = _enrol(c, people[0])
    # The one who waited took the place: the queue was empty, so the returner is first in it.
    assert again.pk == a.pk and (again.status, again.position) == (Status.WAITING, 1)


def test_bulk_enrolment_by_position_takes_the_current_secretaries_under_an_organisation(
    make_class, tree, django_assert_max_num_queries
):
    day = date(2024, 1, 1)
    secretaries = []
    for cell in (tree.cell1, tree.cell2, tree.gcell, tree.cell3):
        m = make_member(cell, full_name=f"Bí Thư {cell.code}")
        position_assign(
            actor=SYSTEM, organisation=cell, kind=Position.Kind.SECRETARY, valid_from=day, member=m
        )
        secretaries.append(m)
    deputy = make_member(tree.cell1, full_name="Phó Bí Thư")
    position_assign(
        actor=SYSTEM,
        organisation=tree.cell1,
        kind=Position.Kind.DEPUTY_SECRETARY,
        valid_from=day,
        member=deputy,
    )
    c = make_class(capacity=2)
    _enrol(c, secretaries[0])  # already in: left as they are
    with django_assert_max_num_queries(19):  # 7 of them the recount
        result = enrol_by_position(
            actor=SYSTEM,
            training_class=c,
            under=tree.district,
            positions=[Position.Kind.SECRETARY],
            on=date(2024, 6, 1),
        )
    # Three secretaries in Đắk Glei (cell3 is in Quảng Ngãi); one already enrolled; one place
    # left, so one enrolled and one waiting.
    assert (result.enrolled, result.waiting, result.already) == (1, 1, 1)
    names = set(c.enrolments.values_list("full_name", flat=True))
    assert names == {f"Bí Thư {o.code}" for o in (tree.cell1, tree.cell2, tree.gcell)}
    assert c.enrolments.filter(status=Status.WAITING).get().position == 1


def test_bulk_enrolment_queries_do_not_grow_with_the_people(
    make_class, tree, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangvu.members.models import Member
    from dangvu.training.services import enrolments_create_bulk

    for n in range(3):
        make_member(tree.cell1, full_name=f"Người {n}")
    c = make_class(capacity=100)
    with CaptureQueriesContext(connection) as ctx:
        enrolments_create_bulk(actor=SYSTEM, training_class=c, members=Member.objects.all())
    small = len(ctx.captured_queries)
    assert small <= 14  # SQLite asks 14, PostgreSQL 13 (the recount: 7 of them)
    for n in range(20):
        make_member(tree.cell2, full_name=f"Người khác {n}")
    c2 = make_class(capacity=100)
    with django_assert_num_queries(small):
        enrolments_create_bulk(actor=SYSTEM, training_class=c2, members=Member.objects.all())
    assert c2.enrolments.count() == 23
