"""Reads: a class with its counts through the gate, a trainer's week, the subtree report."""

import pytest
from django.http import Http404

from dangvu.accounts.scoping import SYSTEM
from dangvu.testing.factories import make_user
from dangvu.training.choices import Kind, Mode
from dangvu.training.selectors import class_get, person_training, trainer_week, training_report
from dangvu.training.services import enrolment_create
from dangvu.training.tests.conftest import TODAY, sessions

pytestmark = pytest.mark.django_db


def test_a_class_is_read_with_its_counts_inside_the_scope_only(make_class, people, tree):
    c = make_class(capacity=3)
    for m in people:
        enrolment_create(actor=SYSTEM, training_class=c, member=m)
    trainer = make_user("t-kt", role="trainer", org=tree.district)
    got = class_get(actor=trainer, pk=c.pk)
    assert (got.enrolled_count, got.waiting_count, got.withdrawn_count) == (3, 1, 0)
    assert len(got.sessions.all()) == 5
    with pytest.raises(Http404):
        class_get(actor=make_user("t-qn", role="trainer", org=tree.province2), pk=c.pk)
    assert len(person_training(actor=trainer, member=people[0]).enrolments) == 1


def test_a_trainers_week_lists_the_sessions_of_their_classes(make_class, tree):
    c = make_class(sessions=sessions(1, TODAY))
    trainer = make_user("t-week", role="trainer", org=tree.district)
    assert [s.training_class_id for s in trainer_week(actor=trainer)] == [c.pk]
    assert trainer_week(actor=make_user("t-far", role="trainer", org=tree.province2)) == []


def test_the_report_counts_classes_people_and_the_travel_burden(
    make_class, people, tree, make_member
):
    c = make_class()  # in person, cluster: Đăk Pék (cell1 and cell2 are in it)
    make_class(
        kind=Kind.CELL_SKILLS,
        mode=Mode.ONLINE,
        online_link="https://meet.example.vn/x",
        location="",
        cluster=[],
    )
    outsider = make_member(tree.gcell, full_name="Lê Thị Xa", gender="F", ethnicity="01")
    for m in [*people, outsider]:
        enrolment_create(actor=SYSTEM, training_class=c, member=m)
    report = training_report(
        actor=SYSTEM, organisation=tree.province, start=sessions(5)[0].day, end=TODAY
    )
    assert report.classes == 2
    assert report.by_kind_mode == {
        (Kind.AWARENESS, Mode.IN_PERSON): 1,
        (Kind.CELL_SKILLS, Mode.ONLINE): 1,
    }
    assert report.participants == 5
    assert sum(report.by_gender.values()) == 5 and report.by_gender.get("F") == 1
    assert (report.travelling, report.in_cluster_classes_people) == (1, 5)
    with pytest.raises(Http404):
        training_report(
            actor=make_user("t-no", role="trainer", org=tree.province2),
            organisation=tree.province,
            start=TODAY,
            end=TODAY,
        )


def test_the_travel_burden_follows_a_moved_subtree(make_class, people, tree, make_member):
    # The class's commune moves to another district: its people are still inside the cluster.
    from dangvu.organisations.services import organisation_move

    c = make_class()
    outsider = make_member(tree.gcell, full_name="Lê Thị Xa")
    for m in [*people, outsider]:
        enrolment_create(actor=SYSTEM, training_class=c, member=m)
    organisation_move(
        actor=SYSTEM, org=tree.committee, new_parent=tree.district2, on=sessions(5)[0].day
    )
    report = training_report(
        actor=SYSTEM, organisation=tree.root, start=sessions(5)[0].day, end=TODAY
    )
    assert (report.travelling, report.in_cluster_classes_people) == (1, 5)


def _direct(classes):
    """The report's people and results counted straight from the enrolment rows."""
    from django.db.models import Count, Q

    from dangvu.training.models import Enrolment

    rows = Enrolment.objects.filter(training_class__in=classes, status="enrolled")
    people = {(m, c) for m, c in rows.values_list("member_id", "candidate_id")}
    genders: dict[str, set] = {}
    for g, m, c in rows.values_list("gender", "member_id", "candidate_id"):
        genders.setdefault(g, set()).add((m, c))
    results = rows.aggregate(
        p=Count("pk", filter=Q(result="passed")), f=Count("pk", filter=Q(result="failed"))
    )
    return len(people), {g: len(s) for g, s in genders.items()}, results["p"], results["f"]


def test_the_reports_tallies_count_what_the_rolls_hold_through_every_change(
    make_class, people, tree
):
    """The report sums the classes' tallies and counts once a person in two classes: after
    enrolling, a waiting list, a withdrawal that promotes, and results, it says what a direct
    count of the enrolments says."""
    from dangvu.training.choices import State
    from dangvu.training.services import (
        class_complete,
        class_move,
        enrolment_withdraw,
        session_roll_call,
    )

    a, b = make_class(capacity=2), make_class(capacity=3, title="Lớp hai")
    e = {m.pk: enrolment_create(actor=SYSTEM, training_class=a, member=m) for m in people[:3]}
    for m in people[:2]:
        enrolment_create(actor=SYSTEM, training_class=b, member=m)

    def check():
        r = training_report(
            actor=SYSTEM,
            organisation=tree.root,
            start=TODAY.replace(year=TODAY.year - 1),
            end=TODAY,
        )
        people_, genders, passed, failed = _direct([a, b])
        assert (r.participants, r.by_gender, r.passed, r.failed) == (
            people_,
            genders,
            passed,
            failed,
        )
        return r

    assert check().participants == 2  # the third waits
    enrolment_withdraw(actor=SYSTEM, enrolment=e[people[0].pk])  # the third takes the place
    assert check().participants == 3
    for s in b.sessions.all():
        session_roll_call(actor=SYSTEM, session=s, present=[x.pk for x in b.enrolments.all()])
    class_move(actor=SYSTEM, training_class=b, to=State.CLOSED)
    class_complete(actor=SYSTEM, training_class=b)
    r = check()
    assert (r.participants, r.passed) == (3, 2)
