"""The print partials on the report and record pages: the letterhead (print-only), the date
line and signatures, the Print button and its script; the print stylesheet's rules."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

import dangvu

pytestmark = pytest.mark.django_db

CSS = Path(dangvu.__file__).parent / "static" / "dangvu" / "app.css"


def _page(user, url, params=None) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def _today_line(place: str) -> str:
    today = timezone.localdate()
    return f"{place}, ngày {today:%d} tháng {today:%m} năm {today:%Y}"


def _header(html: str) -> str:
    match = re.search(r'<div class="print-only print-header">(.*?)\n</div>', html, re.S)
    assert match, "no print header"
    return match.group(1)


def _signatures(html: str) -> str:
    match = re.search(r'<div class="print-only print-signatures">(.*?)\n</div>', html, re.S)
    assert match, "no print signatures"
    return match.group(1)


def _has_print_button_and_script(html: str) -> None:
    assert '<button type="button" class="secondary" data-print>In</button>' in html
    assert re.search(r'<script src="/static/dangvu/print\.[0-9a-f.]*js" defer></script>', html) or (
        '<script src="/static/dangvu/print.js" defer></script>' in html
    )
    assert "onclick" not in html  # the Content-Security-Policy runs no inline handler


def test_membership_page_prints_with_letterhead_and_signatures(tree, users, make_member):
    make_member(tree.cell1)
    tree.district.place_name = "Đắk Glei"
    tree.district.save(update_fields=["place_name"])
    html = _page(users.staff_kt, "/reports/membership/", {"org": "KT-DG"})
    header = _header(html)
    assert "ĐẢNG BỘ TỈNH KON TUM" in header and "HUYỆN ỦY ĐẮK GLEI" in header
    assert "Biểu số 3-BTCTW" in header and "ĐẢNG CỘNG SẢN VIỆT NAM" in header
    signatures = _signatures(html)
    assert _today_line("Đắk Glei") in signatures
    assert "NGƯỜI LẬP BIỂU" in signatures and "T/M BAN THƯỜNG VỤ" in signatures
    assert signatures.count("(Ký, ghi rõ họ tên)") == 2
    _has_print_button_and_script(html)


def test_period_page_prints_with_letterhead_and_signatures(tree, users):
    html = _page(
        users.staff_kt,
        "/reports/period/",
        {"org": "KT-DG-DP", "date_from": "2025-01-01", "date_to": "2025-06-30"},
    )
    header = _header(html)
    assert "ĐẢNG BỘ HUYỆN ĐẮK GLEI" in header and "ĐẢNG ỦY XÃ ĐĂK PÉK" in header
    assert "Biểu số 1-BTCTW" in header
    signatures = _signatures(html)
    assert _today_line("……") in signatures and "T/M ĐẢNG ỦY" in signatures
    _has_print_button_and_script(html)


def test_member_page_prints_the_letterhead_and_date_line_only(tree, users, make_member):
    member = make_member(tree.cell1)
    html = _page(users.staff_kt, f"/members/{member.pk}/")
    header = _header(html)
    assert "ĐẢNG BỘ XÃ ĐĂK PÉK" in header and "CHI BỘ THÔN ĐĂK UNG" in header
    assert "Biểu số" not in header
    signatures = _signatures(html)
    assert _today_line("……") in signatures
    assert "NGƯỜI LẬP BIỂU" not in signatures
    _has_print_button_and_script(html)


def test_organisation_page_prints_the_letterhead(tree, users):
    html = _page(users.staff_kt, "/organisations/KT-DG/")
    assert "HUYỆN ỦY ĐẮK GLEI" in _header(html)
    assert 'class="print-only print-signatures"' not in html
    _has_print_button_and_script(html)


def test_other_pages_carry_no_print_script(tree, users):
    html = _page(users.staff_kt, "/members/")
    assert "print.js" not in html and 'class="print-only print-header"' not in html


def test_print_stylesheet_hides_the_screen_controls():
    css = CSS.read_text(encoding="utf-8")
    block = css[css.index("@media print") :]
    hidden = block[: block.index("display: none !important")]
    for selector in (".topbar", "form", "button", ".pager", ".no-print", "format=xlsx"):
        assert selector in hidden
    assert "@page { size: A4 portrait" in block
    assert re.search(r"th, td \{ border: 1px solid #000", block)
    assert "break-inside: avoid" in block
    assert re.search(r"^\.print-only \{ display: none; \}", css, re.M)  # hidden on screen


# --- wording of the statistics pages ------------------------------------------------------------

GRASSROOTS_FIGURE = re.compile(r"<b>[\d.]+</b>tổ chức cơ sở đảng")


@pytest.mark.parametrize(("code", "shown"), [("KT-DG", True), ("KT-DG-DP", False)])
def test_grassroots_figure_only_where_it_can_be_more_than_the_unit_itself(
    tree, users, make_member, code, shown
):
    make_member(tree.cell1)
    html = _page(users.staff_kt, "/reports/membership/", {"org": code})
    assert bool(GRASSROOTS_FIGURE.search(html)) is shown
    if shown:
        assert "<b>2</b>tổ chức cơ sở đảng" in html


def test_a_cells_page_shows_no_grassroots_figure(tree, users, make_member):
    make_member(tree.cell1)
    for url in ("/reports/membership/?org=KT-DG-DP-01", "/organisations/KT-DG-DP-01/"):
        html = _page(users.staff_kt, url)
        assert "<b>1</b>đảng viên" in html.replace("\n", "")  # the figures are there
        assert not GRASSROOTS_FIGURE.search(html), url


def test_statistics_pages_write_numbers_and_dates_the_vietnamese_way(tree, users, make_member):
    make_member(tree.cell1, gender="F")
    make_member(tree.cell1)
    make_member(tree.cell2)
    html = _page(users.staff_kt, "/reports/membership/", {"org": "KT-DG"})
    assert "33,33 %" in html and "100,00 %" in html and "33.33" not in html
    assert f"{timezone.localdate():%d/%m/%Y}" in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", html.split("<main>")[1].split("<form")[0])
    html = _page(
        users.staff_kt,
        "/reports/period/",
        {"org": "KT-DG", "date_from": "2025-01-01", "date_to": "2025-06-30"},
    )
    assert "01/01/2025 – 30/06/2025" in html
