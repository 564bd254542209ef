"""Invitations: the email, the signed link, and a password set once through it."""
import email
import os
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.factories import make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.invitations import services, tokens


@pytest.fixture
def invited(app, runner, tmp_path):
    """A trainee imported from a file, and the invitation email they got."""
    make_user("supervisor", email="maria@example.com")
    db.session.commit()
    path = tmp_path / "trainees.csv"
    path.write_text("email,name,supervisor_email,start_date,cohort\nchloe@example.com,Chloe <Martin>,maria@example.com,2026-01-05,A\n")
    assert runner.invoke(args=["trainees", "import", str(path)]).exit_code == 0
    folder = os.path.join(app.instance_path, "mail")
    [name] = os.listdir(folder)
    with open(os.path.join(folder, name), "rb") as handle:
        return email.message_from_binary_file(handle)


def link_in(message) -> str:
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain").get_payload(decode=True).decode()
    return re.search(r"http://tracker\.test(/invitations/\S+)", text).group(1)


def set_password(client, path: str, password: str = "a new password", confirm: str | None = None):
    token = csrf_token_from(client.get(path))
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def test_invitation_email_has_text_and_html_with_the_link(invited):
    assert invited["To"] == '"Chloe <Martin>" <chloe@example.com>'
    assert invited["Subject"] == services.SUBJECT
    types = [part.get_content_type() for part in invited.walk()]
    assert "text/plain" in types and "text/html" in types
    html = next(p for p in invited.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert link_in(invited) in html and "Chloe &lt;Martin&gt;" in html  # names are escaped in HTML


def test_the_link_sets_the_password_once(client, auth, invited):
    path = link_in(invited)
    page = client.get(path)
    assert page.status_code == 200 and "chloe@example.com" in page.get_data(as_text=True)
    response = set_password(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db.session.scalar(select(User).where(User.email == "chloe@example.com"))
    assert user.check_password("a new password")
    assert auth.login("chloe@example.com", "a new password").status_code == 302
    auth.logout()
    used = client.get(path)
    assert used.status_code == 400 and "already been used" in used.get_data(as_text=True)
    token = csrf_token_from(client.get("/login"))  # a valid token: the link itself is what is refused
    again = client.post(path, data={"password": "another password", "confirm": "another password", "csrf_token": token})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password("a new password")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "set_password"))
    assert event.actor_id == user.id and event.trainee_id is not None


def test_an_expired_link_is_refused(app, client, invited, monkeypatch):
    path = link_in(invited)
    later = int(time.time()) + app.config["INVITATION_MAX_AGE_SECONDS"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),   # signature changed
    lambda token: token.replace(token.split(".")[0], token.split(".")[0][:-1] + "x"),  # payload changed
    lambda token: URLSafeTimedSerializer("test-secret", salt="something else").dumps({"user": 1, "password": ""}),
    lambda token: URLSafeTimedSerializer("another secret", salt=tokens.SALT).dumps({"user": 1, "password": ""}),
    lambda token: "not-a-token",
])
def test_a_tampered_or_foreign_token_is_refused(client, invited, tamper):
    token = link_in(invited).rsplit("/", 1)[1]
    response = client.get(f"/invitations/{tamper(token)}")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_a_deactivated_user_cannot_use_the_link(client, invited):
    user = db.session.scalar(select(User).where(User.email == "chloe@example.com"))
    user.active = False
    db.session.commit()
    assert client.get(link_in(invited)).status_code == 400


@pytest.mark.parametrize("password, confirm, message", [
    ("short", "short", "Use at least 8 characters."),
    ("a long password", "another one", "The two passwords are not the same."),
])
def test_a_bad_password_is_explained_and_not_set(client, invited, password, confirm, message):
    response = set_password(client, link_in(invited), password, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(User.password_hash).where(User.email == "chloe@example.com")) is None


def test_setting_the_password_needs_the_csrf_token(client, invited):
    response = client.post(link_in(invited), data={"password": "a new password", "confirm": "a new password"})
    assert response.status_code == 400
    assert db.session.scalar(select(User.password_hash).where(User.email == "chloe@example.com")) is None


def test_tokens_made_before_a_password_change_stop_working(app):
    user = make_user("supervisor", password=None)
    old = tokens.make_token(user.id, user.password_hash)
    assert services.invited_user(old) == user
    user.set_password("something secret")
    with pytest.raises(tokens.InvitationError, match="already been used"):
        services.invited_user(old)
    fresh = tokens.make_token(user.id, user.password_hash)
    assert services.invited_user(fresh) == user
