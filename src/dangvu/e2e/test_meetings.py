"""A cell meeting in a real browser on a phone: the officer plans it for a cell chosen by name,
records the attendance with one tap for the one member absent (everyone else present), the
times, chair and minutes, then scores it on the scoring sheet and attaches the resolution (a
file that is not a PDF refused first). Screenshots of the roll call and of the meeting's page
are kept."""

import re

import pytest
from playwright.sync_api import expect

from dangvu.e2e.test_browser import assert_no_horizontal_scroll, press, sign_in
from dangvu.e2e.test_roles import pick


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_meeting_recorded_and_evaluated_on_a_phone(
    page, viewport, live_server, org_tree, members, staff_user, screenshot
):
    from dangvu.meetings.models import Meeting

    sign_in(page, live_server.url, viewport)
    page.goto(f"{live_server.url}/meetings/")
    expect(page.locator("h1")).to_contain_text("Sinh hoạt chi bộ")
    press(page, viewport, page.locator("#new-meeting"))
    pick(page, viewport, "organisation", "co loa", "Chi bộ thôn Cổ Loa")
    page.fill("[name='topic']", "Sinh hoạt thường kỳ tháng này")
    page.fill("[name='place']", "Nhà văn hóa thôn Cổ Loa")
    press(page, viewport, page.locator("form.card button[type='submit']"))
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))

    press(page, viewport, page.locator("#record"))
    roll = page.locator("#roll .roll-row")
    expect(roll).to_have_count(2)
    # One tap: Trần Thị Hoa absent with a reason; Nguyễn Văn Bình stays present.
    hoa = roll.filter(has_text="Trần Thị Hoa")
    press(page, viewport, hoa.locator("label.seg").filter(has_text="Vắng có lý do"))
    hoa.locator("input[type='text']").fill("Đi viện")
    page.fill("[name='started_at']", "19:00")
    page.fill("[name='ended_at']", "20:40")
    page.select_option("[name='chair']", label="Nguyễn Văn Bình")
    page.fill("[name='resolution']", "Hoàn thành làm đường bê tông thôn trong quý")
    page.fill("[name='minutes']", "Biên bản sinh hoạt chi bộ thôn Cổ Loa")
    assert_no_horizontal_scroll(page, "roll call")
    screenshot("roll-call")
    press(page, viewport, page.locator("#save-record"))
    expect(page.locator("#summary")).to_contain_text("1/2")
    m = Meeting.objects.get(topic="Sinh hoạt thường kỳ tháng này")
    assert (m.present, m.excused, m.valid) == (1, 1, True)

    press(page, viewport, page.locator("#evaluate"))
    for name, value in {
        "s_attendance": "15",
        "s_preparation": "18",
        "s_conduct": "25",
        "s_principles": "10",
        "s_implementation": "15",
    }.items():
        page.fill(f"#evaluation-form [name='{name}']", value)
    press(page, viewport, page.locator("#save-evaluation"))
    expect(page.locator(".evaluation")).to_contain_text("83")
    expect(page.locator(".evaluation")).to_contain_text("Khá")

    # The signed resolution as a PDF; a file that is not one is refused and explained.
    page.set_input_files(
        "#id_file",
        files=[{"name": "chuong-trinh.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90"}],
    )
    press(page, viewport, page.locator("#attach"))
    expect(page.locator("ul.messages")).to_contain_text("không phải tệp được nhận")
    page.select_option("#id_role", "resolution")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "nghi-quyet-thang.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n",
            }
        ],
    )
    press(page, viewport, page.locator("#attach"))
    expect(page.locator("#files")).to_contain_text("nghi-quyet-thang.pdf")
    assert m.files.get().role == "resolution"
    assert_no_horizontal_scroll(page, "meeting page")
    screenshot("meeting")


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_district_dashboard_shows_who_missed_which_month_and_downloads(
    page, viewport, live_server, org_tree, members, staff_user, screenshot
):
    """The officer opens the district's dashboard for this year: the cell month by month
    (met, missed), the organisation under the district, the cell no supervisor visited; the
    Excel download is a real workbook."""
    import io
    from datetime import date, time
    from pathlib import Path

    from django.utils import timezone
    from openpyxl import load_workbook

    from dangvu.meetings.choices import Kind
    from dangvu.meetings.services import meeting_plan, meeting_record

    today = timezone.localdate()
    if today.month == 1:
        pytest.skip("a year's first month has no past month to show")
    day = date(today.year, 1, 5)
    m = meeting_plan(actor=None, organisation=org_tree["cell"], kind=Kind.REGULAR, planned_on=day)
    meeting_record(
        actor=None,
        meeting=m,
        held_on=day,
        started_at=time(19, 0),
        ended_at=time(20, 40),
        minutes="Biên bản",
        resolution="Nghị quyết",
    )
    sign_in(page, live_server.url, viewport)
    page.goto(f"{live_server.url}/meetings/report/?org=E2E-H")
    grid = page.locator("#cells")
    expect(grid).to_contain_text("Chi bộ thôn Cổ Loa")
    expect(grid.locator("td.ok").first).to_contain_text("✓")
    expect(grid.locator("td.missed").first).to_contain_text("✗")
    expect(page.locator("#children")).to_contain_text("Chi bộ thôn Cổ Loa")
    expect(page.locator("#not-visited")).to_contain_text("Chi bộ thôn Cổ Loa")
    screenshot("dashboard")
    with page.expect_download() as download:
        page.locator("#export").click()
    # The saved download has no extension, which openpyxl wants: read it as bytes.
    wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Từng chi bộ" in wb.sheetnames
