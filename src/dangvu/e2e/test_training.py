"""A training class in a real browser on a phone, from planning to certificates: the officer
plans an online skills class of the district with two sessions that have taken place, enrols
one member by name and the cell secretaries of the district by position, calls the roll of
each session with one tap per person, closes the class, records its results and issues the
certificates, and downloads the certificate of the one who completed it. Screenshots of the
roll call and of the class's page are kept."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick


def _call_the_roll(page, viewport, session: int, marks: dict[str, str]) -> None:
    """Open the roll of the n-th session (1 first) and tap one choice per person."""
    press(page, viewport, page.locator("#sessions .roll-link").nth(session - 1))
    roll = page.locator("#roll .roll-row")
    expect(roll).to_have_count(len(marks))
    for name, choice in marks.items():
        row = roll.filter(has_text=name)
        press(page, viewport, row.locator("label.seg").filter(has_text=choice))
        expect(row.locator("label.seg").filter(has_text=choice).locator("input")).to_be_checked()


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_an_online_class_from_planning_to_certificates_on_a_phone(
    page, viewport, live_server, org_tree, members, staff_user, screenshot
):
    from django.utils import timezone

    from dangvu.members.models import Position
    from dangvu.members.services import position_assign
    from dangvu.training.models import Certificate, TrainingClass

    today = timezone.localdate()
    position_assign(
        actor=None,
        organisation=org_tree["cell"],
        kind=Position.Kind.SECRETARY,
        valid_from=today - timedelta(days=400),
        member=members["binh"],
    )
    sign_in(page, live_server.url, viewport)
    page.goto(f"{live_server.url}/training/")
    expect(page.locator("h1")).to_contain_text("Lớp bồi dưỡng chính trị")
    press(page, viewport, page.locator("#new-class"))
    pick(page, viewport, "organisation", "dong anh", "Đảng bộ huyện Đông Anh")
    page.select_option("[name='kind']", "cell_skills")
    page.fill("[name='title']", "Nghiệp vụ công tác đảng cho bí thư chi bộ")
    page.select_option("[name='mode']", "online")
    page.fill("[name='capacity']", "30")
    page.fill("[name='online_link']", "https://hop.example/nghiep-vu")
    for n, days_ago in ((1, 3), (2, 2)):
        day = today - timedelta(days=days_ago)
        page.fill(f"[name='s{n}_day']", day.isoformat())
        page.fill(f"[name='s{n}_start']", "07:30")
        page.fill(f"[name='s{n}_end']", "11:00")
        page.fill(f"[name='s{n}_topic']", f"Chuyên đề {n}")
    assert_no_horizontal_scroll(page, "new class")
    press(page, viewport, page.locator("#save-class"))
    expect(page).to_have_url(re.compile(r"/training/\d+/$"))
    c = TrainingClass.objects.get(title="Nghiệp vụ công tác đảng cho bí thư chi bộ")
    assert (c.mode, c.sessions.count()) == ("online", 2)

    # One person by name, then the district's cell secretaries by position.
    press(page, viewport, page.locator("#enrol"))
    pick(page, viewport, "person", "tran thi hoa", "Trần Thị Hoa")
    press(page, viewport, page.locator("#save-enrol"))
    expect(page.locator("ul.messages")).to_contain_text("Đã ghi danh Trần Thị Hoa")
    page.goto(f"{live_server.url}/training/{c.pk}/")
    press(page, viewport, page.locator("#enrol-position"))
    pick(page, viewport, "under", "dong anh", "Đảng bộ huyện Đông Anh")
    page.get_by_label("Bí thư", exact=True).check()
    press(page, viewport, page.locator("#save-position"))
    expect(page.locator("ul.messages")).to_contain_text("1 người được ghi danh")
    expect(page.locator("#people")).to_contain_text("Nguyễn Văn Bình")
    expect(page.locator("#people")).to_contain_text("Trần Thị Hoa")

    # The roll of each session, one tap per person: Hoa misses the second one.
    _call_the_roll(page, viewport, 1, {"Nguyễn Văn Bình": "Có mặt", "Trần Thị Hoa": "Có mặt"})
    assert_no_horizontal_scroll(page, "roll call")
    screenshot("class-roll-call")
    press(page, viewport, page.locator("#save-roll"))
    expect(page.locator("ul.messages")).to_contain_text("2 có mặt, 0 vắng")
    _call_the_roll(page, viewport, 2, {"Nguyễn Văn Bình": "Có mặt", "Trần Thị Hoa": "Vắng"})
    press(page, viewport, page.locator("#save-roll"))
    expect(page.locator("ul.messages")).to_contain_text("1 có mặt, 1 vắng")

    # Close the class, record the results, issue the certificates.
    press(page, viewport, page.locator("#to-closed"))
    expect(page.locator("#state")).to_contain_text("Đã chốt danh sách")
    press(page, viewport, page.locator("#complete"))
    press(page, viewport, page.locator("#save-complete"))
    expect(page.locator("ul.messages")).to_contain_text("1 người hoàn thành, 1 người không")
    number = f"1/{today.year}/TTCT-E2E-H"
    expect(page.locator("#certificates")).to_contain_text(number)
    cert = Certificate.objects.get()
    assert (cert.number, cert.full_name) == (number, "Nguyễn Văn Bình")

    with page.expect_download() as download:
        press(page, viewport, page.locator("#certificates a").first)
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert_no_horizontal_scroll(page, "class page")
    screenshot("class")

    # Anyone signed in can check the number.
    page.goto(f"{live_server.url}/training/verify/")
    page.fill("[name='number']", number)
    press(page, viewport, page.locator("#verify-form button[type='submit']"))
    expect(page.locator("#verdict")).to_contain_text("Hợp lệ")
    expect(page.locator("#verdict")).to_contain_text("Nguyễn Văn Bình")
