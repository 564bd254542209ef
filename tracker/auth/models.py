"""Users and sign-in bookkeeping."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.infra.clock import utcnow

ROLES = ("admin", "supervisor", "trainee")


class User(UserMixin, db.Model):
    """Anyone who signs in: an admin, a supervisor or a trainee."""

    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so the unique constraint on the column
        # is a case-insensitive uniqueness rule the database itself enforces.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("role IN ('admin', 'supervisor', 'trainee')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's user id: raising it ends every session signed in with the old one.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    def get_id(self) -> str:
        """What a session remembers of its user: the id and the session version it was signed in with."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every session of this user, in every browser (sign-out, a new password, deactivation)."""
        if self.id is not None:  # a new user has no session yet
            self.session_version = User.session_version + 1  # in SQL: two ends at once both count

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password; sessions signed in with the old one end."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """True when the password matches; users without one never match."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def is_trainee(self) -> bool:
        return self.role == "trainee"


class LoginFailure(db.Model):
    """One failed sign-in; counted per email and per address to throttle guessing across workers."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.key} {self.at}>"
