"""In the browser: progress bars under the strict CSP, and deciding on a flag from the board."""
from datetime import timedelta

import pytest

from tests.conftest import sign_in
from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import services

pytestmark = pytest.mark.browser


@pytest.fixture
def flagged(app):
    """Maria's trainee Rita, flagged ready for Internal auditing three days ago."""
    job = make_job_type("procurement", "Procurement desk")
    module = make_module("audit-fundamentals", "Audit Fundamentals")
    role = make_role("audit", rotations=[(job, 8, None)], modules=[(module, 70)])
    role.name = "Internal auditing"
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    rita = make_trainee(supervisor=maria, email="rita@example.com", name="Rita Ready")
    end = today() - timedelta(days=10)
    make_rotation(rita, job, end - timedelta(days=55), end, rating=4)
    make_result(rita, module, end, 80)
    db.session.commit()
    services.run_readiness(today() - timedelta(days=3))
    db.session.commit()


def csp_violations(page) -> list[str]:
    messages = []
    page.on("console", lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None)
    return messages


@pytest.mark.sqlite_only  # pages read, nothing changed: the same on any database
def test_a_trainee_sees_progress_bars_without_breaking_the_content_security_policy(flagged, page):
    violations = csp_violations(page)
    sign_in(page, "rita@example.com")
    page.wait_for_url("**/trainees/*")
    bar = page.get_by_role("progressbar", name="Progress toward Internal auditing")
    assert bar.get_attribute("value") == "100"
    assert bar.evaluate("element => getComputedStyle(element).width") == "192px"  # 12rem: app.css applied
    assert page.get_by_text("8 of 8 weeks in Procurement desk").is_visible()
    assert violations == []


def test_a_supervisor_defers_a_flag_from_the_board_after_a_missing_reason(flagged, page):
    violations = csp_violations(page)
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # a supervisor's home
    page.get_by_role("link", name="Readiness").click()
    page.get_by_role("link", name="Decide for Rita Ready").click()
    page.get_by_role("button", name="Defer").click()
    reason = page.get_by_role("textbox", name="Reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.locator("#reason-error").inner_text() == "Say why the decision is deferred."
    revisit = page.get_by_label("Revisit on")
    assert revisit.get_attribute("aria-invalid") == "true" and revisit.get_attribute("type") == "date"
    assert page.locator("#revisit_on-error").inner_text() == "Enter the date to look at this again, after today."
    reason.fill("Waiting for the spring intake")
    revisit.fill("2099-01-01")
    page.get_by_role("button", name="Defer").click()
    assert "is outside the dates the tracker keeps" in page.locator("#revisit_on-error").inner_text()
    until = (today() + timedelta(days=30)).isoformat()
    page.get_by_label("Revisit on").fill(until)
    page.get_by_role("button", name="Defer").click()
    assert page.get_by_role("status").inner_text() == f"The decision is deferred until {format_date(today() + timedelta(days=30))}: no new flag for this role before then."
    assert page.get_by_text(f"Deferred until {until} by Maria Lopez: “Waiting for the spring intake”").is_visible()
    page.get_by_role("link", name="Readiness").click()
    assert page.get_by_role("cell", name=f"deferred until {format_date(today() + timedelta(days=30))}").is_visible()
    assert violations == []
