"""The demo's training classes (docs/decisions/0022), through the training services only,
actor = the system.

Quang Bình (Hà Giang), 2021–2022 — written with the history, before the reorganisation of
1/7/2025, while the district committee (`H035`) still exists: it organises the classes (its
political centre teaches them; the numbers read `…/TTCT-H035`) and keeps them as its history
once it is dissolved. First every cell gets its committee for the terms 2020–2022 and 2022–2025
(secretary, deputy, committee members: positions recorded through members.services, ended at
the cell congresses of spring 2025; the terms after them are not in the demo). Then 17 online
classes in the skills of a cell committee, 5 evening sessions each: 12 for the committees of
2020–2022 (March 2021 to April 2022), 5 for those elected in 2022 (August to December 2022),
where some re-elected secretaries take a second class. Exactly QUANG_BINH_PEOPLE distinct people;
attendance taken at every session (most present, a few who dropped out fail), results recorded
and certificates issued.

Đăk Glei (Kon Tum, since 1/7/2025 Quảng Ngãi) — dated back from the run day, after the
admission cases: in-person awareness classes of the province committee (`T51`, where the demo
trainer `giangvien` works), each serving a cluster of communes of the former district. A class
that ended eleven days before the run day took Đăk Plô's cases at the "identified" stage and new cases of its
cluster (and a few from communes outside it, who travel); its certificates move the cases to
"awareness class passed" (the hand-off). A class under way this week, enrolment closed, has new
cases of its cluster: the trainer has attendance and results to record. The cases already past
"identified" are left as the admission story wrote them.

Deterministic: every choice comes from random.Random seeded with fixed strings; the Quang Bình
part never depends on the run day, the Đăk Glei part only on it.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Q

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Proposer, Stage
from dangvu.admission.models import Candidate
from dangvu.admission.services import candidate_create
from dangvu.core.db import prefix_q
from dangvu.dataset.demo.names import full_name
from dangvu.members.choices import Status
from dangvu.members.models import Member, MemberPeriod, Position
from dangvu.members.services import position_assign, position_end
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.training.choices import Kind, Mode, State
from dangvu.training.choices import Status as Roll
from dangvu.training.models import ClassSession, Enrolment, TrainingClass
from dangvu.training.services import (
    SessionInput,
    certificates_issue,
    class_complete,
    class_create,
    class_move,
    enrolments_create_bulk,
    scores_record,
    session_roll_call,
)

__all__ = [
    "record_quang_binh_training",
    "record_dak_glei_training",
    "QUANG_BINH",
    "QUANG_BINH_CLASSES",
    "QUANG_BINH_PEOPLE",
    "TERMS",
]

QUANG_BINH = "H035"
QUANG_BINH_CLASSES = 17
QUANG_BINH_PEOPLE = 731
# The cells' terms: elected at the congress of the first day, until that of the second.
TERMS = ((date(2020, 6, 15), date(2022, 6, 15)), (date(2022, 6, 15), date(2025, 5, 15)))
COMMITTEE_KINDS = (
    Position.Kind.SECRETARY,
    Position.Kind.DEPUTY_SECRETARY,
    Position.Kind.COMMITTEE_MEMBER,
)
# The first day of each class's week (its sessions run Monday to Friday evening): twelve for the
# committees of 2020–2022, five for those of 2022–2025.
_FIRST_TERM_WEEKS = [
    date(2021, 3, 8),
    date(2021, 4, 12),
    date(2021, 5, 10),
    date(2021, 6, 14),
    date(2021, 7, 12),
    date(2021, 8, 16),
    date(2021, 9, 13),
    date(2021, 10, 11),
    date(2021, 11, 15),
    date(2022, 2, 14),
    date(2022, 3, 14),
    date(2022, 4, 11),
]
_SECOND_TERM_WEEKS = [
    date(2022, 8, 8),
    date(2022, 9, 12),
    date(2022, 10, 10),
    date(2022, 11, 14),
    date(2022, 12, 12),
]
_TITLES = [
    "Kỹ năng tổ chức buổi sinh hoạt chi bộ có chất lượng",
    "Nghiệp vụ công tác đảng cho bí thư, phó bí thư chi bộ",
    "Nâng cao chất lượng sinh hoạt chi bộ thôn, tổ dân phố",
    "Kỹ năng điều hành sinh hoạt chi bộ thường kỳ và chuyên đề",
    "Bồi dưỡng chi ủy viên: nghiệp vụ công tác đảng ở chi bộ",
]
_NEW_COMMITTEE_TITLE = "Bồi dưỡng nghiệp vụ cho chi ủy nhiệm kỳ 2022–2025"
_TOPICS = [
    "Chức năng, nhiệm vụ của chi bộ, chi ủy; vai trò của bí thư chi bộ",
    "Chuẩn bị và điều hành buổi sinh hoạt chi bộ thường kỳ",
    "Sinh hoạt chuyên đề: chọn chủ đề, chuẩn bị nội dung, để đảng viên phát biểu",
    "Ghi biên bản, ra nghị quyết chi bộ và kiểm tra việc thực hiện",
    "Quản lý, đánh giá đảng viên và phát triển đảng viên ở chi bộ",
]
_EVENING = (time(19, 30), time(21, 30))
SEAT_OFFICIAL_AGE = 68  # nobody older is put on a cell committee


# --- Quang Bình --------------------------------------------------------------------------------


def _seats(n: int, extra: int) -> int:
    """How many seats a cell of `n` eligible official members fills: a secretary; a deputy from
    three members; a committee of three from nine and of five from fifteen; `extra` more
    committee members where the district asked for more (within what the cell has)."""
    base = 1 if n < 3 else 2 if n < 9 else 3 if n < 15 else 5
    return min(n, base + extra)


def _eligible(cells: list[Organisation], on: date) -> dict[int, list[int]]:
    """Per cell, the members who were official members of it on `on`, are still in it and in
    the party now, not exempted and not too old: most senior first."""
    rows = (
        MemberPeriod.objects.filter(
            organisation__in=cells, status=Status.OFFICIAL, exempted=False, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .filter(
            member__organisation_id=F("organisation_id"),
            member__status__in=[Status.OFFICIAL, Status.PROBATIONARY],
            member__exempted=False,
            member__birth_date__gt=date(on.year - SEAT_OFFICIAL_AGE, on.month, 1),
        )
        .order_by("organisation_id", "member__official_date", "member_id")
        .values_list("organisation_id", "member_id")
    )
    out: dict[int, list[int]] = {c.pk: [] for c in cells}
    for org, member in rows:
        if member not in out[org]:
            out[org].append(member)
    return out


@dataclass
class _Committees:
    """Who sits on each cell's committee in each term: (kind, member id) per cell."""

    first: dict[int, list[tuple[str, int]]]
    second: dict[int, list[tuple[str, int]]]

    def holders(self, term: int) -> set[int]:
        terms = self.first if term == 0 else self.second
        return {m for seats in terms.values() for _k, m in seats}


def _roles(members: list[int]) -> list[tuple[str, int]]:
    kinds = [Position.Kind.SECRETARY, Position.Kind.DEPUTY_SECRETARY]
    return [
        (kinds[i] if i < len(kinds) else Position.Kind.COMMITTEE_MEMBER, m)
        for i, m in enumerate(members)
    ]


def _plan_committees(cells: list[Organisation], extra: int) -> _Committees:
    """The committees of both terms: the most senior eligible members in 2020; in 2022 the
    secretary is re-elected where they still can be and the other seats go first to those who
    had none (a committee renewed by half or more)."""
    first_pool = _eligible(cells, TERMS[0][0])
    second_pool = _eligible(cells, TERMS[1][0])
    first, second = {}, {}
    for cell in cells:
        pool = first_pool[cell.pk]
        held = pool[: _seats(len(pool), extra)]
        first[cell.pk] = _roles(held)
        pool = second_pool[cell.pk]
        n = _seats(len(pool), extra)
        keep = [m for m in held[:1] if m in pool]
        newcomers = [m for m in pool if m not in held]
        again = [m for m in pool if m in held and m not in keep]
        second[cell.pk] = _roles((keep + newcomers + again)[:n])
    return _Committees(first, second)


def _quang_binh_cells(district: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            prefix_q("path", district.path),
            kind__in=sorted(MEMBER_HOLDING_KINDS),
            valid_to__isnull=True,
        ).order_by("path")
    )


def _record_committees(cells: list[Organisation], plan: _Committees) -> None:
    """Both terms through the position services: elected at the first congress; at the second,
    the seats that change end and the new ones begin; all end at the congress of 2025."""
    by_pk = {c.pk: c for c in cells}
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=plan.holders(0) | plan.holders(1)).select_related(
            "organisation"
        )
    }
    (start, change), (_same, end) = TERMS
    open_rows: dict[tuple[int, str, int], Position] = {}
    for cell_pk, seats in plan.first.items():
        for n, (kind, m) in enumerate(seats, start=1):
            open_rows[(cell_pk, kind, m)] = position_assign(
                actor=None,
                organisation=by_pk[cell_pk],
                kind=kind,
                member=members[m],
                valid_from=start,
                decision_number=f"{n}-QĐ/ĐU" if kind != Position.Kind.COMMITTEE_MEMBER else "",
                note="Đại hội chi bộ nhiệm kỳ 2020–2022",
            )
    for cell_pk, seats in plan.second.items():
        now = set(seats)
        for kind, m in plan.first[cell_pk]:
            if (kind, m) not in now:
                position_end(actor=None, position=open_rows.pop((cell_pk, kind, m)), on=change)
        for kind, m in seats:
            if (cell_pk, kind, m) not in open_rows:
                open_rows[(cell_pk, kind, m)] = position_assign(
                    actor=None,
                    organisation=by_pk[cell_pk],
                    kind=kind,
                    member=members[m],
                    valid_from=change,
                    note="Đại hội chi bộ nhiệm kỳ 2022–2025",
                )
    for row in open_rows.values():
        position_end(actor=None, position=row, on=end)


def _week(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(5)]


def _lecturers(rng: random.Random) -> list[str]:
    return [
        full_name(rng, ethnicity=e, gender=g, birth_year=y)
        for e, g, y in (("02", "F", 1978), ("01", "M", 1972), ("09", "M", 1981))
    ]


def _sessions(days: list[date], lecturers: list[str]) -> list[SessionInput]:
    return [
        SessionInput(
            day=d,
            starts_at=_EVENING[0],
            ends_at=_EVENING[1],
            topic=_TOPICS[i % len(_TOPICS)],
            lecturer=lecturers[i % len(lecturers)],
        )
        for i, d in enumerate(days)
    ]


def _take_attendance(rng: random.Random, c: TrainingClass, *, upto: date | None = None) -> None:
    """A roll call for every session that took place (up to `upto`): most present; one person in
    twenty misses one evening; one in thirty-five stops coming after the second."""
    enrolled = list(
        Enrolment.objects.filter(training_class=c, status=Roll.ENROLLED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    drop = {e for e in enrolled if rng.random() < 1 / 35}
    miss = {e: rng.randrange(5) for e in enrolled if e not in drop and rng.random() < 1 / 20}
    for n, s in enumerate(ClassSession.objects.filter(training_class=c).order_by("day", "pk")):
        if upto is not None and s.day > upto:
            break
        absent = {e for e in drop if n >= 2} | {e for e, k in miss.items() if k == n}
        session_roll_call(
            actor=None, session=s, present=[e for e in enrolled if e not in absent], absent=absent
        )


def _run_online_class(
    district: Organisation, n: int, monday: date, title: str, people: list[int], lecturers
) -> TrainingClass:
    rng = random.Random(f"dangvu-demo-training-{district.code}-{n}")
    days = _week(monday)
    c = class_create(
        actor=None,
        organisation=district,
        kind=Kind.CELL_SKILLS,
        mode=Mode.ONLINE,
        title=f"{title} (lớp {n}/{monday.year})",
        capacity=max(60, -(-len(people) // 10) * 10),
        online_link=f"https://hoctructuyen.example.org/quang-binh/{monday.year}-{n:02d}",
        audience="Bí thư, phó bí thư, chi ủy viên các chi bộ trực thuộc Đảng bộ huyện",
        lecturers="Trung tâm Chính trị huyện Quang Bình\n" + "\n".join(lecturers),
        sessions=_sessions(days, lecturers),
    )
    class_move(actor=None, training_class=c, to=State.OPEN)
    enrolments_create_bulk(
        actor=None, training_class=c, members=Member.objects.filter(pk__in=people)
    )
    class_move(actor=None, training_class=c, to=State.CLOSED)
    _take_attendance(rng, c)
    class_complete(actor=None, training_class=c, on=days[-1] + timedelta(days=3))
    certificates_issue(actor=None, training_class=c, issued_on=days[-1] + timedelta(days=10))
    return c


def _chunks(people: list[int], n: int) -> list[list[int]]:
    size, rest = divmod(len(people), n)
    out, at = [], 0
    for i in range(n):
        k = size + (1 if i < rest else 0)
        out.append(people[at : at + k])
        at += k
    return out


def record_quang_binh_training() -> int:
    """The cell committees of Quang Bình's cells for 2020–2025 and its 17 online classes of
    2021–2022 (see the module's docstring). Call it with the history written and before the
    reorganisation. Returns how many people took a class."""
    district = Organisation.objects.filter(code=QUANG_BINH, valid_to__isnull=True).first()
    if district is None:
        return 0
    cells = _quang_binh_cells(district)
    # The district asked its cells for committees big enough that the people its classes
    # trained were all on one: the smallest addition that gives them.
    for extra in range(10):
        plan = _plan_committees(cells, extra)
        if len(plan.holders(0) | plan.holders(1)) >= QUANG_BINH_PEOPLE:
            break
    else:
        raise RuntimeError("Quang Bình has too few members for its cell committees")
    _record_committees(cells, plan)

    order = {c.pk: i for i, c in enumerate(cells)}

    def ordered(seats: dict[int, list[tuple[str, int]]], keep) -> list[int]:
        return [m for cell in sorted(seats, key=order.get) for _k, m in seats[cell] if keep(m)]

    first = plan.holders(0)
    # Those elected in 2022 who had no seat before; the re-elected secretaries take the class
    # for the new term too.
    newcomers = ordered(plan.second, lambda m: m not in first)
    late = newcomers[: QUANG_BINH_PEOPLE - len(first)] if len(first) < QUANG_BINH_PEOPLE else []
    early = ordered(plan.first, lambda _m: True)[: QUANG_BINH_PEOPLE - len(late)]
    secretaries = [
        m for seats in plan.second.values() for k, m in seats if k == Position.Kind.SECRETARY
    ]
    again = [m for m in secretaries if m in set(early)][: 4 * len(_SECOND_TERM_WEEKS)]
    lecturers = _lecturers(random.Random("dangvu-demo-training-lecturers-H035"))
    classes = [
        (monday, _TITLES[i % len(_TITLES)], people)
        for i, (monday, people) in enumerate(
            zip(_FIRST_TERM_WEEKS, _chunks(early, len(_FIRST_TERM_WEEKS)), strict=True)
        )
    ] + [
        (monday, _NEW_COMMITTEE_TITLE, newly + twice)
        for monday, newly, twice in zip(
            _SECOND_TERM_WEEKS,
            _chunks(late, len(_SECOND_TERM_WEEKS)),
            _chunks(again, len(_SECOND_TERM_WEEKS)),
            strict=True,
        )
    ]
    numbers: dict[int, int] = {}
    for monday, title, people in classes:
        numbers[monday.year] = numbers.get(monday.year, 0) + 1
        _run_online_class(district, numbers[monday.year], monday, title, people, lecturers)
    return len(set(early) | set(late))


# --- Đăk Glei ----------------------------------------------------------------------------------

# The communes of the former Đắk Glei district (since 1/7/2025).
DAK_PEK, DAK_PLO, XOP, NGOC_LINH, DAK_LONG, DAK_MON = (
    "X23341",
    "X23344",
    "X23356",
    "X23365",
    "X23368",
    "X23374",
)
PROVINCE = "T51"
TRAINER = "giangvien"
_ETHNICITIES = [("16", 0.55), ("29", 0.3), ("12", 0.1), ("01", 0.05)]  # Xơ Đăng, Giẻ Triêng…
_AWARENESS_TOPICS = [
    "Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh — nền tảng tư tưởng của Đảng",
    "Đảng Cộng sản Việt Nam: sự ra đời và những thắng lợi của cách mạng",
    "Mục tiêu, con đường đi lên chủ nghĩa xã hội ở Việt Nam",
    "Những nội dung cơ bản của Điều lệ Đảng",
    "Tổ chức cơ sở đảng và người đảng viên; phấn đấu trở thành đảng viên",
    "Ôn tập, viết bài thu hoạch",
]


def _village_cells(code: str) -> list[Organisation]:
    """The cells of the villages (thôn) and residential groups (tổ dân phố) of a commune, not
    those of its schools and offices."""
    commune = Organisation.objects.get(code=code)
    cells = Organisation.objects.filter(
        prefix_q("path", commune.path), kind="cell", valid_to__isnull=True
    ).order_by("code")
    return [c for c in cells if re.fullmatch(r"CS\d+-(T|TDP)\d+", c.code)]


def _new_case(rng: random.Random, cell: Organisation, on: date) -> Candidate:
    """An outstanding young person the village cell identified on `on` (generated)."""
    ethnicity = rng.choices([k for k, _w in _ETHNICITIES], [w for _k, w in _ETHNICITIES])[0]
    gender = "F" if rng.random() < 0.45 else "M"
    age = rng.randint(19, 32)
    birth = date(on.year - age, rng.randint(1, 12), rng.randint(1, 28))
    return candidate_create(
        actor=SYSTEM,
        organisation=cell,
        data={
            "full_name": full_name(rng, ethnicity=ethnicity, gender=gender, birth_year=birth.year),
            "birth_date": birth,
            "gender": gender,
            "ethnicity": ethnicity,
            "religion": "00",
            "education": rng.choice(["lower_secondary", "upper_secondary", "upper_secondary"]),
            "occupation": rng.choice(["farmer", "farmer", "farmer", "village_staff", "enterprise"]),
            "youth_union": "yes" if age <= 30 and rng.random() < 0.6 else "",
        },
        on=on,
        proposed_by=rng.choice([Proposer.CELL, Proposer.YOUTH_UNION, Proposer.WOMEN_UNION]),
    )


def _new_cases(rng, plan: list[tuple[str, int]], on: date) -> list[int]:
    out = []
    for code, n in plan:
        cells = _village_cells(code)
        for _i in range(n):
            out.append(_new_case(rng, cells[rng.randrange(len(cells))], on).pk)
    return out


def _awareness_class(
    *, title: str, location: str, cluster: list[str], days: list[date], trainer, lecturers
) -> TrainingClass:
    c = class_create(
        actor=None,
        organisation=Organisation.objects.get(code=PROVINCE),
        kind=Kind.AWARENESS,
        mode=Mode.IN_PERSON,
        title=title,
        capacity=40,
        location=location,
        cluster=list(Organisation.objects.filter(code__in=cluster).order_by("code")),
        audience="Quần chúng ưu tú do các chi bộ thôn giới thiệu",
        lecturers="\n".join(lecturers),
        pass_mark=5,
        sessions=[
            SessionInput(
                day=d,
                starts_at=time(7, 30),
                ends_at=time(11, 0),
                topic=_AWARENESS_TOPICS[i % len(_AWARENESS_TOPICS)],
                lecturer=lecturers[i % len(lecturers)],
            )
            for i, d in enumerate(days)
        ],
        in_charge=trainer,
    )
    class_move(actor=None, training_class=c, to=State.OPEN)
    return c


def record_dak_glei_training(today: date) -> dict[str, int]:
    """The awareness classes of the former Đắk Glei district, dated back from `today` (see the
    module's docstring). Call it after the admission cases and the demo users. Returns how many
    cases moved to "awareness class passed" and how many wait in the class under way."""
    if Organisation.objects.filter(code__in=[PROVINCE, DAK_PLO]).count() < 2:
        return {"handed_off": 0, "under_way": 0}
    rng = random.Random("dangvu-demo-training-dak-glei")
    trainer = get_user_model().objects.filter(username=TRAINER).first()
    lecturers = [
        full_name(rng, ethnicity=e, gender=g, birth_year=y)
        for e, g, y in (("01", "M", 1975), ("16", "F", 1983), ("29", "M", 1979))
    ]

    # The class of two weeks ago in Đăk Pék for Đăk Pék and Đăk Plô: Đăk Plô's cases at "identified",
    # new cases of Đăk Pék, two from Đăk Môn who travel. Six mornings, a written test.
    first = today - timedelta(days=16)
    identified = list(
        Candidate.objects.filter(
            prefix_q("org_path", Organisation.objects.get(code=DAK_PLO).path),
            stage=Stage.IDENTIFIED,
            stage_on__lt=first,
        ).values_list("pk", flat=True)
    )
    new = _new_cases(rng, [(DAK_PEK, 14), (DAK_PLO, 3), (DAK_MON, 2)], today - timedelta(days=45))
    days = [first + timedelta(days=i) for i in range(6)]
    done = _awareness_class(
        title=f"Bồi dưỡng nhận thức về Đảng cụm xã Đăk Pék – Đăk Plô, khóa {today.year}",
        location="Hội trường Đảng ủy xã Đăk Pék",
        cluster=[DAK_PEK, DAK_PLO],
        days=days,
        trainer=trainer,
        lecturers=lecturers,
    )
    enrolments_create_bulk(
        actor=None,
        training_class=done,
        candidates=Candidate.objects.filter(pk__in=identified + new),
    )
    class_move(actor=None, training_class=done, to=State.CLOSED)
    _take_attendance(random.Random(f"dangvu-demo-training-{first}"), done)
    scores = {
        e: round(rng.uniform(5.5, 9.5) * 4) / 4
        for e in Enrolment.objects.filter(training_class=done).values_list("pk", flat=True)
    }
    scores[rng.choice(sorted(scores))] = 4.5  # one written test below the pass mark
    scores_record(actor=None, training_class=done, scores=scores)
    class_complete(actor=None, training_class=done, on=days[-1] + timedelta(days=1))
    issue = certificates_issue(
        actor=None, training_class=done, issued_on=days[-1] + timedelta(days=3)
    )

    # This week's class in Ngọc Linh for Ngọc Linh and Xốp, begun last Thursday: new cases of
    # both, three from Đăk Long who travel. The roll of the last session held is still to take.
    monday = today - timedelta(days=today.weekday())
    days = [monday - timedelta(days=4), monday - timedelta(days=3)] + [
        monday + timedelta(days=i) for i in range(4)
    ]
    new = _new_cases(rng, [(NGOC_LINH, 10), (XOP, 9), (DAK_LONG, 3)], monday - timedelta(days=40))
    under_way = _awareness_class(
        title=f"Bồi dưỡng nhận thức về Đảng cụm xã Ngọc Linh – Xốp, khóa {today.year}",
        location="Hội trường Đảng ủy xã Ngọc Linh",
        cluster=[NGOC_LINH, XOP],
        days=days,
        trainer=trainer,
        lecturers=lecturers,
    )
    enrolments_create_bulk(
        actor=None, training_class=under_way, candidates=Candidate.objects.filter(pk__in=new)
    )
    class_move(actor=None, training_class=under_way, to=State.CLOSED)
    held = [d for d in days if d < today]
    _take_attendance(random.Random(f"dangvu-demo-training-{monday}"), under_way, upto=held[-2])
    return {"handed_off": len(issue.handed_off), "under_way": len(new)}
