"""On a phone (390 px wide) no page scrolls sideways, and axe-core finds nothing serious: every page of each
role's navigation, and the pages they lead to that matter most (a trainee's page, a form)."""
import pytest

from tests.conftest import sign_in
from tests.test_accessibility import AXE

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # a walk through pages: the same on any database

PHONE = {"width": 390, "height": 844}
ROLES = {"admin": "admin@example.com", "supervisor": "maria.lopez@example.com", "trainee": "amelia.hughes@example.com"}
MORE = {"supervisor": ["/trainees/1", "/trainees/1/rotations/new"], "admin": ["/trainees/1"]}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized tab that ignores the strict CSP only so that axe's script can be injected."""
    context = browser.new_context(base_url=live_server, viewport=PHONE, bypass_csp=True, is_mobile=True)
    yield context.new_page()
    context.close()


def serious(page) -> list[str]:
    """axe's serious and critical findings (the moderate ones are the accessibility test's concern)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def navigation(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav[aria-label=Main] a", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(["/", *hrefs]))


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_scrolls_sideways_at_390_px(phone, demo, role):
    sign_in(phone, ROLES[role])
    phone.wait_for_load_state()
    paths = navigation(phone) + MORE.get(role, [])
    widths, findings = {}, {}
    for path in paths:
        response = phone.goto(path)
        assert response.status == 200 and "/login" not in phone.url, path
        widths[path] = phone.evaluate("document.documentElement.scrollWidth")
        findings[path] = serious(phone)
    assert {path: width for path, width in widths.items() if width > 390} == {}
    assert {path: found for path, found in findings.items() if found} == {}
    assert len(paths) >= 2


def test_the_navigation_wraps_without_javascript(browser, live_server, demo):
    """The admin's long navigation fits on a phone with scripts switched off (the page's, not the test's probes)."""
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "admin@example.com")
    page.goto("/trainees/")
    box = page.locator("nav[aria-label=Main]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    last = page.locator("nav[aria-label=Main] li").last.bounding_box()
    assert last["x"] + last["width"] <= 390
    context.close()
