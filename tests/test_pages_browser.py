"""What a person sees in the browser: signing in and the first pages."""
import pytest

from tests.conftest import sign_in
from tests.factories import make_trainee, make_user
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_supervisor_signs_in_and_sees_their_trainees(app, page, tmp_path):
    supervisor = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    make_trainee(supervisor=supervisor, name="Amelia Hughes", cohort="2025-Spring")
    make_trainee(name="Somebody Else")
    db.session.commit()
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # their home
    page.get_by_role("link", name="Trainees", exact=True).click()
    page.wait_for_url("**/trainees/")
    assert page.locator("h1").inner_text() == "Trainees"
    assert page.get_by_role("link", name="Amelia Hughes").is_visible()
    assert page.get_by_text("Somebody Else").count() == 0
    page.screenshot(path=str(tmp_path / "trainees.png"), full_page=True)


def test_wrong_password_shows_one_message_and_keeps_the_email(app, page):
    make_user("supervisor", email="maria@example.com")
    db.session.commit()
    sign_in(page, "maria@example.com", "not the password")
    assert page.get_by_role("alert").inner_text() == "That email and password do not match an active account."
    assert page.input_value("input[name=email]") == "maria@example.com"
    assert page.input_value("input[name=password]") == ""


def test_trainee_lands_on_their_own_page_and_signs_out(app, page):
    make_trainee(email="tina@example.com", name="Tina Trainee")
    db.session.commit()
    sign_in(page, "tina@example.com")
    page.wait_for_url("**/trainees/*")
    assert page.locator("h1").inner_text() == "Tina Trainee"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("You have signed out.").is_visible()
