"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

Playwright's sync API keeps an asyncio event loop in the main thread, and Django refuses ORM
calls from a thread with a running loop (SynchronousOnlyOperation). The tests and the
live_server fixture use the ORM from that thread on purpose (test data, assertions, flushing),
so DJANGO_ALLOW_ASYNC_UNSAFE is set here, before any test runs. It is set when the e2e tests
are collected, which `make test` also does before deselecting them; nothing in Dangvu is
asynchronous, so the unit suite is not affected.

The browser is never downloaded: CHROMIUM (default /usr/bin/chromium, installed by
`make chromium` from Debian's packages) is launched.
"""

import contextlib
import os
import re
from datetime import date
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The two sizes every scenario runs at.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}

PASSWORD = "e2e-Mật-khẩu-2024"


def second_step(page, username: str) -> None:
    """After the password: the second factor's page, when the person's role asks for it,
    answered with a backup code issued for the test (accounts.twofactor); the TOTP journey
    itself is e2e/test_trust.py. A person with no factor yet was sent on to set one up: with
    the code issued, the second step's page asks for it."""
    if "/accounts/two-factor/" not in page.url:
        return
    from urllib.parse import parse_qs, urlencode, urlsplit

    from django.contrib.auth import get_user_model

    from dangvu.accounts.twofactor import backup_codes_issue

    user = get_user_model().objects.get(username=username)
    (code,) = backup_codes_issue(actor=None, user=user, count=1)
    parts = urlsplit(page.url)
    target = parse_qs(parts.query).get("next", ["/"])[0]
    page.goto(f"{parts.scheme}://{parts.netloc}/accounts/two-factor/?{urlencode({'next': target})}")
    page.fill("input[name='token']", code)
    page.locator("main form button[type='submit']").first.click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def static_files_through_the_application():
    """The live server serves static files as production does: through Dangvu's middleware
    (WhiteNoise, then gzip), not through Django's test handler that answers them before any
    middleware (uncompressed): the slow-link figures must be those a phone gets."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    original = StaticFilesHandler._should_handle
    StaticFilesHandler._should_handle = lambda self, path: False
    yield
    StaticFilesHandler._should_handle = original


@pytest.fixture(scope="session")
def results_dir(pytestconfig) -> Path:
    path = pytestconfig.rootpath / "test-results"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: run `make chromium` (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """'desktop' (1280×800) or 'phone' (390×844, mobile, touch)."""
    return request.param


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def context(browser, viewport):
    # A Vietnamese user's browser, in Vietnam.
    ctx = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **VIEWPORTS[viewport])
    ctx.set_default_timeout(15_000)
    ctx.set_default_navigation_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request, results_dir):
    """A page that records uncaught JavaScript errors (page.js_errors) and console errors
    (page.console_errors); a screenshot is kept when the test fails."""
    page = context.new_page()
    page.js_errors = []
    page.console_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        # A screenshot must not hide the real failure.
        with contextlib.suppress(Exception):
            page.screenshot(
                path=results_dir / f"FAILED-{_safe(request.node.name)}.png", full_page=True
            )


@pytest.fixture
def screenshot(page, request, results_dir):
    """screenshot(step): save the page as test-results/<test>[<viewport>]-<step>.png."""

    def take(step: str) -> Path:
        path = results_dir / f"{_safe(request.node.name)}-{_safe(step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def org_tree(transactional_db):
    """Province > district > grassroots cell, created through the services."""
    from dangvu.organisations.services import organisation_create

    on = date(2015, 1, 1)
    province = organisation_create(
        actor=None,
        code="E2E-T",
        name="Đảng bộ tỉnh Thử Nghiệm",
        kind="province",
        parent=None,
        valid_from=on,
    )
    district = organisation_create(
        actor=None,
        code="E2E-H",
        name="Đảng bộ huyện Đông Anh",
        kind="district",
        parent=province,
        valid_from=on,
    )
    cell = organisation_create(
        actor=None,
        code="E2E-CB",
        name="Chi bộ thôn Cổ Loa",
        kind="grassroots_cell",
        parent=district,
        valid_from=on,
        grassroots_type="commune",
    )
    return {"province": province, "district": district, "cell": cell}


def _member_data(full_name: str, **extra) -> dict:
    data = {
        "full_name": full_name,
        "birth_date": date(1980, 5, 1),
        "gender": "M",
        "ethnicity": "01",
        "religion": "00",
        "education": "upper_secondary",
        "occupation": "state_official",
        "admission_date": date(2010, 3, 1),
        "ceremony_date": date(2010, 3, 15),
        "official_date": date(2011, 4, 1),
    }
    data.update(extra)
    return data


@pytest.fixture
def members(org_tree):
    """Two official members of the cell; only one matches "nguyen van binh"."""
    from dangvu.members.services import member_create

    binh = member_create(
        actor=None, data=_member_data("Nguyễn Văn Bình"), organisation=org_tree["cell"]
    )
    hoa = member_create(
        actor=None, data=_member_data("Trần Thị Hoa", gender="F"), organisation=org_tree["cell"]
    )
    return {"binh": binh, "hoa": hoa}


@pytest.fixture
def staff_user(org_tree):
    """An org_staff user granted at the district (and everything below it)."""
    from dangvu.accounts.services import grant_create, user_create

    user, _password = user_create(
        actor=None, username="canbo.tochuc", password=PASSWORD, full_name="Lê Thị Tổ Chức"
    )
    grant_create(actor=None, user=user, organisation=org_tree["district"], role="org_staff")
    return user
