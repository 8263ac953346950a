"""Every role in a real browser, at desktop and phone sizes: sign in, land on a home page with
that role's figures or work, and do the role's main task choosing organisations and members by
name only (never a code). Each home page is kept as a screenshot (test-results/).

The data is made through the services: an active province with a district, a commune and two
cells, and a province dissolved in 2025 (its history), members (one probationary past their
12 months, whose recognition is due), and one user per role.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from dangvu.e2e.conftest import PASSWORD, second_step
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, assert_vietnamese, press

ROLES = (
    "admin",
    "org_staff",
    "committee_member",
    "secretary",
    "member",
    "trainer",
    "editor",
    "moderator",
)


@pytest.fixture
def world(transactional_db):
    from dangvu.accounts.services import grant_create, user_create
    from dangvu.members.services import member_create, member_link_user
    from dangvu.organisations.services import organisation_create, organisation_dissolve

    on = date(2015, 1, 1)

    def org(code, name, kind, parent=None, **extra):
        return organisation_create(
            actor=None, code=code, name=name, kind=kind, parent=parent, valid_from=on, **extra
        )

    root = org("R", "Ban Chấp hành Trung ương", "central")
    province = org("P", "Đảng bộ tỉnh Sông Lam", "province", root)
    commune = org(
        "P-X", "Đảng bộ xã Đăk Plô", "grassroots_committee", province, grassroots_type="commune"
    )
    cell2 = org("P-X-2", "Chi bộ thôn 2", "cell", commune)
    org("P-X-10", "Chi bộ thôn 10", "cell", commune)
    gone = org("OLD", "Đảng bộ tỉnh Núi Cũ", "province", root)
    organisation_dissolve(actor=None, org=gone, on=date(2025, 7, 1))

    def member(name, **extra):
        data = {
            "full_name": name,
            "birth_date": date(1985, 5, 1),
            "gender": "M",
            "ethnicity": "01",
            "religion": "00",
            "education": "upper_secondary",
            "occupation": "farmer",
            "admission_date": date(2010, 3, 1),
            "ceremony_date": date(2010, 3, 15),
            "official_date": date(2011, 3, 15),
        }
        data.update(extra)
        return member_create(actor=None, data=data, organisation=cell2)

    binh = member("Nguyễn Văn Bình")
    member("Y Hoa", gender="F", ethnicity="14")
    # Admitted in 2024: a year and more of probation is over; recognition is due (overdue).
    member(
        "A Lưu",
        admission_date=date(2024, 5, 2),
        ceremony_date=date(2024, 5, 20),
        official_date=None,
    )
    users = {}
    for role in ROLES:
        user, _password = user_create(
            actor=None,
            username=f"u-{role}",
            password=PASSWORD,
            full_name=f"Người dùng {role}",
        )
        if role == "admin":
            grant_create(actor=None, user=user, organisation=root, role="admin")
        elif role == "secretary":
            grant_create(actor=None, user=user, organisation=cell2, role=role)
        elif role == "committee_member":
            grant_create(actor=None, user=user, organisation=commune, role=role)
        elif role == "member":
            member_link_user(actor=None, member=binh, user=user)
        else:
            grant_create(actor=None, user=user, organisation=province, role=role)
        users[role] = user
    return {"province": province, "cell2": cell2, "binh": binh, "users": users}


def sign_in_as(page: Page, base_url: str, viewport: str, role: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert_vietnamese(page)
    page.fill("input[name='username']", f"u-{role}")
    page.fill("input[name='password']", PASSWORD)
    press(page, viewport, page.locator("form button[type='submit']").first)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    second_step(page, f"u-{role}")


def pick(page: Page, viewport: str, field: str, typed: str, option: str) -> None:
    """Type part of a name in a picker and choose the offered organisation by its name."""
    box = page.locator(f"input[name='{field}_q']")
    box.fill("")
    box.press_sequentially(typed, delay=30)
    choice = page.locator(".pick-option").filter(has_text=option).first
    expect(choice).to_be_visible()
    press(page, viewport, choice)
    expect(page.locator(f"input[name='{field}']")).not_to_have_value("")


def home(page: Page, viewport: str, role: str, screenshot) -> None:
    expect(page.locator("h1")).to_contain_text("Người dùng")
    assert_no_horizontal_scroll(page, f"home of {role}")
    body = page.locator("main").inner_text()
    assert "không có quyền" not in body.lower()
    screenshot(f"home-{role}")


@pytest.mark.e2e
def test_org_staff_adds_a_member_to_a_cell_chosen_by_name(
    page, viewport, live_server, world, screenshot
):
    sign_in_as(page, live_server.url, viewport, "org_staff")
    home(page, viewport, "org_staff", screenshot)
    # The key figures of the province, with their date, and the work that is due.
    expect(page.locator(".org-card").first).to_contain_text("Đảng bộ tỉnh Sông Lam")
    expect(page.locator(".due-list")).to_contain_text("dự bị")
    # Active province before the dissolved one.
    cards = page.locator(".org-card h3").all_inner_texts()
    assert cards[0].startswith("Đảng bộ tỉnh Sông Lam"), cards
    page.get_by_role("link", name="Thêm đảng viên").first.click()
    pick(page, viewport, "organisation", "thon 2", "Chi bộ thôn 2")
    name = f"Đinh Thị Mới {viewport}"
    page.fill("input[name='full_name']", name)
    page.fill("input[name='birth_date']", "1990-04-02")
    page.select_option("select[name='gender']", "F")
    page.select_option("select[name='ethnicity']", "01")
    page.select_option("select[name='education']", "upper_secondary")
    page.select_option("select[name='occupation']", "farmer")
    page.fill("input[name='admission_date']", "2025-03-01")
    page.fill("input[name='ceremony_date']", "2025-03-10")
    press(page, viewport, page.locator("form button[type='submit']"))
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("dl.record")).to_contain_text("Chi bộ thôn 2")
    screenshot("member-added")


@pytest.mark.e2e
def test_committee_member_reads_statistics_of_a_cell_chosen_by_name(
    page, viewport, live_server, world, screenshot
):
    sign_in_as(page, live_server.url, viewport, "committee_member")
    home(page, viewport, "committee_member", screenshot)
    expect(page.locator(".figures").first).to_be_visible()
    page.get_by_role("link", name=re.compile("Thống kê đội ngũ")).click()
    pick(page, viewport, "org", "thon 2", "Chi bộ thôn 2")
    press(page, viewport, page.get_by_role("button", name="Xem"))
    expect(page.locator("main h2").first).to_contain_text("Chi bộ thôn 2")
    expect(page.locator(".figure").first).to_contain_text("3")
    screenshot("statistics")


@pytest.mark.e2e
def test_admin_reads_increase_and_decrease_of_a_province_typed_by_name_without_javascript_step(
    page, viewport, live_server, world, screenshot
):
    """The name typed and sent without choosing from the list: one match is taken; "thôn"
    matches two cells, and the page offers them to choose from."""
    sign_in_as(page, live_server.url, viewport, "admin")
    home(page, viewport, "admin", screenshot)
    page.goto(f"{live_server.url}/reports/period/")
    page.fill("input[name='org_q']", "song lam")
    page.locator("form.searchbar input[name='org']").evaluate("e => e.value = ''")
    press(page, viewport, page.get_by_role("button", name="Xem"))
    expect(page.locator("main h2").first).to_contain_text("Đảng bộ tỉnh Sông Lam")
    page.fill("input[name='org_q']", "thôn")
    page.locator("form.searchbar input[name='org']").evaluate("e => e.value = ''")
    press(page, viewport, page.get_by_role("button", name="Xem"))
    choices = page.locator(".pick-choice")
    expect(choices).to_have_count(2)
    # Natural order: thôn 2 before thôn 10.
    assert "thôn 2" in choices.first.inner_text()
    press(page, viewport, choices.first.locator("input"))
    press(page, viewport, page.get_by_role("button", name="Xem"))
    expect(page.locator("main h2").first).to_contain_text("Chi bộ thôn 2")
    # The box now names the organisation chosen, not the text typed.
    expect(page.locator("input[name='org_q']")).to_have_value(re.compile("^Chi bộ thôn 2"))
    screenshot("period")


@pytest.mark.e2e
def test_secretary_finds_a_member_of_the_cell_and_back_shows_the_whole_search(
    page, viewport, live_server, world, screenshot
):
    sign_in_as(page, live_server.url, viewport, "secretary")
    home(page, viewport, "secretary", screenshot)
    page.get_by_role("link", name="Tìm đảng viên").first.click()
    page.locator("#id_q").press_sequentially("binh nguyen", delay=30)
    result = page.locator("#results .member-link").filter(has_text="Nguyễn Văn Bình")
    expect(result).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Chi bộ thôn 2")
    press(page, viewport, result)
    expect(page.locator("h1")).to_contain_text("Nguyễn Văn Bình")
    page.go_back()
    # The whole page: the menu and the search form, not a bare fragment.
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("#member-search")).to_be_visible()
    assert_no_horizontal_scroll(page, "search page after Back")


@pytest.mark.e2e
def test_member_opens_their_own_record(page, viewport, live_server, world, screenshot):
    sign_in_as(page, live_server.url, viewport, "member")
    home(page, viewport, "member", screenshot)
    expect(page.locator("h1")).not_to_contain_text("Tổ chức đảng phụ trách")
    page.get_by_role("link", name=re.compile("xem hồ sơ của bạn")).click()
    expect(page.locator("h1")).to_contain_text("Nguyễn Văn Bình")


@pytest.mark.e2e
def test_trainer_sees_their_role_and_opens_the_tree_with_the_toggle(
    page, viewport, live_server, world, screenshot
):
    sign_in_as(page, live_server.url, viewport, "trainer")
    home(page, viewport, "trainer", screenshot)
    expect(page.locator("main")).to_contain_text("Đảng bộ tỉnh Sông Lam")
    # No member search for a role that sees no member.
    expect(page.locator(".mainnav")).not_to_contain_text("Đảng viên")
    page.get_by_role("link", name="Cây tổ chức đảng").click()
    toggle = page.locator(".tree .toggle").first
    box = toggle.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    press(page, viewport, toggle)
    expect(page.locator(".tree")).to_contain_text("Đảng bộ xã Đăk Plô")


@pytest.mark.e2e
@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_editor_and_moderator_see_their_own_work_not_a_missing_grant(
    page, viewport, live_server, world, screenshot, role
):
    sign_in_as(page, live_server.url, viewport, role)
    home(page, viewport, role, screenshot)
    main = page.locator("main")
    expect(main).to_contain_text("Đảng bộ tỉnh Sông Lam")
    expect(main).not_to_contain_text("chưa được phân công")
