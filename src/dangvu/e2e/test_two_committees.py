"""A transfer between two provinces in a real browser, each side in its own scope, then the
receiving province's form 1-BTCTW kept as signed and downloaded as PDF.

The sending committee's staff record a transfer to a cell of another province by its code; the
member is in transit (still counted at home). The receiving province's staff see the member
waiting on their home page, receive them, and find the transfer in their form 1-BTCTW.
"""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.members.models import Member, Transfer
from dangvu.stats.models import SignedReport


@pytest.fixture
def receiving(org_tree):
    """Another province with a commune cell, and its organisation-board staff."""
    from dangvu.accounts.services import grant_create, user_create
    from dangvu.organisations.services import organisation_create

    on = date(2015, 1, 1)
    province = organisation_create(
        actor=None,
        code="E2E-T2",
        name="Đảng bộ tỉnh Tuyên Quang",
        kind="province",
        parent=None,
        valid_from=on,
    )
    cell = organisation_create(
        actor=None,
        code="E2E-T2-CB",
        name="Chi bộ thôn Nà Hang",
        kind="grassroots_cell",
        parent=province,
        valid_from=on,
        grassroots_type="commune",
    )
    user, _password = user_create(
        actor=None, username="canbo.tuyenquang", password=PASSWORD, full_name="Hà Thị Nhận"
    )
    grant_create(actor=None, user=user, organisation=province, role="org_staff")
    return {"province": province, "cell": cell, "user": user}


@pytest.mark.e2e
def test_a_transfer_is_sent_by_one_province_and_received_by_the_other(
    browser, viewport, live_server, members, staff_user, receiving, screenshot, page, results_dir
):
    from dangvu.e2e.conftest import VIEWPORTS

    binh = members["binh"]
    today = timezone.localdate()
    sign_in(page, live_server.url, viewport)
    page.goto(f"{live_server.url}/members/{binh.pk}/events/new/")
    form = page.locator("form").filter(has=page.locator("select[name='type']"))
    form.locator("select[name='type']").select_option("transferred")
    form.locator("input[name='date']").fill(today.isoformat())
    form.locator("input[name='organisation_q']").fill("E2E-T2-CB")
    form.locator("input[name='decision_number']").fill("15-GGT/TU")
    press(page, viewport, form.locator("button[type='submit']"))
    page.wait_for_url(re.compile(rf"/members/{binh.pk}/$"))
    expect(page.locator("#in-transit")).to_contain_text("Chi bộ thôn Nà Hang")
    assert_no_horizontal_scroll(page, "member page in transit")
    screenshot("sent")
    binh.refresh_from_db()
    assert binh.organisation.code == "E2E-CB"  # still counted at home
    assert Transfer.objects.get().state == "sent"

    # The receiving province, in a session of its own.
    other = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **VIEWPORTS[viewport]
    )
    other.set_default_timeout(15_000)
    receiver = other.new_page()
    sign_in(receiver, live_server.url, viewport, username="canbo.tuyenquang")
    receiver.goto(f"{live_server.url}/")
    due = receiver.locator("a", has_text="chờ tiếp nhận")
    expect(due).to_have_count(1)
    press(receiver, viewport, due)
    receiver.wait_for_url(re.compile(r"/members/transfers/$"))
    expect(receiver.locator("#incoming")).to_contain_text("Nguyễn Văn Bình")
    assert_no_horizontal_scroll(receiver, "transfers page")
    receiver.screenshot(
        path=str(results_dir / f"two-committees-receiver-{viewport}.png"), full_page=True
    )
    press(receiver, viewport, receiver.locator("#incoming button", has_text="Tiếp nhận"))
    expect(receiver.locator("#incoming")).to_contain_text("Không có đảng viên nào")
    binh.refresh_from_db()
    assert binh.organisation.code == "E2E-T2-CB"

    # Its form 1-BTCTW shows the transfer in, from another province; kept as signed; as PDF.
    receiver.goto(
        f"{live_server.url}/reports/period/?org=E2E-T2&date_from={today.year}-01-01"
        f"&date_to={today.isoformat()}"
    )
    expect(receiver.locator("table")).to_contain_text("Chuyển đến")
    receiver.locator("#id_signer").fill("Hà Thị Nhận")
    press(receiver, viewport, receiver.locator("button", has_text="Lưu là báo cáo đã ký"))
    expect(receiver.locator("#recheck")).to_be_visible()
    assert SignedReport.objects.get().figures["increase_total"] == 1
    receiver.goto(
        f"{live_server.url}/reports/period/?org=E2E-T2&date_from={today.year}-01-01"
        f"&date_to={today.isoformat()}"
    )
    with receiver.expect_download() as download:
        press(receiver, viewport, receiver.locator("#download-pdf"))
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    other.close()
    assert Member.objects.get(pk=binh.pk).status == "official"
