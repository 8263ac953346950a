"""An organisation-board officer brings a cell's members from a spreadsheet on a phone: the file
is checked first and its bad rows are listed with row, column, value and reason, nothing
written; she writes the valid rows only and downloads the rejected ones; the list then holds
the new members. A screenshot of the checked file is kept."""

import re

import pytest
from playwright.sync_api import expect

from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick

FILE = (
    "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Trình độ GDPT,Nghề nghiệp,Ngày vào Đảng\n"
    "Y Hiền,12/04/1995,Nữ,Xơ Đăng,12/12,Nông dân,19/05/2023\n"
    "A Thái,03/02/2090,Nam,Xơ Đăng,12/12,Nông dân,19/05/2023\n"
    "Đinh Văn Tư,07/09/1990,Nam,Sao Hỏa,9/12,Nông dân,02/09/2022\n"
).encode()


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_file_checked_then_its_valid_rows_written(
    page, viewport, live_server, org_tree, screenshot, tmp_path
):
    from dangvu.accounts.services import grant_create, user_create
    from dangvu.members.models import Member

    officer, _password = user_create(actor=None, username="ban.to.chuc", password=PASSWORD)
    grant_create(actor=None, user=officer, organisation=org_tree["province"], role="org_staff")
    path = tmp_path / "chi-bo.csv"
    path.write_bytes(FILE)

    sign_in(page, live_server.url, viewport, username="ban.to.chuc")
    page.goto(f"{live_server.url}/members/")
    press(page, viewport, page.locator("#import-members"))
    pick(page, viewport, "organisation", "e2e-cb", org_tree["cell"].name)
    page.set_input_files("[name='file']", str(path))
    assert_no_horizontal_scroll(page, "import form")
    press(page, viewport, page.locator("#check-file"))
    expect(page).to_have_url(re.compile(r"/interchange/imports/\d+/$"))
    expect(page.locator("#state")).to_contain_text("Đã kiểm tra, chưa ghi")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Ngày sinh")
    expect(problems.nth(1)).to_contain_text("Sao Hỏa")
    assert not Member.objects.filter(full_name="Y Hiền").exists()
    screenshot("import-checked")

    with page.expect_download() as download:
        page.locator("#rejected").click()
    assert download.value.suggested_filename.endswith("-loi.csv")

    press(page, viewport, page.locator("#write-valid"))
    expect(page.locator("#state")).to_contain_text("Đã ghi")
    assert Member.objects.get(full_name="Y Hiền").organisation == org_tree["cell"]
    assert not Member.objects.filter(full_name__in=["A Thái", "Đinh Văn Tư"]).exists()
