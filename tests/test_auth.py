"""Sign-in, sign-out, role homes and access to pages."""
import pytest

from tests.conftest import IsolatedClient, config_for, csrf_token_from
from tests.factories import make_trainee, make_user
from tracker import create_app
from tracker.auth.models import LoginFailure
from tracker.extensions import db


@pytest.fixture
def supervisor(app):
    user = make_user("supervisor", email="sam.super@example.com")
    db.session.commit()
    return user


def test_login_page_renders_the_form_with_csrf(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page and 'name="csrf_token"' in page


def test_supervisor_signs_in_and_lands_on_their_home(client, auth, supervisor):
    response = auth.login("sam.super@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "What needs you today" in client.get("/").get_data(as_text=True)


def test_email_is_matched_whatever_its_case(auth, supervisor):
    assert auth.login("Sam.SUPER@Example.com").status_code == 302


def test_trainee_home_is_their_own_page(app, client, auth):
    trainee = make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("tina@example.com")
    assert client.get("/").headers["Location"] == "/me"
    assert client.get("/me").headers["Location"] == f"/trainees/{trainee.id}"
    assert client.get(f"/trainees/{trainee.id}").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, supervisor):
    wrong = auth.login("sam.super@example.com", "not the password")
    unknown = auth.login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not signed in: sent to the sign-in page
    assert client.get("/").headers["Location"].startswith("/login")


def test_inactive_user_cannot_sign_in(auth):
    make_user("supervisor", email="gone@example.com", active=False)
    db.session.commit()
    assert "do not match an active account" in auth.login("gone@example.com").get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, supervisor):
    response = client.post("/login", data={"email": "sam.super@example.com", "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/").headers["Location"].startswith("/login")


@pytest.mark.parametrize("next_path, expected", [
    ("/trainees/?cohort=2025-A", "/trainees/?cohort=2025-A"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/steal", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/%0d%0ax", "/"),  # a CR/LF cannot go into the Location header: ignored, not a 500
    ("/trainees/%0aSet-Cookie:x=1", "/"),
    ("/trainees/%00", "/"),
])
def test_next_only_leads_to_a_path_on_this_site(auth, supervisor, next_path, expected):
    response = auth.login("sam.super@example.com", next_path=next_path)
    assert response.headers["Location"] == expected


def test_session_is_renewed_at_sign_in(client, auth, supervisor):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("sam.super@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{supervisor.id}:{supervisor.session_version}"


def test_logout_needs_post_and_signs_out(client, auth, supervisor):
    auth.login("sam.super@example.com")
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/trainees/").headers["Location"].startswith("/login")


def test_logout_without_csrf_token_is_refused(client, auth, supervisor):
    auth.login("sam.super@example.com")
    assert client.post("/logout").status_code == 400
    assert client.get("/trainees/").status_code == 200


def test_repeated_failures_throttle_the_email_even_with_the_right_password(app, client, auth, supervisor):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login("sam.super@example.com", "wrong password")
    response = auth.login("sam.super@example.com")
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")


def test_throttle_is_kept_in_the_database_so_every_worker_sees_it(app, auth, supervisor):
    auth.login("sam.super@example.com", "wrong password")
    assert db.session.query(LoginFailure).filter_by(key="email:sam.super@example.com").count() == 1
    other_worker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login("sam.super@example.com", "wrong password")
    token = csrf_token_from(other_worker.get("/login"))
    response = other_worker.post("/login", data={"email": "sam.super@example.com", "password": "correct horse battery", "csrf_token": token})
    assert "Too many failed attempts" in response.get_data(as_text=True)


def sign_in_from(client, address: str, email: str):
    """A failing sign-in that a reverse proxy forwarded for `address`."""
    token = csrf_token_from(client.get("/login"))
    data = {"email": email, "password": "wrong password", "csrf_token": token}
    return client.post("/login", data=data, headers={"X-Forwarded-For": address}).get_data(as_text=True)


@pytest.mark.parametrize("proxy_count, others_locked_out", [(0, True), (1, False)])
def test_behind_a_proxy_the_forwarded_address_is_throttled_not_the_proxys(database_url, app, proxy_count, others_locked_out):
    proxied = create_app(config_for(database_url, TRACKER_PROXY_COUNT=proxy_count, LOGIN_MAX_FAILURES=1))
    proxied.test_client_class = IsolatedClient
    client = proxied.test_client()
    for n in range(5):  # five times LOGIN_MAX_FAILURES from one address locks that address out
        sign_in_from(client, "203.0.113.7", f"guess{n}@example.com")
    assert "Too many failed attempts" in sign_in_from(client, "203.0.113.7", "another@example.com")
    assert ("Too many failed attempts" in sign_in_from(client, "198.51.100.2", "someone@example.com")) is others_locked_out
    addresses = {key for (key,) in db.session.query(LoginFailure.key) if key.startswith("addr:")}
    assert addresses == ({"addr:127.0.0.1"} if proxy_count == 0 else {"addr:203.0.113.7", "addr:198.51.100.2"})


def test_success_clears_the_email_failures(auth, supervisor):
    auth.login("sam.super@example.com", "wrong password")
    assert auth.login("sam.super@example.com").status_code == 302
    assert db.session.query(LoginFailure).filter_by(key="email:sam.super@example.com").count() == 0


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


@pytest.mark.parametrize("path", ["/", "/me", "/trainees/", "/trainees/1"])
def test_pages_need_a_signed_in_user(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_trainee_cannot_open_the_trainee_list(client, auth):
    make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("tina@example.com")
    assert client.get("/trainees/").status_code == 403


def test_trainee_cannot_open_another_trainees_page(client, auth):
    make_trainee(email="tina@example.com")
    other = make_trainee()
    db.session.commit()
    auth.login("tina@example.com")
    assert client.get(f"/trainees/{other.id}").status_code == 403


def test_supervisor_sees_only_their_trainees(client, auth, supervisor):
    mine = make_trainee(supervisor=supervisor, name="Mine Person")
    theirs = make_trainee(name="Theirs Person")
    db.session.commit()
    auth.login("sam.super@example.com")
    page = client.get("/trainees/").get_data(as_text=True)
    assert "Mine Person" in page and "Theirs Person" not in page
    assert client.get(f"/trainees/{mine.id}").status_code == 200
    assert client.get(f"/trainees/{theirs.id}").status_code == 403


def test_admin_sees_every_trainee(client, auth):
    make_user("admin", email="ada@example.com")
    make_trainee(name="One Person")
    two = make_trainee(name="Two Person")
    db.session.commit()
    auth.login("ada@example.com")
    page = client.get("/trainees/").get_data(as_text=True)
    assert "One Person" in page and "Two Person" in page
    assert client.get(f"/trainees/{two.id}").status_code == 200


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
