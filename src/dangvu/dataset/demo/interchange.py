"""The demo's member file (docs/decisions/0025): the organisation board of Quảng Ngãi
(`bantochuc`) has brought the spreadsheet one of Đăk Plô's cells kept of its members before it
used Dangvu: eight rows written the way a commune office writes them (dd/mm/yyyy dates,
"Nam"/"Nữ", names of ethnic groups and school levels as people say them). The file is CHECKED,
not written: six rows are new members, one names an ethnic group the list does not know, one
repeats the party card number of a member the cell already has. It waits on the home page for
the officer to write the valid rows (or fix the file), so no figure of the demo changes.

Built as a real Excel workbook through openpyxl and checked through interchange.services;
deterministic (no date depends on the run day)."""

import io

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from dangvu.interchange.models import MemberImport
from dangvu.interchange.services import import_create, import_run
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation

__all__ = ["record_member_file"]

FILE_NAME = "danh-sach-dang-vien-chi-bo.xlsx"
HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Quê quán",
    "Số thẻ đảng",
    "Trình độ GDPT",
    "Nghề nghiệp",
    "Ngày vào Đảng",
    "Ngày chính thức",
]
PEOPLE = (
    ("A Thuyên", "12/03/1979", "Nam", "Xơ Đăng", "Không"),
    ("Y Thương", "05/11/1985", "Nữ", "Xơ Đăng", "Không"),
    ("A Dũng", "20/07/1990", "Nam", "Gié Triêng", "Không"),
    ("Y Lan", "01/02/1993", "Nữ", "Xơ Đăng", "Công giáo"),
    ("Nguyễn Văn Hòa", "14/09/1976", "Nam", "Kinh", "Không"),
    ("A Khoa", "30/04/1988", "Nam", "Xơ Đăng", "Không"),
    ("Y Hiền", "08/08/1991", "Nữ", "Xê Đăng Đông", "Không"),  # no such group in the list
)


def _workbook(cell: Organisation, known_card: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([f"DANH SÁCH ĐẢNG VIÊN {cell.name.upper()}"])
    ws.append([])
    ws.append(HEADER)
    rows = list(PEOPLE) + [("A Nhân", "17/06/1983", "Nam", "Xơ Đăng", "Không")]
    for n, (name, born, gender, ethnicity, religion) in enumerate(rows, start=1):
        card = known_card if n == len(rows) else f"6239{n:04d}"  # the last: a member's card
        ws.append(
            [
                n,
                name,
                born,
                gender,
                ethnicity,
                religion,
                "Xã Đăk Plô, Quảng Ngãi",
                card,
                "9/12",
                "Nông dân",
                f"0{n}/06/2015",
                f"0{n}/06/2016",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def record_member_file() -> MemberImport | None:
    """Check the cell's spreadsheet as the organisation board; None when the demo has no cell
    of Đăk Plô with a carded member (a partial demo)."""
    from dangvu.dataset.demo.admission import DAK_PLO

    commune = Organisation.objects.filter(code=DAK_PLO).first()
    officer = get_user_model().objects.filter(username="bantochuc").first()
    if commune is None or officer is None:
        return None
    member = (
        Member.objects.filter(
            org_path__startswith=commune.path,
            party_card_number__gt="",
            status__in=("official", "probationary"),
        )
        .select_related("organisation")
        .order_by("org_path", "pk")
        .first()
    )
    if member is None:
        return None
    cell = member.organisation
    job = import_create(
        actor=officer,
        organisation=cell,
        data=_workbook(cell, member.party_card_number),
        file_name=FILE_NAME,
    )
    return import_run(job.pk)
