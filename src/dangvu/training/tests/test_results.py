"""Completion, certificates (numbering, verification, the PDF), the admission hand-off and the
import of an online platform's participant list."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Stage
from dangvu.admission.services import candidate_create
from dangvu.core.errors import ValidationError
from dangvu.training.choices import Match, Result, State
from dangvu.training.models import SessionAttendance
from dangvu.training.pdf import certificate_pdf
from dangvu.training.selectors import certificate_verify
from dangvu.training.services import (
    attendance_import_confirm,
    attendance_import_preview,
    certificates_issue,
    class_complete,
    class_move,
    completes,
    enrolment_create,
    session_roll_call,
)
from dangvu.training.tests.conftest import TODAY, sessions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("attended", "sessions_", "expected"),
    [(4, 5, True), (5, 5, True), (3, 5, False), (8, 10, True), (7, 10, False), (0, 0, False)],
)
def test_completion_needs_at_least_the_minimum_share_exactly_at_it_passes(
    attended, sessions_, expected
):
    assert completes(attended=attended, sessions=sessions_, share=(80, 100)) is expected


def test_a_final_test_needs_the_pass_mark_as_well():
    from decimal import Decimal

    share = (80, 100)
    assert completes(
        attended=5, sessions=5, share=share, score=Decimal("5"), pass_mark=Decimal("5")
    )
    assert not completes(
        attended=5, sessions=5, share=share, score=Decimal("4.99"), pass_mark=Decimal("5")
    )
    assert not completes(attended=5, sessions=5, share=share, score=None, pass_mark=Decimal("5"))


def _finished(make_class, people, present_counts, **kw):
    """A class of five sessions where each person attended the first n of them."""
    c = make_class(**kw)
    rows = [enrolment_create(actor=SYSTEM, training_class=c, member=m) for m in people]
    for i, s in enumerate(c.sessions.all()):
        session_roll_call(
            actor=SYSTEM,
            session=s,
            present=[r.pk for r, n in zip(rows, present_counts, strict=True) if i < n],
            absent=[r.pk for r, n in zip(rows, present_counts, strict=True) if i >= n],
        )
    class_move(actor=SYSTEM, training_class=c, to=State.CLOSED)
    return c, rows


def test_completion_records_each_result_by_the_rule(make_class, people):
    c, rows = _finished(make_class, people, [5, 4, 3, 0])
    done = class_complete(actor=SYSTEM, training_class=c)
    assert (done.passed, done.failed, done.share) == (2, 2, (80, 100))
    results = dict(c.enrolments.values_list("pk", "result"))
    assert [results[r.pk] for r in rows] == [
        Result.PASSED,
        Result.PASSED,
        Result.FAILED,
        Result.FAILED,
    ]


def test_a_class_share_overrides_the_rule(make_class, people):
    c, _rows = _finished(make_class, people, [5, 4, 3, 0], min_attendance_percent=60)
    assert class_complete(actor=SYSTEM, training_class=c).passed == 3


def test_a_class_with_a_session_without_attendance_does_not_finish(make_class, people):
    c = make_class()
    enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    class_move(actor=SYSTEM, training_class=c, to=State.CLOSED)
    with pytest.raises(ValidationError) as caught:
        class_complete(actor=SYSTEM, training_class=c)
    assert "sessions" in caught.value.message_dict
    c.refresh_from_db()
    assert c.state == State.CLOSED


def test_certificates_are_numbered_consecutively_per_organiser_and_year(make_class, people, tree):
    c1, _ = _finished(make_class, people[:2], [5, 5])
    class_complete(actor=SYSTEM, training_class=c1)
    first = certificates_issue(actor=SYSTEM, training_class=c1, issued_on=TODAY)
    c2, _ = _finished(make_class, people[2:], [5, 5], title="Lớp thứ hai")
    class_complete(actor=SYSTEM, training_class=c2)
    second = certificates_issue(actor=SYSTEM, training_class=c2, issued_on=TODAY)
    y, code = TODAY.year, tree.district.code
    assert [x.number for x in first.certificates + second.certificates] == [
        f"{n}/{y}/TTCT-{code}" for n in (1, 2, 3, 4)
    ]
    # Issued again: nobody gets a second certificate, no number is used.
    assert certificates_issue(actor=SYSTEM, training_class=c2, issued_on=TODAY).certificates == []
    # Another organiser starts its own sequence.
    c3, _ = _finished(make_class, people[:1], [5], organisation=tree.committee, cluster=[])
    class_complete(actor=SYSTEM, training_class=c3)
    other = certificates_issue(actor=SYSTEM, training_class=c3, issued_on=TODAY)
    assert other.certificates[0].number == f"1/{y}/TTCT-{tree.committee.code}"


def test_numbering_restarts_with_the_year(make_class, people, tree):
    last_year = date(TODAY.year - 1, 6, 1)
    c1, _ = _finished(make_class, people[:2], [5, 5], sessions=sessions(5, last_year))
    class_complete(actor=SYSTEM, training_class=c1)
    old = certificates_issue(
        actor=SYSTEM, training_class=c1, issued_on=last_year + timedelta(days=10)
    )
    c2, _ = _finished(make_class, people[2:3], [5], title="Lớp năm nay")
    class_complete(actor=SYSTEM, training_class=c2)
    new = certificates_issue(actor=SYSTEM, training_class=c2, issued_on=TODAY)
    assert [x.seq for x in old.certificates] == [1, 2]
    assert new.certificates[0].number == f"1/{TODAY.year}/TTCT-{tree.district.code}"


def test_a_certificate_is_verified_by_its_number(make_class, people, tree):
    c, _ = _finished(make_class, people[:1], [5])
    class_complete(actor=SYSTEM, training_class=c)
    cert = certificates_issue(actor=SYSTEM, training_class=c, issued_on=TODAY).certificates[0]
    facts = certificate_verify(f"  {cert.number.lower()} ")
    assert (facts.full_name, facts.class_title, facts.issued_on, facts.organiser) == (
        "Nguyễn Thị Hằng",
        c.title,
        TODAY,
        tree.district.name,
    )
    assert certificate_verify(f"99/{TODAY.year}/TTCT-{tree.district.code}") is None
    assert certificate_verify("") is None


def test_the_certificate_pdf_prints_the_vietnamese_name(make_class, people):
    c, _ = _finished(make_class, people[:1], [5])
    class_complete(actor=SYSTEM, training_class=c)
    cert = certificates_issue(actor=SYSTEM, training_class=c, issued_on=TODAY).certificates[0]
    content = certificate_pdf(cert)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert content.startswith(b"%PDF-")
    assert "Nguyễn Thị Hằng" in text and cert.number in text


def test_an_awareness_certificate_moves_the_candidate_to_class_passed(make_class, tree):
    case = candidate_create(
        actor=SYSTEM,
        organisation=tree.cell1,
        data={
            "full_name": "Đinh Thị Mai",
            "birth_date": date(2000, 4, 2),
            "gender": "F",
            "ethnicity": "29",
            "education": "upper_secondary",
            "occupation": "farmer",
        },
        on=TODAY - timedelta(days=60),
    )
    c = make_class()
    e = enrolment_create(actor=SYSTEM, training_class=c, candidate=case)
    for s in c.sessions.all():
        session_roll_call(actor=SYSTEM, session=s, present=[e.pk])
    class_move(actor=SYSTEM, training_class=c, to=State.CLOSED)
    class_complete(actor=SYSTEM, training_class=c)
    issue = certificates_issue(actor=SYSTEM, training_class=c, issued_on=TODAY)
    case.refresh_from_db()
    assert issue.handed_off == [case.pk] and issue.not_handed_off == {}
    assert (case.stage, case.certificate_number, case.certificate_on) == (
        Stage.CLASS_PASSED,
        issue.certificates[0].number,
        TODAY,
    )


# --- the participant list of an online session ----------------------------------------------------

CSV = (
    "\ufeffHọ và tên,Email,Thời lượng\n"
    "nguyen thi hang,hang@example.vn,95\n"  # accents and case do not count
    "Y BLÚP,,1:20:00\n"
    "Nguyễn Thị Hằng,,30\n"  # the same person again
    "Hồ Văn Đứk,,60\n"  # a misspelling of Hồ Văn Đức
    "Trần Văn Lạ,,60\n"  # nobody of that name
)


def test_a_preview_matches_each_row_and_writes_nothing(make_class, people):
    c = make_class()
    for m in people:
        enrolment_create(actor=SYSTEM, training_class=c, member=m)
    s = c.sessions.first()
    preview = attendance_import_preview(actor=SYSTEM, session=s, content=CSV.encode())
    assert [(r.row.line, r.status) for r in preview.rows] == [
        (2, Match.MATCHED),
        (3, Match.MATCHED),
        (4, Match.DUPLICATE),
        (5, Match.MISSPELT),
        (6, Match.UNKNOWN),
    ]
    assert preview.rows[3].suggestion.full_name == "Hồ Văn Đức"
    assert preview.rows[1].row.minutes == 80
    assert SessionAttendance.objects.count() == 0
    s.refresh_from_db()
    assert not s.attendance_taken


def test_two_enrolled_people_of_the_same_folded_name_are_ambiguous(make_class, tree, make_member):
    c = make_class()
    for name in ("Nguyễn Văn An", "Nguyen Van An"):
        enrolment_create(
            actor=SYSTEM, training_class=c, member=make_member(tree.cell1, full_name=name)
        )
    preview = attendance_import_preview(
        actor=SYSTEM, session=c.sessions.first(), content=b"Name\nNGUYEN VAN AN\n"
    )
    assert preview.rows[0].status == Match.AMBIGUOUS and len(preview.rows[0].candidates) == 2


def test_confirming_writes_the_matched_rows_only(make_class, people):
    c = make_class()
    rows = {m.full_name: enrolment_create(actor=SYSTEM, training_class=c, member=m) for m in people}
    s = c.sessions.first()
    done = attendance_import_confirm(actor=SYSTEM, session=s, content=CSV.encode("utf-8"))
    assert done.written == 2
    written = dict(SessionAttendance.objects.values_list("enrolment_id", "minutes"))
    assert written == {rows["Nguyễn Thị Hằng"].pk: 95, rows["Y Blúp"].pk: 80}
    s.refresh_from_db()
    assert s.attendance_taken


@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_share_the_organisers_numbers_without_gap_or_repeat(
    make_class, people, tree
):
    """PostgreSQL, two connections: both classes' certificates are issued at the same moment
    after a first class's; the organiser's counter row, locked, makes the second wait."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL")
    classes = []
    for i, group in enumerate((people[:1], people[1:3], people[3:])):
        c, _ = _finished(make_class, group, [5] * len(group), title=f"Lớp {i + 1}")
        class_complete(actor=SYSTEM, training_class=c)
        classes.append(c)
    certificates_issue(actor=SYSTEM, training_class=classes.pop(0), issued_on=TODAY)
    start = threading.Barrier(2)
    issued, failed = [], []

    def issue(c):
        try:
            start.wait(timeout=10)
            issued.append(certificates_issue(actor=SYSTEM, training_class=c, issued_on=TODAY))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            failed.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(c,)) for c in classes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failed == []
    seqs = sorted(cert.seq for i in issued for cert in i.certificates)
    assert seqs == [2, 3, 4]
    from dangvu.training.models import CertificateCounter

    assert CertificateCounter.objects.get(organiser=tree.district, year=TODAY.year).last == 4
