"""`flask users ...`: bad input exits non-zero with one line and saves nothing."""
import pytest
from sqlalchemy import func, select

from tests.factories import make_user
from tracker.auth.models import User
from tracker.extensions import db


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def create(runner, email="new@example.com", name="New Person", role="supervisor", password="long enough password"):
    return runner.invoke(args=["users", "create", "--email", email, "--name", name, "--role", role, "--password", password])


def test_create_user_who_can_then_sign_in(runner, auth):
    result = create(runner, email="New@Example.com")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created supervisor new@example.com."
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "supervisor" and user.password_hash and "long enough" not in user.password_hash
    assert auth.login("new@example.com", "long enough password").status_code == 302


@pytest.mark.parametrize("arguments, reason", [
    ({"role": "boss"}, "Error: unknown role 'boss': use one of admin, supervisor, trainee"),
    ({"email": "not-an-email"}, "Error: 'not-an-email' is not a valid email address"),
    ({"password": "short"}, "Error: the password must have at least 8 characters"),
    ({"name": "   "}, "Error: the name must not be empty"),
])
def test_bad_input_is_refused_with_one_line(runner, arguments, reason):
    result = create(runner, **arguments)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(reason)
    assert user_count() == 0


def test_an_email_differing_only_in_case_is_refused(runner):
    make_user(email="sam@example.com")
    db.session.commit()
    result = create(runner, email="SAM@example.com")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: a user with the email sam@example.com already exists"
    assert user_count() == 1


def test_set_password(runner, auth):
    make_user(email="sam@example.com")
    db.session.commit()
    result = runner.invoke(args=["users", "set-password", "--email", "Sam@example.com", "--password", "a new password"])
    assert result.exit_code == 0 and "Password set for sam@example.com." in result.output
    assert auth.login("sam@example.com", "a new password").status_code == 302


def test_set_password_for_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "set-password", "--email", "ghost@example.com", "--password", "a new password"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no user has the email ghost@example.com"


def test_set_password_too_short_changes_nothing(runner):
    user = make_user(email="sam@example.com")
    db.session.commit()
    before = user.password_hash
    result = runner.invoke(args=["users", "set-password", "--email", "sam@example.com", "--password", "short"])
    assert result.exit_code == 1
    db.session.refresh(user)
    assert user.password_hash == before
