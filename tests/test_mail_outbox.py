"""Mail queued during a change leaves after the commit, all of it over one SMTP session; failures are logged."""
import logging

import pytest

from tests.digest_support import RecordingHandler, SmtpServer
from tests.factories import make_user
from tracker.extensions import db
from tracker.mail.outbox import send_after_commit
from tracker.mail.transport import build_message

HEADER = "email,name,supervisor_email,start_date,cohort\n"


class CountingHandler(RecordingHandler):
    """Also keeps each SMTP session (one per connection) that asked to deliver anything."""

    def __init__(self):
        super().__init__()
        self.sessions = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not any(seen is session for seen in self.sessions):
            self.sessions.append(session)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def counting_server(app):
    server = SmtpServer()
    server.handler = CountingHandler()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5, MAIL_USE_TLS=False)
    yield server
    server.stop()


def import_trainees(runner, tmp_path, *emails):
    make_user("supervisor", email="maria@example.com")
    db.session.commit()
    path = tmp_path / "trainees.csv"
    path.write_text(HEADER + "".join(f"{e},Trainee {n},maria@example.com,2026-01-05,A\n" for n, e in enumerate(emails)))
    return runner.invoke(args=["trainees", "import", str(path)])


def test_an_imports_invitations_go_over_one_smtp_session(runner, tmp_path, counting_server):
    emails = [f"t{n}@example.com" for n in range(4)]
    result = import_trainees(runner, tmp_path, *emails)
    assert result.exit_code == 0, result.output
    assert sorted(str(m["To"]) for m in counting_server.messages) == emails
    assert len(counting_server.handler.sessions) == 1


def test_a_refused_invitation_is_logged_and_the_others_still_go(app, runner, tmp_path, counting_server, caplog):
    counting_server.handler.replies["t1@example.com"] = "550 No such user here"
    with caplog.at_level(logging.WARNING):
        result = import_trainees(runner, tmp_path, "t0@example.com", "t1@example.com", "t2@example.com")
    assert result.exit_code == 0, result.output
    assert sorted(str(m["To"]) for m in counting_server.messages) == ["t0@example.com", "t2@example.com"]
    assert len(counting_server.handler.sessions) == 1
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == "mail to t1@example.com not sent: 550 No such user here"


def test_mail_of_a_rolled_back_change_is_never_sent(app, counting_server):
    make_user("supervisor", email="gone@example.com")
    send_after_commit(build_message("gone@example.com", "Hello", "Never sent"))
    db.session.rollback()
    db.session.commit()
    assert counting_server.messages == [] and counting_server.handler.sessions == []
