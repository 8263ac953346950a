"""The generated country's party documents (docs/decisions/0023), through the documents services,
after every unit is loaded (a document goes to organisations that must exist).

- Each province committee's documents of the last year: ten, one a month or so (plans,
  directives, resolutions, conclusions, guidance), the first three sent to every commune-level
  committee of the province with a report due.
- Each commune-level committee's two documents: its plan carrying out the province's first one,
  and a resolution of its own.
- One guidance of the Central Committee sent to every commune-level committee of the country
  (3,321 in the 2025 shape), its report due ten days ago: about six in ten have reported.

One transaction; a run that finds the Central Committee's guidance does nothing (resumable with
the rest of the generator). The texts are written for the generator, not the documents'.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from dangvu.documents.choices import KIND_ABBR, Kind, Status
from dangvu.documents.models import Document, Recipient
from dangvu.documents.services import document_create, implementation_report, recipients_send
from dangvu.organisations.choices import OrgKind
from dangvu.organisations.models import Organisation

__all__ = ["load_documents", "NATIONAL_GUIDANCE", "REPORTED_SHARE"]

NATIONAL_GUIDANCE = "99-HD/TW"
REPORTED_SHARE = 0.6
PROVINCE_DOCUMENTS = 10
SENT_DOWN = 3

_KINDS = (Kind.PLAN, Kind.DIRECTIVE, Kind.RESOLUTION, Kind.CONCLUSION, Kind.GUIDANCE)
_TOPICS = (
    "công tác thông tin, tuyên truyền về xây dựng Đảng",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "phát triển đảng viên ở vùng đồng bào dân tộc thiểu số",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "kiểm tra, giám sát việc thực hiện nghị quyết",
    "bồi dưỡng nghiệp vụ cho cấp ủy viên cơ sở",
    "công tác dân vận trong tình hình mới",
    "chuyển đổi số trong công tác đảng",
    "tổng kết mô hình mới, cách làm sáng tạo",
    "chuẩn bị đại hội đảng bộ các cấp",
)
_TITLE = {
    Kind.PLAN: "Kế hoạch về {t}",
    Kind.DIRECTIVE: "Chỉ thị về {t}",
    Kind.RESOLUTION: "Nghị quyết về {t}",
    Kind.CONCLUSION: "Kết luận về {t}",
    Kind.GUIDANCE: "Hướng dẫn về {t}",
}


def _live(kind: str, under: Organisation):
    return Organisation.objects.filter(
        path__startswith=under.path, kind=kind, valid_to__isnull=True
    ).order_by("path")


def load_documents(today: date, seed: int = 1) -> int:
    """Write the country's documents (see the module's note). Returns how many were recorded."""
    root = Organisation.objects.filter(depth=1).first()
    if root is None or Document.objects.filter(organisation=root, code=NATIONAL_GUIDANCE).exists():
        return 0
    rng = random.Random(f"documents-{seed}")
    made = 0
    with transaction.atomic():
        for province in _live(OrgKind.PROVINCE, root):
            communes = list(_live(OrgKind.COMMUNE, province))
            first = None
            for i in range(PROVINCE_DOCUMENTS):
                kind = _KINDS[i % len(_KINDS)]
                issued = today - timedelta(days=30 * (PROVINCE_DOCUMENTS - i) + rng.randint(0, 9))
                d = document_create(
                    actor=None,
                    organisation=province,
                    kind=kind,
                    code=f"{i + 1}-{KIND_ABBR[kind]}/TU",
                    issued_on=issued,
                    signer="Phó Bí thư Thường trực",
                    title=_TITLE[kind].format(t=_TOPICS[(i + province.pk) % len(_TOPICS)]),
                    summary=f"{province.name}: các đảng ủy xã, phường tổ chức thực hiện.",
                )
                made += 1
                first = first or d
                if i < SENT_DOWN and communes:
                    recipients_send(
                        actor=None,
                        document=d,
                        children_of_kind=OrgKind.COMMUNE,
                        under=province,
                        due_on=min(today, issued + timedelta(days=45)),
                    )
            for commune in communes:
                document_create(
                    actor=None,
                    organisation=commune,
                    kind=Kind.PLAN,
                    code="1-KH/ĐU",
                    issued_on=min(today, first.issued_on + timedelta(days=10)),
                    title=f"Kế hoạch thực hiện {first.code} của Tỉnh ủy",
                    implements=first,
                )
                document_create(
                    actor=None,
                    organisation=commune,
                    kind=Kind.RESOLUTION,
                    code="2-NQ/ĐU",
                    issued_on=min(today, first.issued_on + timedelta(days=20)),
                    title="Nghị quyết về "
                    + _TOPICS[(commune.pk + 3) % len(_TOPICS)]
                    + f" ({commune.name})",
                )
                made += 2
        guidance = document_create(
            actor=None,
            organisation=root,
            kind=Kind.GUIDANCE,
            code=NATIONAL_GUIDANCE,
            issued_on=today - timedelta(days=60),
            signer="Thường trực Ban Bí thư",
            title="Hướng dẫn về " + _TOPICS[0] + " (dữ liệu sinh tự động)",
            summary="Các đảng ủy xã, phường, đặc khu báo cáo kết quả thực hiện.",
            circular=True,
        )
        made += 1
        recipients_send(
            actor=None,
            document=guidance,
            children_of_kind=OrgKind.COMMUNE,
            under=root,
            due_on=today - timedelta(days=10),
        )
        for r in Recipient.objects.filter(document=guidance).select_related("document"):
            if rng.random() < REPORTED_SHARE:
                implementation_report(
                    actor=None,
                    recipient=r,
                    status=Status.DONE if rng.random() < 0.5 else Status.IN_PROGRESS,
                    notes="Đã quán triệt, triển khai đến các chi bộ.",
                    on=today - timedelta(days=rng.randint(1, 40)),
                )
    return made
