"""Sample rows of every organisation-bound model (dangvu.core.registry), one factory per model.

The guards that must cover a new model without a new test read them: the role × route matrix
(dangvu.testing.matrix) fills URL parameters with sample rows and looks for their names and
sensitive values in every answer; the query-count checks (dangvu.testing.query_counts) grow
their datasets with them. A registered model without a sample fails the matrix
(`missing_samples`): a new app that registers a model adds its sample here (apps never import
`testing`, so the registrations live on this side).
"""

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from dangvu.core.registry import org_bound_entries

__all__ = [
    "Sample",
    "register_sample",
    "sample_for",
    "samples",
    "missing_samples",
    "make_home",
]


@dataclass(frozen=True)
class Sample:
    """How the guards make and recognise rows of one organisation-bound model.

    - `make(org, tag)`: a new row of the model in `org` (made through the services). The
      organisation model is the container of the others: its `make` adds a cell under `org`
      (a grassroots committee); every other model's `make` puts its row in such a cell.
      `tag` is a short word that keeps the row's names apart from those of other worlds.
    - `params`: the URL parameters (path or query) that address a row, each with the row's
      attribute it carries ({"pk": "pk", "member_id": "pk"}).
    - `reveals(row)`: strings whose presence in an answer shows the row (its name, its code,
      the link to its page).
    - `shown(row)`: {sensitive field: the ways its value reads on a page} (labels in every
      language, dates in every format the templates use): absent wherever the actor may not
      see the row's sensitive fields.
    - `sensitive_queries(row)`: pairs of queries, the first picking the row out by one of its
      sensitive values (a search by its identity number, a filter on its ethnicity), the second
      the same with a value the row does not have. For an actor who may not see that value, an
      answer to the first must not show the row unless the answer to the second does too (a
      filter a page ignores tells nothing; one that works tells the value).
    """

    model: type
    make: Callable[[Any, str], Any]
    params: Mapping[str, str]
    reveals: Callable[[Any], tuple[str, ...]]
    shown: Callable[[Any], dict[str, tuple[str, ...]]] = field(default=lambda row: {})
    sensitive_queries: Callable[[Any], tuple[tuple[dict, dict], ...]] = field(
        default=lambda row: ()
    )


_samples: dict[type, Sample] = {}


def register_sample(sample: Sample) -> Sample:
    _samples[sample.model] = sample
    return sample


def sample_for(model: type) -> Sample | None:
    concrete = getattr(getattr(model, "_meta", None), "concrete_model", model)
    return _samples.get(concrete)


def samples() -> list[Sample]:
    """The samples of the registered models, in registration order (the organisation first)."""
    return [s for e in org_bound_entries() if (s := sample_for(e.model)) is not None]


def missing_samples() -> list[str]:
    """The registered organisation-bound models that have no sample (each a message)."""
    return [
        f"{e.model._meta.label} is registered as organisation-bound but has no sample: "
        "add one in dangvu/testing/samples.py (register_sample) so that the role × route "
        "matrix and the query-count checks cover it"
        for e in org_bound_entries()
        if sample_for(e.model) is None
    ]


def make_home(committee, tag: str):
    """A new member-holding cell under `committee`: the organisation's sample row, in which the
    samples of the other models are made."""
    from dangvu.organisations.models import Organisation

    return sample_for(Organisation).make(committee, tag)


# --- the samples ------------------------------------------------------------------------------

_serial = itertools.count(1)


def _make_cell(parent, tag: str):
    from dangvu.testing.factories import make_org

    n = next(_serial)
    return make_org(
        code=f"{parent.code}-C{n:03d}",
        name=f"Chi bộ Mẫu {tag} {n:03d}",
        kind="cell",
        parent=parent,
    )


def _org_reveals(org) -> tuple[str, ...]:
    return (org.name, org.code, f"/organisations/{org.code}/")


# Rare ethnicities and religions whose labels are no part of another label: two members made
# one after the other never share one, so a page that shows one member's shows no other's.
_ETHNICITIES = ("52", "54", "51", "32", "53", "50")  # Rơ-măm, Ơ Đu, Pu Péo, Xinh-mun, Brâu, Si La
_RELIGIONS = ("04", "11", "06", "10")  # Cao Đài, Minh Sư đạo, Hồi giáo, Phật giáo Tứ Ân…
_members = itertools.count(0)


def _make_member(cell, tag: str):
    from dangvu.testing.factories import make_member

    n, i = next(_serial), next(_members)
    # Values no page shows by chance: a rare ethnicity and religion, a birthday of its own.
    return make_member(
        cell,
        full_name=f"Đinh Thị Mẫu {tag} {_letters(n)}",
        birth_date=date(1961, 1 + i % 12, 1 + n % 28),
        ethnicity=_ETHNICITIES[i % len(_ETHNICITIES)],
        religion=_RELIGIONS[i % len(_RELIGIONS)],
        identity_number=f"0791{n:08d}",
        phone=f"0988{n:06d}",
        party_card_number=f"7{n:07d}",
    )


def _make_sample_member(cell, tag: str):
    """A member whose professional level was corrected from the start (a master's degree, not
    a bachelor's): their history of dated attributes has a row (members' attribute route and
    its file), and their periods keep their dates (a change would cut them, and the lists
    that count what starts in a period would read more)."""
    from dangvu.members.services import member_attribute_change

    m = _make_member(cell, tag)
    member_attribute_change(
        actor=None,
        member=m,
        field="professional_level",
        value="master",
        kind="correction",
        from_start=True,
        source=f"Bằng thạc sĩ Mẫu {tag}",
    )
    m.refresh_from_db()
    return m


def _letters(n: int) -> str:
    """n as a word of letters (names hold no digits), all of one length so that none is the
    start of another: 1 → "XBaBaBaBe", 12 → "XBaBaBeBi"."""
    syllables = ("Ba", "Be", "Bi", "Bo", "Bu", "Ca", "Ce", "Ci", "Co", "Cu")
    return "X" + "".join(syllables[int(d)] for d in f"{n:04d}")


def _member_reveals(m) -> tuple[str, ...]:
    return (m.full_name, m.party_card_number, f"/members/{m.pk}/")


def _member_shown(m) -> dict[str, tuple[str, ...]]:
    from dangvu.core.refdata import ETHNICITIES, RELIGIONS

    ethnicity, religion = ETHNICITIES.get(m.ethnicity), RELIGIONS.get(m.religion)
    return {
        "identity_number": (m.identity_number,),
        "phone": (m.phone,),
        "birth_date": (m.birth_date.strftime("%d/%m/%Y"), m.birth_date.isoformat()),
        "ethnicity": (ethnicity.vi, ethnicity.en),
        "religion": (religion.vi, religion.en),
    }


def _member_queries(m) -> tuple[tuple[dict, dict], ...]:
    return (
        ({"q": m.identity_number}, {"q": "079999999999"}),
        ({"ethnicity": m.ethnicity}, {"ethnicity": "01"}),  # Kinh: none of the samples
        ({"religion": m.religion}, {"religion": "00"}),  # none: none of the samples
    )


def _make_signed_report(cell, tag: str):
    from dangvu.stats.models import SignedReport
    from dangvu.stats.selectors import canonical_figures, membership_figures

    figures, digest = canonical_figures(membership_figures(cell))
    signed = SignedReport(
        kind="membership",
        as_of=figures["as_of"],
        figures=figures,
        digest=digest,
        signer=f"Người ký {tag} {next(_serial)}",
    )
    signed.place_in(cell)
    signed.save()
    return signed


def _signed_reveals(s) -> tuple[str, ...]:
    return (s.signer, f"/reports/signed/{s.pk}/")


def _register() -> None:
    from dangvu.members.models import Member
    from dangvu.organisations.models import Organisation

    register_sample(
        Sample(
            model=Organisation,
            make=_make_cell,
            params={"code": "code", "org": "code", "parent": "code"},
            reveals=_org_reveals,
        )
    )
    register_sample(
        Sample(
            model=Member,
            make=_make_sample_member,
            params={"pk": "pk", "member_id": "pk"},
            reveals=_member_reveals,
            shown=_member_shown,
            sensitive_queries=_member_queries,
        )
    )


_register()


def _register_signed_reports() -> None:
    from dangvu.stats.models import SignedReport

    register_sample(
        Sample(
            model=SignedReport,
            make=_make_signed_report,
            params={"report_id": "pk"},
            reveals=_signed_reveals,
        )
    )


_register_signed_reports()


def _make_transfer(cell, tag: str):
    """A member of `cell` sent to a new cell beside it (both in the same world side)."""
    from dangvu.members.models import Member
    from dangvu.members.services import transfer_send
    from dangvu.organisations.models import Organisation

    # A member of the cell not already in transit (the cell's sample members first), else a
    # new one: the cell's member count stays what the other samples made it.
    member = (
        Member.objects.filter(organisation=cell, status__in=("official", "probationary"))
        .exclude(transfers__state="sent")
        .order_by("pk")
        .first()
    ) or _make_member(cell, tag)
    to = _make_cell(Organisation.objects.get_parent(cell), f"{tag}t")
    return transfer_send(
        actor=None,
        member=member,
        to=to,
        on=date(2024, 6, 3),
        decision_number=f"GGT-{tag}-{next(_serial)}",
    )


def _transfer_reveals(t) -> tuple[str, ...]:
    # Its own marks, not its member's (the member's sample guards those).
    return (t.decision_number, f"/members/transfers/{t.pk}/")


def _register_transfers() -> None:
    from dangvu.members.models import Transfer

    register_sample(
        Sample(
            model=Transfer,
            make=_make_transfer,
            params={"transfer_id": "pk"},
            reveals=_transfer_reveals,
        )
    )


_register_transfers()


# --- positions and the admission pipeline ----------------------------------------------------


def _make_position(cell, tag: str):
    """A village head outside the party (their name is the row's only mark)."""
    from dangvu.members.models import Position
    from dangvu.members.services import position_assign

    return position_assign(
        actor=None,
        organisation=cell,
        kind=Position.Kind.VILLAGE_HEAD,
        person_name=f"Trưởng Thôn Mẫu {tag} {_letters(next(_serial))}",
        valid_from=date(2024, 1, 2),
    )


_CANDIDATE_ETHNICITIES = ("41", "47", "48", "44")  # Pà Thẻn, Cơ Lao, Bố Y, Chứt
# Cơ đốc Phục lâm, Bửu Sơn Kỳ Hương, Các Thánh hữu Ngày sau, Bà-la-môn giáo
_CANDIDATE_RELIGIONS = ("09", "14", "13", "15")


def _make_candidate(cell, tag: str):
    from dangvu.admission.services import candidate_create

    n, i = next(_serial), next(_members)
    return candidate_create(
        actor=None,
        organisation=cell,
        data={
            "full_name": f"Y Ứng Viên {tag} {_letters(n)}",
            "birth_date": date(2001, 1 + i % 12, 1 + n % 28),
            "gender": "F",
            # Values no member sample has (an API object is told by its id and a value).
            "ethnicity": _CANDIDATE_ETHNICITIES[i % len(_CANDIDATE_ETHNICITIES)],
            "religion": _CANDIDATE_RELIGIONS[i % len(_CANDIDATE_RELIGIONS)],
            "identity_number": f"0792{n:08d}",
            "phone": f"0977{n:06d}",
            "education": "lower_secondary",
            "occupation": "village_staff",
        },
        on=date(2024, 1, 2),
    )


def _candidate_reveals(c) -> tuple[str, ...]:
    return (c.full_name, f"/admission/{c.pk}/")


def _make_target(cell, tag: str):
    """A term target of the committee above the cell (targets are set by committees)."""
    from dangvu.admission.services import target_set
    from dangvu.organisations.models import Organisation

    return target_set(
        actor=None,
        organisation=Organisation.objects.get_parent(cell),
        term_start=date(2020, 8, 1 + next(_serial) % 27),
        term_end=date(2025, 6, 30),
        total=40,
        note=f"Mục tiêu Mẫu {tag} {_letters(next(_serial))}",
    )


def _register_admission() -> None:
    from dangvu.admission.models import Candidate, Target
    from dangvu.members.models import Position

    register_sample(
        Sample(
            model=Position,
            make=_make_position,
            params={},
            reveals=lambda p: (p.person_name,),
        )
    )
    register_sample(
        Sample(
            model=Candidate,
            make=_make_candidate,
            params={"candidate_id": "pk"},
            reveals=_candidate_reveals,
            shown=_member_shown,
        )
    )
    register_sample(Sample(model=Target, make=_make_target, params={}, reveals=lambda t: (t.note,)))


_register_admission()


# --- cell meetings ------------------------------------------------------------------------------


def _make_meeting(cell, tag: str):
    """A planned thematic meeting (its topic is the row's mark) with its agenda as a PDF (the
    file's routes are addressed by `sample_file_id`)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.meetings.choices import Kind
    from dangvu.meetings.models import MeetingFile
    from dangvu.meetings.services import meeting_attach, meeting_plan

    m = meeting_plan(
        actor=None,
        organisation=cell,
        kind=Kind.THEMATIC,
        planned_on=date(2024, 2, 1 + next(_serial) % 27),
        topic=f"Chuyên Đề Mẫu {tag} {_letters(next(_serial))}",
    )
    upload = SimpleUploadedFile(f"chuong-trinh-{tag.lower()}.pdf", b"%PDF-1.4\n%%EOF\n")
    m.sample_file_id = meeting_attach(
        actor=None, meeting=m, upload=upload, role=MeetingFile.Role.OTHER
    ).pk
    return m


def _make_supervision(cell, tag: str):
    """A committee member following the cell (their name is the row's mark)."""
    from dangvu.meetings.services import supervision_assign
    from dangvu.organisations.models import Organisation
    from dangvu.testing.factories import make_user

    n = next(_serial)
    committee = Organisation.objects.get_parent(cell)
    user = make_user(f"gs-{tag.lower()}-{n}", role="committee_member", org=committee)
    user.last_name, user.first_name = "Giám Sát", f"Mẫu {tag} {_letters(n)}"
    user.save(update_fields=["last_name", "first_name"])
    return supervision_assign(
        actor=None, committee=committee, cell=cell, supervisor=user, valid_from=date(2024, 1, 1)
    )


def _make_task(cell, tag: str):
    from dangvu.meetings.services import task_assign
    from dangvu.members.models import Member

    member = Member.objects.filter(organisation=cell).first() or _make_member(cell, tag)
    return task_assign(
        actor=None,
        member=member,
        title=f"Nhiệm Vụ Mẫu {tag} {_letters(next(_serial))}",
        suited_to="Sức khỏe tốt, ở gần thôn",
        assigned_on=date(2024, 3, 1),
        due_on=date(2024, 6, 30),
    )


def _register_meetings() -> None:
    from dangvu.meetings.models import Meeting, MemberTask, Supervision

    register_sample(
        Sample(
            model=Supervision,
            make=_make_supervision,
            params={"supervision_id": "pk"},
            reveals=lambda s: (s.supervisor_name,),
        )
    )
    register_sample(
        Sample(
            model=MemberTask,
            make=_make_task,
            params={"task_id": "pk"},
            reveals=lambda t: (t.title,),
        )
    )

    register_sample(
        Sample(
            model=Meeting,
            make=_make_meeting,
            params={"meeting_id": "pk", "file_id": "sample_file_id"},
            reveals=lambda m: (m.topic, f"/meetings/{m.pk}/"),
        )
    )


_register_meetings()


# --- training classes ---------------------------------------------------------------------------


def _make_training_class(cell, tag: str):
    """An awareness class of the cell's committee, finished in 2024 (its title is the row's
    mark): two sessions, a material, one member of the cell enrolled, present at both, with
    their certificate. The routes of a session, a material and a certificate are addressed by
    `sample_session_id`, `sample_material_id` and `sample_certificate_id`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.members.models import Member
    from dangvu.organisations.models import Organisation
    from dangvu.training.choices import Kind, Mode, State
    from dangvu.training.services import (
        SessionInput,
        certificates_issue,
        class_complete,
        class_create,
        class_move,
        enrolment_create,
        material_attach,
        session_roll_call,
    )

    n = next(_serial)
    day = date(2024, 3, 1 + n % 20)
    c = class_create(
        actor=None,
        organisation=Organisation.objects.get_parent(cell),
        kind=Kind.AWARENESS,
        mode=Mode.IN_PERSON,
        title=f"Lớp Mẫu {tag} {_letters(n)}",
        capacity=40,
        location="Hội trường",
        sessions=[
            SessionInput(day, time(7, 30), time(11, 0), "Bài 1"),
            SessionInput(day, time(13, 30), time(16, 30), "Bài 2"),
        ],
    )
    upload = SimpleUploadedFile(f"tai-lieu-{tag.lower()}.pdf", b"%PDF-1.4\n%%EOF\n")
    c.sample_material_id = material_attach(actor=None, training_class=c, upload=upload).pk
    member = Member.objects.filter(organisation=cell).first() or _make_member(cell, tag)
    e = enrolment_create(actor=None, training_class=c, member=member)
    class_move(actor=None, training_class=c, to=State.CLOSED)
    sessions = list(c.sessions.all())
    for s in sessions:
        session_roll_call(actor=None, session=s, present=[e.pk])
    class_complete(actor=None, training_class=c, on=day)
    issue = certificates_issue(actor=None, training_class=c, issued_on=day)
    c.refresh_from_db()
    c.sample_session_id = sessions[0].pk
    c.sample_material_id = c.materials.first().pk
    c.sample_certificate_id = issue.certificates[0].pk
    return c


def _register_training() -> None:
    from dangvu.training.models import TrainingClass

    register_sample(
        Sample(
            model=TrainingClass,
            make=_make_training_class,
            params={
                "class_id": "pk",
                "session_id": "sample_session_id",
                "material_id": "sample_material_id",
                "certificate_id": "sample_certificate_id",
            },
            reveals=lambda c: (c.title, f"/training/{c.pk}/"),
        )
    )


_register_training()


# --- documents ----------------------------------------------------------------------------------


def _make_document(cell, tag: str):
    """A plan the cell's committee issued in 2024 (its title is the row's mark), with a file
    (the route of a file is addressed by `sample_file_id`), sent to the cell, which has not
    reported yet (its implementation has a row; a cell's own documents go to nobody)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.documents.choices import Kind
    from dangvu.documents.services import document_create, file_attach, recipients_send
    from dangvu.organisations.models import Organisation

    n = next(_serial)
    d = document_create(
        actor=None,
        organisation=Organisation.objects.get_parent(cell),
        kind=Kind.PLAN,
        code=f"{n}-KH/ĐU",
        issued_on=date(2024, 3, 1 + n % 20),
        title=f"Kế hoạch Mẫu {tag} {_letters(n)}",
    )
    upload = SimpleUploadedFile(f"ke-hoach-{tag.lower()}.pdf", b"%PDF-1.4\n%%EOF\n")
    d.sample_file_id = file_attach(actor=None, document=d, upload=upload).pk
    recipients_send(actor=None, document=d, organisations=[cell], due_on=date(2024, 6, 30))
    return d


def _make_recipient(cell, tag: str):
    """The cell's row of a plan its committee sent it in 2024, reported on (the report's notes
    are the row's mark: only those who see the cell's row read them)."""
    from dangvu.documents.choices import Kind, Status
    from dangvu.documents.services import document_create, implementation_report, recipients_send
    from dangvu.organisations.models import Organisation

    n = next(_serial)
    d = document_create(
        actor=None,
        organisation=Organisation.objects.get_parent(cell),
        kind=Kind.PLAN,
        code=f"{n}-KH/ĐU",
        issued_on=date(2024, 3, 1 + n % 20),
        title=f"Kế hoạch gửi {tag} {_letters(n)}",
    )
    recipients_send(actor=None, document=d, organisations=[cell], due_on=date(2024, 6, 30))
    r = d.recipients.get(organisation=cell)
    return implementation_report(
        actor=None,
        recipient=r,
        status=Status.IN_PROGRESS,
        notes=f"Báo cáo Mẫu {tag} {_letters(n)}",
        on=date(2024, 5, 2),
    )


def _register_documents() -> None:
    from dangvu.documents.models import Document, Recipient

    register_sample(
        Sample(
            model=Document,
            make=_make_document,
            params={"document_id": "pk", "file_id": "sample_file_id"},
            reveals=lambda d: (d.title, f"/documents/{d.pk}/"),
        )
    )
    register_sample(
        Sample(
            model=Recipient,
            make=_make_recipient,
            params={"recipient_id": "pk"},
            reveals=lambda r: (r.notes,),
        )
    )


_register_documents()


# --- the portal ---------------------------------------------------------------------------------


def _make_article(cell, tag: str):
    """A draft of the cell's committee (its headline is the row's mark): not on the portal, so
    only those who may edit it see it (at its public address too, as a preview)."""
    from dangvu.news.models import Category
    from dangvu.news.services import article_create, categories_ensure
    from dangvu.organisations.models import Organisation

    categories_ensure()
    n = next(_serial)
    return article_create(
        actor=None,
        organisation=Organisation.objects.get_parent(cell),
        data={
            "title": f"Bài Mẫu {tag} {_letters(n)}",
            "lead": "Tin ma trận.",
            "body": "<p>Nội dung.</p>",
            "category": Category.objects.order_by("pk").first(),
        },
    )


def _make_comment(cell, tag: str):
    """A reader's comment held for moderation on a published article of the cell's committee
    (its text is the row's mark: only its moderators read it before it is approved)."""
    from dangvu.news.captcha import question_new
    from dangvu.news.models import Comment
    from dangvu.news.services import article_publish

    a = article_publish(actor=None, article=_make_article(cell, tag))
    n = next(_serial)
    c = Comment(
        article=a,
        name="Bạn đọc",
        email="ban.doc@example.vn",
        text=f"Ý kiến Mẫu {tag} {_letters(n)}",
        nonce=question_new().token[-32:],
    )
    c.place_in(a.organisation)
    c.save()
    return c


def _register_news() -> None:
    from dangvu.news.models import Article, Comment

    register_sample(
        Sample(
            model=Article,
            make=_make_article,
            params={"article_id": "pk", "article_slug": "slug"},
            reveals=lambda a: (a.title,),
        )
    )
    register_sample(
        Sample(
            model=Comment,
            make=_make_comment,
            params={"comment_id": "pk"},
            reveals=lambda c: (c.text,),
        )
    )


_register_news()


# --- data in and out ----------------------------------------------------------------------------


def _make_import(cell, tag: str):
    """A file of two members checked into the cell and not written, one of them rejected (its
    file name is the row's mark: only those who may add members to the cell see it)."""
    from dangvu.accounts.scoping import SYSTEM
    from dangvu.interchange.services import import_create, import_run

    n = next(_serial)
    data = (
        "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Giáo dục phổ thông,Nghề nghiệp,Ngày vào Đảng\n"
        f"Nguyễn Văn {_letters(n)},01/02/1990,Nam,Kinh,12/12,Nông dân,01/06/2020\n"
        # A row born in the future: the import has a file of rejected rows to serve.
        f"Trần Văn {_letters(n)},01/02/2090,Nam,Kinh,12/12,Nông dân,01/06/2020\n"
    ).encode()
    job = import_create(
        actor=SYSTEM,
        organisation=cell,
        data=data,
        file_name=f"nhap-{tag.lower()}-{_letters(n)}.csv",
    )
    return import_run(job.pk)


def _register_interchange() -> None:
    from dangvu.interchange.models import MemberImport

    register_sample(
        Sample(
            model=MemberImport,
            make=_make_import,
            params={"import_id": "pk"},
            reveals=lambda j: (j.file_name, f"/interchange/imports/{j.pk}/"),
        )
    )


_register_interchange()
