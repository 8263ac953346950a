"""The demo's party documents (docs/decisions/0023), through the documents services only, actor
= the system. The texts are summaries written for the demo, not the documents' own words.

History, written before the reorganisation of 1/7/2025 while the district committees exist:

- Hà Giang (`T02`): Directive 12-CT/TU of 13/9/2021 on the quality of cell meetings, sent to the
  Quang Bình district committee (`H035`), which carried it out by its own plan and reported it
  done; the district's cell meetings follow it (dataset.demo.meetings).
- Cà Mau (`T96`): Plan 90-KH/TU of 30/5/2022 on information and propaganda about party
  building, sent to the province's district and directly-subordinate committees with a report
  due by 30/6/2022. Trần Văn Thời (`H968`) made its plan and reported in time; Đầm Dơi
  (`H970`) made its plan and reported late, in progress; the committees that never reported
  stay overdue in the plan's summary.

Recent, dated back from the run day (`record_recent_documents`):

- Quảng Ngãi (`T51`) sends every commune committee its plan on spreading new models and
  creative ways of working, for wide circulation, the report due five days ago: most communes
  have reported, the others are overdue. The commune of the demo secretary's cell carried it
  out by a plan of its own, sent to its cells with a report due within the week: the demo
  secretary (`bithu`) finds it on the home page.

Deterministic: choices come from random.Random seeded with fixed strings; the recent part
depends on the run day only.
"""

import random
from datetime import date, timedelta

from dangvu.documents.choices import Kind, Status
from dangvu.documents.services import document_create, implementation_report, recipients_send
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation

__all__ = ["record_document_history", "record_recent_documents", "PLAN_90", "DIRECTIVE_12"]

PLAN_90 = "90-KH/TU"
DIRECTIVE_12 = "12-CT/TU"


def _org(code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code).first()


def record_document_history() -> int:
    """Hà Giang's directive and Cà Mau's plan with their implementation (before 1/7/2025).
    Returns how many documents were recorded."""
    made = 0
    ha_giang, quang_binh = _org("T02"), _org("H035")
    if ha_giang is not None and quang_binh is not None:
        directive = document_create(
            actor=None,
            organisation=ha_giang,
            kind=Kind.DIRECTIVE,
            code=DIRECTIVE_12,
            issued_on=date(2021, 9, 13),
            signer="Bí thư Tỉnh ủy",
            title="Chỉ thị về nâng cao chất lượng sinh hoạt chi bộ",
            summary=(
                "Ủy viên ban thường vụ cấp ủy được phân công dự và chỉ đạo sinh hoạt chi bộ; "
                "mỗi buổi sinh hoạt được đánh giá sau khi kết thúc; mỗi đảng viên được giao "
                "nhiệm vụ cụ thể, phù hợp với năng lực, điều kiện và sức khỏe."
            ),
        )
        recipients_send(
            actor=None, document=directive, organisations=[quang_binh], due_on=date(2021, 12, 31)
        )
        plan = document_create(
            actor=None,
            organisation=quang_binh,
            kind=Kind.PLAN,
            code="41-KH/HU",
            issued_on=date(2021, 10, 4),
            signer="Phó Bí thư Thường trực Huyện ủy",
            title="Kế hoạch thực hiện Chỉ thị 12-CT/TU về nâng cao chất lượng sinh hoạt chi bộ",
            summary=(
                "Phân công từng ủy viên ban thường vụ phụ trách các chi bộ; mở lớp trực tuyến "
                "về nghiệp vụ công tác đảng cho cấp ủy chi bộ; tiêu chí đánh giá buổi sinh hoạt."
            ),
            implements=directive,
        )
        implementation_report(
            actor=None,
            recipient=directive.recipients.get(organisation=quang_binh),
            status=Status.DONE,
            notes=(
                "Đã quán triệt đến 100 % chi bộ; ủy viên ban thường vụ dự sinh hoạt theo phân "
                "công; tổ chức các lớp trực tuyến cho bí thư, phó bí thư và cấp ủy viên chi bộ."
            ),
            implementing=plan,
            on=date(2021, 12, 20),
        )
        made += 2
    ca_mau = _org("T96")
    if ca_mau is None:
        return made
    issued = date(2022, 5, 30)
    plan90 = document_create(
        actor=None,
        organisation=ca_mau,
        kind=Kind.PLAN,
        code=PLAN_90,
        issued_on=issued,
        signer="Phó Bí thư Thường trực Tỉnh ủy",
        title="Kế hoạch về công tác thông tin, tuyên truyền về xây dựng Đảng",
        summary=(
            "Các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy và các cơ quan báo chí của tỉnh "
            "xây dựng kế hoạch thực hiện; báo chí phát hiện, tuyên truyền mô hình mới, cách làm "
            "sáng tạo trong công tác xây dựng Đảng."
        ),
    )
    below = list(
        Organisation.objects.filter(
            path__startswith=ca_mau.path,
            depth=ca_mau.depth + 1,
            kind__in=(OrgKind.DISTRICT, OrgKind.DIRECT),
            valid_from__lte=issued,
            valid_to__isnull=True,
        ).order_by("code")
    )
    recipients_send(actor=None, document=plan90, organisations=below, due_on=date(2022, 6, 30))
    made += 1
    reports = {
        "H968": (date(2022, 6, 24), Status.DONE, "12-KH/HU", date(2022, 6, 15)),
        "H970": (date(2022, 8, 8), Status.IN_PROGRESS, "27-KH/HU", date(2022, 7, 20)),
    }
    for org in below:
        if org.code not in reports:
            continue
        reported, status, number, made_on = reports[org.code]
        own = document_create(
            actor=None,
            organisation=org,
            kind=Kind.PLAN,
            code=number,
            issued_on=made_on,
            title=f"Kế hoạch thực hiện Kế hoạch {PLAN_90} của Tỉnh ủy về công tác thông tin, "
            "tuyên truyền về xây dựng Đảng",
            implements=plan90,
        )
        implementation_report(
            actor=None,
            recipient=plan90.recipients.get(organisation=org),
            status=status,
            notes="Đã ban hành kế hoạch, quán triệt đến các chi bộ, đảng bộ cơ sở; đài truyền "
            "thanh xã, ấp đưa tin về mô hình dân vận khéo."
            if status == Status.DONE
            else "Đã ban hành kế hoạch; đang xây dựng chuyên mục trên trang thông tin điện tử.",
            implementing=own,
            on=reported,
        )
        made += 1
    return made


def record_recent_documents(today: date) -> int:
    """Quảng Ngãi's plan to its communes and the demo commune's plan to its cells, dated back
    from `today`. Returns how many documents were recorded."""
    from dangvu.dataset.demo.users import SECRETARY_CELL

    province, cell = _org("T51"), _org(SECRETARY_CELL)
    if province is None or cell is None:
        return 0
    commune = Organisation.objects.get_parent(cell)
    issued = today - timedelta(days=45)
    plan = document_create(
        actor=None,
        organisation=province,
        kind=Kind.PLAN,
        code=f"{200 + issued.month}-KH/TU",
        issued_on=issued,
        signer="Phó Bí thư Thường trực Tỉnh ủy",
        title="Kế hoạch tuyên truyền mô hình mới, cách làm sáng tạo trong công tác xây dựng "
        "Đảng ở cơ sở",
        summary="Mỗi đảng ủy xã, phường chọn ít nhất một mô hình để giới thiệu; báo cáo kết quả "
        "về Ban Tuyên giáo và Dân vận Tỉnh ủy.",
        circular=True,
    )
    recipients_send(
        actor=None,
        document=plan,
        children_of_kind=OrgKind.COMMUNE,
        under=province,
        due_on=today - timedelta(days=5),
    )
    rng = random.Random("documents-T51")
    made = 1
    rows = list(plan.recipients.select_related("organisation").order_by("organisation__code"))
    for r in rows:
        if r.organisation_id == commune.pk:
            own = document_create(
                actor=None,
                organisation=commune,
                kind=Kind.PLAN,
                code="05-KH/ĐU",
                issued_on=issued + timedelta(days=12),
                signer="Bí thư Đảng ủy",
                title=f"Kế hoạch thực hiện Kế hoạch {plan.code} của Tỉnh ủy",
                summary="Mỗi chi bộ thôn chọn một cách làm hay để giới thiệu tại buổi sinh hoạt "
                "chi bộ; báo cáo về Đảng ủy xã.",
                implements=plan,
                circular=True,
            )
            made += 1
            implementation_report(
                actor=None,
                recipient=r,
                status=Status.IN_PROGRESS,
                notes="Đã ban hành kế hoạch; các chi bộ đang báo cáo.",
                implementing=own,
                on=issued + timedelta(days=13),
            )
            recipients_send(
                actor=None,
                document=own,
                children_of_kind=OrgKind.CELL,
                under=commune,
                due_on=today + timedelta(days=6),
            )
            for i, cr in enumerate(own.recipients.exclude(organisation=cell).order_by("pk")):
                if i % 3 == 0:
                    implementation_report(
                        actor=None,
                        recipient=cr,
                        status=Status.DONE,
                        notes="Chi bộ đã giới thiệu mô hình tổ tự quản đường làng.",
                        on=today - timedelta(days=2),
                    )
        elif rng.random() < 0.6:
            implementation_report(
                actor=None,
                recipient=r,
                status=Status.DONE if rng.random() < 0.5 else Status.IN_PROGRESS,
                notes="Đã chọn mô hình để giới thiệu trên trang thông tin của xã.",
                on=today - timedelta(days=rng.randint(5, 20)),
            )
    return made
