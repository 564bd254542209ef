"""Sending recorded mail: claim each message, hand it to the mail server, record what happened.

Services flush and never commit; this module is the exception, because the
mail protocol needs three commits of its own:
1. what recorded the mail is committed first (`send`): mail leaves only after
   the change that made it, and every other sender must see it;
2. each claim is committed on its own before the mail server is contacted, so
   no other sender (another `digest send`, a scheduler in another process, an
   admin's retry, the web worker that queued it) can take the message while
   this one talks to the server;
3. each outcome is committed as soon as it is known.
Claims and outcomes are short transactions on connections of their own
(`tracker.infra.leases.short_transaction`), which also lets mail queued by a
commit be sent right after it, when that commit's session can do no more.

A sender that dies between handing a message over and recording it leaves the
message pending with its claim; once the claim's lease has passed it is sent
again with the same Message-ID, so the receiving side can recognise the
duplicate. That is the only way anyone gets a message twice, and the only way
to rule it out would be to risk never sending it.

Before each send the recipient is checked again (`rules.skip_reason`). A
temporary failure (server unreachable, a 4xx reply, an unexpected error) stays
pending and is retried after a growing delay; a permanent one (5xx), or the
last of MAX_ATTEMPTS, is marked failed for an admin to see and retry.
"""
from collections import Counter
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.infra.leases import Hold, short_transaction
from tracker.mail import outbox, rules, transport
from tracker.mail.outbox import Outgoing
from tracker.mail.transport import MailError

OUTCOMES = ("sent", "skipped", "failed", "pending")


def send(ids: list[int], backoff: bool) -> Counter:
    """Commit the session, then try each message; how many ended in each status.

    `backoff=False` is for a person waiting (a manual run, an admin's retry):
    every pending message is tried at once. With `backoff=True` (the
    scheduler) a message waits until its next attempt is due.
    """
    db.session.commit()
    return deliver(ids, backoff)


def retry_due() -> dict[str, int]:
    """The scheduler's mail retry: every pending message of any kind whose back-off has run out."""
    with db.engine.connect() as connection:
        due = outbox.pending_ids(connection, due_at=utcnow())
    outcomes = deliver(due, backoff=True)
    return {outcome: outcomes[outcome] for outcome in OUTCOMES}


def retry_failed_now(message_id: int) -> str | None:
    """An admin's retry of a failed message: back in the queue, and one attempt straight away; its new status.

    None when the message is not failed (any more).
    """
    if not outbox.retry_failed(message_id):
        db.session.rollback()
        return None
    outcomes = send([message_id], backoff=False)
    return next(iter(outcomes), "pending")


def pending_count() -> int:
    """How many messages are pending."""
    with db.engine.connect() as connection:
        return len(outbox.pending_ids(connection))


def send_pending(progress=None) -> Counter:
    """Every pending message not claimed by another sender, tried now whatever its back-off (`flask mail send`).

    `progress(n)` is told of each message tried.
    """
    with db.engine.connect() as connection:
        ids = outbox.pending_ids(connection)
    return deliver(ids, backoff=False, progress=progress)


def deliver(ids: list[int], backoff: bool, progress=None) -> Counter:
    """Claim, send and record each message over one channel; outcomes counted (messages others had are not)."""
    outcomes = Counter()
    if not ids:
        return outcomes
    with transport.channel() as channel:
        for message_id in ids:
            outcome = attempt(message_id, channel, backoff)
            if outcome is not None:
                outcomes[outcome] += 1
            if progress is not None:
                progress(1)
    return outcomes


def attempt(message_id: int, channel: transport.Channel, backoff: bool) -> str | None:
    """One attempt at one message; its new status, or None when another sender has it."""
    now = utcnow()
    with short_transaction(db.engine) as connection:
        hold = outbox.claim(connection, message_id, now, backoff)
        mail = outbox.load(connection, message_id) if hold is not None else None
    if hold is None:
        return None
    reason = rules.skip_reason(mail.kind, mail.recipient, mail.expires_at, now)
    if reason is not None:
        return record(outbox.mark_skipped, hold, reason)
    error = hand_over(mail, channel)
    if error is None:
        return record(outbox.mark_sent, hold, utcnow())
    current_app.logger.warning("mail to %s not sent: %s", mail.address, error)
    if error.permanent:
        return record(outbox.mark_failed, hold, str(error))
    return record(outbox.mark_retry_later, hold, str(error), utcnow())


def hand_over(mail: Outgoing, channel: transport.Channel) -> MailError | None:
    """Build the message and send it; the failure, if any (an unexpected error counts as a temporary one)."""
    try:
        channel.send(message_for(mail))
    except MailError as exc:
        return exc
    except Exception as exc:  # one message's trouble (bad data, a bug) must not stop the others, nor hide
        current_app.logger.exception("mail %s: unexpected error", mail.id)
        return MailError(f"unexpected error: {type(exc).__name__}: {exc}")
    return None


def message_for(mail: Outgoing) -> EmailMessage:
    """The message as recorded, to the recipient's name as it is now."""
    return transport.build_message(
        formataddr((mail.name, mail.address)), mail.subject, mail.body_text, mail.body_html or None,
        message_id=mail.message_id, headers=mail.headers,
    )


def record(mark, hold: Hold, *args) -> str | None:
    """Commit what the attempt came to; the new status, or None when another sender took the message over meanwhile."""
    with short_transaction(db.engine) as connection:
        return mark(connection, hold, *args)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    """Try the mail a transaction queued (`outbox.queue`) as soon as it has committed, all over one session.

    Whatever cannot go now stays pending for the scheduler's mail retry; the
    committed change stands either way.
    """
    queued = session.info.pop(outbox.QUEUE_KEY, None)
    if not queued:
        return
    if len(queued) > outbox.INLINE_LIMIT:
        current_app.logger.info("%d messages queued by one commit: left to the mail retry", len(queued))
        return
    try:
        deliver(queued, backoff=False)
    except Exception:  # the change is committed; its mail waits in the outbox for the retry job
        current_app.logger.exception("mail queued by a commit: not all of it was tried; the mail retry will")
