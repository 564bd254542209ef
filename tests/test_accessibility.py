"""Accessibility: axe-core (WCAG 2 A and AA rules) finds nothing on the main pages of each role."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # a walk through pages: the same on any database

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "admin@example.com": [
        "/", "/trainees/", "/readiness/", "/matrix", "/matrix?view=modules", "/admin/catalog/", "/admin/users/", "/admin/audit/",
        "/admin/imports/", "/admin/jobs/", "/admin/mail/", "/settings",
    ],
    "maria.lopez@example.com": [
        "/", "/trainees/", "/trainees/{trainee}", "/trainees/{trainee}/rotations/new",
        "/trainees/{trainee}/results/new", "/trainees/{trainee}/credits/new", "/trainees/{trainee}/leave/new",
        "/readiness/", "/matrix", "/digest/preview", "/plan/", "/plan/proposals/new", "/trainees/{trainee}/target-roles",
    ],
    "amelia.hughes@example.com": ["/me", "/settings"],
}


@pytest.fixture
def axe_page(browser, live_server):
    """A tab that ignores the strict CSP only so that axe's script can be injected."""
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    yield context.new_page()
    context.close()


def violations(page) -> list[str]:
    """What axe reports against WCAG 2 A/AA on the page as it stands."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in result["violations"]]


def test_login_page_and_its_error_state(axe_page, demo):
    axe_page.goto("/login")
    assert violations(axe_page) == []
    sign_in(axe_page, "maria.lopez@example.com", "wrong password")
    expect(axe_page.get_by_role("alert")).to_be_visible()  # waits for the answer to the POST to be shown
    assert violations(axe_page) == []


def test_axe_does_report_a_problem(axe_page, demo):
    axe_page.goto("/login")
    axe_page.evaluate("document.querySelector('label[for=email]').remove()")
    assert any(v.startswith("label:") for v in violations(axe_page))


@pytest.mark.parametrize("email", list(PAGES))
def test_each_roles_pages(axe_page, demo, email):
    sign_in(axe_page, email)
    axe_page.wait_for_load_state()
    found = {}
    for path in PAGES[email]:
        response = axe_page.goto(path.format(trainee=1))
        assert response.status == 200 and "/login" not in axe_page.url, path
        found[path] = violations(axe_page)
    assert found == {path: [] for path in PAGES[email]}


def test_a_form_with_errors(axe_page, demo):
    sign_in(axe_page, "maria.lopez@example.com")
    axe_page.goto("/trainees/1/rotations/new")
    axe_page.fill("input[name=start_date]", "2026-09-10")
    axe_page.fill("input[name=end_date]", "2026-09-01")
    axe_page.click("main button[type=submit]")
    axe_page.wait_for_load_state()
    assert axe_page.locator(".errors").count() >= 1
    assert violations(axe_page) == []
