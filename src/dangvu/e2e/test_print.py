"""Printing in a real browser: the 3-BTCTW page and a member's page under print media show the
letterhead and the signature blocks and none of the screen's navigation, forms or buttons; the
3-BTCTW page prints to at most two A4 pages; the Print button calls the browser's print.

Screenshots and the PDF are written to test-results/ (print-*.png, print-3-btctw.pdf)."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangvu.e2e.conftest import VIEWPORTS
from dangvu.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def desk(browser):
    ctx = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **VIEWPORTS["desktop"]
    )
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    ctx.close()


@pytest.fixture
def district_members(org_tree, members):
    """A district like the demo's: a dozen members of several ages, ethnicities and religions,
    in the grassroots cell; the district's place name for the date line."""
    from dangvu.e2e.conftest import _member_data
    from dangvu.members.services import member_create

    district = org_tree["district"]
    district.place_name = "Đông Anh"
    district.save(update_fields=["place_name"])
    people = []
    for n in range(12):
        people.append(
            member_create(
                actor=None,
                data=_member_data(
                    f"Phạm Văn Thử {n}",
                    birth_date=date(1950 + 3 * n, 3, 1),
                    gender="F" if n % 3 == 0 else "M",
                    ethnicity=["01", "02", "03", "12", "16"][n % 5],
                    religion=["00", "01", "02"][n % 3],
                ),
                organisation=org_tree["cell"],
            )
        )
    return people


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _assert_screen_controls_hidden(page: Page) -> None:
    expect(page.locator("header.topbar")).to_be_hidden()
    for form in page.locator("main form").all():
        expect(form).to_be_hidden()
    for button in page.locator("main button, main .button").all():
        expect(button).to_be_hidden()


def test_the_3_btctw_page_prints_as_the_form(
    desk, live_server, staff_user, district_members, results_dir
):
    page = desk
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/reports/membership/?org=E2E-H")
    # On screen: the Print button, no letterhead.
    expect(page.locator("[data-print]")).to_be_visible()
    expect(page.locator(".print-header")).to_be_hidden()
    expect(page.locator(".print-signatures")).to_be_hidden()
    page.screenshot(path=results_dir / "print-3-btctw-screen.png", full_page=True)

    page.emulate_media(media="print")
    _assert_screen_controls_hidden(page)
    expect(page.locator("#download-xlsx")).to_be_hidden()
    header = page.locator(".print-header")
    expect(header).to_be_visible()
    expect(header).to_contain_text("ĐẢNG BỘ TỈNH THỬ NGHIỆM")
    expect(header).to_contain_text("ĐẢNG BỘ HUYỆN ĐÔNG ANH")
    expect(header).to_contain_text("Biểu số 3-BTCTW")
    expect(header).to_contain_text("ĐẢNG CỘNG SẢN VIỆT NAM")
    signatures = page.locator(".print-signatures")
    expect(signatures).to_be_visible()
    today = timezone.localdate()
    expect(signatures).to_contain_text(f"Đông Anh, ngày {today:%d} tháng {today:%m} năm {today:%Y}")
    expect(signatures).to_contain_text("NGƯỜI LẬP BIỂU")
    expect(signatures).to_contain_text("T/M BAN THƯỜNG VỤ")
    # Tables are ruled in black on white.
    border = page.locator("main table td").first.evaluate(
        "td => getComputedStyle(td).borderLeftStyle + ' ' + getComputedStyle(td).borderLeftColor"
    )
    assert border == "solid rgb(0, 0, 0)"
    page.screenshot(path=results_dir / "print-3-btctw.png", full_page=True)

    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (results_dir / "print-3-btctw.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    print(f"\n3-BTCTW printed on {pages} A4 page(s)")
    assert 1 <= pages <= 2
    assert not page.js_errors


def test_a_member_page_prints_with_the_letterhead_and_date_line(
    desk, live_server, staff_user, members, results_dir
):
    page = desk
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/members/{members['binh'].pk}/")
    # The Print button calls the browser's print (stubbed: headless Chromium has no dialog).
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1 } }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.printed") == 1

    page.emulate_media(media="print")
    _assert_screen_controls_hidden(page)
    header = page.locator(".print-header")
    expect(header).to_be_visible()
    expect(header).to_contain_text("ĐẢNG BỘ HUYỆN ĐÔNG ANH")
    expect(header).to_contain_text("CHI BỘ THÔN CỔ LOA")
    expect(header).not_to_contain_text("Biểu số")
    signatures = page.locator(".print-signatures")
    expect(signatures).to_be_visible()
    expect(signatures).to_contain_text("ngày")
    expect(signatures).not_to_contain_text("NGƯỜI LẬP BIỂU")
    expect(page.locator("h1")).to_contain_text("Nguyễn Văn Bình")
    page.screenshot(path=results_dir / "print-member.png", full_page=True)
    assert not page.js_errors
