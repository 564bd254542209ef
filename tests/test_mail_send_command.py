"""A large import leaves its invitations to the outbox's senders; `flask mail send` sends what is pending now."""
import os

from sqlalchemy import func, select

from tests.factories import make_user
from tracker.extensions import db
from tracker.mail.models import OutboundMail
from tracker.mail.outbox import INLINE_LIMIT


def import_trainees(runner, tmp_path, count):
    lines = ["email,name,supervisor_email,start_date,cohort"]
    lines += [f"t{n}@example.com,Trainee {n},maria@example.com,2026-01-05,A" for n in range(count)]
    path = tmp_path / "trainees.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return runner.invoke(args=["trainees", "import", str(path)])


def mail_files(app):
    folder = os.path.join(app.instance_path, "mail")
    return os.listdir(folder) if os.path.isdir(folder) else []


def statuses():
    return dict(db.session.execute(select(OutboundMail.status, func.count()).group_by(OutboundMail.status)).all())


def test_a_large_import_queues_its_invitations_without_sending_them_and_says_how_they_leave(app, runner, tmp_path):
    make_user("supervisor", email="maria@example.com")
    db.session.commit()
    result = import_trainees(runner, tmp_path, INLINE_LIMIT + 1)
    assert result.exit_code == 0, result.output
    assert f"{INLINE_LIMIT + 1} invitations queued: the scheduler's mail retry sends them" in result.output
    assert "flask --app wsgi mail send" in result.output
    assert mail_files(app) == [] and statuses() == {"pending": INLINE_LIMIT + 1}

    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.strip() == f"Mail tried: {INLINE_LIMIT + 1} sent, 0 skipped, 0 failed, 0 pending."
    assert len(mail_files(app)) == INLINE_LIMIT + 1
    db.session.expire_all()
    assert statuses() == {"sent": INLINE_LIMIT + 1}
    again = runner.invoke(args=["mail", "send"])
    assert again.output.strip() == "Mail tried: 0 sent, 0 skipped, 0 failed, 0 pending."


def test_a_small_import_sends_its_invitations_right_after_the_commit(app, runner, tmp_path):
    make_user("supervisor", email="maria@example.com")
    db.session.commit()
    result = import_trainees(runner, tmp_path, 1)
    assert "1 invitation queued for sending." in result.output
    assert len(mail_files(app)) == 1 and statuses() == {"sent": 1}


def test_an_empty_mail_page_says_when_the_next_digest_goes_out(client, auth, clock):
    make_user("admin", email="ada@example.com")
    db.session.commit()
    auth.login("ada@example.com")
    page = client.get("/admin/mail/").get_data(as_text=True)  # the test clock: Mon 30 Jun 2025, 07:00 UTC, when it is due
    assert "No mail recorded yet; the next weekly digest goes out Mon 30 Jun at 07:00." in page
    filtered = client.get("/admin/mail/?kind=digest").get_data(as_text=True)
    assert "No message matches these filters." in filtered and "next weekly digest" not in filtered
