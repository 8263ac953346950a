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
