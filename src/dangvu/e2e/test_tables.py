"""An organisation-board officer on a phone downloads the list she is looking at as Excel and
as CSV: the organisations under her province (the page's "Tải về" links are the API's files,
read with her browser session). Each file is opened: its title names the province, its header
is Vietnamese, its rows are the organisations on the page. A screenshot of the page is kept."""

import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import sign_in


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_list_on_screen_downloads_as_excel_and_csv(
    page, viewport, live_server, org_tree, screenshot
):
    from dangvu.accounts.services import grant_create, user_create

    officer, _password = user_create(actor=None, username="ban.to.chuc", password=PASSWORD)
    grant_create(actor=None, user=officer, organisation=org_tree["province"], role="org_staff")
    sign_in(page, live_server.url, viewport, username="ban.to.chuc")
    province = org_tree["province"]
    page.goto(f"{live_server.url}/organisations/{province.code}/")
    links = page.locator("p.files a")
    expect(links).to_have_count(2)
    expect(page.locator("p.files")).to_contain_text("Tải về:")
    screenshot("list-downloads")

    with page.expect_download() as download:
        links.nth(0).click()
    assert download.value.suggested_filename == f"organisations-{province.code}.xlsx"
    content = download.value.path().read_bytes()  # the saved file has no extension
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Danh sách tổ chức đảng"
    assert province.name in rows[1][0]
    assert rows[2][:2] == ["Mã", "Tên tổ chức đảng"]
    children = {r[0] for r in rows[3:]}
    assert org_tree["district"].code in children

    with page.expect_download() as download:
        links.nth(1).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:2] == ["Mã", "Tên tổ chức đảng"]
    assert {r[0] for r in table[1:]} == children
