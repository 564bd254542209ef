"""Invitations go through the outbox: recorded with the change, sent after its commit over one SMTP session,
kept and retried when that fails, shown on the Mail page, skipped when no longer worth sending."""
import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import post_form
from tests.digest_support import RecordingHandler, SmtpServer, hash_each_password_once  # noqa: F401  (fixture)
from tests.factories import make_user
from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.invitations.services import send_invitation
from tracker.mail import rules, sender
from tracker.mail.models import OutboundMail

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


def invitations() -> dict[str, OutboundMail]:
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMail).where(OutboundMail.kind == "invitation"))
    return {row.address: row for row in rows}


def time_passes():
    """Every pending message's back-off runs out."""
    db.session.execute(
        update(OutboundMail).where(OutboundMail.status == "pending").values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def addresses(server) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in server.messages)


def test_an_imports_invitations_go_over_one_smtp_session(runner, tmp_path, counting_server):
    emails = [f"t{n}@example.com" for n in range(4)]
    result = import_trainees(runner, tmp_path, *emails)
    assert result.exit_code == 0, result.output
    assert addresses(counting_server) == emails
    assert len(counting_server.handler.sessions) == 1
    assert {row.status for row in invitations().values()} == {"sent"}
    assert all(row.message_id == m["Message-ID"] for m in counting_server.messages
               for row in [invitations()[m["To"].addresses[0].addr_spec]])


def test_a_refused_invitation_is_kept_as_failed_with_its_error_and_the_others_still_go(
    app, runner, tmp_path, counting_server, caplog
):
    counting_server.handler.replies["t1@example.com"] = "550 No such user here"
    with caplog.at_level(logging.WARNING):
        result = import_trainees(runner, tmp_path, "t0@example.com", "t1@example.com", "t2@example.com")
    assert result.exit_code == 0, result.output
    assert addresses(counting_server) == ["t0@example.com", "t2@example.com"]
    assert len(counting_server.handler.sessions) == 1
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == "mail to t1@example.com not sent: 550 No such user here"
    refused = invitations()["t1@example.com"]
    assert (refused.status, refused.last_error, refused.attempts) == ("failed", "550 No such user here", 1)


def test_mail_of_a_rolled_back_change_is_neither_kept_nor_sent(app, counting_server):
    user = make_user("supervisor", email="gone@example.com", password=None)
    db.session.commit()
    send_invitation(user)
    assert len(invitations()) == 1  # recorded in the change's own transaction...
    db.session.rollback()
    db.session.commit()
    assert invitations() == {}  # ... so it goes with it
    assert counting_server.messages == [] and counting_server.handler.sessions == []


def test_an_import_during_an_outage_keeps_every_invitation_and_the_retry_job_sends_each_once(
    client, auth, runner, tmp_path, counting_server
):
    emails = [f"t{n}@example.com" for n in range(5)]
    counting_server.stop()
    result = import_trainees(runner, tmp_path, *emails)
    assert result.exit_code == 0, result.output
    kept = invitations()
    assert sorted(kept) == emails
    for row in kept.values():
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error.startswith("mail server unreachable")
        assert row.next_attempt_at > utcnow()

    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    page = client.get("/admin/mail/?kind=invitation&status=pending").get_data(as_text=True)
    assert "5 messages" in page and page.count("mail server unreachable") == 5

    counting_server.start()
    assert sender.retry_due()["sent"] == 0  # the scheduler waits for the back-off
    time_passes()
    assert sender.retry_due() == {"sent": 5, "skipped": 0, "failed": 0, "pending": 0}
    time_passes()
    assert sender.retry_due()["sent"] == 0
    assert addresses(counting_server) == emails
    assert {row.status for row in invitations().values()} == {"sent"}


def test_an_admin_retries_a_failed_invitation(client, auth, runner, tmp_path, counting_server):
    counting_server.handler.replies["t0@example.com"] = "550 No such user here"
    import_trainees(runner, tmp_path, "t0@example.com")
    failed = invitations()["t0@example.com"]
    assert failed.status == "failed"
    del counting_server.handler.replies["t0@example.com"]
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    page = client.get(f"/admin/mail/{failed.id}").get_data(as_text=True)
    assert "550 No such user here" in page and "Retry now" in page
    page_path = f"/admin/mail/{failed.id}"
    response = post_form(client, page_path, {}, post_path=f"{page_path}/retry", follow_redirects=True)
    assert "The invitation was sent." in response.get_data(as_text=True)
    assert invitations()["t0@example.com"].status == "sent"
    [message] = counting_server.messages
    assert message["Message-ID"] == failed.message_id and "/invitations/" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("change, reason", [
    (lambda user: user.set_password("chosen meanwhile"), "password_set"),
    (lambda user: setattr(user, "active", False), "inactive"),
])
def test_an_invitation_no_longer_worth_sending_is_skipped_with_the_reason(
    client, auth, runner, tmp_path, counting_server, change, reason
):
    counting_server.stop()
    import_trainees(runner, tmp_path, "t0@example.com")
    counting_server.start()
    change(db.session.scalar(select(User).where(User.email == "t0@example.com")))
    db.session.commit()
    time_passes()
    assert sender.retry_due() == {"sent": 0, "skipped": 1, "failed": 0, "pending": 0}
    row = invitations()["t0@example.com"]
    assert (row.status, row.skip_reason) == ("skipped", reason)
    assert counting_server.messages == []
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    assert rules.SKIP_REASON_TEXT[reason] in client.get(f"/admin/mail/{row.id}").get_data(as_text=True)


def test_an_invitation_whose_link_has_expired_is_skipped_not_sent(app, runner, tmp_path, counting_server):
    counting_server.handler.replies["t0@example.com"] = "550 No such user here"
    import_trainees(runner, tmp_path, "t0@example.com")
    failed = invitations()["t0@example.com"]
    assert failed.expires_at > utcnow() + timedelta(seconds=app.config["INVITATION_MAX_AGE_SECONDS"] - 60)
    del counting_server.handler.replies["t0@example.com"]
    db.session.execute(update(OutboundMail).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sender.retry_failed_now(failed.id) == "skipped"
    assert (invitations()["t0@example.com"].skip_reason, counting_server.messages) == ("expired", [])


def test_the_mail_page_filters_invitations_by_the_week_they_were_recorded_in(client, auth, runner, tmp_path):
    import_trainees(runner, tmp_path, "t0@example.com")
    db.session.execute(update(OutboundMail).values(created_at=datetime(2026, 11, 25, 9, 30)))  # a Wednesday of W48
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    assert "1 message." in client.get("/admin/mail/?week=2026-W48").get_data(as_text=True)
    assert "0 messages" in client.get("/admin/mail/?week=2026-W49").get_data(as_text=True)
    for week in ("9999-W52", "0001-W01"):  # the calendar's first and last weeks: no 500, a field error
        response = client.get(f"/admin/mail/?week={week}")
        assert response.status_code == 200 and "is outside the weeks the tracker keeps" in response.get_data(as_text=True)


def test_the_mail_page_lists_newest_first_a_page_at_a_time_keeping_its_filters(app, client, auth, runner, tmp_path):
    import_trainees(runner, tmp_path, "t0@example.com", "t1@example.com", "t2@example.com")
    make_user("admin", email="ada@example.com")
    db.session.commit()
    app.config["PAGE_SIZE"] = 2
    auth.login("ada@example.com")
    first = client.get("/admin/mail/?kind=invitation").get_data(as_text=True)
    assert "3 messages" in first and "Page 1 of 2" in first
    assert first.index("t2@example.com") < first.index("t1@example.com") and "t0@example.com" not in first
    [next_link] = re.findall(r'<a href="([^"]*page=2[^"]*)">Next</a>', first)
    assert "kind=invitation" in next_link
    second = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "t0@example.com" in second and "t1@example.com" not in second


def test_the_mail_page_never_shows_an_invitations_link(client, auth, runner, tmp_path, counting_server):
    """The link sets the account's password: an admin reading the outbox must not be able to use it."""
    import_trainees(runner, tmp_path, "t0@example.com")
    invitation = invitations()["t0@example.com"]
    token = re.search(r"/invitations/([A-Za-z0-9_.\-]+)", invitation.body_text).group(1)
    assert token in invitation.body_html  # the recorded mail carries the link (the recipient gets it)
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    page = client.get(f"/admin/mail/{invitation.id}").get_data(as_text=True)
    frame = client.get(f"/admin/mail/{invitation.id}/message.html").get_data(as_text=True)
    assert token not in page and token not in frame
    assert "/invitations/[link hidden: only the recipient can use it]" in page
