"""The outbox's rules, pure: when to try again, and whether a message is still worth sending."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

# A claimed message is left alone by other senders for this long; a sender
# that dies mid-send is thereby retried once it has passed.
CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY_DELAY = timedelta(minutes=5)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# After this many temporary failures the message is marked failed for an admin to look at.
MAX_ATTEMPTS = 10

# What each skip reason means, for people.
SKIP_REASON_TEXT = {
    "nothing_to_report": "nothing to report",
    "unsubscribed": "unsubscribed",
    "inactive": "the account is not active",
    "password_set": "the user has set a password since",
    "expired": "its link has expired",
}


@dataclass(frozen=True)
class RecipientNow:
    """What the outbox checks about a recipient just before each send."""

    active: bool
    digest_subscribed: bool
    has_password: bool


def retry_delay(attempt: int) -> timedelta:
    """5 minutes after the first failure, doubling each time, at most 6 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), LONGEST_RETRY_DELAY)


def gives_up(attempt: int) -> bool:
    """True when this attempt was the last one the outbox makes by itself."""
    return attempt >= MAX_ATTEMPTS


def skip_reason(kind: str, recipient: RecipientNow, expires_at: datetime | None, now: datetime) -> str | None:
    """Why the message should not go out now after all, or None to send it.

    An inactive account gets nothing; a digest honours its recipient's
    unsubscribing; an invitation is pointless once its user has set a password
    (its link no longer works) or once its link has expired.
    """
    if not recipient.active:
        return "inactive"
    if kind == "digest" and not recipient.digest_subscribed:
        return "unsubscribed"
    if kind == "invitation" and recipient.has_password:
        return "password_set"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return None


def next_try(next_attempt_at: datetime | None, lease_expires_at: datetime | None) -> datetime | None:
    """When the scheduler may next try a pending message: after its back-off and any sender's claim."""
    times = [t for t in (next_attempt_at, lease_expires_at) if t is not None]
    return max(times) if times else None


# An invitation's link sets the account's password: only its recipient may see it.
INVITATION_LINK = re.compile(r"(/invitations/)[A-Za-z0-9_.\-]+")
HIDDEN_LINK = r"\1[link hidden: only the recipient can use it]"


def shown_to_admins(body: str) -> str:
    """A recorded message as the Mail page shows it: every invitation link's token hidden."""
    return INVITATION_LINK.sub(HIDDEN_LINK, body or "")
