"""The mail transport against a real SMTP server: STARTTLS, login, and which failures are permanent."""
import email
import ssl
import subprocess
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.digest_support import free_port
from tracker.mail import transport
from tracker.mail.transport import MailError, build_message


class Inbox:
    """Keeps what the server accepted; refuses chosen recipients with a chosen reply."""

    def __init__(self):
        self.messages = []
        self.refuse: dict[str, str] = {}
        self.sessions = []  # one per connection that asked to deliver anything

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not any(seen is session for seen in self.sessions):
            self.sessions.append(session)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((session.authenticated, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Accepted"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Only tracker / s3cret may send."""
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"tracker" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # unhandled: aiosmtpd answers 535 itself


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(app, certificate, monkeypatch):
    """aiosmtpd that insists on STARTTLS before AUTH and mail; the client trusts its certificate."""
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_context, require_starttls=True,
        authenticator=authenticate, auth_require_tls=True,
    )
    controller.start()
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(transport.ssl, "create_default_context", lambda: trusting)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=True,
                      MAIL_USERNAME="tracker", MAIL_PASSWORD="s3cret")
    yield inbox
    controller.stop()


def message(to="maria@example.com", message_id="<fixed.1@example.com>"):
    return build_message(to, "Hello", "Plain text", "<p>HTML</p>", message_id=message_id)


def deliver(one):
    """One message through its own channel."""
    with transport.channel() as channel:
        channel.send(one)


def deliver_all(messages):
    """Every message through one channel; the messages that failed, and why."""
    failures = []
    with transport.channel() as channel:
        for one in messages:
            try:
                channel.send(one)
            except MailError as exc:
                failures.append((one, exc))
    return failures


def test_starttls_and_login_deliver_both_parts(tls_server):
    deliver(message())
    [(authenticated, received)] = tls_server.messages
    assert authenticated is True
    assert received["Message-ID"] == "<fixed.1@example.com>"
    assert received.get_body(("plain",)).get_content().strip() == "Plain text"
    assert received.get_body(("html",)).get_content().strip() == "<p>HTML</p>"


def test_a_wrong_password_is_a_permanent_failure(app, tls_server):
    app.config["MAIL_PASSWORD"] = "wrong"
    with pytest.raises(MailError) as failure:
        deliver(message())
    assert failure.value.permanent and str(failure.value).startswith("535")
    assert tls_server.messages == []


def test_without_tls_the_server_refuses_and_nothing_is_sent(app, tls_server):
    app.config["MAIL_USE_TLS"] = False
    with pytest.raises(MailError):
        deliver(message())
    assert tls_server.messages == []


@pytest.mark.parametrize("reply, permanent", [
    ("450 Mailbox busy, try later", False),
    ("550 No such user here", True),
])
def test_a_refused_recipient_is_classified_by_its_reply(tls_server, reply, permanent):
    tls_server.refuse["gone@example.com"] = reply
    with pytest.raises(MailError) as failure:
        deliver(message("gone@example.com"))
    assert failure.value.permanent is permanent and str(failure.value) == reply


def test_an_unreachable_server_is_a_temporary_failure(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_USERNAME=None)
    with pytest.raises(MailError) as failure:
        deliver(message())
    assert failure.value.permanent is False and "unreachable" in str(failure.value)


def test_without_a_mail_server_messages_become_eml_files(app):
    app.config["MAIL_SERVER"] = None
    deliver(message())
    [path] = list((Path(app.instance_path) / "mail").glob("*.eml"))
    written = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert written["To"] == "maria@example.com" and written["Message-ID"] == "<fixed.1@example.com>"


def messages_to(*addresses):
    return [message(to, f"<fixed.{n}@example.com>") for n, to in enumerate(addresses)]


def test_a_channel_sends_every_message_over_one_session(tls_server):
    assert deliver_all(messages_to("a@example.com", "b@example.com", "c@example.com")) == []
    assert [str(m["To"]) for _, m in tls_server.messages] == ["a@example.com", "b@example.com", "c@example.com"]
    assert all(authenticated for authenticated, _ in tls_server.messages)
    assert len(tls_server.sessions) == 1


def test_a_channel_reports_refused_recipients_and_sends_the_rest(tls_server):
    tls_server.refuse.update({"busy@example.com": "450 Mailbox busy, try later", "gone@example.com": "550 No such user here"})
    sent = messages_to("a@example.com", "busy@example.com", "gone@example.com", "b@example.com")
    failures = deliver_all(sent)
    assert [(str(m["To"]), str(error), error.permanent) for m, error in failures] == [
        ("busy@example.com", "450 Mailbox busy, try later", False),
        ("gone@example.com", "550 No such user here", True),
    ]
    assert [str(m["To"]) for _, m in tls_server.messages] == ["a@example.com", "b@example.com"]
    assert len(tls_server.sessions) == 1


def test_a_channel_fails_every_message_when_the_session_cannot_open(app, tls_server, monkeypatch):
    app.config["MAIL_PASSWORD"] = "wrong"
    sent = messages_to("a@example.com", "b@example.com")
    connections = []
    real_smtp = transport.smtplib.SMTP
    monkeypatch.setattr(transport.smtplib, "SMTP", lambda *args, **kwargs: connections.append(args) or real_smtp(*args, **kwargs))
    failures = deliver_all(sent)
    assert len(connections) == 1  # the second message is not another try at logging in
    assert [m for m, _ in failures] == sent
    assert all(error.permanent and str(error).startswith("535") for _, error in failures)
    assert tls_server.messages == []


def test_a_channel_without_a_mail_server_writes_eml_files_and_opens_nothing(app, monkeypatch):
    app.config["MAIL_SERVER"] = None
    monkeypatch.setattr(transport.smtplib, "SMTP", no_connection)
    assert deliver_all(messages_to("a@example.com", "b@example.com")) == []
    assert len(list((Path(app.instance_path) / "mail").glob("*.eml"))) == 2


def test_a_channel_that_sends_nothing_opens_no_session(app, tls_server, monkeypatch):
    monkeypatch.setattr(transport.smtplib, "SMTP", no_connection)
    assert deliver_all([]) == []


def no_connection(*args, **kwargs):
    pytest.fail("an SMTP connection was opened")
