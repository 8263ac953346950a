"""The member workflow in a real browser, at desktop and phone sizes.

An org_staff user signs in, finds a member by typing the name without accents (the list
updates as they type), opens the member, records an event and sees it in the timeline; a
date in the future is refused with an error next to the date field and nothing is written.
The data is made through the services, as a person's earlier work would have made it.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from dangvu.audit.models import AuditRecord
from dangvu.e2e.conftest import PASSWORD, VIEWPORTS, second_step
from dangvu.members.choices import EventType, Status
from dangvu.members.models import Member, MembershipEvent

SEARCH = "nguyen van binh"
NAME = "Nguyễn Văn Bình"
OTHER_NAME = "Trần Thị Hoa"

# What each run records: the event, and what the member's record must say afterwards.
EVENT_BY_VIEWPORT = {
    "desktop": (
        EventType.EXEMPTED,
        date(2024, 6, 3),
        {"exempted": True, "status": Status.OFFICIAL},
    ),
    "phone": (EventType.DIED, date(2024, 9, 12), {"status": Status.DIED}),
}


def vi(message) -> str:
    with translation.override("vi"):
        return str(message)


def en(message) -> str:
    with translation.override("en"):
        return str(message)


def press(page: Page, viewport: str, target: Locator) -> None:
    """A tap on a phone, a click on a desktop."""
    if viewport == "phone":
        target.tap()
    else:
        target.click()


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{where}: the page scrolls sideways ({scroll_width}px of content for a "
        f"{inner_width}px wide window)"
    )


def assert_vietnamese(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def sign_in(page: Page, base_url: str, viewport: str = "desktop", username="canbo.tochuc") -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert_vietnamese(page)
    assert_no_horizontal_scroll(page, "sign-in page")
    form = page.locator("form").filter(has=page.locator("input[name='password']"))
    form.locator("input[name='username']").fill(username)
    form.locator("input[name='password']").fill(PASSWORD)
    press(page, viewport, form.locator("button[type='submit'], input[type='submit']").first)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    second_step(page, username)


def member_url(base_url: str, member: Member) -> re.Pattern:
    return re.compile(re.escape(f"{base_url}/members/{member.pk}/") + r"(\?.*)?$")


def event_form(page: Page) -> Locator:
    return page.locator("form").filter(has=page.locator("select[name='type']"))


@pytest.mark.e2e
def test_record_an_event_from_search_to_timeline(
    page, viewport, live_server, members, staff_user, screenshot
):
    binh = members["binh"]
    event_type, event_date, expected = EVENT_BY_VIEWPORT[viewport]
    label = vi(EventType(event_type).label)
    events_before = MembershipEvent.objects.filter(member=binh).count()

    sign_in(page, live_server.url, viewport)

    # The member list: typing an unaccented name narrows it in place (htmx, no reload).
    page.goto(f"{live_server.url}/members/")
    assert_vietnamese(page)
    page.evaluate("() => { window.__e2eSamePage = true; }")
    search = page.locator("input[name='q']")
    press(page, viewport, search)
    search.press_sequentially(SEARCH, delay=40)
    result = page.locator("a.member-link", has_text=NAME)
    expect(result).to_have_count(1)
    expect(page.locator("a.member-link", has_text=OTHER_NAME)).to_have_count(0)
    assert page.evaluate("() => window.__e2eSamePage === true"), (
        "the list did not update in place as the user typed: the page was reloaded"
    )
    assert_no_horizontal_scroll(page, "member list")

    # The member's page, then the event form.
    press(page, viewport, result)
    page.wait_for_url(member_url(live_server.url, binh))
    expect(page.locator("ol.timeline")).to_be_visible()
    assert_no_horizontal_scroll(page, "member page")
    press(page, viewport, page.locator("#record-event"))
    page.wait_for_url(f"{live_server.url}/members/{binh.pk}/events/new/")
    assert_no_horizontal_scroll(page, "event form")

    form = event_form(page)
    form.locator("select[name='type']").select_option(str(event_type))
    form.locator("input[name='date']").fill(event_date.isoformat())
    form.locator("input[name='decision_number']").fill("125-QĐ/HU")
    press(page, viewport, form.locator("button[type='submit']"))

    # Back on the member's page, the event is in the timeline.
    page.wait_for_url(member_url(live_server.url, binh))
    entry = page.locator("ol.timeline li").filter(has_text=label)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(re.compile(event_date.strftime(r"0?%-d/0?%-m/%Y")))
    assert_no_horizontal_scroll(page, "member page after recording")
    screenshot(f"{event_type}")

    # The database agrees with the page.
    assert MembershipEvent.objects.filter(member=binh).count() == events_before + 1
    event = MembershipEvent.objects.filter(member=binh).order_by("-pk").first()
    assert (event.type, event.date, event.decision_number) == (event_type, event_date, "125-QĐ/HU")
    binh.refresh_from_db()
    for field, value in expected.items():
        assert getattr(binh, field) == value, f"member.{field}"
    assert page.js_errors == []
    # The timeline speaks Vietnamese.
    assert label != en(EventType(event_type).label), f"no Vietnamese translation for {label!r}"


@pytest.mark.e2e
def test_future_date_is_refused_next_to_the_field(
    page, viewport, live_server, members, staff_user, screenshot
):
    binh = members["binh"]
    events_before = MembershipEvent.objects.filter(member=binh).count()
    future = timezone.localdate() + timedelta(days=30)

    sign_in(page, live_server.url, viewport)
    audit_before = AuditRecord.objects.count()  # after the sign-in (its backup code is audited)
    page.goto(f"{live_server.url}/members/{binh.pk}/events/new/")
    form = event_form(page)
    form.locator("select[name='type']").select_option(str(EventType.EXEMPTED))
    date_input = form.locator("input[name='date']")
    date_input.fill(future.isoformat())
    form.locator("input[name='decision_number']").fill("999-QĐ/HU")
    if date_input.get_attribute("max"):
        # The browser itself refuses the date; the server's check is tested below.
        assert date_input.evaluate("el => el.validity.rangeOverflow"), "max does not stop the date"
        form.evaluate("f => { f.noValidate = true; }")
    press(page, viewport, form.locator("button[type='submit']"))

    page.wait_for_load_state()
    expect(page).to_have_url(f"{live_server.url}/members/{binh.pk}/events/new/")
    errors = event_form(page).locator(".errorlist")
    expect(errors.first).to_be_visible()
    # The error sits with the date field: the smallest element holding both is not the form.
    holder = page.evaluate(
        """() => {
            const form = document.querySelector("select[name='type']").closest("form");
            const out = [];
            for (const list of form.querySelectorAll(".errorlist")) {
                let node = list.parentElement;
                while (node && !node.querySelector("input[name='date']")) node = node.parentElement;
                out.push({
                    text: list.innerText.trim(),
                    withDate: !!node && node !== form && !node.querySelector("select[name='type']")
                        && !node.querySelector("input[name='decision_number']"),
                });
            }
            return out;
        }"""
    )
    date_errors = [e["text"] for e in holder if e["withDate"]]
    assert date_errors and all(date_errors), f"no error next to the date field: {holder}"
    # What the user typed is kept.
    expect(event_form(page).locator("input[name='decision_number']")).to_have_value("999-QĐ/HU")
    assert_no_horizontal_scroll(page, "event form with errors")
    screenshot("future-date")

    # Nothing was written.
    assert MembershipEvent.objects.filter(member=binh).count() == events_before
    assert AuditRecord.objects.count() == audit_before
    binh.refresh_from_db()
    assert (binh.status, binh.exempted) == (Status.OFFICIAL, False)
    assert page.js_errors == []
    # The error speaks Vietnamese.
    assert "The date cannot be in the future" not in " ".join(date_errors), (
        f"the error is not in Vietnamese: {date_errors}"
    )


@pytest.mark.e2e
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_search_with_enter(browser, javascript, live_server, members, staff_user, results_dir):
    """Enter in the search box finds the member, with JavaScript or without (a plain form)."""
    context = browser.new_context(
        java_script_enabled=javascript,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        **VIEWPORTS["desktop"],
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/members/")
        search = page.locator("input[name='q']")
        if javascript:
            # Set the text without key events, so only Enter can start the search.
            search.evaluate("(el, text) => { el.value = text; }", SEARCH)
            search.press("Enter")
        else:
            search.fill(SEARCH)
            with page.expect_navigation():
                search.press("Enter")
            assert "q=" in page.url
        expect(page.locator("a.member-link", has_text=NAME)).to_have_count(1)
        expect(page.locator("a.member-link", has_text=OTHER_NAME)).to_have_count(0)
        page.screenshot(
            path=results_dir / f"test_search_with_enter-{'js' if javascript else 'no-js'}.png",
            full_page=True,
        )
        page.locator("a.member-link", has_text=NAME).click()
        page.wait_for_url(member_url(live_server.url, members["binh"]))
    finally:
        context.close()
