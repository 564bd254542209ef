"""In the browser: a trainee's page with a plan, and the capacity view, a cell one click from who is behind it."""
import os
from datetime import date, timedelta

import pytest

from tests.conftest import sign_in
from tests.factories import make_job_type, make_module, make_role, make_rotation, make_trainee, make_user
from tracker.extensions import db
from tracker.trainees import services

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
TODAY = date(2025, 6, 30)  # the clock fixture's day


def snap(page, name: str) -> None:
    """Keep a picture of the page when SCREENSHOT_DIR is set (for looking at the pages, not for asserting)."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture
def programme(app, clock):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    warehouse = make_job_type("warehouse", "Warehouse operations", capacity=2)
    procurement = make_job_type("procurement", "Procurement desk", capacity=3)
    make_job_type("logistics", "Logistics")
    fundamentals = make_module("fundamentals", "Audit Fundamentals")
    strategy = make_role("strategy", min_total_weeks=12, rotations=[(warehouse, 8, 4)])
    strategy.name = "Operations strategy"
    audit = make_role("audit", rotations=[(procurement, 4, None)], modules=[(fundamentals, 70)])
    audit.name = "Internal auditing"
    amelia = make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes")
    make_rotation(amelia, procurement, d(-60), d(-5), 4)
    make_rotation(amelia, warehouse, d(7), d(62))
    services.set_target_roles(amelia, [strategy, audit])
    for n, start in enumerate((0, 14, 28)):
        other = make_trainee(supervisor=david, email=f"t{n}@example.com", name=f"Trainee {n}")
        make_rotation(other, warehouse if n < 2 else procurement, d(start), d(start + 41))
    db.session.commit()
    return {"amelia": amelia}


@pytest.mark.sqlite_only  # pages read, nothing changed: the same on any database
def test_the_trainee_page_shows_the_plan_and_the_forecast(page, programme):
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # a supervisor's home
    page.get_by_role("link", name="Trainees", exact=True).click()
    page.wait_for_url("**/trainees/")
    page.get_by_role("link", name="Amelia Hughes").click()
    planned = page.locator("section[aria-labelledby=planned-heading]")
    assert "Warehouse operations" in planned.inner_text() and "7 Jul 2025" in planned.inner_text()
    assert page.locator("section[aria-labelledby=target-roles-heading] li").all_inner_texts() == [
        "Operations strategy", "Internal auditing",
    ]
    progress = page.locator("section[aria-labelledby=readiness-heading]").inner_text()
    assert "Forecast: ready on 31 Aug 2025 on the current plan." in progress
    assert "Forecast: not on the current plan: still needs Audit Fundamentals at 70 or more, no valid result." in progress
    snap(page, "trainee-with-a-plan")


@pytest.mark.sqlite_only  # pages read, nothing changed: the same on any database
def test_the_capacity_view_leads_from_a_full_cell_to_the_trainees_behind_it(page, programme):
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # a supervisor's home
    page.get_by_role("link", name="Plan").click()
    page.wait_for_url("**/plan/")
    row = page.locator("table.capacity tbody tr", has_text="Warehouse operations")
    assert row.locator("td").count() == 26
    full = row.locator("td.cell-over, td.cell-full").first
    assert full.inner_text().split()[0] in ("2/2", "3/2")
    snap(page, "capacity-view")
    full.locator("a").click()
    page.wait_for_url("**/plan/warehouse/2025-W*")
    body = page.locator("main").inner_text()
    assert "Amelia Hughes" in body and "Trainee 0" not in body and "of other supervisors" in body


def test_a_trainee_makes_a_calendar_address_under_settings_and_it_serves_the_feed(page, programme):
    programme["amelia"].user.password_hash = make_user("trainee").password_hash
    db.session.commit()
    sign_in(page, "amelia@example.com")
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings")
    assert page.locator("text=Weekly readiness digest").count() == 0
    page.get_by_role("button", name="Make a calendar address").click()
    address = page.input_value("#feed-address")
    assert address.startswith("http://tracker.test/calendar/") and address.endswith(".ics")
    snap(page, "calendar-address")
    feed = page.request.get(address.removeprefix("http://tracker.test"))
    assert feed.status == 200 and "BEGIN:VCALENDAR" in feed.text() and "SUMMARY:Warehouse operations rotation (planned)" in feed.text()
    page.get_by_role("link", name="Back to Settings").click()
    page.get_by_role("button", name="Stop the address working").click()
    assert "no longer works" in page.get_by_role("status").inner_text()
    assert page.request.get(address.removeprefix("http://tracker.test")).status == 404
