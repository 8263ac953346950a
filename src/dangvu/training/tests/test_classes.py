"""A class's own rules: capacity, link, place, sessions in order (DOMAIN.md "Features" 6)."""

from datetime import time

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError
from dangvu.testing.factories import make_user
from dangvu.training.choices import Mode
from dangvu.training.models import TrainingClass
from dangvu.training.services import (
    SessionInput,
    class_update,
    enrolment_create,
    session_add,
    session_remove,
    session_roll_call,
)
from dangvu.training.tests.conftest import TODAY, sessions

pytestmark = pytest.mark.django_db


def test_a_class_is_created_with_its_sessions_span_and_audit(make_class, tree):
    c = make_class()
    assert c.sessions.count() == 5
    assert (c.starts_on, c.ends_on) == (sessions(5)[0].day, sessions(5)[-1].day)
    assert c.org_path == tree.district.path
    assert list(c.cluster.all()) == [tree.committee]
    assert (
        AuditRecord.objects.filter(action="training.class_create", object_id=str(c.pk)).count() == 1
    )


@pytest.mark.parametrize(
    ("case", "kw", "field"),
    [
        ("capacity zero", {"capacity": 0}, "capacity"),
        ("online without link", {"mode": Mode.ONLINE, "online_link": ""}, "online_link"),
        ("hybrid without link", {"mode": Mode.HYBRID}, "online_link"),
        ("in person nowhere", {"location": "", "cluster": []}, "location"),
        ("link not a URL", {"mode": Mode.ONLINE, "online_link": "zoom 123"}, "online_link"),
    ],
)
def test_a_class_breaking_a_rule_is_refused_and_nothing_is_written(make_class, case, kw, field):
    with pytest.raises(ValidationError) as caught:
        make_class(**kw)
    assert field in caught.value.message_dict
    assert TrainingClass.objects.count() == 0


def test_an_online_class_needs_no_place(make_class):
    c = make_class(
        mode=Mode.ONLINE, online_link="https://meet.example.vn/abc", location="", cluster=[]
    )
    assert c.mode == Mode.ONLINE


def test_sessions_out_of_order_are_refused(make_class):
    s = sessions(3)
    with pytest.raises(ValidationError) as caught:
        make_class(sessions=[s[1], s[0], s[2]])
    assert "sessions" in caught.value.message_dict
    same_day = [
        SessionInput(s[0].day, time(7, 30), time(9, 0), "A"),
        SessionInput(s[0].day, time(8, 30), time(10, 0), "B"),
    ]
    with pytest.raises(ValidationError):
        make_class(sessions=same_day)
    with pytest.raises(ValidationError):
        make_class(sessions=[SessionInput(s[0].day, time(9, 0), time(8, 0), "C")])
    assert TrainingClass.objects.count() == 0


def test_a_cluster_commune_outside_the_organiser_is_refused(make_class, tree):
    with pytest.raises(ValidationError) as caught:
        make_class(cluster=[tree.committee2])
    assert "cluster" in caught.value.message_dict


def test_a_session_overlapping_another_is_refused(make_class):
    c = make_class()
    first = c.sessions.first()
    with pytest.raises(ValidationError):
        session_add(
            actor=SYSTEM,
            training_class=c,
            session=SessionInput(first.day, time(10, 0), time(12, 0), "Thêm"),
        )
    added = session_add(
        actor=SYSTEM,
        training_class=c,
        session=SessionInput(TODAY, time(13, 30), time(16, 0), "Tổng kết"),
    )
    c.refresh_from_db()
    assert c.ends_on == TODAY and added.training_class_id == c.pk


def test_a_session_is_removed_until_its_attendance_is_recorded(make_class, tree, make_member):
    c = make_class()
    first, *_middle, last = list(c.sessions.order_by("day"))
    outsider = make_user("qn-remover", role="trainer", org=tree.province2)
    with pytest.raises(ValidationError):
        session_remove(actor=outsider, session=last)
    session_remove(actor=SYSTEM, session=last)
    c.refresh_from_db()
    assert c.sessions.count() == 4 and c.ends_on == max(c.sessions.values_list("day", flat=True))
    assert AuditRecord.objects.filter(action="training.session_remove").count() == 1
    e = enrolment_create(actor=SYSTEM, training_class=c, member=make_member(tree.cell1))
    session_roll_call(actor=SYSTEM, session=first, present=[e.pk])
    with pytest.raises(ValidationError) as caught:
        session_remove(actor=SYSTEM, session=first)
    assert "session" in caught.value.message_dict
    assert c.sessions.filter(pk=first.pk).exists()


def test_a_person_without_the_action_may_not_change_the_class(make_class, tree):
    c = make_class()
    outsider = make_user("qn-trainer", role="trainer", org=tree.province2)
    with pytest.raises(ValidationError):
        class_update(actor=outsider, training_class=c, data={"title": "Khác"})
    trainer = make_user("kt-trainer", role="trainer", org=tree.district)
    class_update(actor=trainer, training_class=c, data={"title": "Khác"})
    c.refresh_from_db()
    assert c.title == "Khác"
