"""The database down: a signed-in user gets a page saying so (503, Retry-After), and error pages still render (issue 8, item 23).

The app under test keeps the suite's SECRET_KEY but points at a database
that cannot be reached: PostgreSQL on a port where nothing listens, or a
SQLite file in a folder that does not exist. The session cookie comes from
a real sign-in on the working database.
"""
import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from tests.conftest import config_for, csrf_token_from
from tests.digest_support import free_port
from tests.factories import make_trainee, make_user
from tracker import create_app
from tracker.extensions import db


def unreachable(database_url: str) -> str:
    """A URL of the same kind as the suite's database that nothing answers."""
    if database_url.startswith("postgresql"):
        return make_url(database_url).set(host="127.0.0.1", port=free_port()).render_as_string(hide_password=False)
    return "sqlite:////nonexistent-folder-for-the-outage-test/tracker.sqlite"


@pytest.fixture
def signed_in_cookie(app, auth, client) -> str:
    make_user("admin", email="ada@example.com", name="Ada Admin")
    db.session.commit()
    assert auth.login("ada@example.com").status_code == 302
    return client.get_cookie("session").value


@pytest.fixture
def outage(database_url, signed_in_cookie, tmp_path) -> FlaskClient:
    """A browser holding a signed-in session, talking to the app while its database is unreachable."""
    down = create_app(config_for(unreachable(database_url), PROPAGATE_EXCEPTIONS=False))
    down.instance_path = str(tmp_path)

    @down.route("/test-only/fails")
    def fails():
        raise RuntimeError("a bug, while the database is down")

    browser = down.test_client()
    browser.set_cookie("session", signed_in_cookie)
    return browser


def test_a_signed_in_page_answers_503_with_retry_after(outage):
    response = outage.get("/trainees/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in page and "database cannot be reached" in page
    assert "Sign out" not in page and "Ada Admin" not in page  # no user menu: it needs the database


def test_the_health_check_answers_503(outage):
    response = outage.get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_the_form_expired_page_renders_without_the_database(outage):
    response = outage.post("/logout", data={})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)


def test_an_error_page_renders_without_the_database(outage):
    response = outage.get("/test-only/fails")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "Sign out" not in page


def test_not_found_renders_without_the_database(outage):
    response = outage.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_the_sign_in_page_itself_still_renders(outage):
    """Signing in needs the database, but the form does not: it shows, and a sign-in gets the 503."""
    anonymous = outage.application.test_client()
    response = anonymous.get("/login")
    assert response.status_code == 200
    data = {"email": "ada@example.com", "password": "correct horse battery", "csrf_token": csrf_token_from(response)}
    assert anonymous.post("/login", data=data).status_code == 503


def test_with_the_database_up_the_error_pages_keep_the_user_menu(app, auth, client):
    trainee = make_trainee(email="tina@example.com", name="Tina Trainee")
    db.session.commit()
    auth.login("tina@example.com")
    page = client.get("/trainees/").get_data(as_text=True)  # a trainee may not open the list
    assert "Not allowed" in page and "Tina Trainee" in page and "Sign out" in page
    assert trainee.id
