"""What the digest tests share: a real SMTP server on a free loopback port, and a small programme."""
import asyncio
import email
import functools
import socket
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from werkzeug.security import generate_password_hash

from tests.factories import make_job_type, make_module, make_role, make_rotation, make_trainee, make_user
from tracker.auth.models import User
from tracker.core.weeks import parse_week
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag

WEEK = parse_week("2026-W48")  # Monday 2026-11-23; the digest looks back on 16 to 22 November
MONDAY = WEEK.monday


@functools.cache
def password_hash_of(password: str) -> str:
    return generate_password_hash(password)


@pytest.fixture(autouse=True)
def hash_each_password_once(monkeypatch):
    """Factories hash each user's password (deliberately slow); one real hash per password serves every test."""
    monkeypatch.setattr(User, "set_password", lambda user, password: setattr(user, "password_hash", password_hash_of(password)))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """An SMTP server's behaviour: accept and keep messages, or answer a chosen code for chosen recipients."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []  # each message's bytes exactly as the server received them
        self.replies: dict[str, str] = {}
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.raw.append(raw)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """The messages received for one address."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


class SmtpServer:
    """aiosmtpd on 127.0.0.1; stop() makes it an outage (connection refused), start() brings it back."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp_server(app):
    """A real SMTP server the app sends to, for the length of one test."""
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5, MAIL_USE_TLS=False)
    yield server
    server.stop()


def make_flag(trainee, role, raised_on: date, cleared_on: date | None = None, decision: str | None = None,
              decision_on: date | None = None) -> ReadinessFlag:
    """A readiness flag, written straight to the table (raising flags is the readiness service's job)."""
    flag = ReadinessFlag(
        trainee=trainee, role=role, raised_on=raised_on, cleared_on=cleared_on, decision=decision,
        decision_on=decision_on, snapshot={},
    )
    db.session.add(flag)
    db.session.flush()
    return flag


@dataclass
class Programme:
    admin: object
    maria: object
    david: object
    idle_supervisor: object
    role: object
    amelia: object
    ben: object
    chloe: object


def make_programme() -> Programme:
    """Two supervisors with news for the week, one admin, and a supervisor with no active trainee.

    Maria: Amelia newly ready, Ben nearly ready. David: Chloe awaiting a decision.
    """
    admin = make_user("admin", email="ada.admin@example.com", name="Ada Admin")
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    david = make_user("supervisor", email="david@example.com", name="David Chen")
    idle_supervisor = make_user("supervisor", email="ivan@example.com", name="Ivan Idle")
    make_trainee(supervisor=idle_supervisor, name="Placed Person", status="withdrawn", password=None)
    warehouse = make_job_type("warehouse", "Warehouse operations")
    safety = make_module("safety", "Workplace Safety")
    # Four criteria: 8 weeks in total, 1 job type, 8 weeks in warehouse, Workplace Safety at 70.
    role = make_role("audit", min_total_weeks=8, min_distinct_job_types=1, rotations=[(warehouse, 8, None)], modules=[(safety, 70)])
    amelia = make_trainee(supervisor=maria, name="Amelia Hughes", password=None)
    ben = make_trainee(supervisor=maria, name="Ben Carter", password=None)
    chloe = make_trainee(supervisor=david, name="Chloe Martin", password=None)
    for trainee in (amelia, ben, chloe):
        # 56 days (8 weeks, rated) done, and an ongoing rotation since: nobody is idle or unrated.
        make_rotation(trainee, warehouse, MONDAY - timedelta(days=150), MONDAY - timedelta(days=95), rating=4)
        make_rotation(trainee, warehouse, MONDAY - timedelta(days=90), None)
    make_flag(amelia, role, MONDAY - timedelta(days=3))
    make_flag(chloe, role, MONDAY - timedelta(days=20))
    return Programme(admin, maria, david, idle_supervisor, role, amelia, ben, chloe)
