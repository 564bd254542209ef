"""Users and sign-in: creating accounts, checking passwords, throttling guesses."""
from datetime import timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.auth.models import ROLES, LoginFailure, User
from tracker.core.errors import TrackerError
from tracker.extensions import db
from tracker.infra.clock import utcnow

MIN_PASSWORD_LENGTH = 8


class UserError(TrackerError):
    """A user could not be created or changed; the message says why."""


def normalize_email(email: str) -> str:
    """The stored form of an email: trimmed and lower-cased."""
    return (email or "").strip().lower()


def check_email_syntax(email: str) -> str:
    """The normalised email, or UserError when it is not an address."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(f"'{email}' is not a valid email address: {exc}") from None
    return normalize_email(email)


def find_user_by_email(email: str) -> User | None:
    """The user with this email, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def chosen_supervisor(value: str, keep: User | None = None) -> User:
    """The supervisor a form's select names (by id): an active supervisor, or `keep` (the one a trainee already has)."""
    user = db.session.get(User, int(value)) if (value or "").isdigit() else None
    if user is None or user.role != "supervisor":
        raise UserError("Choose a supervisor from the list.", "supervisor")
    if not user.active and user != keep:
        raise UserError(f"{user.name} is no longer active; choose another supervisor.", "supervisor")
    return user


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to be worth hashing."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(email: str, name: str, role: str, password: str | None = None) -> User:
    """Add a user (flushed, not committed); UserError on a bad role, email or password."""
    if role not in ROLES:
        raise UserError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    if not (name or "").strip():
        raise UserError("the name must not be empty")
    email = check_email_syntax(email)
    if find_user_by_email(email):
        raise UserError(f"a user with the email {email} already exists")
    user = User(email=email, name=name.strip(), role=role, active=True)
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(email: str, password: str) -> User:
    """Change a user's password; UserError when there is no such user."""
    user = find_user_by_email(email)
    if user is None:
        raise UserError(f"no user has the email {normalize_email(email)}")
    check_password_strength(password)
    user.set_password(password)
    return user


def throttle_keys(email: str, address: str | None) -> tuple[str, str]:
    """The two counters a sign-in attempt is throttled by."""
    return f"email:{normalize_email(email)}", f"addr:{address or 'unknown'}"


def is_throttled(email: str, address: str | None) -> bool:
    """True when too many recent failures came for this email or from this address."""
    email_key, address_key = throttle_keys(email, address)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    counts = db.session.execute(
        select(LoginFailure.key, func.count())
        .where(LoginFailure.key.in_([email_key, address_key]), LoginFailure.at >= since)
        .group_by(LoginFailure.key)
    ).all()
    by_key = dict(counts)
    return by_key.get(email_key, 0) >= limit or by_key.get(address_key, 0) >= 5 * limit


def record_login_failure(email: str, address: str | None) -> None:
    """Count a failed attempt against the email and the address, and forget stale ones."""
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - window))
    db.session.add_all(LoginFailure(key=key) for key in throttle_keys(email, address))


def forget_login_failures(email: str) -> None:
    """A successful sign-in clears the email's failures."""
    email_key, _ = throttle_keys(email, None)
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == email_key))


@cache
def dummy_password_hash() -> str:
    """A hash to check against when the email is unknown, so both failures take as long."""
    return generate_password_hash("no such user")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(dummy_password_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user
