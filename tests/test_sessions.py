"""Sessions end for real: sign-out, a new password and deactivation end every session of the user (issue 8, item 8).

Each test copies the session cookie of a signed-in browser, then replays it
from another client after the event: it must open nothing any more.
"""
import pytest

from tests.conftest import csrf_token_from, post_form
from tests.factories import make_trainee, make_user
from tracker.auth.models import User
from tracker.extensions import db
from tracker.invitations.tokens import make_token


@pytest.fixture
def supervisor(app):
    user = make_user("supervisor", email="sam.super@example.com")
    db.session.commit()
    return user


def copied_session(client) -> str:
    """The value of the client's session cookie, as someone copying it would take it."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client has no session cookie"
    return cookie.value


def replayed(app, cookie: str, path: str = "/trainees/"):
    """Open a page from another browser with a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(path)


def signed_in(response) -> bool:
    return response.status_code == 200


def test_a_copied_cookie_works_while_the_session_lasts(app, auth, client, supervisor):
    auth.login("sam.super@example.com")
    assert signed_in(replayed(app, copied_session(client)))


def test_sign_out_ends_a_copied_session(app, auth, client, supervisor):
    auth.login("sam.super@example.com")
    copy = copied_session(client)
    auth.logout()
    response = replayed(app, copy)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_out_ends_the_users_sessions_in_every_browser(app, auth, client, supervisor):
    other_browser = app.test_client()
    token = csrf_token_from(other_browser.get("/login"))
    other_browser.post("/login", data={"email": "sam.super@example.com", "password": "correct horse battery", "csrf_token": token})
    assert signed_in(other_browser.get("/trainees/"))
    auth.login("sam.super@example.com")
    auth.logout()
    assert other_browser.get("/trainees/").status_code == 302


def test_signing_in_again_after_sign_out_works(app, auth, client, supervisor):
    auth.login("sam.super@example.com")
    auth.logout()
    auth.login("sam.super@example.com")
    assert signed_in(client.get("/trainees/"))


def test_set_password_on_the_command_line_ends_every_session(app, auth, client, runner, supervisor):
    auth.login("sam.super@example.com")
    copy = copied_session(client)
    result = runner.invoke(args=["users", "set-password", "--email", "sam.super@example.com", "--password", "a brand new one"])
    assert result.exit_code == 0, result.output
    assert replayed(app, copy).status_code == 302
    assert client.get("/trainees/").status_code == 302


def test_accepting_an_invitation_ends_every_session(app, auth, client):
    """A user invited again (say after a lost password an admin cleared) who sets a password through the link."""
    user = make_user("supervisor", email="ivy@example.com")
    db.session.commit()
    auth.login("ivy@example.com")
    copy = copied_session(client)
    token = make_token(user.id, user.password_hash)
    invited = app.test_client()
    response = post_form(invited, f"/invitations/{token}", {"password": "another password", "confirm": "another password"})
    assert response.status_code == 302
    assert replayed(app, copy).status_code == 302


def test_deactivation_ends_every_session(app, auth, client, supervisor):
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("sam.super@example.com")
    copy = copied_session(client)
    admin_browser = app.test_client()
    token = csrf_token_from(admin_browser.get("/login"))
    admin_browser.post("/login", data={"email": "ada@example.com", "password": "correct horse battery", "csrf_token": token})
    token = csrf_token_from(admin_browser.get("/admin/users/"))
    response = admin_browser.post(f"/admin/users/{supervisor.id}/active", data={"active": "0", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(User, supervisor.id).active is False
    assert replayed(app, copy).status_code == 302
    # Active again, the old session stays ended: the user signs in anew.
    post_form(admin_browser, "/admin/users/", {"active": "1"}, post_path=f"/admin/users/{supervisor.id}/active")
    assert db.session.get(User, supervisor.id).active is True
    assert replayed(app, copy).status_code == 302


def test_a_trainee_session_ends_at_sign_out_too(app, auth, client):
    trainee = make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("tina@example.com")
    copy = copied_session(client)
    auth.logout()
    assert replayed(app, copy, f"/trainees/{trainee.id}").status_code == 302


def test_sign_out_is_not_audited_as_a_change_to_the_user(app, auth, supervisor):
    from tracker.audit.models import AuditEvent

    auth.login("sam.super@example.com")
    auth.logout()
    assert db.session.query(AuditEvent).count() == 0
