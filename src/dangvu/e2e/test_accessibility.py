"""axe-core in every role's key pages, desktop and phone: no serious or critical violation of
WCAG 2.1 A and AA (labels, contrast, names of controls, landmarks…). axe is read from the
file the axe-playwright-python package ships and evaluated in the page by the browser tests
(never fetched from a CDN). The figures are printed (`pytest -s` or the CI log)."""

from pathlib import Path

import axe_playwright_python
import pytest

from dangvu.e2e.test_roles import sign_in_as, world  # noqa: F401 (the fixture)

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

PAGES = {
    "org_staff": lambda w: [
        "/",
        "/members/?q=nguyen",
        f"/members/{w['binh'].pk}/",
        f"/organisations/{w['province'].code}/",
        "/organisations/",
        f"/reports/membership/?org={w['province'].code}",
        f"/reports/period/?org={w['province'].code}",
        f"/members/new/?org={w['cell2'].code}",
        f"/organisations/{w['cell2'].code}/move/",
    ],
    "secretary": lambda w: ["/", "/members/", f"/members/{w['binh'].pk}/"],
    "member": lambda w: ["/", f"/members/{w['binh'].pk}/"],
    "trainer": lambda w: ["/", "/organisations/"],
    "editor": lambda w: ["/"],
}


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'a, button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, summary, textarea'
)).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
        && !e.closest('.print-only') && (r.width < 43.5 || r.height < 43.5);
}).map(e => `${e.tagName} "${(e.innerText || e.value || e.name || '').trim().slice(0, 30)}" `
    + `${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)"""


def axe_run(page) -> list[dict]:
    """The violations axe finds in the page as it is now."""
    page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return result["violations"]


@pytest.mark.e2e
@pytest.mark.parametrize("role", list(PAGES))
def test_no_serious_accessibility_violation(page, viewport, live_server, world, role):  # noqa: F811
    sign_in_as(page, live_server.url, viewport, role)
    found, checked = [], 0
    for path in PAGES[role](world):
        page.goto(f"{live_server.url}{path}")
        for violation in axe_run(page):
            nodes = [n["target"] for n in violation["nodes"]][:3]
            line = f"{path}: {violation['id']} ({violation['impact']}) {nodes}"
            if violation["impact"] in BLOCKING:
                found.append(line)
            else:
                print(f"axe [{role}/{viewport}] minor: {line}")
        if viewport == "phone":
            # Every tap target at least 44 × 44 px (WCAG 2.5.5) on a phone.
            found += [f"{path}: small tap target {t}" for t in page.evaluate(SMALL_TARGETS)]
        checked += 1
    print(f"axe [{role}/{viewport}]: {checked} pages, {len(found)} serious or critical")
    assert not found, "\n".join(found)


@pytest.mark.e2e
def test_the_sign_in_page_has_no_serious_accessibility_violation(page, viewport, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    found = [v["id"] for v in axe_run(page) if v["impact"] in BLOCKING]
    print(f"axe [sign-in/{viewport}]: {len(found)} serious or critical")
    assert not found
