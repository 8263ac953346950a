"""A province's plan in a real browser on a phone: the province's officer records it (a number
whose kind does not fit is refused next to the field), sends it to every district with a report
due, and sees it overdue; the district's officer finds it on the home page, reports it done with
the district's own plan chosen by number; the province's page then counts the report.
Screenshots of the district's report and of the province's summary are kept."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_plan_sent_down_and_reported_on_a_phone(
    page, viewport, live_server, org_tree, staff_user, screenshot
):
    from django.utils import timezone

    from dangvu.accounts.services import grant_create, user_create
    from dangvu.documents.models import Document, Recipient

    today = timezone.localdate()
    officer, _password = user_create(
        actor=None, username="tinh.uy", password=PASSWORD, full_name="Phạm Văn Tuyên"
    )
    grant_create(actor=None, user=officer, organisation=org_tree["province"], role="org_staff")

    sign_in(page, live_server.url, viewport, username="tinh.uy")
    page.goto(f"{live_server.url}/documents/")
    press(page, viewport, page.locator("#new-document"))
    pick(page, viewport, "organisation", "thu nghiem", "Đảng bộ tỉnh Thử Nghiệm")
    page.select_option("[name='kind']", "plan")
    page.fill("[name='code']", "90-CT/TU")
    page.fill("[name='issued_on']", (today - timedelta(days=40)).isoformat())
    page.fill("[name='title']", "Kế hoạch về công tác thông tin, tuyên truyền về xây dựng Đảng")
    assert_no_horizontal_scroll(page, "new document")
    press(page, viewport, page.locator("#save-document"))
    expect(page.locator("#document-form")).to_contain_text("KH")
    assert not Document.objects.exists()
    page.fill("[name='code']", "số 90 - kh/tu")
    press(page, viewport, page.locator("#save-document"))
    expect(page).to_have_url(re.compile(r"/documents/\d+/$"))
    expect(page.locator("#code")).to_have_text("90-KH/TU")
    plan = Document.objects.get(code="90-KH/TU")

    page.select_option("[name='children_of_kind']", "district")
    pick(page, viewport, "under", "thu nghiem", "Đảng bộ tỉnh Thử Nghiệm")
    page.fill("[name='due_on']", (today - timedelta(days=3)).isoformat())
    press(page, viewport, page.locator("#send"))
    expect(page.locator("#summary")).to_contain_text("Đã gửi 1 tổ chức; 0 đã báo cáo")
    expect(page.locator("#summary")).to_contain_text("1 quá hạn")
    assert Recipient.objects.filter(document=plan).count() == 1

    # The district's officer: the overdue report on the home page, the report on the phone.
    page.context.clear_cookies()
    sign_in(page, live_server.url, viewport)
    due = page.locator("a[href='/documents/?awaiting=1']")
    expect(due).to_contain_text("Báo cáo thực hiện văn bản quá hạn")
    press(page, viewport, due)
    press(page, viewport, page.get_by_role("link", name="90-KH/TU"))
    form = page.locator("#report form").first
    form.locator("select[name$='-status']").select_option("done")
    form.locator("textarea[name$='-notes']").fill("Đã quán triệt đến các chi bộ trực thuộc")
    assert_no_horizontal_scroll(page, "report")
    press(page, viewport, form.locator("button[type='submit']"))
    expect(page.locator("ul.messages")).to_contain_text("Đã ghi báo cáo của Đảng bộ huyện Đông Anh")
    screenshot("district-report")
    row = Recipient.objects.get(document=plan)
    assert (row.status, row.reported_on) == ("done", today)

    page.context.clear_cookies()
    sign_in(page, live_server.url, viewport, username="tinh.uy")
    page.goto(f"{live_server.url}/documents/?q=90-kh/tu")
    press(page, viewport, page.get_by_role("link", name="90-KH/TU"))
    expect(page.locator("#summary")).to_contain_text("Đã gửi 1 tổ chức; 1 đã báo cáo")
    expect(page.locator("#distribution")).to_contain_text("Đã quán triệt")
    assert_no_horizontal_scroll(page, "document")
    screenshot("province-summary")
    assert not page.js_errors
