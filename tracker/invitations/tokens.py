"""Invitation tokens: signed, expiring, and bound to the password the user had when invited.

The token carries a fingerprint of the user's password hash (none, for an
invited user). Setting a password changes the hash, so every invitation
issued before stops working: each link sets a password at most once.
"""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.core.errors import TrackerError

SALT = "tracker.invitation.v1"


class InvitationError(TrackerError):
    """The link cannot be used; the message says why in words for the person holding it."""


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the stored password hash ('' hashes too: the not-yet-set password)."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:20]


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user_id: int, password_hash: str | None, signer: URLSafeTimedSerializer | None = None) -> str:
    """A signed token inviting this user to set a password (`signer`: serializer(), made once for many)."""
    return (signer or serializer()).dumps({"user": user_id, "password": password_fingerprint(password_hash)})


def read_token(token: str) -> tuple[int, str]:
    """(user id, password fingerprint) from a token still within INVITATION_MAX_AGE_SECONDS."""
    try:
        data = serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE_SECONDS"])
    except SignatureExpired:
        raise InvitationError("This invitation has expired. Ask an administrator to send you a new one.") from None
    except BadSignature:
        raise InvitationError("This invitation link is not valid. Check that you copied the whole link from the email.") from None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int) or not isinstance(data.get("password"), str):
        raise InvitationError("This invitation link is not valid.")
    return data["user"], data["password"]
