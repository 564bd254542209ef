"""In the browser: a supervisor records a rotation and a result, makes mistakes, and sees each error beside its field."""
import os
from datetime import date

import pytest

from tests.conftest import sign_in
from tests.factories import make_job_type, make_module, make_rotation, make_trainee, make_user
from tracker.extensions import db

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def snap(page, name: str) -> None:
    """Keep a picture of the page when SCREENSHOT_DIR is set (for looking at the pages, not for asserting)."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def amelia(app):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    trainee = make_trainee(supervisor=maria, name="Amelia Hughes")
    make_job_type("warehouse", "Warehouse operations")
    procurement = make_job_type("procurement", "Procurement desk")
    make_module("safety", "Workplace Safety")
    make_rotation(trainee, procurement, date(2025, 1, 6), date(2025, 2, 28), rating=4)
    db.session.commit()
    return trainee


def open_trainee(page, trainee) -> None:
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # a supervisor's home
    page.get_by_role("link", name="Trainees", exact=True).click()
    page.get_by_role("link", name="Amelia Hughes").click()
    page.wait_for_url(f"**/trainees/{trainee.id}")


def test_recording_a_rotation_with_mistakes_then_correcting_them(page, amelia):
    open_trainee(page, amelia)
    page.get_by_role("link", name="Record a rotation").click()
    page.select_option("select[name=job_type]", label="Warehouse operations")
    page.fill("input[name=start_date]", "2025-03-10")
    page.fill("input[name=end_date]", "2025-03-01")
    page.get_by_role("button", name="Save rotation").click()
    end_error = page.locator("#end_date-error")
    assert end_error.inner_text() == "The end date 2025-03-01 is before the start date 2025-03-10."
    assert page.get_attribute("input[name=end_date]", "aria-invalid") == "true"
    assert "end_date-error" in page.get_attribute("input[name=end_date]", "aria-describedby")
    assert page.get_by_role("alert").first.inner_text().startswith("Nothing was saved")
    assert page.evaluate("document.activeElement.id") == "error-summary"  # static/js/forms.js moved the focus
    page.get_by_role("link", name="End date: The end date 2025-03-01 is before the start date 2025-03-10.").click()
    assert page.evaluate("document.activeElement.name") == "end_date"  # the summary's link leads to the field
    assert page.input_value("input[name=start_date]") == "2025-03-10"  # what was typed is kept
    snap(page, "rotation-end-before-start")

    page.fill("input[name=start_date]", "2025-02-20")  # now it overlaps the procurement rotation
    page.fill("input[name=end_date]", "2025-04-30")
    page.get_by_role("button", name="Save rotation").click()
    assert "overlap the Procurement desk rotation from 2025-01-06 to 2025-02-28" in page.locator("#start_date-error").inner_text()
    assert page.locator("#end_date-error").count() == 0

    page.fill("input[name=start_date]", "2025-03-01")
    page.select_option("select[name=rating]", "5")
    page.get_by_role("button", name="Save rotation").click()
    page.wait_for_url(f"**/trainees/{amelia.id}*")
    assert page.get_by_role("status").inner_text() == "Rotation recorded."
    row = page.locator("section[aria-labelledby=rotations-heading] tbody tr").first
    assert "Warehouse operations" in row.inner_text() and "30 Apr 2025" in row.inner_text()
    assert "Rotation created" in page.locator("section[aria-labelledby=history-heading]").inner_text()
    snap(page, "trainee-after-recording")


def test_a_bad_score_is_shown_beside_the_score(page, amelia):
    open_trainee(page, amelia)
    page.get_by_role("link", name="Record a module result").click()
    page.select_option("select[name=module]", label="Workplace Safety")
    page.fill("input[name=completed_on]", "2025-03-01")
    page.fill("input[name=score]", "101")
    page.get_by_role("button", name="Save result").click()
    assert page.locator("#score-error").inner_text() == "The score must be from 0 to 100, not 101."
    page.fill("input[name=score]", "88.5")
    page.get_by_role("button", name="Save result").click()
    page.wait_for_url(f"**/trainees/{amelia.id}*")
    assert "88.5" in page.locator("section[aria-labelledby=results-heading]").inner_text()


def test_ending_and_rating_an_ongoing_rotation(page, amelia):
    make_rotation(amelia, make_job_type("logistics", "Logistics"), date(2025, 3, 3), None)
    db.session.commit()
    open_trainee(page, amelia)
    assert "Logistics since 3 Mar 2025" in page.locator(".profile").inner_text()
    page.get_by_role("link", name="End and rate").click()
    page.fill("input[name=end_date]", "2025-03-01")
    page.get_by_role("button", name="End rotation").click()
    assert "before the start date 2025-03-03" in page.locator("#end_date-error").inner_text()
    page.fill("input[name=end_date]", "2025-05-30")
    page.select_option("select[name=rating]", "4")
    page.get_by_role("button", name="End rotation").click()
    page.wait_for_url(f"**/trainees/{amelia.id}*")
    assert page.get_by_role("status").inner_text() == "Rotation ended."
    assert page.get_by_role("link", name="End and rate").count() == 0
