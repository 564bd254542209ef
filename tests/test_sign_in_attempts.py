"""Sign-in attempts: the limit holds under concurrency, and every failure does the same work (issue 8, items 13, 14, 19)."""
import threading

import pytest
from werkzeug.security import check_password_hash

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, default_password_hash, make_user
from tracker.auth import services
from tracker.auth.models import LoginFailure
from tracker.extensions import db

ATTEMPTS = 16


class PasswordChecks:
    """Counts the password-hash checks the sign-in service makes, and which hashes they were against."""

    def __init__(self):
        self.hashes: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, password_hash: str, password: str) -> bool:
        with self.lock:
            self.hashes.append(password_hash)
        return check_password_hash(password_hash, password)


@pytest.fixture
def checks(monkeypatch) -> PasswordChecks:
    counter = PasswordChecks()
    monkeypatch.setattr(services, "check_password_hash", counter)
    return counter


def test_sixteen_wrong_passwords_at_once_get_at_most_the_limit_of_checks(app, checks):
    """Real threads, each its own client and database session, all posting at the same moment."""
    make_user("supervisor", email="sam@example.com")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    clients = [app.test_client() for _ in range(ATTEMPTS)]
    tokens = [csrf_token_from(c.get("/login")) for c in clients]
    start = threading.Barrier(ATTEMPTS)
    pages = [None] * ATTEMPTS

    def attempt(index: int) -> None:
        with app.app_context():  # the client's own bookkeeping after each request needs one
            start.wait(10)
            data = {"email": "sam@example.com", "password": "wrong guess", "csrf_token": tokens[index]}
            response = clients[index].post("/login", data=data)
            pages[index] = (response.status_code, response.get_data(as_text=True))
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(page is not None and page[0] == 200 for page in pages), [p and p[0] for p in pages]
    refused = sum("Too many failed attempts" in text for _, text in pages)
    assert len(checks.hashes) <= limit
    assert refused == ATTEMPTS - len(checks.hashes)
    # Only checked attempts stay counted: the lock-out lasts from the last real failure.
    assert db.session.query(LoginFailure).filter_by(key="email:sam@example.com").count() == len(checks.hashes)


def test_the_limit_holds_for_attempts_one_after_another_and_the_right_password_then_waits(app, auth, checks):
    make_user("supervisor", email="sam@example.com")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit + 3):
        auth.login("sam@example.com", "wrong guess")
    assert len(checks.hashes) == limit
    assert "Too many failed attempts" in auth.login("sam@example.com").get_data(as_text=True)
    assert len(checks.hashes) == limit


def test_successful_sign_ins_do_not_count_against_the_address(app, auth):
    """Many people behind one address (an office) sign in all day: only failures count."""
    for n in range(5 * app.config["LOGIN_MAX_FAILURES"] + 2):
        make_user("supervisor", email=f"person{n}@example.com")
    db.session.commit()
    for n in range(5 * app.config["LOGIN_MAX_FAILURES"] + 2):
        assert auth.login(f"person{n}@example.com").status_code == 302
        auth.logout()
    assert db.session.query(LoginFailure).count() == 0


def failure_kinds():
    """Every way a sign-in fails, and the email that shows it."""
    make_user("supervisor", email="known@example.com")
    make_user("trainee", email="invited@example.com", password=None)
    make_user("supervisor", email="gone@example.com", active=False)
    db.session.commit()
    return {
        "unknown email": ("nobody@example.com", PASSWORD),
        "wrong password": ("known@example.com", "not the password"),
        "invited, no password yet": ("invited@example.com", PASSWORD),
        "deactivated, right password": ("gone@example.com", PASSWORD),
    }


def test_every_failed_sign_in_checks_one_hash_of_the_same_cost(app, auth, checks):
    """Structural, not timed: each failure makes exactly one check, against a hash made like a real one.

    Without the dummy hash for unknown emails (or for invited users), those
    failures would check nothing and answer measurably sooner.
    """
    real_method = default_password_hash().rsplit("$", 2)[0]  # e.g. scrypt:32768:8:1
    for kind, (email, password) in failure_kinds().items():
        checks.hashes.clear()
        response = auth.login(email, password)
        assert "do not match an active account" in response.get_data(as_text=True), kind
        assert len(checks.hashes) == 1, kind
        assert checks.hashes[0].rsplit("$", 2)[0] == real_method, kind


def test_a_successful_sign_in_checks_one_hash_too(auth, checks):
    make_user("supervisor", email="known@example.com")
    db.session.commit()
    assert auth.login("known@example.com").status_code == 302
    assert len(checks.hashes) == 1
