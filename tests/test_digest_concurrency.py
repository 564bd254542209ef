"""Two `flask digest send` processes at once, against the test database: one digest per recipient."""
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.digest_support import MONDAY, WEEK, hash_each_password_once, make_flag, smtp_server  # noqa: F401  (fixtures)
from tests.factories import make_job_type, make_role, make_rotation, make_trainee, make_user
from tracker import PROJECT_DIR
from tracker.extensions import db
from tracker.mail.models import OutboundMail

pytestmark = pytest.mark.slow
SUPERVISORS = 8


def sender_process(database_url: str, smtp_port: int) -> subprocess.Popen:
    """`flask --app wsgi digest send` as its own process, configured like production through the environment."""
    env = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "concurrency-test", "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port), "BASE_URL": "http://tracker.test", "TRACKER_TIMEZONE": "UTC",
    }
    env.pop("FLASK_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "digest", "send", "--week", str(WEEK)],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_two_senders_at_once_send_one_digest_per_recipient(app, database_url, smtp_server):
    role, job = make_role(), make_job_type()
    emails = []
    for n in range(SUPERVISORS):
        supervisor = make_user("supervisor", email=f"super{n}@example.com", password=None)
        trainee = make_trainee(supervisor=supervisor, password=None)
        make_rotation(trainee, job, MONDAY - timedelta(days=30), None)
        make_flag(trainee, role, MONDAY - timedelta(days=2))
        emails.append(supervisor.email)
    db.session.commit()
    smtp_server.handler.delay = 0.25  # a slow mail server: the two senders overlap for seconds

    processes = [sender_process(database_url, smtp_server.port) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]

    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "database is locked" not in err
    received = sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert received == sorted(emails)
    sent_by_run = [int(re.search(r"this run sent (\d+)", out).group(1)) for out, _ in outputs]
    assert sum(sent_by_run) == SUPERVISORS
    assert min(sent_by_run) >= 1, "both senders took part: the test really ran them side by side"
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMail)).all()
    assert len(rows) == SUPERVISORS and {row.status for row in rows} == {"sent"}
    assert {row.attempts for row in rows} == {1}
