"""The official layouts of forms 3-BTCTW and 1-BTCTW in Excel (reports.official, exports) and
the letterhead they carry (organisations.letterhead)."""

import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from dangvu.members.services import member_event_record
from dangvu.organisations.letterhead import (
    date_line,
    letterhead_for,
    party_body_name,
    signer_title,
)
from dangvu.reports.exports import membership_xlsx
from dangvu.reports.official import roman
from dangvu.stats.selectors import membership_figures, year_ago_figures

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def members(tree, make_member):
    """Two men and a Xơ-đăng woman (probationary) in the commune; one man who died."""
    people = [
        make_member(tree.cell1),
        make_member(
            tree.cell1,
            gender="F",
            ethnicity="16",
            probationary=True,
            admission_date=date(2025, 1, 10),
        ),
        make_member(tree.cell2),
        make_member(tree.cell2),
    ]
    member_event_record(actor=None, member=people[3], type="died", date=date(2025, 3, 1))
    tree.committee.place_name = "Đăk Pék"
    tree.committee.save(update_fields=["place_name"])
    return people


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def _row(ws, row: int) -> list:
    return [ws.cell(row, col).value for col in range(1, ws.max_column + 1)]


def _find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} is not on the sheet")


def _merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def _today_line(place: str) -> str:
    today = timezone.localdate()
    return f"{place}, ngày {today:%d} tháng {today:%m} năm {today:%Y}"


# --- 3-BTCTW ------------------------------------------------------------------------------------


def test_membership_xlsx_has_the_layout_of_form_3_btctw(tree, users, members):
    client = _client(users.staff_kt)
    response = client.get("/reports/membership/", {"org": "KT-DG-DP", "format": "xlsx"})
    ws = _sheet(response)
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="3-BTCTW_KT-DG-DP_{today:%d-%m-%Y}.xlsx"'
    )
    assert ws.title == "3-BTCTW"
    # Letterhead: superior and organisation (left), form number and the Party's name (right).
    assert _row(ws, 1) == ["ĐẢNG BỘ HUYỆN ĐẮK GLEI", None, "Biểu số 3-BTCTW", None, None, None]
    assert _row(ws, 2) == ["ĐẢNG ỦY XÃ ĐĂK PÉK", None, "ĐẢNG CỘNG SẢN VIỆT NAM", None, None, None]
    assert ws["A2"].font.b and ws["C2"].font.b and ws["C2"].font.u == "single"
    # Title, centred and bold across the table, and the as-of line.
    assert ws["A5"].value == "ĐỘI NGŨ ĐẢNG VIÊN"
    assert ws["A5"].font.b and ws["A5"].alignment.horizontal == "center"
    assert ws["A6"].value == f"Tính đến ngày {today:%d/%m/%Y}"
    # Header: STT and Chỉ tiêu over two rows; "Đảng viên" over Số lượng and Tỷ lệ %; the
    # comparison with the same date a year before over its two columns.
    assert _row(ws, 8) == ["STT", "Chỉ tiêu", "Đảng viên", None, "So với cùng kỳ năm trước", None]
    assert _row(ws, 9) == [
        None,
        None,
        "Số lượng",
        "Tỷ lệ (%)",
        "Cùng ngày năm trước",
        "Năm nay so với năm trước (%)",
    ]
    assert _row(ws, 10) == ["A", "B", "1", "2", "3", "4"]
    assert {"A1:B1", "C1:F1", "A5:F5", "A6:F6", "A8:A9", "B8:B9", "C8:D8", "E8:F8"} <= _merged(ws)
    # Section I and its rows, the figures of the report dict in their cells.
    report = membership_figures(tree.committee)
    before = year_ago_figures(tree.committee, today)
    assert _row(ws, 11) == [
        "I",
        "Tổng số đảng viên",
        3,
        100,
        before["total"],
        round(300 / before["total"], 2),
    ]
    assert ws["B11"].font.b
    assert _row(ws, 12)[:4] == ["1", "Đảng viên chính thức", 2, 66.67]
    assert _row(ws, 12)[4] == before["official"]
    assert _row(ws, 13)[:4] == ["2", "Đảng viên dự bị", 1, 33.33]
    row, _col = _find(ws, "Nữ")
    assert [ws.cell(row, 3).value, ws.cell(row, 4).value] == [
        report["women"]["count"],
        report["women"]["percent"],
    ]
    assert ws.cell(row, 4).number_format == "0.00"
    assert ws.cell(row, 3).border.left.style == "thin"
    # Breakdown sections numbered in Roman, their rows in Arabic.
    row, _col = _find(ws, "Theo dân tộc")
    assert ws.cell(row, 1).value == "II" and ws.cell(row, 2).font.b
    row, _col = _find(ws, "Xơ-đăng")
    assert _row(ws, row)[1:4] == ["Xơ-đăng", 1, 33.33]
    assert ws.cell(row, 1).value.isdigit()
    row, _col = _find(ws, "Tổ chức đảng cấp dưới")
    assert ws.cell(row, 1).value == "XI" and ws.cell(row + 1, 2).value == "Đảng bộ cơ sở"
    labels = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    assert "Tổ chức cơ sở đảng" not in labels  # a grassroots committee counts only itself


def test_a_districts_form_counts_its_grassroots_organisations(tree, members):
    report = membership_figures(tree.district)
    with translation.override("vi"):
        ws = load_workbook(io.BytesIO(membership_xlsx(report))).active
    row, _col = _find(ws, "Tổ chức cơ sở đảng")
    assert ws.cell(row, 3).value == report["organisations"]["grassroots"] == 2
    assert [ws.cell(row + 1, 2).value, ws.cell(row + 1, 3).value] == ["- Xã", 1]
    assert ws["A1"].value == "ĐẢNG BỘ TỈNH KON TUM" and ws["A2"].value == "HUYỆN ỦY ĐẮK GLEI"
    _find(ws, "T/M BAN THƯỜNG VỤ")


def test_membership_xlsx_ends_with_the_date_line_and_signatures(tree, users, members):
    client = _client(users.staff_kt)
    ws = _sheet(client.get("/reports/membership/", {"org": "KT-DG-DP", "format": "xlsx"}))
    row, col = _find(ws, _today_line("Đăk Pék"))
    assert ws.cell(row, col).alignment.horizontal == "right"
    left = ws.cell(row + 1, 1)
    right = ws.cell(row + 1, 3)
    assert (left.value, right.value) == ("NGƯỜI LẬP BIỂU", "T/M ĐẢNG ỦY")
    assert left.font.b and right.font.b
    assert _row(ws, row + 2)[:4] == ["(Ký, ghi rõ họ tên)", None, "(Ký, ghi rõ họ tên)", None]
    assert f"A{row + 1}:B{row + 1}" in _merged(ws) and f"C{row + 1}:F{row + 1}" in _merged(ws)
    # Room to sign: the print area runs past the signature labels.
    assert ws.print_area.endswith(f"$F${row + 7}")


def test_membership_xlsx_print_setup_is_a4_portrait_one_page_wide(tree, users, members):
    client = _client(users.staff_kt)
    ws = _sheet(client.get("/reports/membership/", {"org": "KT-DG-DP", "format": "xlsx"}))
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$8:$10"  # the header repeats on every page
    assert 0.4 <= ws.page_margins.left <= 1 and 0.4 <= ws.page_margins.top <= 1
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths[1] > 40 and sum(widths) <= 95  # fits A4 portrait at 100 %


def test_membership_xlsx_in_english_when_asked(tree, members):
    report = membership_figures(tree.committee)
    with translation.override("en"):
        ws = load_workbook(io.BytesIO(membership_xlsx(report))).active
    assert ws["C1"].value == "Form 3-BTCTW"
    assert ws["A5"].value == "PARTY MEMBERSHIP"
    _find(ws, "PREPARED BY")


def test_a_cells_form_leaves_out_grassroots_organisations(tree, members):
    report = membership_figures(tree.cell1)
    with translation.override("vi"):
        ws = load_workbook(io.BytesIO(membership_xlsx(report))).active
    labels = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    assert "Tổ chức cơ sở đảng" not in labels
    assert ws["A1"].value == "ĐẢNG BỘ XÃ ĐĂK PÉK"
    assert ws["A2"].value == "CHI BỘ THÔN ĐĂK UNG"
    _find(ws, "T/M CHI BỘ")
    _find(ws, _today_line("……"))  # no place name: dots to fill in


def test_the_form_of_a_past_date_carries_that_date(tree, users, members):
    client = _client(users.staff_kt)
    response = client.get(
        "/reports/membership/", {"org": "KT-DG-DP", "as_of": "2025-02-01", "format": "xlsx"}
    )
    ws = _sheet(response)
    assert response["Content-Disposition"].endswith('_01-02-2025.xlsx"')
    assert ws["A6"].value == "Tính đến ngày 01/02/2025"
    # 4 members on 01/02/2025, 3 a year before (the probationer was admitted on 10/01/2025).
    assert _row(ws, 11) == ["I", "Tổng số đảng viên", 4, 100, 3, 133.33]


# --- 1-BTCTW ------------------------------------------------------------------------------------


def test_period_xlsx_has_the_layout_of_form_1_btctw(tree, users, members):
    client = _client(users.staff_kt)
    response = client.get(
        "/reports/period/",
        {"org": "KT-DG-DP", "date_from": "2025-01-01", "date_to": "2025-06-30", "format": "xlsx"},
    )
    ws = _sheet(response)
    assert response["Content-Disposition"] == (
        'attachment; filename="1-BTCTW_KT-DG-DP_01-01-2025_30-06-2025.xlsx"'
    )
    assert ws.title == "1-BTCTW"
    assert _row(ws, 1) == ["ĐẢNG BỘ HUYỆN ĐẮK GLEI", None, "Biểu số 1-BTCTW"]
    assert _row(ws, 2) == ["ĐẢNG ỦY XÃ ĐĂK PÉK", None, "ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert ws["A5"].value == "TĂNG, GIẢM ĐẢNG VIÊN" and ws["A5"].font.b
    assert ws["A6"].value == "Từ ngày 01/01/2025 đến ngày 30/06/2025"
    assert _row(ws, 8) == ["STT", "Chỉ tiêu", "Số lượng"]
    assert _row(ws, 9) == ["A", "B", "1"]
    assert {"A1:B1", "A5:C5", "A6:C6"} <= _merged(ws)
    assert _row(ws, 10) == ["I", "Số đảng viên đầu kỳ", 3]
    assert _row(ws, 11) == ["II", "Số đảng viên tăng trong kỳ", 1]
    assert _row(ws, 12) == ["1", "Kết nạp", 1]
    row, _col = _find(ws, "Số đảng viên giảm trong kỳ")
    assert _row(ws, row) == ["III", "Số đảng viên giảm trong kỳ", 1]
    assert _row(ws, row + 1) == ["1", "Từ trần", 1]
    row, _col = _find(ws, "Số đảng viên cuối kỳ")
    assert _row(ws, row) == ["IV", "Số đảng viên cuối kỳ", 3]
    assert ws.cell(row, 3).border.bottom.style == "thin"
    assert ws.print_title_rows == "$8:$9"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    row, _col = _find(ws, _today_line("Đăk Pék"))
    assert _row(ws, row + 1) == ["NGƯỜI LẬP BIỂU", None, "T/M ĐẢNG ỦY"]
    assert _row(ws, row + 2) == ["(Ký, ghi rõ họ tên)", None, "(Ký, ghi rõ họ tên)"]


# --- the letterhead ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Tỉnh ủy Quảng Ngãi", "Đảng bộ tỉnh Quảng Ngãi"),
        ("Tỉnh uỷ Quảng Ngãi", "Đảng bộ tỉnh Quảng Ngãi"),
        ("Thành ủy Đà Nẵng", "Đảng bộ thành phố Đà Nẵng"),
        ("Huyện ủy Sơn Hà", "Đảng bộ huyện Sơn Hà"),
        ("Đảng ủy xã Sơn Kỳ", "Đảng bộ xã Sơn Kỳ"),
        ("Chi bộ thôn Làng Ranh", "Chi bộ thôn Làng Ranh"),
        ("Ban Chấp hành Trung ương", "Ban Chấp hành Trung ương"),
    ],
)
def test_party_body_name(name, body):
    assert party_body_name(name) == body


def test_letterhead_of_a_province_and_of_the_top(tree):
    with translation.override("vi"):
        province = letterhead_for(tree.province2)
        top = letterhead_for("TW")
    assert (province.superior, province.organisation) == (
        "BAN CHẤP HÀNH TRUNG ƯƠNG",
        "TỈNH ỦY QUẢNG NGÃI",
    )
    assert province.signer == "T/M BAN THƯỜNG VỤ"
    assert (top.superior, top.organisation) == ("", "BAN CHẤP HÀNH TRUNG ƯƠNG")


def test_signer_by_kind():
    with translation.override("vi"):
        assert signer_title("district") == "T/M BAN THƯỜNG VỤ"
        assert signer_title("grassroots_committee") == "T/M ĐẢNG ỦY"
        assert signer_title("grassroots_cell") == "T/M CHI BỘ"


def test_date_line():
    with translation.override("vi"):
        assert date_line("Sơn Hà", date(2026, 3, 5)) == "Sơn Hà, ngày 05 tháng 03 năm 2026"
        assert date_line("", date(2026, 12, 3)) == "……, ngày 03 tháng 12 năm 2026"


def test_roman():
    assert [roman(n) for n in (1, 4, 9, 10, 12, 14)] == ["I", "IV", "IX", "X", "XII", "XIV"]
