"""Member development in a real browser on a phone: an organisation-board officer opens a case
in a cell chosen by name and takes the person through the awareness class, the application,
the CV's verification and the introduction by two members chosen by name; a wrong step is
refused next to its field. Screenshots of the case page and the deadlines are kept."""

import re

import pytest
from playwright.sync_api import expect

from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick


def _record(page, viewport, step_label: str, fields: dict[str, str]) -> None:
    press(page, viewport, page.locator("#next-steps a").filter(has_text=step_label).first)
    expect(page.locator("h1")).to_contain_text(step_label)
    for name, value in fields.items():
        page.fill(f"#step-form [name='{name}']", value)
    press(page, viewport, page.locator("#step-form button[type='submit']"))


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_candidate_through_three_stages_on_a_phone(
    page, viewport, live_server, org_tree, members, staff_user, screenshot
):
    from dangvu.admission.models import Candidate

    sign_in(page, live_server.url, viewport)
    page.goto(f"{live_server.url}/admission/")
    expect(page.locator("h1")).to_contain_text("Phát triển đảng viên")
    press(page, viewport, page.locator("#new-candidate"))
    pick(page, viewport, "organisation", "co loa", "Chi bộ thôn Cổ Loa")
    page.fill("[name='date']", "2024-01-10")
    page.fill("[name='full_name']", "Y Blưm")
    page.fill("[name='birth_date']", "2000-02-03")
    page.select_option("[name='gender']", "F")
    page.select_option("[name='ethnicity']", "16")
    page.select_option("[name='education']", "lower_secondary")
    page.select_option("[name='occupation']", "farmer")
    page.select_option("[name='proposed_by']", "youth_union")
    pick(page, viewport, "helper", "tran thi hoa", "Trần Thị Hoa")
    assert_no_horizontal_scroll(page, "new case form")
    press(page, viewport, page.locator("form.card button[type='submit']"))
    expect(page).to_have_url(re.compile(r"/admission/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Y Blưm")

    _record(page, viewport, "Đã qua lớp", {"date": "2024-03-01", "certificate_number": "CN-17"})
    expect(page.locator(".messages")).to_contain_text("Đã ghi")
    _record(page, viewport, "Nhận đơn", {"date": "2024-04-01"})
    _record(page, viewport, "Thẩm tra lý lịch", {"date": "2024-05-02"})
    # A wrong step is refused next to its field: one introducer only.
    press(page, viewport, page.locator("#next-steps a").filter(has_text="Giới thiệu").first)
    page.fill("#step-form [name='date']", "2024-06-03")
    pick(page, viewport, "introducer1", "nguyen van binh", "Nguyễn Văn Bình")
    page.fill("#step-form [name='since1']", "2022-01-01")
    press(page, viewport, page.locator("#step-form button[type='submit']"))
    expect(page.locator("#step-form")).to_contain_text("đảng viên chính thức")
    assert Candidate.objects.get(full_name="Y Blưm").stage == "cv_verified"
    pick(page, viewport, "introducer2", "tran thi hoa", "Trần Thị Hoa")
    page.fill("#step-form [name='since2']", "2022-01-01")
    press(page, viewport, page.locator("#step-form button[type='submit']"))
    expect(page.locator("h1")).to_contain_text("Y Blưm")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Nguyễn Văn Bình")
    expect(timeline).to_contain_text("Trần Thị Hoa")
    assert Candidate.objects.get(full_name="Y Blưm").stage == "introduced"
    assert_no_horizontal_scroll(page, "case page")
    screenshot("case")
    page.goto(f"{live_server.url}/admission/deadlines/")
    expect(page.locator("h1")).to_contain_text("Hạn")
    screenshot("deadlines")
