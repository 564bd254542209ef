"""Users and sign-in: creating accounts, checking passwords, throttling guesses."""
from datetime import timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.auth.models import ROLES, LoginFailure, User
from tracker.core.errors import TrackerError
from tracker.core.parsing import check_plain_text, one_line, parse_id
from tracker.extensions import db
from tracker.infra.clock import utcnow

MIN_PASSWORD_LENGTH = 8
NAME_MAX_LENGTH = 120


class UserError(TrackerError):
    """A user could not be created or changed; the message says why."""


def normalize_email(email: str) -> str:
    """The stored form of an email: trimmed and lower-cased."""
    return (email or "").strip().lower()


def check_email_syntax(email: str) -> str:
    """The normalised email, or UserError when it is not an address."""
    try:
        check_plain_text(email)
        validate_email(email, check_deliverability=False)
    except (EmailNotValidError, ValueError) as exc:
        raise UserError(f"'{one_line(email)}' is not a valid email address: {exc}", "email") from None
    return normalize_email(email)


def find_user_by_email(email: str) -> User | None:
    """The user with this email, whatever its case (none holds a control character: see check_email_syntax)."""
    try:
        check_plain_text(email)
    except ValueError:
        return None
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def chosen_supervisor(value: str, keep: User | None = None) -> User:
    """The supervisor a form's select names (by id): an active supervisor, or `keep` (the one a trainee already has)."""
    user = db.session.get(User, parse_id(value)) if parse_id(value) else None
    if user is None or user.role != "supervisor":
        raise UserError("Choose a supervisor from the list.", "supervisor")
    if not user.active and user != keep:
        raise UserError(f"{user.name} is no longer active; choose another supervisor.", "supervisor")
    return user
def check_name(name: str) -> str:
    """A person's name, trimmed: one line of plain text, not empty, at most NAME_MAX_LENGTH characters; UserError otherwise."""
    name = (name or "").strip()
    if not name:
        raise UserError("the name must not be empty", "name")
    if len(name) > NAME_MAX_LENGTH:
        raise UserError(f"the name may have at most {NAME_MAX_LENGTH} characters", "name")
    try:
        return check_plain_text(name)
    except ValueError as exc:
        raise UserError(f"the name is refused: {sentence_case(str(exc))}", "name") from None


def sentence_case(reason: str) -> str:
    """'Remove the ...' -> 'remove the ...', to continue a sentence."""
    return reason[:1].lower() + reason[1:]


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to be worth hashing."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(email: str, name: str, role: str, password: str | None = None) -> User:
    """Add a user (flushed, not committed); UserError on a bad role, email or password."""
    if role not in ROLES:
        raise UserError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    name = check_name(name)
    email = check_email_syntax(email)
    if find_user_by_email(email):
        raise UserError(f"a user with the email {email} already exists")
    user = User(email=email, name=name, role=role, active=True)
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
        raise UserError(f"no user has the email {one_line(normalize_email(email))}")
    check_password_strength(password)
    user.set_password(password)
    return user


def throttle_keys(email: str, address: str | None) -> tuple[str, str]:
    """The two counters a sign-in attempt is throttled by."""
    return f"email:{normalize_email(email)}", f"addr:{address or 'unknown'}"


def record_attempt(email: str, address: str | None) -> list[int]:
    """Count a sign-in attempt against the email and the address, before its password is checked; the rows' ids.

    The caller commits at once, so that every worker and host counts it: an
    attempt is checked only if the attempts committed before it leave it
    within the limits (see within_limits), so no burst of attempts sent at
    the same moment gets more password checks than the limit.
    """
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - window))
    rows = [LoginFailure(key=key) for key in throttle_keys(email, address)]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def within_limits(email: str, address: str | None) -> bool:
    """True when the recent attempts for this email (and from this address), the caller's included, are within the limits.

    The caller's attempt must be committed first: each attempt then counts
    itself and every attempt committed before it, so at most the limit of
    them find themselves within it, however many run at once.
    """
    email_key, address_key = throttle_keys(email, address)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    counts = dict(db.session.execute(
        select(LoginFailure.key, func.count())
        .where(LoginFailure.key.in_([email_key, address_key]), LoginFailure.at >= since)
        .group_by(LoginFailure.key)
    ).all())
    return counts.get(email_key, 0) <= limit and counts.get(address_key, 0) <= 5 * limit


def withdraw_attempt(attempt_ids: list[int]) -> None:
    """Stop counting an attempt: it was refused before any check, or it succeeded. Failed ones stay counted."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt_ids)))


def forget_login_failures(email: str) -> None:
    """A successful sign-in clears the email's failures."""
    email_key, _ = throttle_keys(email, None)
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == email_key))


@cache
def dummy_password_hash() -> str:
    """A hash made like every stored one (same method and cost) to check when there is no password to check."""
    return generate_password_hash("no such password")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    Every failure does the same work, so its timing tells nothing: one check
    of a hash as costly as a real one, whether the email is unknown, the
    account has no password yet (invited), is deactivated, or the password is wrong.
    """
    user = find_user_by_email(email)
    has_password = user is not None and bool(user.password_hash)
    matches = check_password_hash(user.password_hash if has_password else dummy_password_hash(), password)
    if not (has_password and matches and user.active):
        return None
    return user
