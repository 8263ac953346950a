"""The demo's cell meetings: Quang Bình's practice under Hà Giang's Directive 12-CT/TU of
13/9/2021 — a regular meeting every month and a thematic one every quarter, every meeting
evaluated, a standing-committee member (`uyvien`) assigned to follow most of the cells and
attending some of their meetings, a concrete task for every member — over the two years before
the run day, in the cells of Đảng bộ xã Quang Bình (the commune that continues the district's
centre since 1/7/2025), plus the secretary's own cell (`bithu`, `dangvien`). Some cells skip
months; this month's meeting of one cell is not recorded yet; the next two months are planned.

Generated through the services only; deterministic for a given run day."""

import random
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model

from dangvu.meetings.choices import Absence, Evaluator, Kind, TaskState
from dangvu.meetings.services import (
    meeting_approve,
    meeting_evaluate,
    meeting_plan,
    meeting_record,
    roster,
    scoring_sheet,
    supervision_assign,
    task_assign,
    task_review,
    visit_plan,
    visit_report,
)
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation

__all__ = ["record_meetings", "QUANG_BINH_COMMUNE"]

QUANG_BINH_COMMUNE = "X01237"
SECRETARY_CELL = "CS23344-T01"
DIRECTIVE = "Chỉ thị 12-CT/TU ngày 13/9/2021 của Tỉnh ủy Hà Giang"
MONTHS = 24
THEMES = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ theo " + DIRECTIVE,
    "Phát triển kinh tế hộ gia đình, giảm nghèo bền vững",
    "Giữ gìn an ninh trật tự thôn bản, phòng chống ma túy",
]
TASKS = [
    ("Vận động các hộ trong xóm trồng cây dược liệu", "Có kinh nghiệm trồng trọt, ở gần các hộ"),
    ("Tuyên truyền phòng chống tảo hôn", "Là giáo viên, nói tốt tiếng dân tộc"),
    ("Kèm cặp một quần chúng ưu tú", "Đảng viên lâu năm, có uy tín trong thôn"),
    ("Tham gia tổ an ninh thôn", "Sức khỏe tốt, là dân quân"),
    ("Theo dõi vệ sinh môi trường đường thôn", "Tuổi cao, sức khỏe vừa, ở trung tâm thôn"),
]


def _months(today: date) -> list[date]:
    first = date(today.year, today.month, 1)
    out = []
    for back in range(MONTHS, 0, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(date(y, m + 1, 1))
    return out


def _cells() -> list[Organisation]:
    commune = Organisation.objects.filter(code=QUANG_BINH_COMMUNE).first()
    cells = []
    if commune is not None:
        cells = list(
            Organisation.objects.filter(
                path__startswith=commune.path, kind="cell", valid_to__isnull=True
            ).order_by("code")
        )
    own = Organisation.objects.filter(code=SECRETARY_CELL, valid_to__isnull=True).first()
    if own is not None:
        cells.append(own)
    return cells


def _scores(rng: random.Random, criteria, good: bool) -> dict[str, int]:
    low = 0.8 if good else 0.55
    return {
        code: max(0, min(points, round(points * rng.uniform(low, 1.0))))
        for code, _l, points in criteria
    }


def _hold(rng, cell, day, kind, topic, supervised) -> None:
    m = meeting_plan(
        actor=None,
        organisation=cell,
        kind=kind,
        planned_on=day,
        starts_at=time(19, 30),
        topic=topic,
        place="Nhà văn hóa thôn",
    )
    if supervised is not None:
        visit_plan(actor=None, supervision=supervised, meeting=m)
    people = [e for e in roster(cell, day) if not e.away]
    if not people:
        return
    absences = {}
    for e in people:
        r = rng.random()
        if r < 0.06:
            absences[e.member_id] = (
                Absence.EXCUSED,
                rng.choice(["Ốm", "Đi làm ăn xa", "Việc gia đình"]),
            )
        elif r < 0.08:
            absences[e.member_id] = (Absence.UNEXCUSED, "")
    present = [e for e in people if e.member_id not in absences]
    chair = Member.objects.get(pk=present[0].member_id) if present else None
    taker = Member.objects.get(pk=present[-1].member_id) if len(present) > 1 else None
    long = rng.choice([75, 90, 95, 100, 110, 120])
    meeting_record(
        actor=None,
        meeting=m,
        held_on=day,
        started_at=time(19, 30),
        ended_at=time(19 + (30 + long) // 60, (30 + long) % 60),
        chair=chair,
        minute_taker=taker,
        absences=absences,
        content="Đánh giá kết quả thực hiện nghị quyết tháng trước; quán triệt " + DIRECTIVE,
        resolution=f"Nghị quyết chi bộ tháng {day.month}/{day.year}: giao nhiệm vụ cụ thể cho từng đảng viên",
        minutes=f"Biên bản sinh hoạt chi bộ {cell.name}, ngày {day:%d/%m/%Y}",
    )
    criteria = scoring_sheet(m).value["criteria"]
    good = rng.random() < 0.7
    meeting_evaluate(actor=None, meeting=m, by=Evaluator.CELL, scores=_scores(rng, criteria, good))
    if supervised is not None:
        visit_report(
            actor=None,
            supervision=supervised,
            meeting=m,
            attended=True,
            notes="Chuẩn bị chu đáo; đề nghị nhiều đảng viên phát biểu hơn",
        )
        meeting_evaluate(
            actor=None,
            meeting=m,
            by=Evaluator.SUPERVISOR,
            scores=_scores(rng, criteria, good),
            scorer_name=supervised.supervisor_name,
        )
    meeting_approve(actor=None, meeting=m, on=day + timedelta(days=1))


def record_meetings(today: date) -> int:
    """Two years of meetings up to last month, this month's and the next two months' plans,
    supervision and tasks. Returns how many meetings were held."""
    cells = _cells()
    if not cells:
        return 0
    months = _months(today)
    commune = Organisation.objects.filter(code=QUANG_BINH_COMMUNE).first()
    supervisor = get_user_model().objects.filter(username="uyvien").first()
    held = 0
    for i, cell in enumerate(cells):
        rng = random.Random(f"meetings-{cell.code}")
        supervised = None
        if (
            supervisor is not None
            and commune is not None
            and i % 3 != 2
            and cell.path.startswith(commune.path)
        ):
            start = max(months[0], commune.valid_from)
            supervised = supervision_assign(
                actor=None,
                committee=commune,
                cell=cell,
                supervisor=supervisor,
                valid_from=start,
                note="Phân công theo " + DIRECTIVE,
            )
        skips = {m for m in months if rng.random() < (0.15 if i % 4 == 1 else 0.03)}
        for month in months:
            day = month.replace(day=5)
            if month in skips or not cell.active_on(day):
                continue
            visit = (
                supervised
                if supervised is not None and supervised.covers(day) and rng.random() < 0.3
                else None
            )
            _hold(
                rng,
                cell,
                day,
                Kind.REGULAR,
                f"Sinh hoạt thường kỳ tháng {day.month}/{day.year}",
                visit,
            )
            held += 1
            if month.month in (3, 6, 9, 12):
                _hold(
                    rng,
                    cell,
                    month.replace(day=20),
                    Kind.THEMATIC,
                    THEMES[(month.month // 3) % len(THEMES)],
                    None,
                )
                held += 1
        _tasks(rng, cell, months, today)
        # This month's and the next two months' meetings; one cell's day has passed unrecorded.
        this_month = date(today.year, today.month, 1)
        for ahead in range(3):
            y, m = divmod(this_month.year * 12 + this_month.month - 1 + ahead, 12)
            day = date(y, m + 1, 5)
            if cell.active_on(day):
                meeting_plan(
                    actor=None,
                    organisation=cell,
                    kind=Kind.REGULAR,
                    planned_on=day,
                    starts_at=time(19, 30),
                    topic=f"Sinh hoạt thường kỳ tháng {day.month}/{day.year}",
                    place="Nhà văn hóa thôn",
                )
    # Three cells keep their latest resolution as a signed PDF (the secretary's, two others).
    attach_resolutions(list(dict.fromkeys([cells[0], cells[len(cells) // 2], cells[-1]])))
    return held


def _signed_resolution(m) -> bytes:
    """The meeting's resolution as the cell would scan or print it: a one-page PDF (WeasyPrint,
    with the fonts that hold every Vietnamese letter)."""
    from django.utils.html import escape
    from weasyprint import HTML

    from dangvu.reports.pdf import font_family

    html = (
        f'<html><body style="font-family: {font_family()}; font-size: 13pt">'
        f'<p style="text-align:center"><b>ĐẢNG CỘNG SẢN VIỆT NAM</b></p>'
        f"<p>{escape(m.organisation.name)}</p>"
        f'<h2 style="text-align:center">NGHỊ QUYẾT</h2>'
        f'<p style="text-align:center">Sinh hoạt chi bộ ngày {m.held_on:%d/%m/%Y}</p>'
        f"<p>{escape(m.resolution)}</p>"
        f"<p>{escape(m.content)}</p>"
        '<p style="text-align:right">T/M CHI BỘ<br>BÍ THƯ</p></body></html>'
    )
    return HTML(string=html).write_pdf()


def attach_resolutions(cells: list[Organisation]) -> int:
    """The signed resolution of each cell's latest approved regular meeting, as a PDF."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.meetings.models import Meeting, MeetingFile
    from dangvu.meetings.services import meeting_attach

    made = 0
    for cell in cells:
        m = (
            Meeting.objects.filter(organisation=cell, kind=Kind.REGULAR, state="approved")
            .select_related("organisation")
            .order_by("-held_on")
            .first()
        )
        if m is None:
            continue
        meeting_attach(
            actor=None,
            meeting=m,
            upload=SimpleUploadedFile(
                f"nghi-quyet-{m.held_on:%Y-%m}.pdf", _signed_resolution(m), "application/pdf"
            ),
            role=MeetingFile.Role.RESOLUTION,
            reason="Bản nghị quyết có chữ ký",
        )
        made += 1
    return made


def _tasks(rng: random.Random, cell: Organisation, months: list[date], today: date) -> None:
    """A task for every member of the cell every half year: the older ones reviewed."""
    for start in months[::6]:
        day = start.replace(day=5)
        if not cell.active_on(day):
            continue
        for e in roster(cell, day):
            if e.away:
                continue
            title, suited = TASKS[rng.randrange(len(TASKS))]
            due = day + timedelta(days=150)
            task = task_assign(
                actor=None,
                member=Member.objects.get(pk=e.member_id),
                title=title,
                suited_to=suited,
                assigned_on=day,
                due_on=due,
            )
            review_on = due + timedelta(days=10)
            if review_on < today:
                state = TaskState.DONE if rng.random() < 0.85 else TaskState.NOT_DONE
                task_review(
                    actor=None,
                    task=task,
                    state=state,
                    on=review_on,
                    review="Đánh giá tại buổi sinh hoạt chi bộ",
                )
