"""Sending the digest through a real SMTP server (aiosmtpd on a loopback port): recorded in the mail outbox, then sent."""
import os
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.digest_support import MONDAY, WEEK, hash_each_password_once, make_programme, smtp_server  # noqa: F401  (fixtures)
from tests.factories import make_job_type, make_rotation, make_trainee, make_user
from tracker.auth.models import User
from tracker.core.formatting import format_day
from tracker.digest import services
from tracker.digest.tokens import unsubscribe_token
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.infra.leases import short_transaction
from tracker.mail import outbox, rules, sender
from tracker.mail.models import OutboundMail

SUPERVISORS = ("maria@example.com", "david@example.com")
RECIPIENTS = ("ada.admin@example.com",) + SUPERVISORS


@pytest.fixture
def programme(app):
    made = make_programme()
    db.session.commit()
    return made


def deliveries(week=WEEK) -> dict[str, OutboundMail]:
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMail).where(OutboundMail.kind == "digest", OutboundMail.iso_week == str(week)))
    return {row.recipient.email: row for row in rows}


def send(runner, *args):
    return runner.invoke(args=["digest", "send", "--week", str(WEEK), *args])


def time_passes():
    """Every pending delivery's next attempt becomes due, as if its back-off and any claim had run out."""
    a_moment_ago = utcnow() - timedelta(seconds=1)
    db.session.execute(
        update(OutboundMail).where(OutboundMail.status == "pending")
        .values(next_attempt_at=a_moment_ago, lease_expires_at=a_moment_ago)
    )
    db.session.commit()


def test_one_digest_per_supervisor_naming_only_their_trainees(programme, runner, smtp_server):
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Digest 2026-W48: 3 sent, 0 skipped, 0 failed, 0 pending (this run sent 3)."
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == sorted(RECIPIENTS)
    (maria,) = smtp_server.handler.to("maria@example.com")
    (david,) = smtp_server.handler.to("david@example.com")
    maria_text = maria.get_body(("plain",)).get_content()
    assert "Amelia Hughes" in maria_text and "Ben Carter" in maria_text and "Chloe" not in maria_text
    david_text = david.get_body(("plain",)).get_content()
    assert "Chloe Martin" in david_text and "Amelia" not in david_text and "Ben" not in david_text
    assert "Chloe" not in maria.get_body(("html",)).get_content()
    assert "Amelia" not in david.get_body(("html",)).get_content()
    assert maria["Subject"] == "Readiness digest, week 2026-W48 (from Mon 23 Nov 2026): 1 newly ready"
    rows = deliveries()
    assert {email: row.status for email, row in rows.items()} == dict.fromkeys(RECIPIENTS, "sent")
    assert all(row.attempts == 1 and row.sent_at is not None for row in rows.values())


def test_the_message_id_and_unsubscribe_headers(programme, runner, smtp_server):
    send(runner)
    (maria,) = smtp_server.handler.to("maria@example.com")
    row = deliveries()["maria@example.com"]
    assert maria["Message-ID"] == row.message_id == f"<digest.2026-W48.user{programme.maria.id}@localhost>"
    token = unsubscribe_token(programme.maria.id)
    assert maria["List-Unsubscribe"] == f"<http://tracker.test/digest/unsubscribe/{token}>"
    assert maria["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert maria.get_body(("plain",)) is not None and maria.get_body(("html",)) is not None


def test_list_unsubscribe_goes_out_as_a_plain_link_however_long_the_base_url(app, programme, runner, smtp_server):
    """RFC 2369 and 8058: `<https://...>` on the wire, never folded into RFC 2047 encoded-words."""
    base = "https://readiness-tracker.operations-management-programme.example.org/"
    app.config["BASE_URL"] = base + "very-long-path/" * 5 + "x"
    assert len(app.config["BASE_URL"]) > 120
    assert send(runner).exit_code == 0
    [raw] = [raw for raw in smtp_server.handler.raw if b"maria@example.com" in raw.split(b"\r\n\r\n", 1)[0]]
    headers = raw.split(b"\r\n\r\n", 1)[0]
    link = f"{app.config['BASE_URL']}/digest/unsubscribe/{unsubscribe_token(programme.maria.id)}"
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in headers
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in headers
    assert b"=?" not in headers.split(b"List-Unsubscribe:", 1)[1].split(b"\r\nList-Unsubscribe-Post", 1)[0]


def test_a_second_run_sends_nothing_again(programme, runner, smtp_server):
    send(runner)
    second = send(runner)
    assert second.exit_code == 0
    assert second.output.strip() == "Digest 2026-W48: 3 sent, 0 skipped, 0 failed, 0 pending (this run sent 0)."
    assert len(smtp_server.messages) == 3
    assert db.session.query(OutboundMail).count() == 3


def test_a_supervisor_with_nothing_to_report_is_skipped(app, runner, smtp_server):
    quiet = make_user("supervisor", email="quiet@example.com")
    trainee = make_trainee(supervisor=quiet)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0
    assert result.output.strip() == "Digest 2026-W48: 0 sent, 1 skipped, 0 failed, 0 pending (this run sent 0)."
    row = deliveries()["quiet@example.com"]
    assert (row.status, row.skip_reason, row.attempts) == ("skipped", "nothing_to_report", 0)
    assert smtp_server.messages == []


def test_unsubscribed_supervisors_are_recorded_as_skipped(programme, runner, smtp_server):
    programme.david.digest_subscribed = False
    db.session.commit()
    assert send(runner).exit_code == 0
    row = deliveries()["david@example.com"]
    assert (row.status, row.skip_reason) == ("skipped", "unsubscribed")
    assert smtp_server.handler.to("david@example.com") == [] and len(smtp_server.messages) == 2


@pytest.mark.parametrize("change, reason", [("digest_subscribed", "unsubscribed"), ("active", "inactive")])
def test_a_recipient_who_stops_getting_digests_while_one_waits_for_a_retry_is_skipped(
    programme, runner, smtp_server, change, reason
):
    smtp_server.stop()
    send(runner)
    smtp_server.start()
    setattr(programme.maria, change, False)
    db.session.commit()
    time_passes()
    assert sender.retry_due() == {"sent": 2, "skipped": 1, "failed": 0, "pending": 0}
    assert smtp_server.handler.to("maria@example.com") == []
    row = deliveries()["maria@example.com"]
    assert (row.status, row.skip_reason) == ("skipped", reason)


def test_after_an_outage_a_manual_run_tries_every_pending_digest_of_its_week_at_once(programme, runner, smtp_server):
    smtp_server.stop()
    during = send(runner)
    assert during.exit_code == 0, "a temporary failure is not a failure: it is retried"
    rows = deliveries()
    for row in rows.values():
        assert row.status == "pending" and row.attempts == 1
        assert row.last_error.startswith("mail server unreachable")
        assert utcnow() + timedelta(minutes=4) < row.next_attempt_at < utcnow() + timedelta(minutes=6)
    first_retry = min(row.next_attempt_at for row in rows.values())
    assert during.output.strip() == (
        "Digest 2026-W48: 0 sent, 0 skipped, 0 failed, 3 pending (this run sent 0). "
        f"Pending ones are next tried by the scheduler from {format_day(first_retry.date())} {first_retry:%H:%M} UTC."
    )
    smtp_server.start()
    after = send(runner)  # the mail server is back: no waiting for the back-off
    assert after.output.strip() == "Digest 2026-W48: 3 sent, 0 skipped, 0 failed, 0 pending (this run sent 3)."
    time_passes()
    send(runner)
    sender.retry_due()
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == sorted(RECIPIENTS)
    assert {row.attempts for row in deliveries().values()} == {2}


def test_after_an_outage_the_scheduler_waits_for_the_back_off(programme, smtp_server):
    smtp_server.stop()
    services.send_weekly_digest(str(WEEK))
    smtp_server.start()
    assert services.send_weekly_digest(str(WEEK))["sent_now"] == 0  # not due yet: backing off
    assert sender.retry_due() == {"sent": 0, "skipped": 0, "failed": 0, "pending": 0}
    assert smtp_server.messages == []
    time_passes()
    assert sender.retry_due() == {"sent": 3, "skipped": 0, "failed": 0, "pending": 0}
    assert len(smtp_server.messages) == 3


def test_the_retry_delay_grows_and_temporary_failures_give_up_eventually(programme, runner, smtp_server):
    smtp_server.handler.replies["maria@example.com"] = "451 4.3.0 Try again later"
    delays = []
    for _ in range(rules.MAX_ATTEMPTS):
        time_passes()
        before = utcnow()
        services.send_week(WEEK)
        row = deliveries()["maria@example.com"]
        if row.status == "pending":
            delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
    assert delays == [5, 10, 20, 40, 80, 160, 320, 360, 360]
    row = deliveries()["maria@example.com"]
    assert row.status == "failed" and row.attempts == rules.MAX_ATTEMPTS
    assert row.last_error == "gave up after 10 attempts: 451 4.3.0 Try again later"


def test_a_4xx_and_a_5xx_are_handled_while_the_rest_are_sent(programme, runner, smtp_server):
    smtp_server.handler.replies["maria@example.com"] = "452 4.2.2 Mailbox full"
    smtp_server.handler.replies["david@example.com"] = "550 5.1.1 No such user"
    result = send(runner)
    assert result.exit_code == 1
    assert result.output.startswith("Digest 2026-W48: 1 sent, 0 skipped, 1 failed, 1 pending (this run sent 1). ")
    assert "Pending ones are next tried by the scheduler from" in result.output
    rows = deliveries()
    assert rows["ada.admin@example.com"].status == "sent"
    assert (rows["maria@example.com"].status, rows["maria@example.com"].last_error) == ("pending", "452 4.2.2 Mailbox full")
    assert rows["maria@example.com"].next_attempt_at > utcnow()
    assert (rows["david@example.com"].status, rows["david@example.com"].last_error) == ("failed", "550 5.1.1 No such user")
    assert rows["david@example.com"].next_attempt_at is None

    # The permanent failure is not retried, however often the jobs run; the temporary one is, once due.
    del smtp_server.handler.replies["maria@example.com"]
    time_passes()
    assert sender.retry_due() == {"sent": 1, "skipped": 0, "failed": 0, "pending": 0}
    time_passes()
    assert sender.retry_due() == {"sent": 0, "skipped": 0, "failed": 0, "pending": 0}
    assert send(runner).exit_code == 1  # the week still has a failed delivery for an admin to look at
    assert len(smtp_server.handler.to("maria@example.com")) == 1 and smtp_server.handler.to("david@example.com") == []
    assert deliveries()["david@example.com"].attempts == 1


def test_an_unexpected_error_is_recorded_and_after_the_usual_attempts_the_digest_is_failed(programme, runner, smtp_server):
    """A recipient whose data makes building the message raise (a name with CR/LF, stored before names were checked)."""
    db.session.execute(update(User).where(User.id == programme.maria.id).values(name="Maria\r\nBcc: all@example.com"))
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0 and "2 sent" in result.output  # the others still go
    row = deliveries()["maria@example.com"]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("unexpected error: ValueError: ")
    assert row.next_attempt_at > utcnow()  # retried with the usual back-off
    for _ in range(rules.MAX_ATTEMPTS - 1):
        time_passes()
        sender.retry_due()
    row = deliveries()["maria@example.com"]
    assert (row.status, row.attempts) == ("failed", rules.MAX_ATTEMPTS)
    assert row.last_error.startswith(f"gave up after {rules.MAX_ATTEMPTS} attempts: unexpected error: ValueError: ")
    assert send(runner).exit_code == 1  # failed, where admins see it
    assert smtp_server.handler.to("maria@example.com") == [] and len(smtp_server.messages) == 2


def test_a_resend_after_a_crash_between_acceptance_and_commit_carries_the_same_message_id(
    programme, runner, smtp_server, monkeypatch
):
    class Crash(BaseException):
        """The process dies: nothing after this line runs, nothing is committed."""

    real_mark_sent = outbox.mark_sent

    def crash_after_acceptance(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(outbox, "mark_sent", crash_after_acceptance)
    with pytest.raises(Crash):
        services.send_week(WEEK)
    db.session.rollback()
    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
    assert len(smtp_server.messages) == 1
    crashed = next(row for row in deliveries().values() if row.attempts == 1)
    assert crashed.status == "pending" and crashed.lease_expires_at > utcnow()  # its claim holds others off...

    assert sender.retry_due()["sent"] == 2  # ... so the others go, but not the crashed one, yet
    assert len(smtp_server.messages) == 3
    assert runner.invoke(args=["digest", "send", "--week", str(WEEK)]).exit_code == 0  # not even a manual run...
    assert len(smtp_server.messages) == 3
    time_passes()  # ... until the claim's lease has run out
    assert sender.retry_due()["sent"] == 1
    first, *_, again = [m for m in smtp_server.messages if m["Message-ID"] == crashed.message_id]
    assert first is not again and first["Message-ID"] == again["Message-ID"] == crashed.message_id
    assert len(smtp_server.messages) == 4 and deliveries()[crashed.recipient.email].status == "sent"


def claim(delivery_id, now, backoff=True):
    with short_transaction(db.engine) as connection:
        hold = outbox.claim(connection, delivery_id, now, backoff)
    return hold.attempt if hold else None


def test_a_claimed_delivery_is_not_taken_by_another_sender(programme, smtp_server):
    services.record_week(WEEK)
    db.session.commit()
    delivery_id = deliveries()["maria@example.com"].id
    assert claim(delivery_id, utcnow()) == 1
    assert claim(delivery_id, utcnow()) is None  # a second sender finds it taken
    assert claim(delivery_id, utcnow(), backoff=False) is None  # even one that ignores the back-off
    assert claim(delivery_id, utcnow() + rules.CLAIM_LEASE + timedelta(seconds=1)) == 2  # lease over


def test_dry_run_renders_and_reports_but_sends_and_records_nothing(programme, runner, smtp_server):
    programme.david.digest_subscribed = False
    db.session.commit()
    result = send(runner, "--dry-run")
    assert result.exit_code == 0
    assert 'maria@example.com: would send "Readiness digest, week 2026-W48 (from Mon 23 Nov 2026): 1 newly ready"' in result.output
    assert "david@example.com: would skip (unsubscribed)" in result.output
    assert result.output.strip().endswith(
        "Dry run for 2026-W48: would send 2, would skip 1, 0 already recorded. Nothing was sent or recorded."
    )
    assert db.session.query(OutboundMail).count() == 0 and smtp_server.messages == []
    send(runner)
    assert "maria@example.com: already recorded (sent)" in send(runner, "--dry-run").output


@pytest.mark.parametrize("week, message", [
    ("2025-W53", "Error: 2025 has no ISO week 53"),
    ("48", "Error: '48' is not a week in the form YYYY-Www (for example 2026-W48)"),
])
def test_a_bad_week_exits_non_zero_with_one_line(programme, runner, smtp_server, week, message):
    result = runner.invoke(args=["digest", "send", "--week", week])
    assert result.exit_code != 0
    assert result.output.strip() == message
    assert db.session.query(OutboundMail).count() == 0


def test_the_default_week_is_the_current_week_in_the_programme_time_zone(app, programme, runner, smtp_server, clock):
    app.config["TRACKER_TIMEZONE"] = "Pacific/Auckland"
    # Sunday 3 January 2027, 11:30 UTC: already Monday 4 January in Auckland.
    clock.set(datetime(2027, 1, 3, 11, 30))
    result = runner.invoke(args=["digest", "send", "--dry-run"])
    assert "Dry run for 2027-W01" in result.output
    app.config["TRACKER_TIMEZONE"] = "UTC"
    assert "Dry run for 2026-W53" in runner.invoke(args=["digest", "send", "--dry-run"]).output


def test_the_scheduler_job_records_and_sends_a_week_and_returns_counts(programme, smtp_server):
    counts = services.send_weekly_digest("2026-W48")
    assert counts == {
        "sent": 3, "skipped": 0, "failed": 0, "pending": 0, "recorded": 3, "sent_now": 3, "failed_now": 0,
        "retried_other_weeks": 0,
    }
    assert services.send_weekly_digest("2026-W48")["sent_now"] == 0
    with pytest.raises(ValueError):
        services.send_weekly_digest("2026-W99")


def test_a_week_s_run_also_retries_earlier_weeks(programme, runner, smtp_server):
    smtp_server.stop()
    send(runner)
    smtp_server.start()
    time_passes()
    result = runner.invoke(args=["digest", "send", "--week", "2026-W49"])
    assert "Earlier weeks retried: 3 sent, 0 failed, 0 pending." in result.output
    assert len(smtp_server.messages) == 6


def test_the_scheduler_and_a_person_at_the_same_moment_send_each_digest_once(app, programme, smtp_server):
    """Three senders in threads (each its own app context, session and connection) start together."""
    smtp_server.handler.delay = 0.05
    start = threading.Barrier(3)
    errors = []

    def in_thread(action):
        with app.app_context():
            try:
                start.wait()
                action()
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=in_thread, args=(lambda: services.send_weekly_digest(str(WEEK)),)),
        threading.Thread(target=in_thread, args=(lambda: services.send_week(WEEK, backoff=False),)),
        threading.Thread(target=in_thread, args=(sender.retry_due,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == sorted(RECIPIENTS)
    assert {row.status for row in deliveries().values()} == {"sent"}


def test_without_a_mail_server_digests_are_written_as_eml_files(app, programme, runner):
    assert app.config["MAIL_SERVER"] is None
    assert send(runner).exit_code == 0
    folder = os.path.join(app.instance_path, "mail")
    files = sorted(os.listdir(folder))
    assert len(files) == 3 and all(name.endswith(".eml") for name in files)
    assert {row.status for row in deliveries().values()} == {"sent"}
